//! The one place that knows our Markdown dialect: CommonMark plus tables, strikethrough, task
//! lists and footnotes, and `[[id]]` / `[[id|label]]` links between documents.
//!
//! [`render_html`] returns HTML that is safe to put in a web view: it goes through ammonia, so
//! scripts, event handlers, `javascript:` URLs and unknown tags are removed. [`plain_text`]
//! returns the text used for indexing and snippets.

use std::collections::HashSet;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The pulldown-cmark extensions we support; an explicit list, not `Options::all()`.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
}

/// A `[[target|label]]` found in a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLink {
    /// Target id.
    pub target: String,
    /// Optional label.
    pub label: Option<String>,
    /// 0-based line within the body.
    pub line_offset: usize,
    /// Byte range of the whole `[[…]]` in the body.
    pub range: std::ops::Range<usize>,
}

/// Finds `[[id]]` links outside code (code spans, fenced and indented code blocks, as the
/// Markdown parser reads the body once unclosed raw-text openers are shown as text, which is
/// how it is rendered). Linear in the body's length.
pub fn find_links(body: &str) -> Vec<RawLink> {
    let mut links = scan_links(body);
    if links.is_empty() {
        return links;
    }
    let openers: Vec<usize> = unclosed_raw_html(body).iter().map(|u| u.at).collect();
    let code = code_ranges(body, &openers);
    if !code.is_empty() {
        // Both lists are in body order: one pass.
        let mut k = 0;
        links.retain(|l| {
            while k < code.len() && code[k].0.end <= l.range.start {
                k += 1;
            }
            code.get(k).is_none_or(|(c, _)| c.start > l.range.start)
        });
    }
    links
}

/// Where code is, as `(range, is a code block)`, in `body` read with the `<` at each of `text_at`
/// taken as text (masked: byte offsets do not move).
fn code_ranges(body: &str, text_at: &[usize]) -> Vec<(std::ops::Range<usize>, bool)> {
    let masked: std::borrow::Cow<'_, str> = if text_at.is_empty() {
        std::borrow::Cow::Borrowed(body)
    } else {
        let mut bytes = body.as_bytes().to_vec();
        for at in text_at {
            if let Some(b) = bytes.get_mut(*at) {
                *b = b'x';
            }
        }
        std::borrow::Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
    };
    Parser::new_ext(&masked, options())
        .into_offset_iter()
        .filter_map(|(ev, range)| match ev {
            Event::Start(Tag::CodeBlock(_)) => Some((range, true)),
            Event::Code(_) => Some((range, false)),
            _ => None,
        })
        .collect()
}

/// The line scanner behind [`find_links`] (which drops what falls in code): the next `]]` of a
/// line is looked up once and reused until passed, so a line of `[[` costs one search.
fn scan_links(body: &str) -> Vec<RawLink> {
    let body = &*lone_cr_as_lf(body);
    let mut out = Vec::new();
    let mut offset = 0;
    for (line_no, line) in body.split_inclusive('\n').enumerate() {
        // Where the next `]]` at or after some point starts: `None` = not searched yet,
        // `Some(None)` = there is none after the last search point.
        let mut close: Option<Option<usize>> = None;
        let mut i = 0;
        while let Some(p) = line[i..].find("[[") {
            i += p;
            let from = i + 2;
            let end = match close {
                Some(Some(c)) if c >= from => Some(c),
                Some(None) => None,
                _ => {
                    let found = line[from..].find("]]").map(|e| from + e);
                    close = Some(found);
                    found
                }
            };
            let Some(end) = end else {
                break; // no `]]` anywhere after this: no more links on the line
            };
            let inner = &line[from..end];
            if !inner.is_empty() && !inner.contains('[') {
                let (target, label) = match inner.split_once('|') {
                    Some((t, l)) => (t.trim(), Some(l.trim().to_string())),
                    None => (inner.trim(), None),
                };
                if !target.is_empty() {
                    out.push(RawLink {
                        target: target.to_string(),
                        label: label.filter(|l| !l.is_empty()),
                        line_offset: line_no,
                        range: offset + i..offset + end + 2,
                    });
                }
                i = end + 2;
                continue;
            }
            i += 1;
        }
        offset += line.len();
    }
    out
}

