//! Property tests (issue 18): invariants of the code that content, queries and the page reach,
//! checked on generated input. proptest shrinks a failing input to a small one and records it in
//! `proptest-regressions/`, which is committed so the case is tried first on every later run.
//!
//! `cargo test` runs a short pass ([`SHORT_CASES`] per property); `make fuzz` sets
//! `PROPTEST_CASES` for a long one. Speed is not asserted here (that is `make bench`); what is:
//!
//! - **front matter**: any bytes give a document or problems naming the file and a line in it,
//!   never a panic; a valid header gives back what it says;
//! - **Markdown and links**: every link found is exactly the text `[[…]]` at its place; links
//!   in prose are all found and none in code; rendered HTML is inert; text after any construct
//!   stays visible and searchable; nesting is bounded;
//! - **the query parser**: never fails, words and phrases come back as typed; and any query
//!   searches a real library without an error;
//! - **the scorer**: 0–100, every match points at the reply's own text, penalties never help,
//!   the reference beats noise, the same reply scores the same;
//! - **the drill event log**: any event log gives finite, consistent metrics that survive the
//!   practice store and come back unchanged; the order of the log does not matter.

use proptest::prelude::*;
use proptest::test_runner::Config;

use crate::content::{Kind, Severity};
use crate::drill::{
    self, Drill, EventKind, Fact, InputEvent, Lexicon, Mistake, Persona, Rubric, TypingMetrics,
};
use crate::markdown;
use crate::search::query::{self, Term};

/// Cases per property in `cargo test` (unless `PROPTEST_CASES` says otherwise).
const SHORT_CASES: u32 = 48;

fn config() -> Config {
    let mut c = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = SHORT_CASES;
    }
    c
}

/// Concatenations of up to `max` pieces drawn from `tokens`.
fn soup(tokens: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(tokens), 0..max).prop_map(|v| v.concat())
}

/// Soup, arbitrary Unicode, or both mixed.
fn text(tokens: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => soup(tokens, max),
        1 => any::<String>(),
        1 => (soup(tokens, max / 2), any::<String>(), soup(tokens, max / 2))
            .prop_map(|(a, b, c)| format!("{a}{b}{c}")),
    ]
}

// ------------------------------------------------------------------------------ Markdown

/// The pieces Markdown, raw HTML and `[[links]]` are made of, the hostile ones included.
const MD: &[&str] = &[
    "[[",
    "]]",
    "|",
    "[",
    "]",
    "`",
    "```",
    "~~~",
    "\n",
    "\n\n",
    "    ",
    "> ",
    ">",
    "<div>",
    "</div>",
    "<p>",
    "<pre>",
    "<table>",
    "<math>",
    "<mtext>",
    "<svg>",
    "<script>",
    "</script>",
    "<style>",
    "<!--",
    "-->",
    "<?",
    "?>",
    "<!X",
    "<![CDATA[",
    "]]>",
    "<textarea>",
    "<template>",
    "<noscript>",
    "<title>",
    "[^1]",
    "[^1]: ",
    "* ",
    "- ",
    "1. ",
    "# ",
    "| a | b |\n|---|---|\n",
    "**",
    "_",
    "~~",
    "&amp;",
    "&#x3c;",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "[x](javascript:alert(1))",
    "<svg/onload=alert(1)>",
    " onclick=",
    "\"",
    "'",
    "=",
    "退款",
    "发货",
    "abc",
    "x",
    "doc-1",
    " ",
    "\t",
    "\r\n",
    "\r",
    "\u{202e}",
    "\u{0}",
    "😀",
    "\\",
    "[x]: <",
    "<http://a.b>",
    "*[x]*",
];

fn md_body() -> impl Strategy<Value = String> {
    text(MD, 80)
}

/// HTML tags whose presence in rendered output would mean the sanitiser let something through.
const FORBIDDEN_TAGS: &[&str] = &[
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "form",
    "base",
    "meta",
    "link",
    "template",
    "noscript",
    "textarea",
    "svg",
    "math",
    "frame",
    "frameset",
    "applet",
    "xmp",
    "plaintext",
];

