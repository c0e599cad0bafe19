//! A pasted customer message is not a keyword query. This module tells the two apart
//! ([`is_message`]) and cleans a message for search ([`clean`]): order cards and boilerplate
//! lines (`[订单编号:…]`, 订单号/金额/下单时间 …), URLs, long digit runs, emoji and `{{…}}`
//! placeholders go; greetings and filler (你好, 在吗, 亲, 请问, 谢谢 …) go; what is left is split
//! into clauses, of which the question-like ones are the message's intents.

use super::text::is_cjk;

/// Clauses looked at for a second intent.
pub const INTENT_CLAUSES: usize = 4;

/// Longest cleaned message kept, in characters (a 100 KB paste is cut to this).
pub const MAX_CHARS: usize = 300;

/// Labels of order-card lines and fields whose values are noise for search.
const BOILERPLATE_LABELS: &[&str] = &[
    "订单编号",
    "订单号",
    "订单",
    "商品名称",
    "商品",
    "规格",
    "颜色分类",
    "数量",
    "实付款",
    "实付",
    "金额",
    "付款金额",
    "合计",
    "下单时间",
    "付款时间",
    "成交时间",
    "发货时间",
    "快递单号",
    "物流单号",
    "运单号",
    "收货地址",
    "收货人",
    "手机号",
    "电话",
    "链接",
    "售后单号",
    "退款编号",
    "服务单号",
    "sku",
    "SKU",
];

/// Greetings, addresses and filler that say nothing about the problem, removed at a clause's
/// start (longest first).
const FILLER: &[&str] = &[
    "你好呀",
    "你好",
    "您好",
    "hello",
    "Hello",
    "hi",
    "Hi",
    "哈喽",
    "嗨",
    "在吗",
    "在不在",
    "在嘛",
    "有人吗",
    "人呢",
    "客服",
    "亲亲",
    "亲爱的",
    "亲",
    "小姐姐",
    "小哥哥",
    "老板",
    "掌柜",
    "店家",
    "卖家",
    "请问一下",
    "请问下",
    "请问",
    "问一下",
    "问下",
    "我想问下",
    "我想问一下",
    "想问下",
    "想问一下",
    "我想咨询一下",
    "咨询一下",
    "咨询下",
    "麻烦了",
    "麻烦你了",
    "麻烦您了",
    "麻烦",
    "谢谢你",
    "谢谢您",
    "谢谢啦",
    "谢谢",
    "谢了",
    "多谢",
    "感谢",
    "好的",
    "嗯嗯",
    "嗯",
    "哦哦",
    "哦",
    "哈哈",
    "ok",
    "OK",
    "那个",
    "就是",
];

/// Filler removed at a clause's end.
const TRAILING_FILLER: &[&str] = &[
    "谢谢你",
    "谢谢您",
    "谢谢啦",
    "谢谢",
    "麻烦了",
    "麻烦你了",
    "麻烦您了",
    "哈哈",
    "啊",
    "呀",
    "哦",
    "哈",
    "嘛",
    "啦",
    "哇",
];

/// Words that mark a clause as a question.
const QUESTION_MARKERS: &[&str] = &[
    "？",
    "?",
    "吗",
    "么",
    "呢",
    "怎么",
    "怎样",
    "什么",
    "啥",
    "咋",
    "多久",
    "几天",
    "多少",
    "能不能",
    "可不可以",
    "可以",
    "是否",
    "哪",
    "为什么",
    "为啥",
    "有没有",
    "会不会",
    "要不要",
];

/// Clauses that only say "what now?": kept for meaning, but not searched as words (they match
/// nearly every document).
const GENERIC: &[&str] = &[
    "怎么办",
    "怎么回事",
    "咋回事",
    "咋办",
    "咋整",
    "怎么弄",
    "怎么搞",
    "怎么处理",
    "怎么解决",
    "什么意思",
    "啥意思",
    "什么情况",
    "啥情况",
    "为什么",
    "为啥",
    "怎么样",
    "行吗",
    "可以吗",
    "好吗",
    "是吗",
    "对吗",
    "能吗",
    "行不行",
    "可以不",
    "快点",
    "在线等",
    "急急急",
    "求解答",
    "求回复",
    "回复我",
    "人呢",
    "有人吗",
    "速回",
];

/// True for a clause that is only a generic "what now?" (see [`GENERIC`]).
pub fn is_generic(clause: &str) -> bool {
    let c = clause.trim_end_matches(['啊', '呀', '呢', '哦', '吧', '啦']);
    GENERIC.contains(&c)
}

