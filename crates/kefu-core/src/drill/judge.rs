//! The parts of scoring that read a reply's substance: its clauses, the numbers it states, and
//! (with the encoder) what its clauses mean next to the drill's facts, known mistakes and
//! references.
//!
//! e5's cosines sit in a narrow band (between replies of this genre 0.85–0.99: a drill's two
//! references 0.93–0.99, a reference and another drill's 0.85–0.98, a poor reply and its drill's
//! best reference 0.84–0.94), so nothing here uses a raw cosine as a score: similarity is mapped
//! between levels measured per drill, and a clause counts for a fact or a mistake only when it is
//! close to it *and* closer to it than to the opposite statements.

use crate::semantic::{QVec, Semantic};

use super::model::Drill;

/// A clause of a reply: its text and where it is, in characters.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Clause {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// Characters that end a clause.
fn is_break(c: char) -> bool {
    matches!(
        c,
        '，' | ','
            | '。'
            | '！'
            | '!'
            | '？'
            | '?'
            | '；'
            | ';'
            | '~'
            | '～'
            | '\n'
            | '…'
            | '：'
            | ':'
    )
}

/// The reply's clauses (text between punctuation), with at least two meaningful characters.
pub(crate) fn clauses(text: &str) -> Vec<Clause> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..=chars.len() {
        if i == chars.len() || is_break(chars[i]) {
            let piece: String = chars[start..i].iter().collect();
            let trimmed = piece.trim();
            if trimmed.chars().filter(|c| c.is_alphanumeric()).count() >= 2 {
                let lead = piece.chars().take_while(|c| c.is_whitespace()).count();
                let s = start + lead;
                out.push(Clause {
                    text: trimmed.to_string(),
                    start: s,
                    end: s + trimmed.chars().count(),
                });
            }
            start = i + 1;
        }
    }
    out
}

/// A quantity stated in a text: value and unit (天, 小时, 工作日, 分钟, 元, %, 个月 …).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Quantity {
    pub value: f64,
    pub unit: &'static str,
    /// As written (e.g. `七天`, `48小时`).
    pub written: String,
}

/// Units a number is read with; longer spellings first. Each maps to a canonical unit.
const UNITS: &[(&str, &str)] = &[
    ("个工作日", "工作日"),
    ("工作日", "工作日"),
    ("个小时", "小时"),
    ("小时", "小时"),
    ("分钟", "分钟"),
    ("个月", "个月"),
    ("天", "天"),
    ("日", "天"),
    ("周", "周"),
    ("元", "元"),
    ("块", "元"),
    ("%", "%"),
    ("％", "%"),
    ("倍", "倍"),
];

fn digit(c: char) -> Option<f64> {
    Some(match c {
        '零' | '〇' => 0.0,
        '一' => 1.0,
        '二' | '两' => 2.0,
        '三' => 3.0,
        '四' => 4.0,
        '五' => 5.0,
        '六' => 6.0,
        '七' => 7.0,
        '八' => 8.0,
        '九' => 9.0,
        _ => return None,
    })
}

/// A run of Chinese numerals (up to the thousands, 半 = 0.5) → its value.
fn chinese_number(s: &[char]) -> Option<f64> {
    if s == ['半'] {
        return Some(0.5);
    }
    let (mut total, mut current) = (0.0, 0.0);
    let mut any = false;
    for &c in s {
        if let Some(d) = digit(c) {
            current = d;
            any = true;
        } else {
            let mult = match c {
                '十' => 10.0,
                '百' => 100.0,
                '千' => 1000.0,
                _ => return None,
            };
            total += if current == 0.0 { 1.0 } else { current } * mult;
            current = 0.0;
            any = true;
        }
    }
    any.then_some(total + current)
}

fn is_numeral(c: char) -> bool {
    c.is_ascii_digit() || c == '.' || digit(c).is_some() || matches!(c, '十' | '百' | '千' | '半')
}

/// Every number with a unit in `text` (`48小时`, `七天`, `3个工作日`, `5元`, `50%`).
pub(crate) fn quantities(text: &str) -> Vec<Quantity> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_numeral(chars[i]) || chars[i] == '.' {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_numeral(chars[i]) {
            i += 1;
        }
        let run = &chars[start..i];
        let value = if run.iter().all(|c| c.is_ascii_digit() || *c == '.') {
            run.iter().collect::<String>().parse::<f64>().ok()
        } else if run.iter().any(|c| c.is_ascii_digit()) {
            None
        } else {
            chinese_number(run)
        };
        let rest: String = chars[i..chars.len().min(i + 4)].iter().collect();
        if let Some(v) = value
            && let Some((spelling, unit)) = UNITS.iter().find(|(s, _)| rest.starts_with(s))
        {
            // 一天 / 两天 as "a day or two" are too loose to check; 一 alone before a unit is
            // read only when written as a digit.
            let vague = run.len() == 1 && matches!(run[0], '一' | '两' | '几');
            // 8天前 / 3天了 / 两天多 tell what happened, not a deadline or an amount to check.
            let after = chars.get(i + spelling.chars().count()).copied();
            let past = matches!(after, Some('前' | '了' | '多'));
            // 第二天 is a day, not two of them.
            let ordinal = start > 0 && chars[start - 1] == '第';
            if !vague && !past && !ordinal {
                let n = spelling.chars().count();
                out.push(Quantity {
                    value: v,
                    unit,
                    written: chars[start..i + n].iter().collect(),
                });
            }
            i += spelling.chars().count();
        }
    }
    out
}