/// Checks sanitised HTML tag by tag (the sanitiser escapes every `<` of text, so each `<` starts
/// a tag): no forbidden tag, no event handler, no script URL.
/// The text of each tag in serialised HTML (between `<` and its `>`), quoted attribute values
/// kept whole: the serialiser escapes `<` in text but not inside a quoted value.
fn tags(html: &str) -> Vec<&str> {
    let b = html.as_bytes();
    let (mut out, mut i) = (Vec::new(), 0);
    while let Some(p) = html[i..].find('<') {
        let start = i + p + 1;
        let mut j = start;
        let mut quote = None;
        while j < b.len() {
            match (quote, b[j]) {
                (None, b'"' | b'\'') => quote = Some(b[j]),
                (Some(q), c) if c == q => quote = None,
                (None, b'>') => break,
                _ => {}
            }
            j += 1;
        }
        out.push(&html[start..j]);
        i = j.min(b.len());
        if i >= b.len() {
            break;
        }
    }
    out
}

fn assert_inert(html: &str) -> Result<(), TestCaseError> {
    for tag in tags(html) {
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        prop_assert!(
            !FORBIDDEN_TAGS.contains(&name.as_str()),
            "tag <{name}> in {html:?}"
        );
        // Attributes: name[="value"], values quoted by the serialiser.
        let mut rest = &tag[tag.find(char::is_whitespace).unwrap_or(tag.len())..];
        loop {
            rest = rest.trim_start();
            if rest.is_empty() || rest.starts_with('/') {
                break;
            }
            let end = rest
                .find(|c: char| c == '=' || c.is_whitespace())
                .unwrap_or(rest.len());
            let attr = rest[..end].to_ascii_lowercase();
            prop_assert!(!attr.starts_with("on"), "handler {attr} in {html:?}");
            rest = &rest[end..];
            if let Some(after) = rest.strip_prefix('=') {
                let (value, next) = match after.strip_prefix('"') {
                    Some(v) => v.split_once('"').unwrap_or((v, "")),
                    None => after.split_once(char::is_whitespace).unwrap_or((after, "")),
                };
                // A URL's scheme, if it has one, is a safe one.
                let v = value.trim().to_ascii_lowercase();
                let scheme = v
                    .split_once(':')
                    .map(|(s, _)| s)
                    .filter(|s| !s.contains(['/', '?', '#']));
                prop_assert!(
                    scheme.is_none_or(|s| ["http", "https", "mailto"].contains(&s))
                        || !["href", "src"].contains(&attr.as_str()),
                    "{attr}={value:?} in {html:?}"
                );
                rest = next;
            }
        }
    }
    Ok(())
}

