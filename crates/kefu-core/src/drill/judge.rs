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
            if !vague && !past {
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
    /// Per reference: its vector.
    pub references: Vec<QVec>,
    /// Per fact: the vectors of its examples (its text and the reference clauses that state it).
    pub facts: Vec<Vec<QVec>>,
    /// Per mistake: the vector of its text.
    pub mistakes: Vec<QVec>,
    /// The references' clauses (4+ characters) and their vectors.
    pub reference_clauses: Vec<(String, QVec)>,
    /// Every correct statement (reference clauses and fact examples), for "closer to the
    /// mistake than to anything right".
    pub correct: Vec<QVec>,
    /// The cosine level of an unrelated reply of this genre: the 90th percentile of the
    /// references' cosines with other drills' references.
    pub floor: f32,
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

/// The drill's own texts scoring embeds (references, their clauses, fact examples, mistakes),
/// so that they can be embedded ahead of time.
pub(crate) fn drill_texts(drill: &Drill) -> Vec<String> {
    let mut out: Vec<String> = drill.references.clone();
    for i in 0..drill.rubric.facts.len() {
        out.extend(fact_examples(drill, i));
    }
    out.extend(drill.rubric.mistakes.iter().map(|m| m.text.clone()));
    out.extend(reference_clauses(drill));
    out
}

fn reference_clauses(drill: &Drill) -> Vec<String> {
    drill
        .references
        .iter()
        .flat_map(|r| clauses(r).into_iter().map(|c| c.text))
        .filter(|c| c.chars().count() >= 4)
        .collect()
}

/// What the encoder makes of the drill (vectors cached by text) and of the reply's clauses and
/// whole text (made and forgotten). `None` without an encoder.
pub(crate) fn vectors(
    semantic: &Semantic,
    drill: &Drill,
    others: &[&str],
    reply: &str,
    reply_clauses: &[Clause],
) -> Option<(DrillVectors, QVec, Vec<QVec>)> {
    let fact_ex: Vec<Vec<String>> = (0..drill.rubric.facts.len())
        .map(|i| fact_examples(drill, i))
        .collect();
    let ref_clauses = reference_clauses(drill);
    let mut texts: Vec<&str> = drill.references.iter().map(String::as_str).collect();
    let n_refs = texts.len();
    for ex in &fact_ex {
        texts.extend(ex.iter().map(String::as_str));
    }
    texts.extend(drill.rubric.mistakes.iter().map(|m| m.text.as_str()));
    texts.extend(ref_clauses.iter().map(String::as_str));
    texts.extend(others);
    let v = semantic.text_vectors(&texts, true)?;
    let mut it = v.into_iter();
    let references: Vec<QVec> = it.by_ref().take(n_refs).collect();
    let facts: Vec<Vec<QVec>> = fact_ex
        .iter()
        .map(|ex| it.by_ref().take(ex.len()).collect())
        .collect();
    let mistakes: Vec<QVec> = it.by_ref().take(drill.rubric.mistakes.len()).collect();
    let clause_vectors: Vec<QVec> = it.by_ref().take(ref_clauses.len()).collect();
    let mut correct = clause_vectors.clone();
    correct.extend(facts.iter().flatten().cloned());
    let reference_clauses = ref_clauses.into_iter().zip(clause_vectors).collect();
    let other: Vec<QVec> = it.collect();
    let mut level: Vec<f32> = references
        .iter()
        .flat_map(|r| other.iter().map(move |o| r.dot(o)))
        .collect();
    level.sort_by(f32::total_cmp);
    let floor = if level.is_empty() {
        FLOOR_DEFAULT
    } else {
        level[(level.len() - 1) * 9 / 10]
    };
    // The whole reply and its clauses in one batch, one text per core at a time: the whole
    // reply on one core while the other takes the clauses.
    let mut mine: Vec<&str> = vec![reply];
    mine.extend(reply_clauses.iter().map(|c| c.text.as_str()));
    let mut rv = semantic.text_vectors(&mine, false)?.into_iter();
    let whole = rv.next()?;
    let rv: Vec<QVec> = rv.collect();
    Some((
        DrillVectors {
            references,
            facts,
            mistakes,
            reference_clauses,
            correct,
            floor,
        },
        whole,
        rv,
    ))
}

/// The unrelated-reply level when no other drill is there to measure it (the median measured
/// over the shipped drills).
pub(crate) const FLOOR_DEFAULT: f32 = 0.926;

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
    }
}