/// A cleaned customer message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The message without noise, clauses joined by `，`.
    pub text: String,
    /// Its clauses, in order.
    pub clauses: Vec<String>,
    /// The clauses worth searching as words (generic ones such as 怎么办 left out; when nothing
    /// else is left, all clauses).
    pub words: Vec<String>,
    /// The clauses that ask something (at most the first two are searched as intents).
    pub questions: Vec<String>,
}

/// True when `input` reads as a customer's message rather than an agent's keywords: sentence
/// punctuation, a line break or a link; or a run of four or more Chinese characters in a text of
/// five or more (or in one of three or more parts); or five or more space-separated parts. Agents'
/// keywords are short runs (`催单`, `运费险 退货`, `退款 破损 淘宝`), pinyin and codes; queries with
/// operators (quotes, `-word`, `key:value`) are never messages.
pub fn is_message(input: &str) -> bool {
    let t = input.trim();
    if t.is_empty() || has_operators(t) {
        return false;
    }
    if t.contains('\n') || t.contains("http") {
        return true;
    }
    let cjk = t.chars().filter(|&c| is_cjk(c)).count();
    let parts = t.split_whitespace().count();
    if cjk == 0 {
        // Pinyin, initials, codes: keywords. A sentence of English words is a message.
        return parts >= 4;
    }
    let punct = t.chars().any(|c| {
        matches!(
            c,
            '？' | '?' | '！' | '!' | '，' | ',' | '。' | '~' | '～' | '…' | '；' | '、' | '：'
        )
    });
    let longest = t
        .split_whitespace()
        .map(|w| w.chars().filter(|&c| is_cjk(c)).count())
        .max()
        .unwrap_or(0);
    punct || parts >= 5 || (longest >= 4 && (cjk >= 5 || parts >= 3))
}

fn has_operators(t: &str) -> bool {
    t.split_whitespace().any(|w| {
        w.starts_with('-')
            || w.starts_with('－')
            || w.starts_with('"')
            || w.starts_with('“')
            || w.starts_with('「')
            || w.split_once([':', '：']).is_some_and(|(k, v)| {
                !v.is_empty()
                    && matches!(
                        k.to_ascii_lowercase().as_str(),
                        "kind" | "type" | "类型" | "platform" | "平台" | "tag" | "标签"
                    )
            })
    })
}

/// True for pictographs, symbols and joiners that carry no words (emoji, kaomoji parts).
fn is_symbol(c: char) -> bool {
    let u = u32::from(c);
    matches!(u,
        0x1F000..=0x1FAFF // emoji, pictographs, flags
        | 0x2600..=0x27BF // misc symbols, dingbats
        | 0x2190..=0x21FF // arrows
        | 0x2300..=0x23FF // technical (⌚ ⏰)
        | 0x25A0..=0x25FF // shapes
        | 0x2B00..=0x2BFF
        | 0xFE00..=0xFE0F // variation selectors
        | 0x200B..=0x200D // zero-width, ZWJ
        | 0xE000..=0xF8FF // private use
    ) || matches!(c, '\u{2060}' | '\u{20E3}' | '♡' | '❤' | '💕')
}

fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        '，' | ','
            | '。'
            | '.'
            | '！'
            | '!'
            | '？'
            | '?'
            | '；'
            | ';'
            | '～'
            | '~'
            | '…'
            | '\n'
            | '、'
    ) || c.is_whitespace()
        || c == '\u{3000}'
}