/// The text with every `\r` not followed by `\n` made a `\n`, as Markdown reads line ends, for
/// the line scanners (files are normalised when read; text from the editor may not be). Byte
/// offsets do not move.
fn lone_cr_as_lf(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('\r') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Elements whose content the browser does not parse as markup (or drops), and `pre`, which
/// CommonMark reads as raw HTML up to its closer: an opener without its closer swallows the
/// rest of a document, so such an opener is shown as text instead.
const RAW_TAGS: &[&str] = &[
    "pre",
    "script",
    "style",
    "textarea",
    "template",
    "title",
    "xmp",
    "plaintext",
    "noscript",
    "noembed",
    "noframes",
    "iframe",
];

/// An unclosed raw-text opener (`<style` …, or `<!--`) found in a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unclosed {
    /// The tag name, or `!--` for a comment.
    pub tag: String,
    /// 0-based line within the body.
    pub line_offset: usize,
    /// Byte offset of its `<`.
    pub at: usize,
}

/// Every opener of a raw-text element or comment that has no closer after it, outside code.
/// Linear: one pass for the last closer of each tag, one over the `<`s, and one Markdown parse
/// for where code is.
pub fn unclosed_raw_html(body: &str) -> Vec<Unclosed> {
    if !body.contains('<') {
        return Vec::new();
    }
    let lower = body.to_ascii_lowercase();
    let last_close = |closer: &str| lower.rfind(closer);
    let closers: Vec<(&str, Option<usize>)> = RAW_TAGS
        .iter()
        .map(|t| (*t, last_close(&format!("</{t}"))))
        .collect();
    let comment_close = lower.rfind("-->");
    // The other raw HTML blocks that run to a closer (CommonMark's kinds 3–5): `<?` to `?>`,
    // `<![CDATA[` to `]]>`, `<!` and a letter to `>`.
    let pi_close = lower.rfind("?>");
    let cdata_close = lower.rfind("]]>");
    let decl_close = lower.rfind('>');
    let mut candidates: Vec<(usize, &str)> = Vec::new();
    for (at, _) in lower.match_indices('<') {
        let rest = &lower[at + 1..];
        let special = if rest.starts_with("!--") {
            Some(("!--", comment_close.is_none_or(|c| c < at + 4)))
        } else if rest.starts_with("![cdata[") {
            Some(("![CDATA[", cdata_close.is_none_or(|c| c < at + 9)))
        } else if rest.starts_with('?') {
            Some(("?", pi_close.is_none_or(|c| c < at + 2)))
        } else if rest.starts_with('!')
            && rest.as_bytes().get(1).is_some_and(u8::is_ascii_alphabetic)
        {
            Some(("!", decl_close.is_none_or(|c| c < at)))
        } else {
            None
        };
        match special {
            Some((tag, true)) => candidates.push((at, tag)),
            Some(_) => {}
            None => {
                for (tag, close) in &closers {
                    let ends_name = rest
                        .as_bytes()
                        .get(tag.len())
                        .is_none_or(|c| c.is_ascii_whitespace() || *c == b'>' || *c == b'/');
                    if rest.starts_with(tag) && ends_name && close.is_none_or(|c| c < at) {
                        candidates.push((at, tag));
                    }
                }
            }
        }
    }
    if candidates.is_empty() {
        return Vec::new();
    }
    // Code as Markdown reads the body once these openers are text (which is what showing them
    // as text makes it): one left open must not hide the code after it from this check. An
    // opener that begins its line (after indentation, quote or list markers) starts an HTML
    // block, which ends a paragraph, so a code span that seems to run over it does not: only a
    // code block hides it.
    let at: Vec<usize> = candidates.iter().map(|(at, _)| *at).collect();
    let code = code_ranges(body, &at);
    let first_on_line = |at: usize| {
        lower[..at]
            .bytes()
            .rev()
            .take_while(|b| *b != b'\n' && *b != b'\r')
            .all(|b| {
                matches!(
                    b,
                    b' ' | b'\t' | b'>' | b'-' | b'*' | b'+' | b'.' | b')' | b'0'..=b'9'
                )
            })
    };
    let mut out = Vec::new();
    let mut k = 0;
    let (mut line_no, mut counted) = (0usize, 0usize);
    for (at, tag) in candidates {
        while k < code.len() && code[k].0.end <= at {
            k += 1;
        }
        if code
            .get(k)
            .is_some_and(|(c, block)| c.start <= at && (*block || !first_on_line(at)))
        {
            continue;
        }
        line_no += line_breaks(&lower[counted..at]);
        counted = at;
        out.push(Unclosed {
            tag: tag.to_string(),
            line_offset: line_no,
            at,
        });
    }
    out
}