/// How deep `<open>` tags of one name nest in `html`.
fn max_nesting(html: &str, name: &str) -> usize {
    let (open, close) = (format!("<{name}"), format!("</{name}"));
    let named = |at: usize, prefix: &str| {
        html[at..].starts_with(prefix)
            && !html[at + prefix.len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
    };
    let (mut depth, mut max, mut i) = (0usize, 0usize, 0usize);
    while let Some(at) = html[i..].find('<') {
        let at = i + at;
        if named(at, &close) {
            depth = depth.saturating_sub(1);
        } else if named(at, &open) {
            depth += 1;
            max = max.max(depth);
        }
        i = at + 1;
    }
    max
}

/// A paragraph of prose with one link in it, possibly inside code.
#[derive(Debug, Clone)]
enum Piece {
    Link { id: String, label: Option<String> },
    Span { id: String },
    Fenced { id: String },
    Indented { id: String },
}

fn piece() -> impl Strategy<Value = Piece> {
    let id = "[a-z][a-z0-9/-]{0,10}[a-z0-9]";
    prop_oneof![
        3 => (id, prop::option::of("[a-z退款发货 ]{1,8}")).prop_map(|(id, label)| Piece::Link {
            id,
            label: label.filter(|l| !l.trim().is_empty()),
        }),
        1 => id.prop_map(|id| Piece::Span { id }),
        1 => id.prop_map(|id| Piece::Fenced { id }),
        1 => id.prop_map(|id| Piece::Indented { id }),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_link_found_is_the_text_at_its_place(body in md_body()) {
        let mut prev = 0;
        for l in markdown::find_links(&body) {
            prop_assert!(l.range.start >= prev, "links overlap or go back: {l:?}");
            prev = l.range.end;
            let Some(s) = body.get(l.range.clone()) else {
                return Err(TestCaseError::fail(format!("range off a char boundary: {l:?}")));
            };
            prop_assert!(s.starts_with("[[") && s.ends_with("]]") && s.len() >= 5, "{s:?}");
            let inner = &s[2..s.len() - 2];
            let (target, label) = match inner.split_once('|') {
                Some((t, l)) => (t.trim(), Some(l.trim()).filter(|l| !l.is_empty())),
                None => (inner.trim(), None),
            };
            prop_assert_eq!(&l.target, target);
            prop_assert_eq!(l.label.as_deref(), label);
            prop_assert!(!l.target.is_empty());
            // Lines as Markdown counts them: `\n`, `\r\n` or a lone `\r` ends one.
            let before = &body[..l.range.start];
            let lines = before.matches('\n').count() + before.matches('\r').count()
                - before.matches("\r\n").count();
            prop_assert_eq!(l.line_offset, lines);
        }
    }

    #[test]
    fn links_in_prose_are_all_found_and_none_in_code(
        pieces in prop::collection::vec(piece(), 0..12),
    ) {
        let mut body = String::new();
        let mut expected = Vec::new();
        for p in &pieces {
            match p {
                Piece::Link { id, label: Some(l) } => {
                    body.push_str(&format!("请看 [[{id}|{l}]] 退款\n\n"));
                    expected.push((id.clone(), Some(l.trim().to_string())));
                }
                Piece::Link { id, label: None } => {
                    body.push_str(&format!("发货[[ {id} ]]。\n\n"));
                    expected.push((id.clone(), None));
                }
                Piece::Span { id } => body.push_str(&format!("写作 `[[{id}]]` 即可\n\n")),
                Piece::Fenced { id } => body.push_str(&format!("```\n[[{id}]]\n```\n\n")),
                Piece::Indented { id } => body.push_str(&format!("    [[{id}]]\n\n")),
            }
        }
        let found: Vec<_> = markdown::find_links(&body)
            .into_iter()
            .map(|l| (l.target, l.label))
            .collect();
        prop_assert_eq!(found, expected, "{}", body);
    }

    #[test]
    fn rendered_html_is_inert(body in md_body()) {
        assert_inert(&markdown::render_html(&body, &|_| None))?;
        assert_inert(&markdown::render_html(&body, &|_| Some("<img src=x onerror=alert(1)>".into())))?;
    }

    #[test]
    fn text_after_any_construct_stays_visible_and_searchable(
        before in md_body(),
        marker in "[a-z]{8}",
    ) {
        // A blank line ends every block but fenced code, which shows its text anyway.
        let body = format!("{before}\n\n标记{marker}。\n");
        let plain = markdown::plain_text(&body, &|_| None);
        prop_assert!(plain.contains(&marker), "hidden from search: {body:?} → {plain:?}");
        let html = markdown::render_html(&body, &|_| None);
        prop_assert!(html.contains(&marker), "hidden from view: {body:?} → {html:?}");
    }

    #[test]
    fn nesting_is_bounded_and_keeps_its_text(
        depth in 0usize..2_000,
        opener in prop::sample::select(&["> ", "<div>", "<blockquote>", "* ", "<ul><li>", "<b>"][..]),
        marker in "[a-z]{8}",
    ) {
        let body = format!("{}{marker}\n", opener.repeat(depth));
        let html = markdown::render_html(&body, &|_| None);
        for tag in ["blockquote", "div", "ul", "li", "b"] {
            prop_assert!(max_nesting(&html, tag) <= markdown::MAX_DEPTH, "<{tag}> nests too deep");
        }
        prop_assert!(html.contains(&marker));
        prop_assert!(markdown::plain_text(&body, &|_| None).contains(&marker));
        let report = markdown::inspect(&body);
        if depth <= markdown::MAX_DEPTH / 2 {
            prop_assert_eq!(report.too_deep, None);
        }
    }
}

// --------------------------------------------------------------------------- front matter

const YAML: &[&str] = &[
    "---\n",
    "...\n",
    "title: ",
    "kind: ",
    "playbook",
    "rule",
    "case",
    "drill",
    "id: ",
    "tags: ",
    "[",
    "]",
    "{",
    "}",
    "- ",
    "\n",
    "  ",
    "&a ",
    "*a",
    "<<: ",
    "!!str ",
    "!!binary ",
    "!<tag> ",
    "'",
    "\"",
    "#",
    ": ",
    ":",
    "退款",
    "x",
    "1",
    "2026-01-01",
    "-2026-01-01",
    "null",
    "~",
    "? ",
    "|\n",
    ">\n",
    "\t",
    "%YAML 1.2\n",
    "\u{feff}",
    "\r\n",
    "platforms: ",
    "pdd",
    "updated: ",
    "aliases: ",
    "phrases: ",
    "customer: ",
    "references: ",
    "rubric: ",
    "facts: ",
    "elements: ",
    "<<<<<<< HEAD\n",
    "=======\n",
    "\u{0}",
    "\u{85}",
    "\u{2028}",
    "99999999999999999999",
];

/// Bytes shaped like a content file: a front matter of YAML pieces, then a body.
fn file_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => (soup(YAML, 60), md_body())
            .prop_map(|(y, b)| format!("---\n{y}\n---\n{b}").into_bytes()),
        1 => text(YAML, 60).prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..600),
        1 => (soup(YAML, 30), prop::collection::vec(any::<u8>(), 0..100)).prop_map(|(y, b)| {
            let mut v = format!("---\ntitle: {y}\nkind: rule\n---\n").into_bytes();
            v.extend(b);
            v
        }),
    ]
}

