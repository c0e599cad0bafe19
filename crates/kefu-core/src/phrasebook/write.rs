//! The text of an imported playbook: front matter with one entry per phrase (a literal block
//! for multi-line texts, so a diff reads like the phrase), and a short body saying where it
//! came from. Every text is parsed back by the loader before it is offered (see `plan`).

use chrono::NaiveDate;

use crate::publish::yaml_scalar;

/// One phrase as it will be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct OutPhrase {
    /// Quick code (may be empty).
    pub code: String,
    /// The title, as `when`.
    pub when: String,
    /// The text.
    pub text: String,
}

/// What a file needs besides its phrases.
pub(super) struct FileMeta<'a> {
    /// The playbook's title (the group's name).
    pub title: &'a str,
    /// The group as written in the source.
    pub group: &'a str,
    /// Tags (导入 first).
    pub tags: &'a [String],
    /// The source file's name.
    pub source: &'a str,
    /// First and last source line of these phrases.
    pub lines: (usize, usize),
    /// Author for the front matter.
    pub author: Option<&'a str>,
    /// Today.
    pub today: NaiveDate,
    /// Image links found in the phrases.
    pub images: &'a [String],
}

/// A literal block (`|-`) keeps a multi-line text readable; it cannot hold lines that start or
/// end with spaces or tabs, or blank first lines, exactly, so those are double-quoted instead.
fn block_ok(text: &str) -> bool {
    text.contains('\n')
        && text.lines().all(|l| l.trim() == l && !l.contains('\t'))
        && !text.starts_with('\n')
        && !text.ends_with('\n')
}

fn value(out: &mut String, key: &str, v: &str, indent: &str) {
    if block_ok(v) {
        out.push_str(&format!("{indent}{key}: |-\n"));
        for l in v.split('\n') {
            if l.is_empty() {
                out.push('\n');
            } else {
                out.push_str(&format!("{indent}  {l}\n"));
            }
        }
    } else {
        out.push_str(&format!("{indent}{key}: {}\n", yaml_scalar(v)));
    }
}

/// Markdown text with the characters that would make links, emphasis or HTML escaped.
pub(super) fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' | '|' | '{' | '}'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The whole file.
pub(super) fn playbook_text(meta: &FileMeta<'_>, phrases: &[OutPhrase]) -> String {
    let mut out = String::from("---\nkind: playbook\n");
    out.push_str(&format!("title: {}\n", yaml_scalar(meta.title)));
    let tags: Vec<String> = meta.tags.iter().map(|t| yaml_scalar(t)).collect();
    out.push_str(&format!("tags: [{}]\n", tags.join(", ")));
    if let Some(a) = meta.author.filter(|a| !a.trim().is_empty()) {
        out.push_str(&format!("author: {}\n", yaml_scalar(a.trim())));
    }
    out.push_str(&format!(
        "created: {}\nupdated: {}\n",
        meta.today, meta.today
    ));
    out.push_str(&format!("imported_from: {}\n", yaml_scalar(meta.source)));
    out.push_str("phrases:\n");
    for p in phrases {
        let mut first = true;
        for (key, v) in [("code", &p.code), ("when", &p.when), ("text", &p.text)] {
            if v.is_empty() && key != "text" {
                continue;
            }
            let indent = if first { "  - " } else { "    " };
            if first {
                // The first key shares the list item's line.
                let mut item = String::new();
                value(&mut item, key, v, "");
                let mut lines = item.split_inclusive('\n');
                if let Some(l) = lines.next() {
                    out.push_str(indent);
                    out.push_str(l);
                }
                for l in lines {
                    if l == "\n" {
                        out.push('\n');
                    } else {
                        out.push_str("    ");
                        out.push_str(l);
                    }
                }
                first = false;
            } else {
                value(&mut out, key, v, indent);
            }
        }
    }
    out.push_str("---\n");
    out.push_str(&format!(
        "导入自 `{}` 的「{}」分组（第 {}–{} 行），共 {} 条短语。\n",
        meta.source.replace('`', "'"),
        md_escape(meta.group),
        meta.lines.0,
        meta.lines.1,
        phrases.len()
    ));
    if !meta.images.is_empty() {
        out.push_str("\n## 图片\n\n");
        for (i, url) in meta.images.iter().enumerate() {
            out.push_str(&format!("- [图片 {}](<{}>)\n", i + 1, url));
        }
    }
    out
}