/// Money and shares (元, %): amounts fixed by the case, unlike the times an agent promises.
pub(crate) fn is_amount(q: &Quantity) -> bool {
    matches!(q.unit, "元" | "%")
}

/// A quantity of `stated` that contradicts `expected`: the same unit, a value `expected` never
/// gives. `None` when every unit `stated` shares with `expected` has a value it also gives.
pub(crate) fn conflicting<'a>(
    stated: &'a [Quantity],
    expected: &[Quantity],
) -> Option<(&'a Quantity, Vec<String>)> {
    for q in stated {
        // Working days where the fact counts calendar days is a longer wait (15个工作日 for
        // 15天), whatever the number.
        if q.unit == "工作日" && !expected.iter().any(|e| e.unit == "工作日") {
            let mut right: Vec<String> = expected
                .iter()
                .filter(|e| e.unit == "天")
                .map(|e| e.written.clone())
                .collect();
            right.dedup();
            if !right.is_empty() {
                return Some((q, right));
            }
        }
        let same_unit: Vec<&Quantity> = expected.iter().filter(|e| e.unit == q.unit).collect();
        if !same_unit.is_empty() && !same_unit.iter().any(|e| (e.value - q.value).abs() < 1e-9) {
            let mut right: Vec<String> = same_unit.iter().map(|e| e.written.clone()).collect();
            right.dedup();
            return Some((q, right));
        }
    }
    None
}

/// A drill's texts with their vectors: references, each fact's examples, each mistake.
pub(crate) struct DrillVectors {
    /// Per reference: its clauses' vectors, weighted by length (see [`coverage`]).
    pub references: Vec<Vec<(f32, QVec)>>,
    /// Per fact: the vectors of its examples (its text and the reference clauses that state it).
    pub facts: Vec<Vec<QVec>>,
    /// Per mistake: the vector of its text.
    pub mistakes: Vec<QVec>,
    /// The references' clauses (4+ characters) and their vectors.
    pub reference_clauses: Vec<(String, QVec)>,
    /// Every correct statement (reference clauses and fact examples), for "closer to the
    /// mistake than to anything right".
    pub correct: Vec<QVec>,
    /// The coverage level of an unrelated reply of this genre: the 90th percentile of the
    /// references' coverage by other drills' references.
    pub floor: f32,
}

/// How a clause copied from a reference says the opposite of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Turn {
    /// A yes turned into a no or the reverse (可以拒收 → 不能拒收, 没有降压作用 → 有降压作用).
    Negation,
    /// What the shop pays or answers for put on the buyer (由我们承担 → 由您承担) …
    ToBuyer,
    /// … or the other way round.
    ToShop,
}

/// Words with a negating character that negate nothing (不好意思, 七天无理由, 非常, 别着急 …);
/// they are taken out before negations are counted.
const NOT_NEGATIONS: &[&str] = &[
    "不好意思",
    "不客气",
    "不错",
    "不过",
    "不久",
    "不断",
    "不停",
    "不少",
    "不仅",
    "不便",
    "不愉快",
    "不管",
    "不论",
    "不用担心",
    "不要担心",
    "不用急",
    "不着急",
    "没关系",
    "没问题",
    "无理由",
    "无论",
    "无忧",
    "毫无疑问",
    "非常",
    "别着急",
    "别担心",
    "别急",
    "特别",
    "别的",
    "分别",
    "区别",
    "差别",
    "类别",
    "级别",
    "性别",
    "识别",
    "鉴别",
    "辨别",
    "告别",
    "别人",
    "个别",
    "未来",
    "小心别",
    "注意别",
    "当心别",
    "无误",
    "无碍",
    "无损",
    "无异",
    "并无大碍",
    "不定期",
];

/// Characters that negate what follows.
const NEGATIONS: &[char] = &['不', '没', '无', '别', '未', '勿', '非'];

/// The shop's side and the buyer's, as a reply names them.
const OURS: &[&str] = &["我", "店铺", "商家", "本店", "店里", "卖家"];
const BUYERS: &[&str] = &["您", "你", "买家", "顾客", "自己"];
/// A side as the one something is done for or sent to (我给您安排, 发我税号): not a side
/// that acts or pays.
const FOR_SIDE: &[&str] = &[
    "给您",
    "帮您",
    "为您",
    "替您",
    "跟您",
    "和您",
    "向您",
    "发您",
    "告诉您",
    "通知您",
    "联系您",
    "给你",
    "帮你",
    "发你",
    "给我",
    "发我",
    "告诉我",
    "联系我",
];
/// Who pays or answers for something: the only statements where swapping the sides is read
/// as a reversal.
const LIABILITY: &[&str] = &[
    "运费", "邮费", "费用", "承担", "垫付", "负责", "赔", "责任", "买单",
];

/// Characters that carry no content of their own for "is this the same statement": pronouns,
/// particles, modal and linking words (also the negations, counted separately).
fn is_filler(c: char) -> bool {
    "的了也就都很还再把被给您你我们亲哦呢吧啊呀哈嘛啦喔这那个可以能会要得着过地和与及并且而但话先"
        .contains(c)
        || NEGATIONS.contains(&c)
        || !c.is_alphanumeric()
}