/// A word of CJK ideographs, letters and digits (`\\p{Han}` also holds Kangxi radicals, which
/// are symbols, not letters).
fn word() -> impl Strategy<Value = String> {
    "[\u{4e00}-\u{9fa5}a-z0-9]{1,6}"
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_give_a_document_or_problems_naming_the_file_and_a_line(bytes in file_bytes()) {
        let rel = "规则/x y.md";
        let (doc, problems) = crate::content::load_file_text(rel, &bytes);
        // Lines as any decoding counts them (UTF-16 files have fewer newlines than bytes).
        // A lone `\r` ends a line too (decoding makes it one).
        let lines = bytes
            .iter()
            .enumerate()
            .filter(|(i, b)| **b == b'\n' || (**b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
            .count()
            + 1;
        for p in &problems {
            prop_assert_eq!(&p.path, rel);
            prop_assert!(p.line >= 1 && p.line <= lines, "{p:?} past line {lines}");
            prop_assert!(!p.message.is_empty());
        }
        let errors = problems.iter().any(|p| p.severity == Severity::Error);
        match &doc {
            Some(d) => {
                prop_assert!(!d.title.trim().is_empty());
                prop_assert!(!d.id.is_empty());
            }
            None => prop_assert!(errors, "no document and no error: {problems:?}"),
        }
    }

    #[test]
    fn a_valid_header_gives_back_what_it_says(
        title in "[\\p{Han}a-zA-Z0-9][\\p{Han}a-zA-Z0-9 ]{0,18}[\\p{Han}a-zA-Z0-9]",
        kind in prop::sample::select(&[Kind::Playbook, Kind::Rule, Kind::Case][..]),
        id in "[a-z][a-z0-9-]{0,10}(/[a-z0-9-]{1,8})?",
        tags in prop::collection::btree_set(word(), 0..4),
        body in "[\\p{Han}a-z ，。\n]{0,200}",
        crlf in any::<bool>(),
    ) {
        let tags: Vec<String> = tags.into_iter().collect();
        let header = format!(
            "---\ntitle: {}\nkind: {}{}\nid: {}\ntags: {}\n---\n",
            serde_json::to_string(&title).unwrap_or_default(),
            kind.as_str(),
            if kind == Kind::Rule { "\nplatform: pdd" } else { "" },
            // Quoted: `null` or `true` are ids too.
            serde_json::to_string(&id).unwrap_or_default(),
            serde_json::to_string(&tags).unwrap_or_default(),
        );
        let mut text = format!("{header}{body}");
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        let (doc, problems) = crate::content::load_file_text("a/b.md", text.as_bytes());
        let errors: Vec<_> = problems.iter().filter(|p| p.severity == Severity::Error).collect();
        prop_assert!(errors.is_empty(), "{errors:?}");
        let Some(doc) = doc else {
            return Err(TestCaseError::fail("no document"));
        };
        prop_assert_eq!(doc.title, title);
        prop_assert_eq!(doc.kind, kind);
        prop_assert_eq!(doc.id, id);
        prop_assert_eq!(doc.tags, tags);
        prop_assert_eq!(doc.body, body);
        prop_assert_eq!(doc.body_line, if kind == Kind::Rule { 8 } else { 7 });
    }
}

// ------------------------------------------------------------------------------- queries

const QUERY: &[&str] = &[
    "\"",
    "“",
    "”",
    "「",
    "」",
    "-",
    "－",
    " ",
    "\u{3000}",
    "\t",
    "kind:",
    "类型:",
    "platform:",
    "tag:",
    "平台：",
    "rule",
    "规则",
    "pdd",
    "拼多多",
    "退款",
    "发货",
    "😡",
    "！",
    "…",
    "a",
    "cfh",
    ":",
    "：",
    "*",
    "?",
    "~",
    "^",
    "(",
    ")",
    "AND",
    "OR",
    "NOT",
    "\\",
    "+",
    "/",
    "[",
    "]",
    "{",
    "}",
    "title:",
    "body:",
    "\u{0}",
    "\u{202e}",
    "1",
    "2",
];

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}'
}

