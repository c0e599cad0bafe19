//! Editing front matter line by line, so every other line, comment and key order stays as written.

use crate::content;

/// The byte range of the front matter's YAML lines (the loader's own split), or `None` when the
/// text has none.
pub(super) fn front_matter_lines(text: &str) -> Option<(usize, usize)> {
    let s = content::split_front_matter(text).ok()?;
    let start = s.yaml.as_ptr() as usize - text.as_ptr() as usize;
    Some((start, start + s.yaml.len()))
}

/// Sets (or with `None` removes) a top-level front matter key, keeping every other line as
/// written. A text without front matter is returned unchanged.
pub fn set_front_matter_key(text: &str, key: &str, value: Option<&str>) -> String {
    let Some((start, end)) = front_matter_lines(text) else {
        return text.to_string();
    };
    let yaml = &text[start..end];
    let mut out = String::with_capacity(text.len() + 32);
    out.push_str(&text[..start]);
    let mut done = false;
    for line in yaml.split_inclusive('\n') {
        let is_key = line
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with(':'));
        if is_key {
            if let (Some(v), false) = (value, done) {
                out.push_str(&format!("{key}: {v}\n"));
            }
            done = true;
        } else {
            out.push_str(line);
        }
    }
    if !done && let Some(v) = value {
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("{key}: {v}\n"));
    }
    out.push_str(&text[end..]);
    out
}

/// The value of a top-level front matter key as written (trimmed), if the line exists.
pub fn front_matter_value(text: &str, key: &str) -> Option<String> {
    let (start, end) = front_matter_lines(text)?;
    text[start..end].lines().find_map(|line| {
        let rest = line.strip_prefix(key)?.trim_start();
        let v = rest.strip_prefix(':')?;
        Some(v.trim().to_string())
    })
}

/// A YAML scalar for `s`: plain when safe, double-quoted otherwise.
pub fn yaml_scalar(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let numeric_like = s
        .trim_start_matches(['+', '-', '.'])
        .starts_with(|c: char| c.is_ascii_digit());
    let plain = !s.is_empty()
        && s.trim() == s
        && !s.starts_with([
            '-', '?', '!', '&', '*', '|', '>', '%', '@', '`', '\'', '"', '[', '{', '#', ',', ']',
            '}', ':',
        ])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.chars().any(char::is_control)
        && !numeric_like
        && !matches!(
            lower.as_str(),
            "true" | "false" | "null" | "~" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A YAML block list, one item per line.
pub(super) fn yaml_list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("  - {}\n", yaml_scalar(i)))
        .collect()
}

#[cfg(test)]
mod scalar_tests {
    use super::yaml_scalar;

    /// Whatever a profile name or title holds, the scalar reads back as the same string.
    #[test]
    fn every_awkward_string_reads_back_unchanged() {
        for s in [
            "组长:",
            "#1 客服",
            "组长: 王敏",
            "a #b",
            "- 列表",
            "yes",
            "No",
            "on",
            "123",
            "-1",
            ".5",
            "2025-01-01",
            "",
            " 前后空格 ",
            "引\"号\\",
            "换\n行",
            "\u{1b}[31m红",
            "制\t表",
            "[x]",
            "{y}",
            "*别名",
            "&锚",
            "!标签",
            "%",
            "@",
            "`",
            ",",
            "正常 名字",
            "老客服 张三",
        ] {
            let yaml = format!("author: {}\n", yaml_scalar(s));
            let back: std::collections::BTreeMap<String, String> =
                serde_saphyr::from_str(&yaml).unwrap_or_else(|e| panic!("{yaml:?}: {e}"));
            assert_eq!(back.get("author").map(String::as_str), Some(s), "{yaml:?}");
        }
        assert_eq!(yaml_scalar("老客服 张三"), "老客服 张三");
    }
}
