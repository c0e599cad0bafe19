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

/// Finds `[[id]]` links outside fenced code blocks and inline code.
pub fn find_links(body: &str) -> Vec<RawLink> {
    let mut out = Vec::new();
    let mut in_fence = false;
    let mut offset = 0;
    for (line_no, line) in body.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
        } else if !in_fence {
            let mut in_code = false;
            let bytes = line.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'`' {
                    in_code = !in_code;
                } else if !in_code
                    && bytes[i..].starts_with(b"[[")
                    && let Some(end) = line[i + 2..].find("]]")
                {
                    let inner = &line[i + 2..i + 2 + end];
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
                                range: offset + i..offset + i + end + 4,
                            });
                        }
                        i += end + 4;
                        continue;
                    }
                }
                i += 1;
            }
        }
        offset += line.len();
    }
    out
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
/// get `rel="noopener noreferrer"` and only http(s)/mailto survive.
pub fn render_html(body: &str, title_of: &dyn Fn(&str) -> Option<String>) -> String {
    let expanded = expand_links(body, title_of);
    let mut html = String::with_capacity(expanded.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(&expanded, options()));
    sanitize(&html)
}

/// Cleans arbitrary HTML down to safe, content-only markup.
pub fn sanitize(html: &str) -> String {
    let schemes: HashSet<&str> = ["http", "https", "mailto"].into_iter().collect();
    ammonia::Builder::default()
        .url_schemes(schemes)
        .link_rel(Some("noopener noreferrer"))
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tags(["input"])
        .clean(html)
        .to_string()
}

/// The visible text of a body, for indexing and snippets: no markup, no HTML, links as labels,
/// blocks separated by newlines.
pub fn plain_text(body: &str, title_of: &dyn Fn(&str) -> Option<String>) -> String {
    let expanded = expand_links(body, title_of);
    let mut out = String::with_capacity(expanded.len());
    for ev in Parser::new_ext(&expanded, options()) {
        match ev {
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
    out.trim().to_string()
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
    // An event handler attribute inside a tag: `<img src=x onerror=...>`.
    lower.split('<').skip(1).any(|tag| {
        let tag = tag.split('>').next().unwrap_or("");
        tag.split_whitespace().skip(1).any(|attr| {
            attr.starts_with("on")
                && attr.contains('=')
                && attr[2..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_titles(_: &str) -> Option<String> {
        None
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
        let body = "a [[x]]\n```\n[[y]]\n```\n`[[z]]` [[w|W]]\n";
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
    fn danger_detection() {
        assert!(looks_dangerous("<img src=x onerror=alert(1)>"));
        assert!(looks_dangerous("[a](JavaScript:alert(1))"));
        assert!(!looks_dangerous("online shop <b>bold</b> once=1"));
        assert!(looks_like_markup("<b>标题</b>"));
        assert!(!looks_like_markup("满100<减10"));
    }
}
