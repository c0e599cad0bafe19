//! Snippets with highlight ranges, and the best matching phrase of a playbook.
//!
//! Highlights are found by looking for the query's words (and synonyms, and their jieba parts)
//! in the text itself, so they work whichever field matched.

use serde::{Deserialize, Serialize};

use crate::content::Phrase;

/// A short excerpt with the matched parts marked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Snippet {
    /// The excerpt (newlines replaced by spaces; `…` where text was cut).
    pub text: String,
    /// `[start, end)` ranges in **characters** (Unicode scalar values) of `text` to highlight.
    pub highlights: Vec<[usize; 2]>,
}

/// Byte ranges in `hay` where any of `needles` occurs (ASCII case-insensitive), longest
/// needles first, without overlaps, sorted.
pub(crate) fn find_matches(hay: &str, needles: &[String]) -> Vec<(usize, usize)> {
    let hay_l = hay.to_ascii_lowercase();
    let mut sorted: Vec<String> = needles
        .iter()
        .map(|n| n.to_ascii_lowercase())
        .filter(|n| !n.trim().is_empty())
        .collect();
    sorted.sort_by_key(|n| std::cmp::Reverse(n.len()));
    sorted.dedup();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    for n in &sorted {
        let mut from = 0;
        while let Some(i) = hay_l[from..].find(n.as_str()) {
            let (s, e) = (from + i, from + i + n.len());
            if !taken.iter().any(|&(a, b)| s < b && a < e) {
                taken.push((s, e));
            }
            from = e;
            if taken.len() > 200 {
                break;
            }
        }
    }
    taken.sort_unstable();
    taken
}

/// Builds a snippet of about `max_chars` characters around the densest group of matches.
pub(crate) fn make(text: &str, needles: &[String], max_chars: usize) -> Snippet {
    let matches = find_matches(text, needles);
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let char_at = |byte: usize| chars.partition_point(|(b, _)| *b < byte);
    let total = chars.len();
    let (start, end) = if matches.is_empty() {
        (0, total.min(max_chars))
    } else {
        // Pick the window, starting a little before some match, that covers the most matches.
        let lead = max_chars / 6;
        let mut best = (0usize, 0usize);
        for &(s, _) in &matches {
            let ws = char_at(s).saturating_sub(lead);
            let we = (ws + max_chars).min(total);
            let count = matches
                .iter()
                .filter(|&&(a, b)| char_at(a) >= ws && char_at(b) <= we)
                .count();
            if count > best.1 {
                best = (ws, count);
            }
        }
        let ws = best.0;
        let we = (ws + max_chars).min(total);
        // Use the room left at the end for more context before.
        let ws = ws.saturating_sub(max_chars - (we - ws));
        (ws, we)
    };
    let byte = |c: usize| chars.get(c).map_or(text.len(), |(b, _)| *b);
    let (bs, be) = (byte(start), byte(end));
    let mut out = String::new();
    let mut offset = 0;
    if start > 0 {
        out.push('…');
        offset = 1;
    }
    out.extend(text[bs..be].chars().map(|c| {
        if c == '\n' || c == '\r' || c == '\t' {
            ' '
        } else {
            c
        }
    }));
    if end < total {
        out.push('…');
    }
    let highlights = matches
        .iter()
        .filter(|&&(s, e)| s >= bs && e <= be)
        .map(|&(s, e)| [char_at(s) - start + offset, char_at(e) - start + offset])
        .collect();
    Snippet {
        text: out,
        highlights,
    }
}

/// The phrase that best matches the query: an exact or prefix quick-code match first, then the
/// most matched characters in text and `when`. Falls back to the first phrase.
pub(crate) fn best_phrase<'a>(
    phrases: &'a [Phrase],
    raw_terms: &[String],
    needles: &[String],
) -> Option<&'a Phrase> {
    let score = |p: &Phrase| -> usize {
        let code = p.code.to_ascii_lowercase();
        let mut s = 0;
        for t in raw_terms {
            let t = t.to_ascii_lowercase();
            if !code.is_empty() && code == t {
                s += 10_000;
            } else if !code.is_empty() && t.len() >= 2 && code.starts_with(&t) {
                s += 5_000;
            }
        }
        let covered = |hay: &str| -> usize {
            find_matches(hay, needles)
                .iter()
                .map(|&(a, b)| hay[a..b].chars().count())
                .sum()
        };
        s + covered(&p.text) * 10 + covered(&p.when) * 6
    };
    let best = phrases
        .iter()
        .enumerate()
        .max_by_key(|(i, p)| (score(p), std::cmp::Reverse(*i)))?;
    Some(best.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn highlights_are_char_offsets_into_the_snippet() {
        let sn = make("亲，仓库已经给您插队优先发货了", &s(&["发货", "插队"]), 40);
        assert_eq!(sn.text, "亲，仓库已经给您插队优先发货了");
        let marked: Vec<String> = sn
            .highlights
            .iter()
            .map(|[a, b]| sn.text.chars().skip(*a).take(b - a).collect())
            .collect();
        assert_eq!(marked, vec!["插队", "发货"]);
    }

    #[test]
    fn long_text_is_cut_around_the_matches() {
        let text = format!("{}七天无理由退货{}", "前".repeat(100), "后".repeat(100));
        let sn = make(&text, &s(&["七天无理由"]), 30);
        assert!(
            sn.text.starts_with('…') && sn.text.ends_with('…'),
            "{}",
            sn.text
        );
        assert_eq!(sn.text.chars().count(), 32);
        let [a, b] = sn.highlights[0];
        assert_eq!(
            sn.text.chars().skip(a).take(b - a).collect::<String>(),
            "七天无理由"
        );
    }

    #[test]
    fn no_match_gives_the_beginning() {
        let sn = make("abc", &s(&["zzz"]), 10);
        assert_eq!(sn.text, "abc");
        assert!(sn.highlights.is_empty());
    }

    #[test]
    fn best_phrase_prefers_codes_then_text() {
        let p = |code: &str, text: &str| Phrase {
            code: code.into(),
            text: text.into(),
            when: String::new(),
        };
        let phrases = vec![
            p("cfh1", "好的亲，马上为您催促仓库"),
            p("cfh2", "亲，已给您插队优先发货"),
        ];
        assert_eq!(
            best_phrase(&phrases, &s(&["cfh2"]), &[]).map(|x| x.code.as_str()),
            Some("cfh2")
        );
        assert_eq!(
            best_phrase(&phrases, &s(&["插队"]), &s(&["插队"])).map(|x| x.code.as_str()),
            Some("cfh2")
        );
        assert_eq!(
            best_phrase(&phrases, &s(&["无关"]), &s(&["无关"])).map(|x| x.code.as_str()),
            Some("cfh1")
        );
    }
}
