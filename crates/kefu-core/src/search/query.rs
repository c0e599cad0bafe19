//! The query language agents type:
//!
//! - words: `退款 破损` (every word must match somewhere);
//! - `"quoted phrase"` (also `“中文引号”`): the exact characters in order;
//! - `-word` excludes documents containing it (or, for a platform name, documents limited to it);
//! - filters `kind:rule`, `platform:pdd` (or `拼多多`), `tag:物流`; Chinese keys 类型/平台/标签 and a
//!   full-width colon work too;
//! - the last word matches as a prefix while typing (unless the query ends with a space).
//!
//! Parsing never fails: anything unrecognised is searched as plain text.

use crate::content::{Kind, Platform};

/// One positive search term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The text as typed (trimmed).
    pub text: String,
    /// Written in quotes: match the exact sequence.
    pub phrase: bool,
    /// The last word while typing: may be incomplete.
    pub prefix: bool,
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Words and phrases that must match.
    pub terms: Vec<Term>,
    /// Words whose documents are left out.
    pub excluded: Vec<String>,
    /// Only these kinds (any of them).
    pub kinds: Vec<Kind>,
    /// Only documents for these platforms (any of them) or for all platforms.
    pub platforms: Vec<Platform>,
    /// Only documents with all of these tags.
    pub tags: Vec<String>,
    /// At least one term must match, not all of them (a customer's message: no clause of it is
    /// required).
    pub any: bool,
    /// Words dropped because nothing in them can be searched (`😡`, `！！`). A query made only of
    /// such words asks for something, so it finds nothing rather than listing everything.
    pub dropped: usize,
}

impl ParsedQuery {
    /// True when nothing narrows or ranks the results.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
            && self.excluded.is_empty()
            && self.kinds.is_empty()
            && self.platforms.is_empty()
            && self.tags.is_empty()
    }
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}'
}

fn is_open_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '「')
}

fn is_close_quote(c: char) -> bool {
    matches!(c, '"' | '”' | '」')
}

/// Splits on spaces, keeping quoted runs together. Returns (token, quoted, negated).
fn lex(input: &str) -> Vec<(String, bool, bool)> {
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        if is_space(c) {
            chars.next();
            continue;
        }
        let mut negated = false;
        if c == '-' || c == '－' {
            chars.next();
            negated = true;
            match chars.peek() {
                Some(&n) if !is_space(n) => {}
                _ => continue, // a lone "-" means nothing
            }
        }
        if chars.peek().is_some_and(|&q| is_open_quote(q)) {
            chars.next();
            let mut s = String::new();
            for ch in chars.by_ref() {
                if is_close_quote(ch) {
                    break;
                }
                s.push(ch);
            }
            out.push((s, true, negated));
        } else {
            let mut s = String::new();
            while let Some(&ch) = chars.peek() {
                if is_space(ch) {
                    break;
                }
                s.push(ch);
                chars.next();
            }
            out.push((s, false, negated));
        }
    }
    out
}

/// Parses a query string. Never fails.
pub fn parse(input: &str) -> ParsedQuery {
    let mut q = ParsedQuery::default();
    let tokens = lex(input);
    let typing = !input.ends_with(is_space);
    let last = tokens.len().saturating_sub(1);
    for (i, (tok, quoted, negated)) in tokens.into_iter().enumerate() {
        let tok = tok.trim().to_string();
        if tok.is_empty() {
            continue;
        }
        if !quoted && !negated && apply_filter(&mut q, &tok) {
            continue;
        }
        // A word with no letter or digit (`😡`, `！！`, `…`) has nothing the index can match, and
        // as a required word it would empty the result.
        if !tok.chars().any(char::is_alphanumeric) {
            q.dropped += 1;
            continue;
        }
        if negated {
            q.excluded.push(tok);
        } else {
            q.terms.push(Term {
                text: tok,
                phrase: quoted,
                prefix: !quoted && typing && i == last,
            });
        }
    }
    q
}

/// Applies `key:value` when both are recognised; returns false to treat it as text.
fn apply_filter(q: &mut ParsedQuery, tok: &str) -> bool {
    let Some((key, value)) = tok.split_once([':', '：']) else {
        return false;
    };
    let value = value.trim();
    if value.is_empty() {
        return false;
    }
    match key.trim().to_ascii_lowercase().as_str() {
        "kind" | "类型" | "type" => match Kind::parse(value) {
            Some(k) => {
                if !q.kinds.contains(&k) {
                    q.kinds.push(k);
                }
                true
            }
            None => false,
        },
        "platform" | "平台" => match Platform::parse(value) {
            Some(p) => {
                if !q.platforms.contains(&p) {
                    q.platforms.push(p);
                }
                true
            }
            None => false,
        },
        "tag" | "标签" => {
            q.tags.push(value.to_string());
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(text: &str, phrase: bool, prefix: bool) -> Term {
        Term {
            text: text.into(),
            phrase,
            prefix,
        }
    }

    #[test]
    fn words_phrases_filters_and_exclusions() {
        let q = parse("退款 platform:pdd kind:规则 \"七天 无理由\" -淘宝 tag:物流 破");
        assert_eq!(
            q.terms,
            vec![
                term("退款", false, false),
                term("七天 无理由", true, false),
                term("破", false, true)
            ]
        );
        assert_eq!(q.platforms, vec![Platform::Pdd]);
        assert_eq!(q.kinds, vec![Kind::Rule]);
        assert_eq!(q.excluded, vec!["淘宝"]);
        assert_eq!(q.tags, vec!["物流"]);
    }

    #[test]
    fn trailing_space_ends_prefix_mode() {
        assert_eq!(parse("cfh").terms, vec![term("cfh", false, true)]);
        assert_eq!(parse("cfh ").terms, vec![term("cfh", false, false)]);
        assert_eq!(parse("cfh\u{3000}").terms, vec![term("cfh", false, false)]);
    }

    #[test]
    fn malformed_input_degrades_to_text() {
        let q = parse("platform:amazon kind: \"unclosed - -- 平台：拼多多");
        assert_eq!(q.terms[0], term("platform:amazon", false, false));
        assert_eq!(q.terms[1], term("kind:", false, false));
        assert_eq!(q.terms[2].text, "unclosed - -- 平台：拼多多");
        assert!(q.terms[2].phrase);
        assert!(q.platforms.is_empty());
        assert!(parse("").is_empty());
        assert!(parse(" - ").is_empty());
        assert_eq!(parse("平台：拼多多").platforms, vec![Platform::Pdd]);
    }

    #[test]
    fn words_with_nothing_searchable_are_dropped() {
        let q = parse("😡 退款 ！！ -🙂");
        assert_eq!(q.terms, vec![term("退款", false, false)]);
        assert!(q.excluded.is_empty());
        assert!(parse("😡😡 …").is_empty());
        assert_eq!(parse("😡😡 …").dropped, 2);
        assert_eq!(parse("退款").dropped, 0);
    }

    #[test]
    fn chinese_quotes_and_negated_phrases() {
        let q = parse("“仅退款” -\"退货退款\"");
        assert_eq!(q.terms, vec![term("仅退款", true, false)]);
        assert_eq!(q.excluded, vec!["退货退款"]);
    }
}