/// `text` with every negating character that negates nothing (in [`NOT_NEGATIONS`], or a
/// question like 合不合适 / 有没有) replaced by a neutral one, so that what remains negates.
fn masked(text: &str) -> String {
    let mut t = text.to_string();
    for w in NOT_NEGATIONS {
        let neutral: String = w
            .chars()
            .map(|c| if NEGATIONS.contains(&c) { '○' } else { c })
            .collect();
        t = t.replace(w, &neutral);
    }
    let mut chars: Vec<char> = t.chars().collect();
    for i in 1..chars.len().saturating_sub(1) {
        if NEGATIONS.contains(&chars[i]) && chars[i - 1] == chars[i + 1] {
            chars[i] = '○';
        }
    }
    chars.into_iter().collect()
}

pub(crate) fn negations(text: &str) -> usize {
    masked(text)
        .chars()
        .filter(|c| NEGATIONS.contains(c))
        .count()
}

/// Whether `clause` turns the yes or no of `reference`: the negations the edits between them
/// add or remove, counting only edits of a few characters (不, 没法, 也不能). A longer piece
/// with a negation that one of them has and the other lacks is a condition said or left out
/// (不想等了也可以直接告诉我 / 也可以直接告诉我), not a turn.
fn negation_turned(reference: &str, clause: &str) -> bool {
    const SHORT: usize = 3;
    let (r, c) = (masked(reference), masked(clause));
    let diff = similar::TextDiff::from_chars(r.as_str(), c.as_str());
    let mut turned = 0usize;
    let (mut del, mut ins) = (String::new(), String::new());
    let mut flush = |del: &mut String, ins: &mut String| -> bool {
        let nd = del.chars().filter(|c| NEGATIONS.contains(c)).count();
        let ni = ins.chars().filter(|c| NEGATIONS.contains(c)).count();
        let long =
            (nd > 0 && del.chars().count() > SHORT) || (ni > 0 && ins.chars().count() > SHORT);
        turned += nd.abs_diff(ni);
        del.clear();
        ins.clear();
        long
    };
    let mut condition = false;
    for ch in diff.iter_all_changes() {
        match ch.tag() {
            similar::ChangeTag::Delete => del.push_str(ch.value()),
            similar::ChangeTag::Insert => ins.push_str(ch.value()),
            similar::ChangeTag::Equal => condition |= flush(&mut del, &mut ins),
        }
    }
    condition |= flush(&mut del, &mut ins);
    !condition && turned % 2 == 1
}

fn sides(text: &str) -> (bool, bool) {
    let mut t = text.to_string();
    for w in FOR_SIDE {
        t = t.replace(w, "");
    }
    let ours = OURS.iter().any(|w| t.contains(w));
    for w in OURS {
        t = t.replace(w, "");
    }
    (ours, BUYERS.iter().any(|w| t.contains(w)))
}

/// How much of two statements' content is the same, 0–1 (matched characters of their content,
/// in order, over both lengths).
fn same_content(a: &str, b: &str) -> f32 {
    let a: String = a.chars().filter(|c| !is_filler(*c)).collect();
    let b: String = b.chars().filter(|c| !is_filler(*c)).collect();
    if a.chars().count() < 3 || b.chars().count() < 3 {
        return 0.0;
    }
    similar::TextDiff::from_chars(a.as_str(), b.as_str()).ratio()
}

/// Content this close to a reference clause is a copy of it, when the wording (all of it) is
/// this close too …
const COPIED: f32 = 0.7;
const COPIED_WORDING: f32 = 0.65;
/// … and a copy with the shop and the buyer swapped may differ a little more (承担 → 垫付).
const COPIED_PARTY: f32 = 0.6;

/// How close two clauses' wording is, 0–1 (matched characters in order over both lengths).
pub(crate) fn same_wording(a: &str, b: &str) -> f32 {
    similar::TextDiff::from_chars(a, b).ratio()
}

/// Whether `clause` copies one of `correct` (reference clauses) but says the opposite: the
/// closest copy and how it turned. `None` when it says what some correct clause says (so an
/// exact or faithful copy, or a clause no correct one is close to). A negation added together
/// with the shop and the buyer swapped says the same again (运费我们出 / 运费不用您出).
pub(crate) fn reversal<'a>(clause: &str, correct: &'a [String]) -> Option<(&'a str, Turn)> {
    if clause.chars().count() < 4 {
        return None;
    }
    let (ours, buyer) = sides(clause);
    let mut found: Option<(&str, Turn, f32)> = None;
    for r in correct {
        let same = same_content(clause, r);
        if same < COPIED_PARTY {
            continue;
        }
        let wording = same_wording(clause, r);
        let (r_ours, r_buyer) = sides(r);
        let liable = |t: &str| LIABILITY.iter().any(|w| t.contains(w));
        let sides_swapped =
            (r_ours && !r_buyer && buyer && !ours) || (r_buyer && !r_ours && ours && !buyer);
        // Another number is another case (186元还用不了 / 能用满200减30).
        let numbers =
            |t: &str| -> Vec<String> { quantities(t).into_iter().map(|q| q.written).collect() };
        let theirs = numbers(r);
        if numbers(clause).iter().any(|q| !theirs.contains(q)) {
            continue;
        }
        let negated = negation_turned(r, clause);
        // 是我们的问题 / 不是您的问题, 运费由我们承担 / 运费不用您出: a negation with the sides
        // swapped says the same.
        if sides_swapped && (negated || negations(r) % 2 != negations(clause) % 2) {
            if same >= COPIED {
                return None;
            }
            continue;
        }
        let swapped = sides_swapped && liable(clause) && liable(r);
        let turn = match (negated, swapped) {
            (true, false) if same >= COPIED && wording >= COPIED_WORDING => Some(Turn::Negation),
            (false, true) if wording >= COPIED_PARTY => {
                Some(if r_ours { Turn::ToBuyer } else { Turn::ToShop })
            }
            (false, false) | (true, true) => None,
            // Too loose a copy to say it turned.
            _ => continue,
        };
        match turn {
            // A correct clause this close says the same: the reply follows it.
            None if same >= COPIED => return None,
            Some(t) if found.is_none_or(|f| same > f.2) => found = Some((r.as_str(), t, same)),
            _ => {}
        }
    }
    found.map(|(r, t, _)| (r, t))
}