/// Line ends in `s` as Markdown counts them: `\n`, `\r\n`, or a lone `\r`.
fn line_breaks(s: &str) -> usize {
    let b = s.as_bytes();
    b.iter()
        .enumerate()
        .filter(|(i, c)| **c == b'\n' || (**c == b'\r' && b.get(i + 1) != Some(&b'\n')))
        .count()
}

/// The body with every unclosed raw-text opener's `<` written as `&lt;`, so it shows as text
/// and the rest of the document stays visible and searchable.
fn neutralise_unclosed(body: &str) -> std::borrow::Cow<'_, str> {
    let found = unclosed_raw_html(body);
    if found.is_empty() {
        return std::borrow::Cow::Borrowed(body);
    }
    let mut out = String::with_capacity(body.len() + found.len() * 3);
    let mut last = 0;
    for u in found {
        out.push_str(&body[last..u.at]);
        out.push_str("&lt;");
        last = u.at + 1;
    }
    out.push_str(&body[last..]);
    std::borrow::Cow::Owned(out)
}

/// How deep rendered markup may nest (block quotes, lists, emphasis, raw HTML tags). Deeper
/// markup keeps its text but loses its structure: the HTML sanitiser's cost grows with the
/// square of the depth (20,000 nested quotes took 2.4 s, 100,000 nested `<div>` 16 s).
pub const MAX_DEPTH: usize = 48;

/// HTML elements that never have a closing tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// A linear scan of raw HTML: how deep its tags nest at most (void and self-closed tags aside).
#[derive(Default)]
struct TagDepth {
    depth: usize,
    max: usize,
}

impl TagDepth {
    fn feed(&mut self, html: &str) {
        let b = html.as_bytes();
        let mut i = 0;
        while let Some(p) = html[i..].find('<') {
            let start = i + p + 1;
            let closing = b.get(start) == Some(&b'/');
            let name_from = start + usize::from(closing);
            let name_len = b[name_from..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric())
                .count();
            i = name_from + name_len;
            if name_len == 0 {
                continue;
            }
            let name = html[name_from..i].to_ascii_lowercase();
            if VOID.contains(&name.as_str()) {
                continue;
            }
            // Only up to the next `<` or `>`: the scan stays linear however the tags are cut.
            let self_closed = html[i..]
                .find(['<', '>'])
                .is_some_and(|e| b[i + e] == b'>' && html[i..i + e].ends_with('/'));
            if closing {
                self.depth = self.depth.saturating_sub(1);
            } else if !self_closed {
                self.depth += 1;
                self.max = self.max.max(self.depth);
            }
        }
    }
}

/// The events of a prepared body with nesting bounded by [`MAX_DEPTH`]: tags deeper than that
/// are dropped (their text kept, blocks separated by line breaks), and when raw HTML nests
/// deeper, all raw HTML is shown as text. Returns whether anything was cut.
fn bounded_events(body: &str) -> (Vec<Event<'_>>, bool) {
    let events: Vec<Event<'_>> = Parser::new_ext(body, options()).collect();
    let mut tags = TagDepth::default();
    for ev in &events {
        if let Event::Html(h) | Event::InlineHtml(h) = ev {
            tags.feed(h);
        }
    }
    let html_as_text = tags.max > MAX_DEPTH;
    let mut cut = html_as_text;
    let mut stack: Vec<bool> = Vec::new();
    let mut out = Vec::with_capacity(events.len());
    for ev in events {
        match ev {
            Event::Start(tag) => {
                let drop = stack.len() >= MAX_DEPTH;
                stack.push(drop);
                if drop {
                    cut = true;
                } else {
                    out.push(Event::Start(tag));
                }
            }
            Event::End(tag) => {
                if stack.pop().unwrap_or(false) {
                    // One break for a run of cut block ends: a million nested list items
                    // closing together are one line break, not a million.
                    if !matches!(
                        tag,
                        TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link
                    ) && !matches!(out.last(), Some(Event::HardBreak))
                    {
                        out.push(Event::HardBreak);
                    }
                } else {
                    out.push(Event::End(tag));
                }
            }
            Event::Html(h) | Event::InlineHtml(h) if html_as_text => out.push(Event::Text(h)),
            other => out.push(other),
        }
    }
    (out, cut)
}