/// Removes `[…]` / `【…】` groups that hold an order card field (a label and a colon).
fn drop_cards(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let close = match c {
            '[' => Some(']'),
            '【' => Some('】'),
            _ => None,
        };
        if let Some(close) = close
            && let Some(len) = chars[i + 1..].iter().take(200).position(|&x| x == close)
        {
            let inner: String = chars[i + 1..i + 1 + len].iter().collect();
            let card = inner.contains([':', '：'])
                || BOILERPLATE_LABELS.iter().any(|l| inner.starts_with(l))
                || inner.chars().filter(char::is_ascii_digit).count() >= 6;
            if card {
                out.push(' ');
                i += len + 2;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Drops `label：value` fields (up to the end of the line, or the value's end when inline).
fn drop_fields(line: &str) -> String {
    let mut s = line.to_string();
    for label in BOILERPLATE_LABELS {
        while let Some(pos) = find_field(&s, label) {
            let after = pos + label.len();
            // Skip the colon and any spaces, then the value: a run without clause breaks
            // (an order number, a price, a date and time, a product name up to the line's end).
            let rest = &s[after..];
            let colon = rest
                .char_indices()
                .find(|&(_, c)| c == ':' || c == '：')
                .map_or(0, |(i, c)| i + c.len_utf8());
            let value_start = after + colon;
            let value = &s[value_start..];
            let trimmed = value.trim_start();
            let mut end = value_start + (value.len() - trimmed.len());
            let mut seen_value = false;
            for (i, c) in trimmed.char_indices() {
                let stop = if seen_value {
                    // Dates and times contain spaces: keep going over them when a digit follows.
                    matches!(c, '，' | '。' | '！' | '？' | '\n' | '[' | '【')
                        || (c == ' ' && !trimmed[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
                } else {
                    false
                };
                if stop {
                    break;
                }
                seen_value = true;
                end = value_start + (value.len() - trimmed.len()) + i + c.len_utf8();
            }
            s.replace_range(pos..end, " ");
        }
    }
    s
}

/// Where `label` starts a field (`label:` / `label：` possibly after spaces), if anywhere.
fn find_field(s: &str, label: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find(label) {
        let pos = from + i;
        let rest = s[pos + label.len()..].trim_start();
        if rest.starts_with([':', '：']) {
            return Some(pos);
        }
        from = pos + label.len();
    }
    None
}

/// Replaces URLs, `{{placeholders}}` and runs of 6+ digits (order numbers, phone numbers) with
/// spaces.
fn drop_noise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..chars.len().min(i + 8)].iter().collect();
        if rest.starts_with("http://") || rest.starts_with("https://") || rest.starts_with("www.") {
            while i < chars.len() && !chars[i].is_whitespace() && !is_cjk(chars[i]) {
                i += 1;
            }
            out.push(' ');
            continue;
        }
        if chars[i] == '{'
            && chars.get(i + 1) == Some(&'{')
            && let Some(len) = chars[i..].windows(2).position(|w| w == ['}', '}'])
        {
            i += len + 2;
            out.push(' ');
            continue;
        }
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '-') {
                i += 1;
            }
            let digits = chars[start..i]
                .iter()
                .filter(|c| c.is_ascii_digit())
                .count();
            if digits >= 6 {
                out.push(' ');
            } else {
                out.extend(&chars[start..i]);
            }
            continue;
        }
        out.push(if is_symbol(chars[i]) { ' ' } else { chars[i] });
        i += 1;
    }
    out
}

/// Strips filler from a clause's start and end, repeatedly (longest filler first); returns what
/// is left.
fn strip_filler(clause: &str) -> &str {
    let mut c = clause.trim();
    loop {
        let before = c;
        if let Some(f) = longest(FILLER, |f| c.starts_with(f)) {
            c = c[f.len()..].trim_start();
        }
        if let Some(f) = longest(TRAILING_FILLER, |f| c.ends_with(f)) {
            c = c[..c.len() - f.len()].trim_end();
        }
        if c == before {
            return c;
        }
    }
}

fn longest<'a>(words: &[&'a str], matches: impl Fn(&str) -> bool) -> Option<&'a str> {
    words
        .iter()
        .copied()
        .filter(|w| matches(w))
        .max_by_key(|w| w.chars().count())
}

/// True for a line that is one order-card field (`商品：加厚羽绒服 黑色 XL`, `实付：¥89.00`):
/// a label and a colon, and after the value no words of four or more Chinese characters (which
/// would be the customer talking: `订单号：2509… 这个什么时候发货`).
fn is_field_line(line: &str) -> bool {
    let t = line.trim_start();
    BOILERPLATE_LABELS.iter().any(|l| {
        t.strip_prefix(l).is_some_and(|rest| {
            let rest = rest.trim_start();
            rest.starts_with([':', '：'])
                && !rest
                    .split_whitespace()
                    .skip(1)
                    .any(|w| w.chars().filter(|&c| is_cjk(c)).count() >= 4)
        })
    })
}