/// The examples of fact `i`: its phrasings of 4+ characters (its text when it has none), and
/// each reference clause that is mostly one of them.
pub(crate) fn fact_examples(drill: &Drill, i: usize) -> Vec<String> {
    let f = &drill.rubric.facts[i];
    let phrasings: Vec<&String> = if f.r#match.is_empty() {
        vec![&f.text]
    } else {
        f.r#match.iter().collect()
    };
    // The text is written for the trainer and often joins a condition and what to do ("after
    // the promised time, ask before shipping"): a clause stating only the condition would match
    // it. Only without phrasings does the text stand for what to say.
    let mut out: Vec<String> = Vec::new();
    for p in &phrasings {
        if p.chars().count() >= 4 && !out.contains(p) {
            out.push((*p).clone());
        }
    }
    // A reference clause that is mostly the phrasing (a clause also saying other things would
    // lend the fact to any reply that says those other things).
    for r in &drill.references {
        for c in clauses(r) {
            let len = c.text.chars().count();
            let mostly = phrasings
                .iter()
                .any(|p| c.text.contains(p.as_str()) && p.chars().count() * 2 >= len);
            if mostly && !out.contains(&c.text) {
                out.push(c.text);
            }
        }
    }
    out
}

/// Letters and digits of `text`, lower-cased, each with its place in characters: what the
/// copy check compares (punctuation and spaces are how one types, not what one says).
fn letters(text: &str) -> Vec<(char, usize)> {
    text.chars()
        .enumerate()
        .filter(|(_, c)| c.is_alphanumeric())
        .flat_map(|(i, c)| c.to_lowercase().map(move |l| (l, i)))
        .collect()
}

/// Runs of three letters, the unit the copy check counts in (two are too common in Chinese,
/// four miss a copy with one character changed).
const RUN: usize = 3;

fn runs_of(texts: &[&str]) -> std::collections::HashSet<[char; RUN]> {
    let mut out = std::collections::HashSet::new();
    for t in texts {
        let l: Vec<char> = letters(t).into_iter().map(|(c, _)| c).collect();
        for w in l.windows(RUN) {
            out.insert([w[0], w[1], w[2]]);
        }
    }
    out
}

/// Per letter of `reply` (as [`letters`] lists them), whether it lies inside a run of three
/// letters that `runs` holds.
fn supported(reply: &[(char, usize)], runs: &std::collections::HashSet<[char; RUN]>) -> Vec<bool> {
    let mut out = vec![false; reply.len()];
    for i in 0..reply.len().saturating_sub(RUN - 1) {
        if runs.contains(&[reply[i].0, reply[i + 1].0, reply[i + 2].0]) {
            out[i..i + RUN].iter_mut().for_each(|s| *s = true);
        }
    }
    out
}

/// A reply copies a reference when this share of its letters lies in runs of that reference.
/// Measured on the development pairs: copies with a clause changed 0.71–0.99, replies in the
/// agent's own words 0.13–0.58.
pub(crate) const COPY_SHARE: f32 = 0.65;

/// New letters in a row that make a clause of a copy an edit (fewer are a changed word, such
/// as 您 for 你, or a particle).
pub(crate) const EDIT_MIN_LETTERS: usize = 4;

/// In a reply that copies one of the drill's references, the clauses it changed or added:
/// those holding `EDIT_MIN_LETTERS` letters in a row that nothing the drill gives says
/// (references, facts and their phrasings, the customer's messages, and the service phrases
/// of the lexicon, `approved`). The wording of such a clause is the trainee's own, inside the
/// script: where a copied reply says something the script does not. Whether it still means
/// what the script means is for the encoder to say. Returns clause indices, in order.
pub(crate) fn edits(
    reply: &str,
    reply_clauses: &[Clause],
    drill: &Drill,
    approved: &[&str],
) -> Vec<Edit> {
    let mine = letters(reply);
    if mine.is_empty() {
        return Vec::new();
    }
    let copied = drill.references.iter().any(|r| {
        let s = supported(&mine, &runs_of(&[r.as_str()]));
        s.iter().filter(|x| **x).count() as f32 >= COPY_SHARE * mine.len() as f32
    });
    if !copied {
        return Vec::new();
    }
    let mut material: Vec<&str> = drill.references.iter().map(String::as_str).collect();
    for f in &drill.rubric.facts {
        material.push(&f.text);
        material.extend(f.r#match.iter().map(String::as_str));
    }
    material.extend(drill.customer.iter().map(String::as_str));
    material.extend(approved);
    let sup = supported(&mine, &runs_of(&material));
    let mut out: Vec<Edit> = Vec::new();
    let (mut run, mut in_clause) = (0usize, None);
    for ((_, at), s) in mine.iter().zip(&sup) {
        let ci = reply_clauses
            .iter()
            .position(|c| c.start <= *at && *at < c.end);
        if ci != in_clause {
            (run, in_clause) = (0, ci);
        }
        let Some(ci) = ci else { continue };
        run = if *s { 0 } else { run + 1 };
        if *s {
            continue;
        }
        match out.iter_mut().find(|e| e.clause == ci) {
            Some(e) => e.new.push(*at),
            None => out.push(Edit {
                clause: ci,
                new: vec![*at],
                long: false,
            }),
        }
        if run >= EDIT_MIN_LETTERS
            && let Some(e) = out.iter_mut().find(|e| e.clause == ci)
        {
            e.long = true;
        }
    }
    out.retain(|e| e.long);
    out
}

/// A clause of a copied reply that the trainee changed or added (see [`edits`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Edit {
    /// Index of the clause.
    pub clause: usize,
    /// Where its new letters are, in characters of the reply.
    pub new: Vec<usize>,
    long: bool,
}