/// What the loader warns about in a body's markup: unclosed raw-text openers and, if nesting
/// is cut when rendered, the line where it first goes too deep.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MarkupReport {
    /// Unclosed `<style>`, `<script>`, `<!--` … (shown as text).
    pub unclosed: Vec<Unclosed>,
    /// 0-based line where nesting first passes [`MAX_DEPTH`], if it does.
    pub too_deep: Option<usize>,
}

/// Inspects a body as [`render_html`] will treat it.
pub fn inspect(body: &str) -> MarkupReport {
    let unclosed = unclosed_raw_html(body);
    let prepared = neutralise_unclosed(body);
    let mut depth = 0usize;
    let mut tags = TagDepth::default();
    let mut too_deep = None;
    for (ev, range) in Parser::new_ext(&prepared, options()).into_offset_iter() {
        let over = match &ev {
            Event::Start(_) => {
                depth += 1;
                depth > MAX_DEPTH
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                false
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                tags.feed(h);
                tags.max > MAX_DEPTH
            }
            _ => false,
        };
        if over {
            let at = range.start.min(prepared.len());
            let line = prepared.as_bytes()[..at]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            too_deep = Some(line);
            break;
        }
    }
    MarkupReport { unclosed, too_deep }
}

/// Replaces `[[id]]` with Markdown links `[title](#doc/id)`; `title_of` gives a target's title.
fn expand_links(body: &str, title_of: &dyn Fn(&str) -> Option<String>) -> String {
    let links = find_links(body);
    if links.is_empty() {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len() + links.len() * 16);
    let mut last = 0;
    for l in links {
        out.push_str(&body[last..l.range.start]);
        let label = l
            .label
            .clone()
            .or_else(|| title_of(&l.target))
            .unwrap_or_else(|| l.target.clone());
        let label = label.replace('[', "\\[").replace(']', "\\]");
        out.push_str(&format!(
            "[{label}](<#doc/{}>)",
            l.target.replace('>', "%3E")
        ));
        last = l.range.end;
    }
    out.push_str(&body[last..]);
    out
}

/// Renders a body to sanitised HTML. Document links become `<a href="#doc/ID">`; external links
/// get `rel="noopener noreferrer"` and only http(s)/mailto survive. Unclosed raw-text openers
/// show as text and nesting is bounded (see [`inspect`]), so the cost is linear in the body.
pub fn render_html(body: &str, title_of: &dyn Fn(&str) -> Option<String>) -> String {
    let expanded = expand_links(body, title_of);
    let prepared = neutralise_unclosed(&expanded);
    let (events, _) = bounded_events(&prepared);
    let mut out = String::with_capacity(prepared.len() * 3 / 2);
    for chunk in html_chunks(events) {
        let mut html = String::with_capacity(chunk.len() * 16);
        pulldown_cmark::html::push_html(&mut html, chunk.into_iter());
        out.push_str(&sanitize(&html));
    }
    out
}