/// A small real library, opened once for the search property.
fn library() -> Option<&'static crate::Library> {
    use std::sync::OnceLock;
    static LIB: OnceLock<Option<(tempfile::TempDir, crate::Library)>> = OnceLock::new();
    LIB.get_or_init(|| {
        let dir = tempfile::tempdir().ok()?;
        let content = dir.path().join("content");
        std::fs::create_dir_all(content.join("rules")).ok()?;
        let docs = [
            ("rules/refund.md", "---\ntitle: 退款规则\nkind: rule\nplatforms: [pdd]\ntags: [退款]\n---\n七天无理由退款，运费险。[[rules/ship]]\n"),
            ("rules/ship.md", "---\ntitle: 发货时效\nkind: rule\ntags: [物流]\n---\n48小时内发货，超时发货赔付。\n"),
            ("rules/ab.md", "---\ntitle: AND OR NOT\nkind: playbook\n---\n`code` title:body \\ * ? ~\n"),
        ];
        for (p, t) in docs {
            std::fs::write(content.join(p), t).ok()?;
        }
        let lib = crate::Library::open(
            crate::LibraryConfig {
                content_dir: content,
                data_dir: Some(dir.path().join("data")),
            },
            std::sync::Arc::new(crate::FixedClock::on(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default())),
        )
        .ok()?;
        Some((dir, lib))
    })
    .as_ref()
    .map(|(_, lib)| lib)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_query_parses_into_sound_terms(input in text(QUERY, 24)) {
        let q = query::parse(&input);
        prop_assert_eq!(&q, &query::parse(&input));
        for t in &q.terms {
            prop_assert!(!t.text.is_empty() && t.text.trim() == t.text, "{t:?}");
            prop_assert!(t.text.chars().any(char::is_alphanumeric), "{t:?}");
            prop_assert!(t.phrase || !t.text.contains(is_space), "{t:?}");
            prop_assert!(!(t.phrase && t.prefix));
        }
        let prefixes = q.terms.iter().filter(|t| t.prefix).count();
        prop_assert!(prefixes <= 1);
        if prefixes == 1 {
            prop_assert!(q.terms.last().is_some_and(|t| t.prefix));
            prop_assert!(!input.ends_with(is_space));
        }
        for e in &q.excluded {
            prop_assert!(e.chars().any(char::is_alphanumeric), "{e:?}");
        }
    }

    #[test]
    fn words_and_phrases_come_back_as_typed(
        words in prop::collection::vec(word(), 1..6),
        seps in prop::collection::vec(prop::sample::select(&[" ", "  ", "\u{3000}", "\t", " \u{3000} "][..]), 6),
        phrase in "[\u{4e00}-\u{9fa5}a-z][\u{4e00}-\u{9fa5}a-z ]{0,8}[\u{4e00}-\u{9fa5}a-z]",
        quotes in prop::sample::select(&[("\"", "\""), ("“", "”"), ("「", "」")][..]),
        excluded in word(),
        trailing in any::<bool>(),
    ) {
        let mut input = String::new();
        for (w, s) in words.iter().zip(seps.iter().cycle()) {
            input.push_str(w);
            input.push_str(s);
        }
        input.push_str(&format!("-{excluded} {}{phrase}{} ", quotes.0, quotes.1));
        let last = words.last().cloned().unwrap_or_default();
        input.push_str(&last);
        if trailing {
            input.push(' ');
        }
        let q = query::parse(&input);
        let mut expected: Vec<Term> = words
            .iter()
            .map(|w| Term { text: w.clone(), phrase: false, prefix: false })
            .collect();
        expected.push(Term { text: phrase.clone(), phrase: true, prefix: false });
        expected.push(Term { text: last, phrase: false, prefix: !trailing });
        prop_assert_eq!(q.terms, expected);
        prop_assert_eq!(q.excluded, vec![excluded]);
        prop_assert_eq!(q.dropped, 0);
    }

    #[test]
    fn any_query_searches_a_real_library(input in text(QUERY, 24)) {
        let Some(lib) = library() else {
            return Err(TestCaseError::fail("the test library did not open"));
        };
        let opts = crate::SearchOptions::default();
        let r = lib.search(&input, &opts);
        prop_assert!(r.is_ok(), "{input:?}: {r:?}");
        if let Ok(r) = r {
            prop_assert!(r.hits.len() <= 3);
            for h in &r.hits {
                prop_assert!(h.score.is_finite(), "{h:?}");
            }
        }
    }
}