/// What an edit can add to a script that puts work, cost, a wait, a condition or the blame on
/// the buyer, or takes away what the shop owes: the classic way of reciting the script while getting it
/// wrong (设门槛, 推给买家, 扣钱). Each is charged only where it is new (not in the drill's
/// texts) and not negated (不用您出, 不会扣).
const BURDENS: &[&str] = &[
    "需要您",
    "要您",
    "得您",
    "您得",
    "您需要",
    "您先",
    "您就先",
    "您自己",
    "自己去",
    "自己打",
    "自己找",
    "自己提交",
    "才能",
    "才行",
    "才可以",
    "要等",
    "后才",
    "只能",
    "只负责",
    "只退",
    "扣",
    "手续费",
    "折旧",
    "一半",
    "您承担",
    "您出",
    "由您",
    "不支持",
    "不在售后",
    "不在我们",
    "不在负责",
    "不能换",
    "登记不了",
    "处理不了",
    "办不了",
    "退不了",
    "不单卖",
    "不包括",
    // Blame put on the buyer.
    "因为您",
    "您那边",
    "怪您",
];

/// Words before a burden that lift it (不用您出, 无需您自己, 不会扣), besides a negating
/// character right before it (不怪您).
const LIFTED: &[&str] = &[
    "不用",
    "无需",
    "不需要",
    "不必",
    "不会",
    "不让",
    "不是",
    "没有",
    "免得",
    "用不着",
];

/// The burden an edit adds: the first of [`BURDENS`] in the clause that overlaps its new
/// letters and is not lifted.
pub(crate) fn burden<'a>(clause: &Clause, edit: &Edit) -> Option<&'a str> {
    let chars: Vec<char> = clause.text.chars().collect();
    for b in BURDENS {
        let pat: Vec<char> = b.chars().collect();
        for i in 0..chars.len().saturating_sub(pat.len() - 1) {
            if chars[i..i + pat.len()] != pat[..] {
                continue;
            }
            let at = clause.start + i;
            if !(at..at + pat.len()).any(|p| edit.new.contains(&p)) {
                continue;
            }
            let before: String = chars[i.saturating_sub(3)..i].iter().collect();
            if LIFTED.iter().any(|l| before.contains(l))
                || before
                    .chars()
                    .last()
                    .is_some_and(|c| NEGATIONS.contains(&c))
            {
                continue;
            }
            return Some(b);
        }
    }
    None
}

/// The drill's own texts scoring embeds (fact examples, mistakes, reference clauses), so that
/// they can be embedded ahead of time.
pub(crate) fn drill_texts(drill: &Drill) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in 0..drill.rubric.facts.len() {
        out.extend(fact_examples(drill, i));
    }
    out.extend(drill.rubric.mistakes.iter().map(|m| m.text.clone()));
    out.extend(reference_clauses(drill));
    out
}

/// Clauses of 4+ characters carry what a text says; shorter ones (您好, 亲亲) do not.
const SUBSTANCE_MIN_CHARS: usize = 4;

/// The clauses of `text` that similarity compares (4+ characters), with their lengths.
fn substance(text: &str) -> Vec<(f32, String)> {
    clauses(text)
        .into_iter()
        .map(|c| (c.text.chars().count(), c.text))
        .filter(|(n, _)| *n >= SUBSTANCE_MIN_CHARS)
        .map(|(n, t)| (n as f32, t))
        .collect()
}

pub(crate) fn reference_clauses(drill: &Drill) -> Vec<String> {
    drill
        .references
        .iter()
        .flat_map(|r| substance(r).into_iter().map(|(_, t)| t))
        .collect()
}

/// How well the clauses of `reply` cover those of `reference` (both weighted by length): the
/// mean of recall (each reference clause's best cosine with a reply clause) and precision
/// (each reply clause's best cosine with a reference clause). A reply saying what the
/// reference says in other words covers it; filler and other topics lower precision, a
/// missing point lowers recall.
pub(crate) fn coverage(reply: &[(f32, &QVec)], reference: &[(f32, &QVec)]) -> f32 {
    fn side(from: &[(f32, &QVec)], to: &[(f32, &QVec)]) -> f32 {
        let (sum, weight) = from.iter().fold((0f32, 0f32), |(s, w), (wi, v)| {
            let best = to.iter().map(|(_, r)| v.dot(r)).fold(f32::MIN, f32::max);
            (s + wi * best, w + wi)
        });
        if weight > 0.0 { sum / weight } else { 0.0 }
    }
    if reply.is_empty() || reference.is_empty() {
        return 0.0;
    }
    (side(reference, reply) + side(reply, reference)) / 2.0
}

