//! Placeholders written in other tools' styles (`【订单号】`, `#买家#`, `[昵称]`, `{收货人}`),
//! found in imported phrases and offered for conversion to Kefu's `{{订单号}}`.
//!
//! Brackets are also used for emphasis (`【温馨提示】`), so a token is only *suggested* for
//! conversion when its name looks like a value the agent fills in (订单号, 买家, 时间 …); the
//! user decides in the preview.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The bracket pairs recognised, open and close.
const PAIRS: &[(char, char)] = &[
    ('【', '】'),
    ('#', '#'),
    ('[', ']'),
    ('［', '］'),
    ('{', '}'),
    ('｛', '｝'),
    ('〖', '〗'),
];

/// Names of values an agent fills in: a token whose name contains one is suggested.
const VALUE_WORDS: &[&str] = &[
    "订单",
    "单号",
    "买家",
    "顾客",
    "客户",
    "亲",
    "昵称",
    "姓名",
    "名字",
    "收货人",
    "收件人",
    "手机",
    "电话",
    "地址",
    "时间",
    "日期",
    "金额",
    "价格",
    "数量",
    "快递",
    "物流",
    "商品",
    "宝贝",
    "店铺",
    "客服",
    "型号",
    "尺码",
    "颜色",
    "规格",
    "链接",
    "优惠券",
    "券",
    "天数",
    "运单",
    "name",
    "order",
    "buyer",
    "nick",
    "time",
    "date",
];

const MAX_NAME_CHARS: usize = 10;

/// A placeholder-like token found in the imported phrases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PlaceholderToken {
    /// The token as written, e.g. `【订单号】`.
    pub token: String,
    /// The name inside, e.g. `订单号`: converted to `{{订单号}}`.
    pub name: String,
    /// How many phrases contain it.
    pub phrases: usize,
    /// Whether the name looks like a value to fill in (the default choice in the preview).
    pub suggested: bool,
}

fn name_ok(name: &str) -> bool {
    let n = name.chars().count();
    (1..=MAX_NAME_CHARS).contains(&n)
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Every placeholder-like token in `text`, in order (each once).
pub fn tokens_in(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        let Some(&(_, close)) = PAIRS.iter().find(|(o, _)| *o == c) else {
            i += 1;
            continue;
        };
        // Kefu's own {{name}} is already a placeholder.
        if c == '{' && chars.get(i + 1).is_some_and(|(_, n)| *n == '{') {
            i += 2;
            continue;
        }
        let end = chars[i + 1..]
            .iter()
            .take(MAX_NAME_CHARS + 1)
            .position(|(_, ch)| *ch == close);
        match end {
            Some(k) => {
                let name_start = start + c.len_utf8();
                let (close_at, _) = chars[i + 1 + k];
                let name = &text[name_start..close_at];
                if name_ok(name) {
                    let token = &text[start..close_at + close.len_utf8()];
                    if !out.iter().any(|(t, _)| t == token) {
                        out.push((token.to_string(), name.to_string()));
                    }
                    i += k + 2;
                } else {
                    i += 1;
                }
            }
            None => i += 1,
        }
    }
    out
}

/// Whether a token's name looks like a value to fill in.
pub fn suggested(name: &str) -> bool {
    let lower = name.to_lowercase();
    VALUE_WORDS.iter().any(|w| lower.contains(w))
}

/// The tokens of all `texts`, most frequent first (ties by token).
pub fn survey<'a>(texts: impl Iterator<Item = &'a str>) -> Vec<PlaceholderToken> {
    let mut found: Vec<PlaceholderToken> = Vec::new();
    for t in texts {
        for (token, name) in tokens_in(t) {
            match found.iter_mut().find(|p| p.token == token) {
                Some(p) => p.phrases += 1,
                None => found.push(PlaceholderToken {
                    suggested: suggested(&name),
                    token,
                    name,
                    phrases: 1,
                }),
            }
        }
    }
    found.sort_by(|a, b| b.phrases.cmp(&a.phrases).then(a.token.cmp(&b.token)));
    found
}

/// `text` with each of `convert`'s tokens replaced by `{{name}}`.
pub fn convert(text: &str, convert: &[PlaceholderToken]) -> String {
    let mut out = text.to_string();
    for p in convert {
        if out.contains(&p.token) {
            out = out.replace(&p.token, &format!("{{{{{}}}}}", p.name));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_in_the_usual_styles() {
        let t =
            "亲爱的#买家#，您的订单【订单号】已发出，【温馨提示】请留意[快递公司]，{{已有}}不动";
        let names: Vec<String> = tokens_in(t).into_iter().map(|(_, n)| n).collect();
        assert_eq!(names, ["买家", "订单号", "温馨提示", "快递公司"]);
        assert!(suggested("订单号") && suggested("快递公司") && !suggested("温馨提示"));
    }

    #[test]
    fn long_or_punctuated_brackets_are_not_tokens() {
        assert!(tokens_in("【本店所有商品均为正品行货请放心购买】").is_empty());
        assert!(tokens_in("#1 and #2 #").is_empty());
        assert!(tokens_in("【订单，号】").is_empty());
        assert!(tokens_in("尾巴【没有闭合").is_empty());
    }

    #[test]
    fn survey_counts_phrases_and_convert_replaces() {
        let texts = ["您好#买家#", "#买家#，订单【订单号】", "【订单号】"];
        let s = survey(texts.iter().copied());
        assert_eq!(s.len(), 2);
        assert!(s.iter().all(|p| p.phrases == 2));
        assert_eq!(
            convert("#买家#，订单【订单号】", &s),
            "{{买家}}，订单{{订单号}}"
        );
    }
}