// -------------------------------------------------------------------------------- scorer

fn scoring_drill() -> Drill {
    Drill {
        category: "催发货".into(),
        difficulty: 2,
        persona: Persona::Anxious,
        time_limit_s: 60,
        allow_paste: false,
        customer: vec!["怎么还不发货".into()],
        references: vec![
            "好的亲，我这边给您跟仓库说一下，给您插队优先发货，另外我也给您持续跟进发货进展，感谢您支持".into(),
        ],
        poor: vec![],
        rubric: Rubric {
            elements: vec![],
            facts: vec![Fact {
                text: "48小时内发货".into(),
                r#match: vec!["48小时".into(), "两天内".into()],
                rule: None,
            }],
            mistakes: vec![Mistake {
                text: "承诺到货时间".into(),
                r#match: vec!["明天一定到".into()],
                why: "物流时间客服无法保证".into(),
                rule: None,
                penalty: Some(10),
            }],
        },
        upsell: None,
        rubric_line: 1,
    }
}

const REPLY: &[&str] = &[
    "好的亲",
    "您好",
    "亲",
    "，",
    "。",
    "！",
    "我这边",
    "给您",
    "跟仓库说一下",
    "插队",
    "优先发货",
    "持续跟进",
    "发货进展",
    "感谢您支持",
    "抱歉",
    "不好意思",
    "48小时",
    "两天内",
    "不",
    "没有",
    "明天一定到",
    "不会明天一定到",
    "全网最低",
    "滚",
    "亲亲",
    " ",
    "\n",
    "😀",
    "abc",
    "Ａ",
    "1",
    "\u{0}",
    "\u{202e}",
    "发货",
    "退款",
];

fn reply() -> impl Strategy<Value = String> {
    text(REPLY, 40)
}