/// Borrowed weighted vectors, as [`coverage`] takes them.
pub(crate) fn weighted(c: &[(f32, QVec)]) -> Vec<(f32, &QVec)> {
    c.iter().map(|(w, v)| (*w, v)).collect()
}

/// What the encoder makes of a reply (made and forgotten).
pub(crate) struct ReplyVectors {
    /// Per clause, its vector when it has one: clauses of 4+ characters, and shorter ones that
    /// state a number. Nothing is judged by meaning in a shorter clause (您好, 好的亲), so it
    /// is not embedded.
    pub clauses: Vec<Option<QVec>>,
    /// What similarity compares, weighted by length: the clauses of 4+ characters, or the
    /// whole reply when it has none.
    pub substance: Vec<(f32, QVec)>,
}

/// What the encoder makes of the drill (vectors cached by text) and of the reply's clauses
/// (made and forgotten). `None` without an encoder.
pub(crate) fn vectors(
    semantic: &Semantic,
    drill: &Drill,
    others: &[&str],
    reply_clauses: &[Clause],
    reply: &str,
) -> Option<(DrillVectors, ReplyVectors)> {
    let fact_ex: Vec<Vec<String>> = (0..drill.rubric.facts.len())
        .map(|i| fact_examples(drill, i))
        .collect();
    let per_ref: Vec<Vec<(f32, String)>> = drill.references.iter().map(|r| substance(r)).collect();
    let mut texts: Vec<&str> = Vec::new();
    for ex in &fact_ex {
        texts.extend(ex.iter().map(String::as_str));
    }
    texts.extend(drill.rubric.mistakes.iter().map(|m| m.text.as_str()));
    for c in &per_ref {
        texts.extend(c.iter().map(|(_, t)| t.as_str()));
    }
    let v = semantic.text_vectors(&texts, true)?;
    let mut it = v.into_iter();
    let facts: Vec<Vec<QVec>> = fact_ex
        .iter()
        .map(|ex| it.by_ref().take(ex.len()).collect())
        .collect();
    let mistakes: Vec<QVec> = it.by_ref().take(drill.rubric.mistakes.len()).collect();
    let references: Vec<Vec<(f32, QVec)>> = per_ref
        .iter()
        .map(|c| c.iter().map(|(w, _)| *w).zip(it.by_ref()).collect())
        .collect();
    let reference_clauses: Vec<(String, QVec)> = per_ref
        .iter()
        .flatten()
        .map(|(_, t)| t.clone())
        .zip(references.iter().flatten().map(|(_, v)| v.clone()))
        .collect();
    let mut correct: Vec<QVec> = reference_clauses.iter().map(|(_, v)| v.clone()).collect();
    correct.extend(facts.iter().flatten().cloned());
    let floor = floor(semantic, drill, &references, others);
    // The reply's clauses in one batch, one text per core at a time.
    let embedded: Vec<bool> = reply_clauses
        .iter()
        .map(|c| c.text.chars().count() >= SUBSTANCE_MIN_CHARS || !quantities(&c.text).is_empty())
        .collect();
    let long: Vec<usize> = (0..reply_clauses.len())
        .filter(|&i| reply_clauses[i].text.chars().count() >= SUBSTANCE_MIN_CHARS)
        .collect();
    let mut mine: Vec<&str> = reply_clauses
        .iter()
        .zip(&embedded)
        .filter(|(_, e)| **e)
        .map(|(c, _)| c.text.as_str())
        .collect();
    let whole = long.is_empty() && !reply.trim().is_empty();
    if whole {
        mine.push(reply.trim());
    }
    let mut made = semantic.text_vectors(&mine, false)?.into_iter();
    let clauses: Vec<Option<QVec>> = embedded
        .iter()
        .map(|e| if *e { made.next() } else { None })
        .collect();
    let substance: Vec<(f32, QVec)> = if whole {
        made.next()
            .map(|v| (reply.trim().chars().count() as f32, v))
            .into_iter()
            .collect()
    } else {
        long.iter()
            .filter_map(|&i| {
                let n = reply_clauses[i].text.chars().count() as f32;
                clauses[i].clone().map(|v| (n, v))
            })
            .collect()
    };
    let rv = ReplyVectors { clauses, substance };
    Some((
        DrillVectors {
            references,
            facts,
            mistakes,
            reference_clauses,
            correct,
            floor,
        },
        rv,
    ))
}

/// The drill's unrelated level (worked out once per content version).
fn floor(
    semantic: &Semantic,
    drill: &Drill,
    references: &[Vec<(f32, QVec)>],
    others: &[&str],
) -> f32 {
    let mut key: Vec<&str> = drill.references.iter().map(String::as_str).collect();
    key.push("\u{1}");
    key.extend(others);
    semantic
        .level(&key, || unrelated_level(semantic, references, others))
        .unwrap_or(FLOOR_DEFAULT)
}

