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
    let plain = !s.is_empty()
        && s.trim() == s
        && !s.starts_with([
            '-', '?', '!', '&', '*', '|', '>', '%', '@', '`', '\'', '"', '[', '{',
        ])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.contains(['\n', '\t'])
        && !matches!(s, "true" | "false" | "null" | "~" | "yes" | "no");
    if plain {
        s.to_string()
    } else {
        let escaped = s
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n");
        format!("\"{escaped}\"")
    }
}

/// A YAML block list, one item per line.
pub(super) fn yaml_list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("  - {}\n", yaml_scalar(i)))
        .collect()
}