/// Splits a body's events into runs that are sanitised apart: each top-level block holding raw
/// HTML on its own, the blocks between them together. The HTML parser behind the sanitiser
/// repairs broken markup by nesting what follows inside it (a `<table>` left open in MathML
/// swallows every later paragraph), so one block's markup must not reach the next block.
fn html_chunks(events: Vec<Event<'_>>) -> Vec<Vec<Event<'_>>> {
    let mut chunks = Vec::new();
    let mut plain: Vec<Event<'_>> = Vec::new();
    let mut block: Vec<Event<'_>> = Vec::new();
    let mut depth = 0usize;
    let mut has_html = false;
    for ev in events {
        match &ev {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Html(_) | Event::InlineHtml(_) => has_html = true,
            _ => {}
        }
        block.push(ev);
        if depth == 0 {
            if has_html {
                if !plain.is_empty() {
                    chunks.push(std::mem::take(&mut plain));
                }
                chunks.push(std::mem::take(&mut block));
            } else {
                plain.append(&mut block);
            }
            has_html = false;
        }
    }
    plain.append(&mut block);
    if !plain.is_empty() {
        chunks.push(plain);
    }
    chunks
}

/// Cleans arbitrary HTML down to safe, content-only markup.
pub fn sanitize(html: &str) -> String {
    // Built once: a body can hold thousands of raw-HTML blocks, each sanitised apart.
    static BUILDER: std::sync::OnceLock<ammonia::Builder<'static>> = std::sync::OnceLock::new();
    BUILDER
        .get_or_init(|| {
            let schemes: HashSet<&str> = ["http", "https", "mailto"].into_iter().collect();
            let mut b = ammonia::Builder::default();
            b.url_schemes(schemes)
                .link_rel(Some("noopener noreferrer"))
                .add_tag_attributes("input", ["type", "checked", "disabled"])
                .add_tags(["input"]);
            b
        })
        .clean(html)
        .to_string()
}

/// The visible text of a body, for indexing and snippets: no markup, no HTML, links as labels,
/// blocks separated by newlines.
pub fn plain_text(body: &str, title_of: &dyn Fn(&str) -> Option<String>) -> String {
    let expanded = expand_links(body, title_of);
    let prepared = neutralise_unclosed(&expanded);
    let mut out = String::with_capacity(prepared.len());
    // The text of a raw HTML block is shown, so it is searchable too (nesting is bounded, so
    // cleaning it costs what rendering does).
    let mut html = String::new();
    for ev in bounded_events(&prepared).0 {
        if !matches!(ev, Event::Html(_)) && !html.is_empty() {
            // The block's end (or, past the depth cut, whatever follows it).
            push_html_text(&mut out, &html);
            html.clear();
        }
        match ev {
            Event::Html(h) => html.push_str(&h),
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) | Event::End(TagEnd::TableCell) => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::BlockQuote(_),
            ) if !out.ends_with('\n') => out.push('\n'),
            _ => {}
        }
    }
    if !html.is_empty() {
        push_html_text(&mut out, &html);
    }
    out.trim().to_string()
}

/// Appends the visible text of a block of raw HTML: tags removed, `<script>` and `<style>`
/// content dropped, character references decoded (by the sanitiser's HTML parser).
fn push_html_text(out: &mut String, html: &str) {
    static TEXT_ONLY: std::sync::OnceLock<ammonia::Builder<'static>> = std::sync::OnceLock::new();
    let cleaned = TEXT_ONLY
        .get_or_init(ammonia::Builder::empty)
        .clean(html)
        .to_string();
    // The serialiser escapes only these in text; `&amp;` last, so `&amp;lt;` stays `&lt;`.
    let text = cleaned
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    let text = text.trim();
    if !text.is_empty() {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(text);
        out.push('\n');
    }
}

/// True for text that contains tags (used to warn about HTML in titles).
pub fn looks_like_markup(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.contains('<')
        && lower.contains('>')
        && lower.chars().filter(|c| *c == '<').count() > 0
        && lower.split('<').skip(1).any(|rest| {
            rest.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '/')
        })
}

/// True for a line that tries to run code: `<script`, `on…=` handlers, `javascript:` URLs.
pub fn looks_dangerous(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    if lower.contains("<script") || lower.contains("javascript:") || lower.contains("<iframe") {
        return true;
    }
    // An event handler attribute as a browser reads it: `<img src=x onerror=...>`, also
    // `ONERROR  = "…"` and `<svg/onload=…>`; and a handler-like word inside a quoted value,
    // which can turn into markup when parsers disagree
    // (`<noscript><p title="</noscript><img onerror=…>">`, MathML).
    let b = lower.as_bytes();
    let mut i = 0;
    while let Some(p) = lower.get(i..).and_then(|rest| rest.find('<')) {
        let start = i + p + 1;
        let mut j = start;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-' || b[j] == b':') {
            j += 1;
        }
        if j > start {
            loop {
                while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                    j += 1;
                }
                if j >= b.len() || b[j] == b'>' || b[j] == b'<' {
                    break;
                }
                let name_start = j;
                while j < b.len()
                    && !(b[j].is_ascii_whitespace() || matches!(b[j], b'/' | b'=' | b'>' | b'<'))
                {
                    j += 1;
                }
                let name = &b[name_start..j];
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                let has_value = b.get(j) == Some(&b'=');
                if has_value
                    && name.len() > 2
                    && name.starts_with(b"on")
                    && name[2].is_ascii_alphabetic()
                {
                    return true;
                }
                if has_value {
                    j += 1;
                    while j < b.len() && b[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    if let Some(&q) = b.get(j).filter(|c| **c == b'"' || **c == b'\'') {
                        j += 1;
                        let value_start = j;
                        while j < b.len() && b[j] != q {
                            j += 1;
                        }
                        if handler_like(&b[value_start..j]) {
                            return true;
                        }
                        j += 1;
                    } else {
                        while j < b.len() && !(b[j].is_ascii_whitespace() || b[j] == b'>') {
                            j += 1;
                        }
                    }
                }
            }
        }
        i = j.clamp(start, b.len());
    }
    false
}