/// Cleans a customer message; `None` when nothing searchable is left (only emoji, only an
/// order number, only greetings).
pub fn clean(input: &str) -> Option<Message> {
    // A huge paste: only its start is read (the cut is on a character boundary).
    let head: String = input.chars().take(MAX_CHARS * 8).collect();
    let truncated = head.len() < input.len();
    let mut kept_lines = Vec::new();
    for line in drop_cards(&head).lines() {
        if is_field_line(line) {
            continue;
        }
        let line = drop_fields(line);
        kept_lines.push(drop_noise(&line));
    }
    let joined = kept_lines.join("\n");
    let mut clauses: Vec<String> = Vec::new();
    let mut questions = Vec::new();
    let mut cur = String::new();
    let mut flush = |cur: &mut String, ended_by: Option<char>| {
        let c = strip_filler(cur).trim_matches(|c: char| c.is_ascii_punctuation() || c == '：');
        let asks =
            matches!(ended_by, Some('？' | '?')) || QUESTION_MARKERS.iter().any(|m| c.contains(m));
        let meaningful = c
            .chars()
            .filter(|&ch| is_cjk(ch) || ch.is_alphanumeric())
            .count()
            >= 2;
        if meaningful {
            clauses.push(c.to_string());
            if asks {
                questions.push(c.to_string());
            }
        }
        cur.clear();
    };
    for ch in joined.chars() {
        if is_clause_break(ch) {
            flush(&mut cur, Some(ch));
        } else {
            cur.push(ch);
        }
    }
    if !truncated {
        flush(&mut cur, None); // (a clause cut off by the cap is dropped)
    }
    // Repeated clauses ("快点快点快点") count once.
    let mut seen = std::collections::HashSet::new();
    clauses.retain(|c| seen.insert(c.clone()));
    let mut text = String::new();
    for c in &clauses {
        if text.chars().count() >= MAX_CHARS {
            break;
        }
        if !text.is_empty() {
            text.push('，');
        }
        text.push_str(c);
    }
    if text.is_empty() {
        return None;
    }
    let text: String = text.chars().take(MAX_CHARS).collect();
    let mut words: Vec<String> = clauses.iter().filter(|c| !is_generic(c)).cloned().collect();
    if words.is_empty() {
        words = clauses.clone();
    }
    Some(Message {
        text,
        clauses,
        words,
        questions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_not_messages_and_customer_text_is() {
        for q in [
            "催单",
            "cfh",
            "cfh2",
            "tuikuan",
            "退款 破损",
            "物流不动",
            "\"仅退款\"",
            "退款 平台:拼多多",
            "-淘宝 退款",
            "c",
        ] {
            assert!(!is_message(q), "{q}");
        }
        for q in [
            "什么时候能送到",
            "包裹到哪了",
            "你好 请问 我买的东西坏了 怎么办",
            "在吗 我想问下 改地址",
            "亲 快递一直不动 怎么回事",
            "东西坏了？",
            "can I return this please",
            "Hello 我的 order 还没 ship 吗",
            "我买的东西什么时候发货",
        ] {
            assert!(is_message(q), "{q}");
        }
    }

    #[test]
    fn boilerplate_greetings_and_noise_go() {
        let m = clean("你好 请问 我买的东西坏了 怎么办").expect("text");
        assert_eq!(m.text, "我买的东西坏了，怎么办");
        assert_eq!(m.questions, vec!["怎么办"]);
        assert_eq!(
            m.words,
            vec!["我买的东西坏了"],
            "怎么办 is not searched as words"
        );

        let m = clean("[订单编号:3829104857291] 亲，快递一直不动😡😡 怎么回事？？？\n商品：加厚羽绒服 黑色 XL\n实付：¥389.00\n下单时间：2026-11-02 14:33")
            .expect("text");
        assert_eq!(m.text, "快递一直不动，怎么回事");
        let m = clean("订单号：250918-553201938271 这个什么时候发货 https://item.taobao.com/item.htm?id=123 谢谢").expect("text");
        assert_eq!(m.text, "这个什么时候发货");
        let m = clean("{{买家}}在吗 我想问下 改地址").expect("text");
        assert_eq!(m.text, "改地址");
    }

    #[test]
    fn nothing_searchable_gives_none_and_huge_input_is_capped() {
        assert_eq!(clean("😡😡😡🙏"), None);
        assert_eq!(clean("3829104857291"), None);
        assert_eq!(clean("你好，在吗？谢谢"), None);
        let huge = "快递为什么还不到，".repeat(20_000);
        let m = clean(&huge).expect("text");
        assert!(m.text.chars().count() <= MAX_CHARS);
        assert_eq!(m.clauses, vec!["快递为什么还不到"]);
    }

    #[test]
    fn two_questions_are_two_intents() {
        let m = clean("我的快递到哪了？还有能开发票吗").expect("text");
        assert_eq!(m.questions, vec!["我的快递到哪了", "还有能开发票吗"]);
    }
}