fn penalty(b: &drill::ScoreBreakdown) -> f64 {
    b.components
        .iter()
        .filter(|c| c.points < 0.0)
        .map(|c| c.points)
        .sum()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_reply_scores_within_bounds_and_points_at_its_own_text(
        r in reply(),
        total_ms in prop_oneof![Just(None), (0.0f64..1e9).prop_map(Some)],
    ) {
        let lexicon = Lexicon::builtin();
        let d = scoring_drill();
        let timing = total_ms.map(|total_ms| drill::Timing { total_ms, pasted_chars: 0 });
        let b = drill::score(&d, &lexicon, &r, timing, None);
        prop_assert!(b.score <= 100);
        prop_assert!((0.0..=1.0).contains(&b.similarity), "{}", b.similarity);
        for c in &b.components {
            prop_assert!(c.points.is_finite() && c.max.is_finite(), "{c:?}");
            prop_assert!(c.points <= c.max + 1e-9, "{c:?}");
        }
        let chars: Vec<char> = r.chars().collect();
        let at = |s: u32, e: u32| -> Option<String> {
            let (s, e) = (s as usize, e as usize);
            (s <= e && e <= chars.len()).then(|| chars[s..e].iter().collect())
        };
        for h in &b.elements {
            prop_assert_eq!(at(h.start, h.end), Some(h.matched.clone()), "{:?}", h);
        }
        for h in &b.facts {
            prop_assert_eq!(at(h.start, h.end), Some(h.matched.clone()), "{:?}", h);
        }
        for h in &b.mistakes {
            prop_assert_eq!(at(h.start, h.end), Some(h.matched.clone()), "{:?}", h);
        }
        for h in &b.banned {
            prop_assert!(at(h.start, h.end).is_some(), "{:?}", h);
        }
        prop_assert_eq!(&b, &drill::score(&d, &lexicon, &r, timing, None));
    }

    #[test]
    fn a_banned_word_or_a_known_mistake_never_helps(r in reply()) {
        let lexicon = Lexicon::builtin();
        let d = scoring_drill();
        let base = drill::score(&d, &lexicon, &r, None, None);
        for extra in ["全网最低", "明天一定到"] {
            let worse = drill::score(&d, &lexicon, &format!("{r}，{extra}。"), None, None);
            prop_assert!(penalty(&worse) <= penalty(&base) + 1e-9, "{extra}: {worse:?} vs {base:?}");
        }
    }

    #[test]
    fn the_reference_beats_noise(noise in "[a-zA-Z0-9 ]{0,60}|[\\p{Hangul}]{0,30}") {
        let lexicon = Lexicon::builtin();
        let d = scoring_drill();
        let reference = drill::score(&d, &lexicon, &d.references[0], None, None);
        let other = drill::score(&d, &lexicon, &noise, None, None);
        prop_assert!(reference.score > other.score, "{} vs {}", reference.score, other.score);
    }
}

// ----------------------------------------------------------------------- drill event log

fn event_kind() -> impl Strategy<Value = EventKind> {
    prop::sample::select(
        &[
            EventKind::Shown,
            EventKind::KeyDown,
            EventKind::Input,
            EventKind::CompositionStart,
            EventKind::CompositionUpdate,
            EventKind::CompositionEnd,
            EventKind::Paste,
            EventKind::Submit,
        ][..],
    )
}

/// Times a page could send: ordinary, equal, very close together, and extreme (JSON has no NaN).
fn time() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => 0.0f64..600_000.0,
        1 => prop::sample::select(&[0.0, -0.0, 1e-300, 5e-324, 1.0, 1.0 + f64::EPSILON][..]),
        1 => prop::sample::select(&[f64::MAX, -f64::MAX, 1e308, -1e308, 9e15][..]),
    ]
}

fn event() -> impl Strategy<Value = InputEvent> {
    (
        time(),
        event_kind(),
        prop::option::of(prop::sample::select(
            &[
                "a",
                "Process",
                "Backspace",
                "Shift",
                "Enter",
                " ",
                "Unidentified",
            ][..],
        )),
        prop::option::of(prop_oneof![
            Just(String::new()),
            "[\\p{Han}a-z]{1,8}",
            any::<String>()
        ]),
        prop::option::of(prop::sample::select(
            &[
                "insertText",
                "insertCompositionText",
                "deleteContentBackward",
                "insertFromPaste",
            ][..],
        )),
        any::<bool>(),
    )
        .prop_map(
            |(t_ms, kind, key, data, input_type, is_composing)| InputEvent {
                t_ms,
                kind,
                key: key.map(str::to_string),
                data,
                input_type: input_type.map(str::to_string),
                is_composing,
            },
        )
}

fn chars_of(events: &[InputEvent], kind: EventKind) -> u64 {
    events
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.data.as_deref().map_or(0, |d| d.chars().count() as u64))
        .sum()
}