/// Works out the drill's unrelated level ahead of the first reply (false without an encoder).
pub(crate) fn warm(semantic: &Semantic, drill: &Drill, others: &[&str]) -> bool {
    let per_ref: Vec<Vec<(f32, String)>> = drill.references.iter().map(|r| substance(r)).collect();
    let texts: Vec<&str> = per_ref
        .iter()
        .flat_map(|c| c.iter().map(|(_, t)| t.as_str()))
        .collect();
    let Some(v) = semantic.text_vectors(&texts, true) else {
        return false;
    };
    let mut it = v.into_iter();
    let references: Vec<Vec<(f32, QVec)>> = per_ref
        .iter()
        .map(|c| c.iter().map(|(w, _)| *w).zip(it.by_ref()).collect())
        .collect();
    floor(semantic, drill, &references, others);
    true
}

/// The 90th percentile of how well other drills' references cover each of this drill's;
/// `None` without other drills, or while fewer than [`LEVEL_READY`] of them have their vectors
/// (before the background embedder has done the drills: a reply scored then gets the default
/// level rather than waiting for hundreds of clauses to be embedded).
fn unrelated_level(
    semantic: &Semantic,
    references: &[Vec<(f32, QVec)>],
    others: &[&str],
) -> Option<f32> {
    let per_other: Vec<Vec<(f32, String)>> = others.iter().map(|r| substance(r)).collect();
    let texts: Vec<&str> = per_other
        .iter()
        .flat_map(|c| c.iter().map(|(_, t)| t.as_str()))
        .collect();
    let mut it = semantic.cached_vectors(&texts).into_iter();
    let other: Vec<Vec<(f32, QVec)>> = per_other
        .iter()
        .filter_map(|c| {
            let v: Vec<Option<QVec>> = it.by_ref().take(c.len()).collect();
            v.into_iter()
                .zip(c)
                .map(|(v, (w, _))| v.map(|v| (*w, v)))
                .collect::<Option<Vec<_>>>()
        })
        .filter(|c| !c.is_empty())
        .collect();
    if other.is_empty() || (other.len() as f32) < LEVEL_READY * others.len() as f32 {
        return None;
    }
    let mut level: Vec<f32> = references
        .iter()
        .flat_map(|r| {
            let r = weighted(r);
            other
                .iter()
                .map(move |o| coverage(&weighted(o), &r))
                .collect::<Vec<_>>()
        })
        .collect();
    level.sort_by(f32::total_cmp);
    level.get((level.len().max(1) - 1) * 9 / 10).copied()
}

/// The share of other drills' references that must have vectors before a drill's level is
/// measured (and remembered).
const LEVEL_READY: f32 = 0.9;

/// The unrelated-reply level when no other drill is there to measure it (the median measured
/// over the shipped drills).
pub(crate) const FLOOR_DEFAULT: f32 = 0.903;

/// Cosine above the floor at which similarity earns full marks: a reply that covers what the
/// reference covers, in any words (a drill's references sit 0.93–0.99 apart).
pub(crate) const FULL_ABOVE_FLOOR: f32 = 0.035;

/// A clause states a fact by meaning from this cosine with one of its examples, when it is
/// also closer to the fact than to every known mistake of the drill (an opposite statement
/// sits as close to the fact as a paraphrase does: 0.92 for 运费需要您自己出 / 运费全由我们出) …
pub(crate) const FACT_COSINE: f32 = 0.90;
/// … and a clause makes a known mistake by meaning from this cosine with it, when it is also
/// this much closer to the mistake than to every correct statement.
pub(crate) const MISTAKE_COSINE: f32 = 0.945;
pub(crate) const MISTAKE_MARGIN: f32 = 0.005;
/// Clauses shorter than this (Chinese characters) are not judged as mistakes by meaning: short
/// ones (今天给您回复) sit close to many statements.
pub(crate) const MISTAKE_MIN_CHARS: usize = 7;
/// … nor as stating a fact or showing an element (谢谢您 sits at 0.90 from 您同意的话).
pub(crate) const MEANING_MIN_CHARS: usize = 5;

/// Chinese characters in a clause.
pub(crate) fn cjk_len(text: &str) -> usize {
    text.chars()
        .filter(|&c| crate::search::text::is_cjk(c))
        .count()
}

/// A reply clause shows an element by meaning from this cosine with a reference clause that
/// shows it in the lexicon's words.
pub(crate) const ELEMENT_COSINE: f32 = 0.925;