/// Whether `s` holds `on<letters>` after a space or `/` (where an attribute could start once the
/// value is read as markup) followed by `=`, spaces allowed; `alt="onerror=x"` is only text.
fn handler_like(s: &[u8]) -> bool {
    let mut i = 1;
    while i + 2 < s.len() {
        if s[i..].starts_with(b"on")
            && s[i + 2].is_ascii_alphabetic()
            && (s[i - 1].is_ascii_whitespace() || s[i - 1] == b'/')
        {
            let mut j = i + 2;
            while j < s.len() && s[j].is_ascii_alphanumeric() {
                j += 1;
            }
            while j < s.len() && s[j].is_ascii_whitespace() {
                j += 1;
            }
            if s.get(j) == Some(&b'=') {
                return true;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_titles(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn handlers_are_seen_in_every_form_a_browser_accepts() {
        for line in [
            "<img src=x onerror=alert(1)>",
            "<IMG SRC=x ONERROR  =  \"alert(1)\">",
            "<svg/onload=alert(1)>",
            "<a href='x' title=\"a > b\" onclick='f()'>",
        ] {
            assert!(looks_dangerous(line), "{line}");
        }
        for line in [
            "<b>online</b> 客服 on=1",
            "<img alt=\"onerror=x\">",
            "价格 < 10 onload=1",
            "<p>中文 <br/> 文字</p>",
        ] {
            assert!(!looks_dangerous(line), "{line}");
        }
    }

    #[test]
    fn mutation_xss_keeps_no_handler_and_hides_nothing_after_it() {
        // Inside MathML a `<style>` is foreign content, so `<!--` there opens a real comment:
        // it is reported unclosed, shown as text, and the text after it stays visible.
        let body = "<math><mtext><table><mglyph><style><!--</style><img title=\"--&gt;&lt;img src=1 onerror=alert(1)&gt;\">\n\n可见尾部文字。\n";
        assert_eq!(unclosed_raw_html(body).len(), 1);
        assert!(looks_dangerous(body.lines().next().unwrap_or_default()));
        let html = render_html(body, &no_titles);
        assert!(html.contains("可见尾部文字"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("onerror=alert"), "{html}");
        let noscript =
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>\n\n尾部。";
        assert!(looks_dangerous(noscript.lines().next().unwrap_or_default()));
        let html = render_html(noscript, &no_titles);
        assert!(html.contains("尾部"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
    }

    #[test]
    fn scripts_handlers_and_js_urls_are_removed() {
        let body = "hi <script>alert(1)</script>\n\n<img src=x onerror=\"alert(2)\">\n\n[x](javascript:alert(3)) <a href=\"https://ok.example\" onclick=\"evil()\">ok</a>";
        let html = render_html(body, &no_titles);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("href=\"https://ok.example\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
    }

    #[test]
    fn doc_links_render_as_hash_links_with_titles() {
        let html = render_html("见 [[rules/seven-day]] 和 [[a/b|这里]]", &|id: &str| {
            (id == "rules/seven-day").then(|| "七天无理由".to_string())
        });
        assert!(
            html.contains(
                "<a href=\"#doc/rules/seven-day\" rel=\"noopener noreferrer\">七天无理由</a>"
            ),
            "{html}"
        );
        assert!(html.contains(">这里</a>"), "{html}");
    }

    #[test]
    fn links_in_code_are_not_links() {
        let body = "a [[x]]\n```\n[[y]]\n```\n`[[z]]` [[w|W]]\n\n    [[indented]]\n\n- item\n\n      [[in-list-code]]\n";
        let links = find_links(body);
        let targets: Vec<&str> = links.iter().map(|l| l.target.as_str()).collect();
        assert_eq!(targets, vec!["x", "w"]);
        assert_eq!(links[1].line_offset, 4);
        assert_eq!(links[1].label.as_deref(), Some("W"));
    }

    #[test]
    fn plain_text_drops_markup_and_html() {
        let t = plain_text(
            "# 标题\n\n**加粗** <b>html</b> [链接](https://x.example)\n\n- 一\n- 二",
            &no_titles,
        );
        assert_eq!(t, "标题\n加粗 html 链接\n 一\n 二");
    }

    #[test]
    fn a_line_of_brackets_is_scanned_once() {
        // Quadratic before: 1 MB of `[[` took two minutes (126 s in release).
        let body = "[[".repeat(500_000);
        assert!(find_links(&body).is_empty());
        let body = format!("{}x]] [[y]]", "[[".repeat(200_000));
        let targets: Vec<String> = find_links(&body).into_iter().map(|l| l.target).collect();
        assert_eq!(targets, vec!["x".to_string(), "y".to_string()]);
    }

    #[test]
    fn unclosed_raw_text_openers_do_not_hide_the_rest() {
        for opener in [
            "<style>",
            "<script>",
            "<!--",
            "<textarea>",
            "<template>",
            "<TITLE>",
            "<xmp>",
            "<plaintext>",
            "<noscript>",
            "<iframe srcdoc=x>",
        ] {
            let body = format!("开头\n\n{opener}\n\n退款后面的内容 **加粗**\n");
            let html = render_html(&body, &no_titles);
            assert!(html.contains("退款后面的内容"), "{opener}: {html}");
            assert!(html.contains("<strong>加粗</strong>"), "{opener}: {html}");
            let text = plain_text(&body, &no_titles);
            assert!(text.contains("退款后面的内容"), "{opener}: {text}");
            let found = unclosed_raw_html(&body);
            assert_eq!(found.len(), 1, "{opener}: {found:?}");
            assert_eq!(found[0].line_offset, 2);
        }
        // Closed ones are left alone (and still sanitised), and code is not touched.
        let body = "<style>p{}</style>\n\n`<script>` 和\n\n```\n<!--\n```\n\n<!-- 注释 -->\n正文";
        assert!(unclosed_raw_html(body).is_empty());
        let html = render_html(body, &no_titles);
        assert!(!html.contains("p{}"), "{html}");
        assert!(html.contains("正文"), "{html}");
    }

    #[test]
    fn deep_nesting_is_cut_but_its_text_kept() {
        for body in [
            format!("{} 最深处的字\n", ">".repeat(100_000)),
            format!("{}最深处的字\n", "<div>".repeat(100_000)),
            format!("{}最深处的字\n", "<b><i>".repeat(30_000)),
            (0..400)
                .map(|i| format!("{}- 最深处的字\n", "  ".repeat(i)))
                .collect(),
        ] {
            let html = render_html(&body, &no_titles);
            assert!(
                html.contains("最深处的字"),
                "{}",
                &html[..html.len().min(300)]
            );
            let depth = html.matches("<blockquote>").count()
                + html.matches("<div>").count()
                + html.matches("<ul>").count();
            assert!(depth <= MAX_DEPTH, "{depth} levels kept");
            let report = inspect(&body);
            assert!(report.too_deep.is_some(), "{}", &body[..40]);
        }
        // Ordinary nesting is kept whole and not reported.
        let body = "> a\n> > b\n\n- 一\n  - 二\n    - 三\n\n<div><div>x</div></div>\n";
        assert_eq!(inspect(body), MarkupReport::default());
        let html = render_html(body, &no_titles);
        assert_eq!(html.matches("<blockquote>").count(), 2, "{html}");
        assert_eq!(html.matches("<ul>").count(), 3, "{html}");
    }

    #[test]
    fn danger_detection() {
        assert!(looks_dangerous("<img src=x onerror=alert(1)>"));
        assert!(looks_dangerous("[a](JavaScript:alert(1))"));
        assert!(!looks_dangerous("online shop <b>bold</b> once=1"));
        assert!(looks_like_markup("<b>标题</b>"));
        assert!(!looks_like_markup("满100<减10"));
    }

    // Found by the property tests (src/props.rs); each failed before its fix.

    #[test]
    fn raw_html_blocks_that_run_to_a_closer_do_not_hide_the_rest() {
        for opener in ["<?php", "<![CDATA[", "<!DOCTYPE", "<pre>"] {
            let body = format!("{opener}\n\n七天无理由退款。\n");
            let plain = plain_text(&body, &no_titles);
            assert!(plain.contains("七天无理由退款"), "{opener}: {plain:?}");
            let html = render_html(&body, &no_titles);
            assert!(html.contains("七天无理由退款"), "{opener}: {html}");
            assert_eq!(unclosed_raw_html(&body).len(), 1, "{opener}");
        }
        // Closed, they are not reported.
        for body in [
            "<?x ?>\n",
            "<![CDATA[ a ]]>\n",
            "<!DOCTYPE html>\n",
            "<pre>a</pre>\n",
        ] {
            assert!(unclosed_raw_html(body).is_empty(), "{body}");
        }
    }

    #[test]
    fn the_text_of_an_html_block_is_searchable_and_its_script_is_not() {
        let body = "<div class=\"note\">\n运费险 &amp; 退货\n<script>alert(1)</script>\n</div>\n";
        let plain = plain_text(body, &no_titles);
        assert!(plain.contains("运费险 & 退货"), "{plain:?}");
        assert!(!plain.contains("alert"), "{plain:?}");
        assert!(!plain.contains("<div"), "{plain:?}");
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line_for_the_scanners() {
        // The backtick of line 1 does not open code on line 2.
        let body = "[[`\r<style>\n\n标记文字\n";
        assert_eq!(unclosed_raw_html(body).len(), 1);
        assert!(plain_text(body, &no_titles).contains("标记文字"));
        let links = find_links("a\r[[x]]");
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].line_offset, 1);
    }

    #[test]
    fn backticks_that_open_no_code_hide_nothing() {
        // "```[[`" is not a fence (its info string holds a backtick) and a lone ` opens no span.
        let body = "```[[`\n<style>\n\n正文 [[rules/x]]\n\na ` b [[rules/y]]\n";
        assert_eq!(unclosed_raw_html(body).len(), 1);
        assert!(plain_text(body, &no_titles).contains("正文"));
        let targets: Vec<_> = find_links(body).into_iter().map(|l| l.target).collect();
        assert_eq!(targets, ["rules/x", "rules/y"]);
        // A code span that seems to run over a line-initial opener does not: it is an HTML block.
        let body = "a `b\n<pre><script>`\n\n标记\n";
        assert!(!unclosed_raw_html(body).is_empty());
        assert!(plain_text(body, &no_titles).contains("标记"));
        // Openers inside real code are text.
        assert!(unclosed_raw_html("`<style>`\n\n```\n<script>\n```\n").is_empty());
    }

    // Found by review.

    #[test]
    fn a_link_in_code_after_an_unclosed_opener_is_still_in_code() {
        let body = "<style>\n\n```\n[[x]]\n```\n\n[[y]]\n";
        let targets: Vec<_> = find_links(body).into_iter().map(|l| l.target).collect();
        assert_eq!(targets, ["y"]);
    }

    #[test]
    fn an_opener_after_a_quote_marker_starts_its_line() {
        let body = "> 说明 `注意\n> <style>`\n>\n> 被隐藏\n";
        assert_eq!(unclosed_raw_html(body).len(), 1);
        assert!(plain_text(body, &no_titles).contains("被隐藏"));
        assert!(render_html(body, &no_titles).contains("被隐藏"));
    }

    #[test]
    fn html_blocks_past_the_depth_cut_stay_searchable() {
        let body = format!(
            "{}<div>深处的字</div>\n\n<p>后面的字</p>\n",
            "> ".repeat(MAX_DEPTH + 5)
        );
        let plain = plain_text(&body, &no_titles);
        assert!(
            plain.contains("深处的字") && plain.contains("后面的字"),
            "{plain:?}"
        );
    }
}