fn assert_sound(m: &TypingMetrics, events: &[InputEvent]) -> Result<(), TestCaseError> {
    let values = [
        m.response_ms.unwrap_or(0.0),
        m.compose_ms,
        m.total_ms,
        m.cpm,
        m.keystrokes_per_char,
    ];
    for v in values {
        prop_assert!(v.is_finite() && v >= 0.0, "{m:?}");
    }
    prop_assert!(m.compose_ms <= m.total_ms, "{m:?}");
    let keys = events
        .iter()
        .filter(|e| e.kind == EventKind::KeyDown)
        .count();
    prop_assert!(m.keystrokes as usize <= keys);
    prop_assert!(m.backspaces <= m.keystrokes);
    let typed = chars_of(events, EventKind::CompositionEnd) + chars_of(events, EventKind::Input);
    prop_assert!(u64::from(m.committed_chars) <= typed);
    prop_assert_eq!(
        u64::from(m.pasted_chars),
        chars_of(events, EventKind::Paste)
    );
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_event_log_gives_sound_metrics_that_survive_the_store(
        events in prop::collection::vec(event(), 0..40),
        r in reply(),
    ) {
        let m = drill::compute_metrics(&events);
        assert_sound(&m, &events)?;
        // What the page sends is what is kept: through JSON and the store, and back.
        let json = serde_json::to_string(&events).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: Vec<InputEvent> =
            serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(drill::compute_metrics(&back), m.clone());
        let store = crate::store::Store::in_memory().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let clock = crate::FixedClock::on(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default());
        let breakdown = drill::score(&scoring_drill(), &Lexicon::builtin(), &r, None, None);
        let new = crate::store::NewAttempt {
            drill_id: "drills/催发货",
            category: "催发货",
            mode: crate::store::DrillMode::Reply,
            session_id: Some("s"),
            started_at: crate::Clock::now(&clock).into(),
            reply: &r,
            breakdown: &breakdown,
            metrics: &m,
        };
        let id = store.record(&new, &clock).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let attempts = store.attempts(None).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(attempts.len(), 1);
        let a = &attempts[0];
        prop_assert_eq!(a.id, id);
        prop_assert_eq!(&a.reply, &r);
        prop_assert_eq!(&a.metrics, &m);
        prop_assert_eq!(&a.breakdown, &breakdown);
    }

    #[test]
    fn the_order_of_the_log_does_not_matter(
        events in prop::collection::vec(event(), 0..30)
            .prop_map(|mut v| {
                // Distinct times: equal ones have no order to keep.
                for (i, e) in v.iter_mut().enumerate() {
                    e.t_ms = i as f64 * 37.0;
                }
                v
            })
            .prop_shuffle(),
    ) {
        let mut sorted = events.clone();
        sorted.sort_by(|a, b| a.t_ms.total_cmp(&b.t_ms));
        prop_assert_eq!(drill::compute_metrics(&events), drill::compute_metrics(&sorted));
    }

    #[test]
    fn typing_through_an_ime_is_counted_as_typed(
        words in prop::collection::vec(("[\\p{Han}]{1,4}", 1usize..8), 1..8),
        gap in 1.0f64..500.0,
        backspaces in 0usize..3,
    ) {
        let mut events = vec![InputEvent {
            t_ms: 1000.0, kind: EventKind::Shown, key: None, data: None, input_type: None, is_composing: false,
        }];
        let mut t = 1000.0;
        let mut next = |kind, key: Option<&str>, data: Option<&str>| {
            t += gap;
            events.push(InputEvent {
                t_ms: t,
                kind,
                key: key.map(str::to_string),
                data: data.map(str::to_string),
                input_type: None,
                is_composing: kind != EventKind::CompositionEnd && kind != EventKind::KeyDown,
            });
        };
        let (mut keys, mut chars) = (0u32, 0u32);
        for (w, n) in &words {
            next(EventKind::CompositionStart, None, None);
            for _ in 0..*n {
                next(EventKind::KeyDown, Some("Process"), None);
                keys += 1;
            }
            next(EventKind::KeyDown, Some("Shift"), None);
            next(EventKind::CompositionEnd, None, Some(w));
            chars += w.chars().count() as u32;
        }
        for _ in 0..backspaces {
            next(EventKind::KeyDown, Some("Backspace"), None);
            keys += 1;
        }
        next(EventKind::Submit, None, None);
        let m = drill::compute_metrics(&events);
        prop_assert_eq!(m.committed_chars, chars);
        prop_assert_eq!(m.keystrokes, keys);
        prop_assert_eq!(m.backspaces, backspaces as u32);
        prop_assert!(m.response_ms.is_some_and(|r| (r - gap).abs() < 1e-6), "{m:?}");
        prop_assert!((m.total_ms - (t - 1000.0)).abs() < 1e-6);
    }
}