/// Similarity 0–1 from the best cosine with a reference, mapped between the drill's floor and
/// full marks.
pub(crate) fn similarity(best: f32, floor: f32) -> f64 {
    f64::from(((best - floor) / FULL_ABOVE_FLOOR).clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(x: &[f32]) -> QVec {
        let n = x.iter().map(|v| v * v).sum::<f32>().sqrt();
        QVec::new(&x.iter().map(|v| v / n).collect::<Vec<_>>())
    }

    #[test]
    fn no_level_is_measured_before_the_other_drills_have_vectors() {
        let s = Semantic::new(None);
        let refs = vec![vec![(4.0, unit(&[1.0, 0.0, 0.0]))]];
        assert_eq!(
            unrelated_level(&s, &refs, &["亲，这是另一个练习的参考回复"]),
            None
        );
        assert_eq!(unrelated_level(&s, &refs, &[]), None);
    }

    #[test]
    fn coverage_needs_every_point_and_nothing_else() {
        let (a, b, c) = (
            unit(&[1.0, 0.0, 0.0]),
            unit(&[0.0, 1.0, 0.0]),
            unit(&[0.0, 0.0, 1.0]),
        );
        let reference = vec![(4.0, &a), (4.0, &b)];
        let same = coverage(&[(6.0, &b), (6.0, &a)], &reference);
        assert!((same - 1.0).abs() < 0.01, "{same}");
        // One of two points missing: recall halves, precision stays.
        let half = coverage(&[(6.0, &a)], &reference);
        assert!((half - 0.75).abs() < 0.01, "{half}");
        // Both points and as much filler: precision halves.
        let padded = coverage(&[(4.0, &a), (4.0, &b), (8.0, &c)], &reference);
        assert!((padded - 0.75).abs() < 0.01, "{padded}");
        assert_eq!(coverage(&[], &reference), 0.0);
    }

    #[test]
    fn a_copied_clause_that_says_the_opposite_is_found() {
        let refs: Vec<String> = [
            "有损坏的话直接拒收就好",
            "退回的运费由我们承担",
            "也没有降血压的治疗作用",
            "支持七天无理由退货",
            "不好意思让您久等了",
        ]
        .map(String::from)
        .to_vec();
        let turn = |c: &str| reversal(c, &refs).map(|(_, t)| t);
        assert_eq!(turn("有损坏的话也不能拒收"), Some(Turn::Negation));
        assert_eq!(turn("退回的运费由您先垫付"), Some(Turn::ToBuyer));
        assert_eq!(turn("但有辅助降血压的作用"), Some(Turn::Negation));
        assert_eq!(turn("这款不支持七天无理由退货"), Some(Turn::Negation));
        // Faithful copies, paraphrases and other statements are not reversals.
        assert_eq!(turn("有损坏的话直接拒收就好"), None);
        assert_eq!(turn("坏了您就直接拒签"), None);
        assert_eq!(turn("来回运费都由我们出"), None);
        assert_eq!(turn("支持7天无理由退货哦"), None);
        assert_eq!(turn("实在不好意思让您等这么久"), None);
        assert_eq!(turn("我马上给您重新发货"), None);
        assert_eq!(turn("别着急，退回的运费由我们承担"), None);
        // A negation with the sides swapped says the same; 小心别 negates nothing.
        assert_eq!(turn("退回的运费不用您承担"), None);
        assert_eq!(turn("退回的运费都不用您出"), None);
        assert_eq!(turn("我这边帮您安排"), None);
        let refs: Vec<String> = [
            "小心划手",
            "我给您安排快递上门取件",
            "拖到现在是我们的问题",
            "不想等了也可以直接告诉我",
            "确认无误的话今天下午就能发出",
            "试穿一下、吊牌还在",
            "要是颜色和页面色号差别明显",
            "能用满200减30",
        ]
        .map(String::from)
        .to_vec();
        for fine in [
            "拖到现在不是您的问题",
            "也可以直接告诉我",
            "确认没问题的话今天下午就能发出",
            "为了看合不合适试穿一下、吊牌还在",
            "要是实物颜色和页面色号差得明显",
            "186元还用不了满200减30",
        ] {
            assert_eq!(reversal(fine, &refs), None, "{fine}");
        }
        assert_eq!(reversal("您小心别划到手", &refs), None);
        assert_eq!(reversal("我们约快递上门取件", &refs), None);
    }

    #[test]
    fn clauses_keep_their_place() {
        let c = clauses("亲，好的~ 我今天给您发出！谢谢");
        let texts: Vec<&str> = c.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, vec!["好的", "我今天给您发出", "谢谢"]);
        let chars: Vec<char> = "亲，好的~ 我今天给您发出！谢谢".chars().collect();
        for cl in &c {
            let at: String = chars[cl.start..cl.end].iter().collect();
            assert_eq!(at, cl.text);
        }
    }

    #[test]
    fn quantities_in_digits_and_chinese() {
        let q = quantities(
            "七天无理由，48小时内发货，3个工作日退款，运费险12元，一天两天都行，二十四小时",
        );
        let got: Vec<(f64, &str)> = q.iter().map(|q| (q.value, q.unit)).collect();
        assert_eq!(
            got,
            vec![
                (7.0, "天"),
                (48.0, "小时"),
                (3.0, "工作日"),
                (12.0, "元"),
                (24.0, "小时")
            ]
        );
        assert_eq!(q[0].written, "七天");
        assert_eq!(q[2].written, "3个工作日");
    }

    #[test]
    fn a_different_value_in_the_same_unit_conflicts() {
        let expected = quantities("签收后7天内可以无理由退货");
        let wrong = quantities("3天内可以退");
        let (q, right) = conflicting(&wrong, &expected).expect("conflict");
        assert_eq!(
            (q.written.as_str(), right),
            ("3天", vec!["7天".to_string()])
        );
        assert!(conflicting(&quantities("七天内都可以"), &expected).is_none());
        assert!(conflicting(&quantities("48小时内发货"), &expected).is_none());
        // Working days for calendar days is a longer wait, even with the same number.
        let working = quantities("7个工作日内可以退");
        let (q, right) = conflicting(&working, &expected).expect("longer");
        assert_eq!(
            (q.written.as_str(), right),
            ("7个工作日", vec!["7天".to_string()])
        );
        assert!(conflicting(&quantities("7个工作日内"), &quantities("3个工作日")).is_some());
        assert!(conflicting(&quantities("3个工作日内"), &quantities("3个工作日")).is_none());
    }
}
