//! Deterministic, explainable reply scoring.
//!
//! A reply earns points in four parts, each shown to the trainee:
//!
//! | part | max | how |
//! |---|---|---|
//! | elements | 40 (55 without facts) | share of the required rubric elements (and the upsell) found |
//! | facts | 15 | share of the required facts stated, in the fact's phrasings or (with the encoder) in any words that mean it without a number that contradicts it |
//! | similarity | 30 | with the encoder: the best cosine with a reference, mapped from the level of an unrelated reply (measured per drill) to full marks a little above it, so stating the substance in other words earns as much as copying; without: character-bigram F1, full marks from 0.5 |
//! | speed | 15 | full within the time limit, falling to 0 at twice the limit; 0 when pasting is not allowed and text was pasted |
//!
//! Without timing (e.g. `kefu drill score`), speed is left out and the rest is scaled to 100.
//! Then points come off: each known mistake the reply makes (the drill's `rubric.mistakes`, in
//! their phrasings or by meaning, and a number that contradicts a fact), each group of banned
//! words, and each banned combination (words of every list of a lexicon `combos` entry in one
//! sentence: a paid good review, another buyer's details, a false refund reason). The result is
//! clamped to 0–100; every point comes from a part the breakdown names.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::judge::{self, Clause};
use super::lexicon::Lexicon;
use super::model::Drill;
use crate::semantic::Semantic;

/// Points for each part.
const ELEMENTS_MAX: f64 = 40.0;
const ELEMENTS_MAX_NO_FACTS: f64 = 55.0;
const FACTS_MAX: f64 = 15.0;
const SIMILARITY_MAX: f64 = 30.0;
const SPEED_MAX: f64 = 15.0;
/// F1 with a reference at which similarity earns full marks (good paraphrases rarely exceed it).
const SIMILARITY_FULL_AT: f64 = 0.5;
/// Name of the pseudo-element checked in upsell drills.
pub const UPSELL_ELEMENT: &str = "关联推荐";

/// How the reply was typed, for the speed part.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Timing {
    /// Milliseconds from the message appearing to submitting.
    pub total_ms: f64,
    /// Characters pasted.
    pub pasted_chars: u32,
}

/// An element that was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ElementHit {
    /// Element name.
    pub name: String,
    /// Label shown.
    pub label: String,
    /// The text of the reply that matched.
    pub matched: String,
    /// Where it is in the reply: `[start, end)` in characters (Unicode scalar values), like
    /// search snippet highlights.
    pub start: u32,
    /// End of the match (exclusive).
    pub end: u32,
    /// In the lexicon's words or by meaning (scores stored before meaning: words).
    #[serde(default)]
    pub by: MatchBy,
}

/// What kind of thing a reply lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MissingKind {
    /// A reply element of the lexicon (greeting, apology, action …).
    Element,
    /// A fact of the drill's rubric.
    Fact,
    /// The product to recommend in a 关联销售 drill.
    Upsell,
}

/// Something a good reply has and this one lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Missing {
    /// Element, fact or upsell.
    pub kind: MissingKind,
    /// Element name or fact text.
    pub name: String,
    /// What to add: example words for elements, the accepted phrasings for facts.
    pub hint: String,
    /// For facts: the rule they come from.
    pub rule: Option<String>,
}

/// How something in a reply was recognised.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MatchBy {
    /// One of its phrasings occurs in the reply (what every score before meaning was).
    #[default]
    Words,
    /// A clause of the reply means it (sentence encoder).
    Meaning,
    /// A number in the reply contradicts the one the fact states.
    Number,
    /// A clause copies a reference's but says the opposite (a yes made a no, the shop's part
    /// made the buyer's).
    Reversed,
    /// A clause a copied reply changed or added, meaning nothing the drill's texts say.
    Edited,
}

/// A known mistake the reply makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MistakeHit {
    /// The mistake as the drill describes it (for a wrong number: the fact it contradicts).
    pub text: String,
    /// Why it is wrong.
    pub why: String,
    /// The rule it breaks.
    pub rule: Option<String>,
    /// The text of the reply that makes it.
    pub matched: String,
    /// Where it is in the reply: `[start, end)` in characters.
    pub start: u32,
    /// End of the match (exclusive).
    pub end: u32,
    /// How it was recognised.
    pub by: MatchBy,
    /// Points taken off.
    pub penalty: u32,
}

/// A penalised word found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BannedHit {
    /// The group (极限词, 推责 …).
    pub group: String,
    /// The word found.
    pub word: String,
    /// Where it is in the reply: `[start, end)` in characters.
    pub start: u32,
    /// End of the match (exclusive).
    pub end: u32,
    /// Points taken off.
    pub penalty: u32,
    /// Why it is penalised (banned combinations say why; word groups are named only).
    #[serde(default)]
    pub why: Option<String>,
}

/// A fact that was stated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FactHit {
    /// The fact.
    pub text: String,
    /// The text of the reply that matched.
    pub matched: String,
    /// Where it is in the reply: `[start, end)` in characters.
    pub start: u32,
    /// End of the match (exclusive).
    pub end: u32,
    /// Its rule.
    pub rule: Option<String>,
    /// In its phrasings or by meaning (scores stored before meaning: words).
    #[serde(default)]
    pub by: MatchBy,
}

/// The parts a score is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ComponentName {
    /// Reply elements found.
    Elements,
    /// Rubric facts stated.
    Facts,
    /// Closeness to the nearest reference reply.
    Similarity,
    /// Answered within the time limit.
    Speed,
    /// Penalised words and combinations (negative).
    Penalty,
    /// Known mistakes made (negative).
    Mistakes,
}

impl ComponentName {
    /// The snake_case name (as serialised).
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentName::Elements => "elements",
            ComponentName::Facts => "facts",
            ComponentName::Similarity => "similarity",
            ComponentName::Speed => "speed",
            ComponentName::Penalty => "penalty",
            ComponentName::Mistakes => "mistakes",
        }
    }
}

/// Points of one part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Component {
    /// Which part.
    pub name: ComponentName,
    /// Points earned (negative for penalties).
    pub points: f64,
    /// Points possible.
    pub max: f64,
}

/// The score with everything that explains it. Field names are a contract (`kefu drill score --json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ScoreBreakdown {
    /// 0–100.
    pub score: u32,
    /// Elements found, with the matching text.
    pub elements: Vec<ElementHit>,
    /// Facts stated.
    pub facts: Vec<FactHit>,
    /// What is missing.
    pub missing: Vec<Missing>,
    /// Penalised words and combinations found.
    pub banned: Vec<BannedHit>,
    /// Known mistakes made (none in scores stored before they existed).
    #[serde(default)]
    pub mistakes: Vec<MistakeHit>,
    /// Closeness to the closest reference (0–1): by meaning with the encoder, else
    /// character-bigram F1.
    pub similarity: f64,
    /// Whether similarity (and facts beyond their phrasings) were judged by meaning.
    #[serde(default)]
    pub similarity_by: MatchBy,
    /// The reference reply closest to this one, to compare with.
    pub closest_reference: String,
    /// The points per part.
    pub components: Vec<Component>,
}

/// Characters that carry meaning (CJK, letters, digits), lowercased.
fn normalise(s: &str) -> Vec<char> {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn bigrams(chars: &[char]) -> std::collections::HashMap<(char, char), u32> {
    let mut m = std::collections::HashMap::new();
    for w in chars.windows(2) {
        *m.entry((w[0], w[1])).or_insert(0) += 1;
    }
    m
}

/// Character-bigram F1 between two texts (0 when either has no bigram).
pub fn bigram_f1(a: &str, b: &str) -> f64 {
    let (ba, bb) = (bigrams(&normalise(a)), bigrams(&normalise(b)));
    let (na, nb): (u32, u32) = (ba.values().sum(), bb.values().sum());
    if na == 0 || nb == 0 {
        return 0.0;
    }
    let overlap: u32 = ba
        .iter()
        .map(|(k, v)| (*v).min(*bb.get(k).unwrap_or(&0)))
        .sum();
    if overlap == 0 {
        return 0.0;
    }
    let p = f64::from(overlap) / f64::from(na);
    let r = f64::from(overlap) / f64::from(nb);
    2.0 * p * r / (p + r)
}

/// One character lowercased when that gives one character (so positions stay aligned).
fn fold(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// A reply prepared for matching: its characters case-folded one to one, with their offsets.
struct Reply<'a> {
    text: &'a str,
    folded: Vec<char>,
    /// Byte offset of each character, and the text's length at the end.
    bytes: Vec<usize>,
}

impl<'a> Reply<'a> {
    fn new(text: &'a str) -> Self {
        let (bytes, folded): (Vec<usize>, Vec<char>) =
            text.char_indices().map(|(i, c)| (i, fold(c))).unzip();
        let mut bytes = bytes;
        bytes.push(text.len());
        Reply {
            text,
            folded,
            bytes,
        }
    }

    /// The reply's text between two character offsets.
    fn slice(&self, start: usize, end: usize) -> &'a str {
        &self.text[self.bytes[start]..self.bytes[end]]
    }

    /// The first occurrence of `pattern` (case-insensitive), as a character range.
    fn find(&self, pattern: &str) -> Option<(usize, usize)> {
        self.find_where(pattern, |_| true)
    }

    /// The first occurrence of `pattern` that is not negated just before it (不能打包票 does
    /// not promise), as a character range.
    fn find_said(&self, pattern: &str) -> Option<(usize, usize)> {
        self.find_where(pattern, |at| !negated_before(&self.folded[..at]))
    }

    /// The first occurrence of `pattern` (case-insensitive) starting at a character offset
    /// `keep` accepts.
    fn find_where(&self, pattern: &str, keep: impl Fn(usize) -> bool) -> Option<(usize, usize)> {
        let needle: Vec<char> = pattern.chars().map(fold).collect();
        if needle.is_empty() || needle.len() > self.folded.len() {
            return None;
        }
        self.folded
            .windows(needle.len())
            .enumerate()
            .find(|(i, w)| *w == needle.as_slice() && keep(*i))
            .map(|(i, _)| (i, i + needle.len()))
    }

    /// The longest of `patterns` found (it explains best what counted), first on a tie.
    fn find_any(&self, patterns: &[String]) -> Option<Match<'a>> {
        self.longest(patterns, |p| self.find(p))
    }

    /// The longest of `patterns` said (see [`Reply::find_said`]), first on a tie.
    fn find_any_said(&self, patterns: &[String]) -> Option<Match<'a>> {
        self.longest(patterns, |p| self.find_said(p))
    }

    fn longest(
        &self,
        patterns: &[String],
        find: impl Fn(&str) -> Option<(usize, usize)>,
    ) -> Option<Match<'a>> {
        let mut best: Option<(usize, usize)> = None;
        for p in patterns {
            if let Some((s, e)) = find(p)
                && best.is_none_or(|(bs, be)| e - s > be - bs)
            {
                best = Some((s, e));
            }
        }
        let index = |chars: usize| u32::try_from(chars).unwrap_or(u32::MAX);
        best.map(|(s, e)| Match {
            text: &self.text[self.bytes[s]..self.bytes[e]],
            start: index(s),
            end: index(e),
        })
    }
}

/// A pattern found in the reply, as it appears there.
struct Match<'a> {
    text: &'a str,
    /// Character offsets.
    start: u32,
    end: u32,
}

/// What scoring by meaning needs: the encoder (with its vector cache) and the other drills'
/// references, against which a drill's level of "unrelated" similarity is measured.
pub struct Meaning<'a> {
    /// The encoder and vector cache.
    pub semantic: &'a Semantic,
    /// References of other drills.
    pub others: Vec<&'a str>,
}

/// Scores `reply` for `drill`; by meaning when `meaning` has an encoder, else by words only.
pub fn score(
    drill: &Drill,
    lexicon: &Lexicon,
    reply: &str,
    timing: Option<Timing>,
    meaning: Option<&Meaning<'_>>,
) -> ScoreBreakdown {
    let prepared = Reply::new(reply);
    let mut elements = Vec::new();
    let mut missing = Vec::new();
    let reply_clauses = judge::clauses(reply);
    let vectors =
        meaning.and_then(|m| judge::vectors(m.semantic, drill, &m.others, &reply_clauses, reply));

    let required: Vec<String> = if drill.rubric.elements.is_empty() {
        lexicon.default_elements.clone()
    } else {
        drill.rubric.elements.clone()
    };
    let mut required_count = 0usize;
    for name in &required {
        let Some(def) = lexicon.elements.get(name) else {
            continue;
        };
        required_count += 1;
        let found = prepared
            .find_any(&def.patterns)
            .map(|m| (m.text.to_string(), m.start, m.end, MatchBy::Words))
            .or_else(|| {
                // By meaning: a clause close to a reference clause that shows the element.
                let (dv, rv) = vectors.as_ref()?;
                let showing: Vec<&crate::semantic::QVec> = dv
                    .reference_clauses
                    .iter()
                    // A one-character pattern (亲) says little about what its clause means.
                    .filter(|(t, _)| {
                        def.patterns
                            .iter()
                            .any(|p| p.chars().count() >= 2 && t.contains(p.as_str()))
                    })
                    .map(|(_, v)| v)
                    .collect();
                let (ci, _) = rv
                    .clauses
                    .iter()
                    .enumerate()
                    .filter_map(|(ci, v)| v.as_ref().map(|v| (ci, v)))
                    .filter(|(ci, _)| {
                        judge::cjk_len(&reply_clauses[*ci].text) >= judge::MEANING_MIN_CHARS
                    })
                    .map(|(ci, v)| {
                        (
                            ci,
                            showing.iter().map(|r| v.dot(r)).fold(f32::MIN, f32::max),
                        )
                    })
                    .filter(|(_, s)| *s >= judge::ELEMENT_COSINE)
                    .max_by(|a, b| a.1.total_cmp(&b.1))?;
                let c = &reply_clauses[ci];
                Some((
                    c.text.clone(),
                    c.start as u32,
                    c.end as u32,
                    MatchBy::Meaning,
                ))
            });
        match found {
            Some((matched, start, end, by)) => elements.push(ElementHit {
                name: name.clone(),
                label: def.label.clone(),
                matched,
                start,
                end,
                by,
            }),
            None => missing.push(Missing {
                kind: MissingKind::Element,
                name: name.clone(),
                hint: def
                    .patterns
                    .iter()
                    .take(4)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" / "),
                rule: None,
            }),
        }
    }
    if let Some(upsell) = &drill.upsell {
        required_count += 1;
        let mut patterns = lexicon.upsell.patterns.clone();
        patterns.extend(
            upsell
                .split([' ', ',', '，', '、', '/'])
                .filter(|w| w.chars().count() >= 2)
                .map(String::from),
        );
        match prepared.find_any(&patterns) {
            Some(m) => elements.push(ElementHit {
                name: UPSELL_ELEMENT.into(),
                label: UPSELL_ELEMENT.into(),
                matched: m.text.to_string(),
                start: m.start,
                end: m.end,
                by: MatchBy::Words,
            }),
            None => missing.push(Missing {
                kind: MissingKind::Upsell,
                name: UPSELL_ELEMENT.into(),
                hint: upsell.clone(),
                rule: None,
            }),
        }
    }

    // Known mistakes first: a clause that makes one cannot also state a fact.
    let mut mistakes = Vec::new();
    let mut wrong_clauses: Vec<usize> = Vec::new();
    let clause_at = |start: u32| {
        reply_clauses
            .iter()
            .position(|c| c.start as u32 <= start && start < c.end as u32)
    };
    let default_penalty = lexicon.mistake_penalty;
    for (mi, m) in drill.rubric.mistakes.iter().enumerate() {
        let penalty = m.penalty.unwrap_or(default_penalty);
        let hit = |matched: &str, start: u32, end: u32, by: MatchBy| MistakeHit {
            text: m.text.clone(),
            why: m.why.clone(),
            rule: m.rule.clone(),
            matched: matched.to_string(),
            start,
            end,
            by,
            penalty,
        };
        let mut phrasings = m.r#match.clone();
        phrasings.push(m.text.clone());
        if let Some(found) = prepared.find_any(&phrasings) {
            if let Some(c) = clause_at(found.start) {
                wrong_clauses.push(c);
            }
            mistakes.push(hit(found.text, found.start, found.end, MatchBy::Words));
            continue;
        }
        let Some((dv, rv)) = &vectors else {
            continue;
        };
        let Some(mv) = dv.mistakes.get(mi) else {
            continue;
        };
        let best = rv
            .clauses
            .iter()
            .enumerate()
            .filter_map(|(ci, v)| v.as_ref().map(|v| (ci, v)))
            .map(|(ci, v)| {
                let to_mistake = v.dot(mv);
                let to_right = dv.correct.iter().map(|r| v.dot(r)).fold(f32::MIN, f32::max);
                (ci, to_mistake, to_right)
            })
            .filter(|(ci, to_m, r)| {
                *to_m >= judge::MISTAKE_COSINE
                    && *to_m >= r + judge::MISTAKE_MARGIN
                    && judge::cjk_len(&reply_clauses[*ci].text) >= judge::MISTAKE_MIN_CHARS
                    // The encoder hardly sees a negation: a clause saying the mistake's
                    // opposite (电子发票一样能报销 / 电子发票不能报销) sits as close to it.
                    && judge::negations(&reply_clauses[*ci].text) % 2
                        == judge::negations(&m.text) % 2
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((ci, _, _)) = best {
            let c = &reply_clauses[ci];
            wrong_clauses.push(ci);
            mistakes.push(hit(&c.text, c.start as u32, c.end as u32, MatchBy::Meaning));
        }
    }
    // A clause copied from a reference that says the opposite of it (the classic way of
    // reciting the script while getting it wrong), whether or not a known mistake covers it.
    let reference_clauses = judge::reference_clauses(drill);
    for (ci, c) in reply_clauses.iter().enumerate() {
        if wrong_clauses.contains(&ci) {
            continue;
        }
        let Some((right, turn)) = judge::reversal(&c.text, &reference_clauses) else {
            continue;
        };
        let why = match turn {
            judge::Turn::Negation => format!("参考话术是「{right}」，这里意思说反了"),
            judge::Turn::ToBuyer => {
                format!("参考话术是「{right}」，这里把该店铺承担的推给了买家")
            }
            judge::Turn::ToShop => format!("参考话术是「{right}」，这里把买家的部分说成了店铺的"),
        };
        // The rule of the fact the reference clause states, if one does.
        let rule = drill
            .rubric
            .facts
            .iter()
            .find(|f| f.r#match.iter().any(|p| right.contains(p.as_str())))
            .and_then(|f| f.rule.clone());
        wrong_clauses.push(ci);
        mistakes.push(MistakeHit {
            text: right.to_string(),
            why,
            rule,
            matched: c.text.clone(),
            start: c.start as u32,
            end: c.end as u32,
            by: MatchBy::Reversed,
            penalty: default_penalty,
        });
    }

    // A clause a copied reply changed or added that puts something new on the buyer (work, a
    // cost, a wait, a condition) which the drill's texts do not: the trainee recited the
    // script and changed its substance.
    let approved: Vec<&str> = lexicon
        .elements
        .values()
        .flat_map(|e| e.patterns.iter().map(String::as_str))
        .collect();
    for e in judge::edits(reply, &reply_clauses, drill, &approved) {
        if wrong_clauses.contains(&e.clause) {
            continue;
        }
        let c = &reply_clauses[e.clause];
        let Some(word) = judge::burden(c, &e) else {
            continue;
        };
        wrong_clauses.push(e.clause);
        mistakes.push(MistakeHit {
            text: format!("参考话术里没有的「{word}」"),
            why: format!(
                "照着参考话术说，却在这句加了参考话术和事实里都没有的「{word}」：把事情、费用、条件或责任推给了买家，请对照规则核对"
            ),
            rule: None,
            matched: c.text.clone(),
            start: c.start as u32,
            end: c.end as u32,
            by: MatchBy::Edited,
            penalty: default_penalty,
        });
    }

    // A clause charged as a mistake shows no element (运费由您承担 is not taking responsibility).
    let in_wrong = |start: u32| clause_at(start).is_some_and(|c| wrong_clauses.contains(&c));
    let (kept, lost): (Vec<ElementHit>, Vec<ElementHit>) = elements
        .into_iter()
        .partition(|e| e.name == UPSELL_ELEMENT || !in_wrong(e.start));
    elements = kept;
    for e in lost {
        let hint = lexicon.elements.get(&e.name).map_or_else(String::new, |d| {
            d.patterns
                .iter()
                .take(4)
                .cloned()
                .collect::<Vec<_>>()
                .join(" / ")
        });
        missing.push(Missing {
            kind: MissingKind::Element,
            name: e.name,
            hint,
            rule: None,
        });
    }

    let mut facts = Vec::new();
    for (fi, f) in drill.rubric.facts.iter().enumerate() {
        let phrasings = if f.r#match.is_empty() {
            vec![f.text.clone()]
        } else {
            f.r#match.clone()
        };
        let expected: Vec<judge::Quantity> = std::iter::once(f.text.clone())
            .chain(judge::fact_examples(drill, fi))
            .flat_map(|e| judge::quantities(&e))
            .collect();
        // A number that contradicts the fact, in a clause about it, is a mistake of its own.
        let about = |ci: usize| -> bool {
            let c: &Clause = &reply_clauses[ci];
            if phrasings.iter().any(|p| {
                let stripped: String = p.chars().filter(|ch| !ch.is_numeric()).collect();
                stripped.chars().count() >= 2 && c.text.contains(&stripped)
            }) {
                return true;
            }
            match &vectors {
                Some((dv, rv)) => match (dv.facts.get(fi), &rv.clauses[ci]) {
                    (Some(ex), Some(v)) => ex.iter().any(|e| v.dot(e) >= judge::FACT_COSINE - 0.02),
                    _ => false,
                },
                None => false,
            }
        };
        let mut contradicted = false;
        for (ci, c) in reply_clauses.iter().enumerate() {
            let stated: Vec<judge::Quantity> = case_free(drill, &c.text);
            if let Some((q, right)) = judge::conflicting(&stated, &expected)
                && about(ci)
            {
                mistakes.push(number_mistake(
                    c,
                    q,
                    &right,
                    f.text.clone(),
                    f.rule.clone(),
                    default_penalty,
                ));
                wrong_clauses.push(ci);
                contradicted = true;
                break;
            }
        }
        let by_words = prepared.find_any(&phrasings).filter(|m| {
            !contradicted && clause_at(m.start).is_none_or(|c| !wrong_clauses.contains(&c))
        });
        let found = match by_words {
            Some(m) => Some((m.text.to_string(), m.start, m.end, MatchBy::Words)),
            None if !contradicted => vectors.as_ref().and_then(|(dv, rv)| {
                let ex = dv.facts.get(fi)?;
                let (ci, _) = rv
                    .clauses
                    .iter()
                    .enumerate()
                    .filter_map(|(ci, v)| v.as_ref().map(|v| (ci, v)))
                    .filter(|(ci, _)| {
                        !wrong_clauses.contains(ci)
                            && judge::cjk_len(&reply_clauses[*ci].text) >= judge::MEANING_MIN_CHARS
                    })
                    .map(|(ci, v)| {
                        let to_fact = ex.iter().map(|e| v.dot(e)).fold(f32::MIN, f32::max);
                        let to_mistake = dv
                            .mistakes
                            .iter()
                            .map(|m| v.dot(m))
                            .fold(f32::MIN, f32::max);
                        (
                            ci,
                            if to_fact > to_mistake {
                                to_fact
                            } else {
                                f32::MIN
                            },
                        )
                    })
                    .filter(|(_, s)| *s >= judge::FACT_COSINE)
                    .max_by(|a, b| a.1.total_cmp(&b.1))?;
                let c = &reply_clauses[ci];
                Some((
                    c.text.clone(),
                    c.start as u32,
                    c.end as u32,
                    MatchBy::Meaning,
                ))
            }),
            None => None,
        };
        match found {
            Some((matched, start, end, by)) => facts.push(FactHit {
                text: f.text.clone(),
                matched,
                start,
                end,
                rule: f.rule.clone(),
                by,
            }),
            None => missing.push(Missing {
                kind: MissingKind::Fact,
                name: f.text.clone(),
                hint: phrasings.join(" / "),
                rule: f.rule.clone(),
            }),
        }
    }

    // Amounts (元, %) are facts of the case: one that differs from the amount the closest
    // reference clause gives is a wrong number (a miscounted total, a wrong refund).
    if let Some((dv, rv)) = &vectors {
        for (ci, c) in reply_clauses.iter().enumerate() {
            if wrong_clauses.contains(&ci) {
                continue;
            }
            let Some(v) = &rv.clauses[ci] else {
                continue;
            };
            let stated: Vec<judge::Quantity> = case_free(drill, &c.text)
                .into_iter()
                .filter(judge::is_amount)
                .collect();
            if stated.is_empty() {
                continue;
            }
            let closest = dv
                .reference_clauses
                .iter()
                .filter(|(t, _)| judge::quantities(t).iter().any(judge::is_amount))
                .map(|(t, r)| (t, v.dot(r)))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            let Some((ref_clause, cos)) = closest else {
                continue;
            };
            // Only a clause copied from the reference clause with its amount changed: an agent
            // working out another option (凑单 to another total) states other amounts.
            if cos < judge::FACT_COSINE || judge::same_wording(&c.text, ref_clause) < 0.5 {
                continue;
            }
            let expected: Vec<judge::Quantity> = judge::quantities(ref_clause);
            if let Some((q, right)) = judge::conflicting(&stated, &expected) {
                mistakes.push(number_mistake(
                    c,
                    q,
                    &right,
                    ref_clause.clone(),
                    None,
                    default_penalty,
                ));
                wrong_clauses.push(ci);
            }
        }
    }

    let mut banned = Vec::new();
    for (group, b) in &lexicon.banned {
        if let Some(m) = prepared.find_any_said(&b.patterns) {
            banned.push(BannedHit {
                group: group.clone(),
                word: m.text.to_string(),
                start: m.start,
                end: m.end,
                penalty: b.penalty,
                why: None,
            });
        }
    }
    for (name, combo) in &lexicon.combos {
        if let Some((start, end)) = combo_sentence(&prepared, &combo.all, &drill.customer) {
            banned.push(BannedHit {
                group: name.clone(),
                word: prepared.slice(start, end).to_string(),
                start: start as u32,
                end: end as u32,
                penalty: combo.penalty,
                why: Some(combo.why.clone()).filter(|w| !w.is_empty()),
            });
        }
    }

    // A phrase that is a known mistake is penalised once, as the mistake (which says why).
    banned.retain(|b| !mistakes.iter().any(|m| b.start < m.end && m.start < b.end));

    let (similarity, closest_reference, similarity_by) = match &vectors {
        Some((dv, rv)) => {
            let mine = judge::weighted(&rv.substance);
            let best = dv
                .references
                .iter()
                .zip(&drill.references)
                .map(|(v, r)| (judge::coverage(&mine, &judge::weighted(v)), r))
                .max_by(|a, b| a.0.total_cmp(&b.0));
            match best {
                Some((cos, r)) => (
                    judge::similarity(cos, dv.floor),
                    r.clone(),
                    MatchBy::Meaning,
                ),
                None => (0.0, String::new(), MatchBy::Meaning),
            }
        }
        None => {
            let (f, r) = drill
                .references
                .iter()
                .map(|r| (bigram_f1(reply, r), r))
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(f, r)| (f, r.clone()))
                .unwrap_or((0.0, String::new()));
            ((f / SIMILARITY_FULL_AT).min(1.0), r, MatchBy::Words)
        }
    };

    let has_facts = !drill.rubric.facts.is_empty();
    let el_max = if has_facts {
        ELEMENTS_MAX
    } else {
        ELEMENTS_MAX_NO_FACTS
    };
    let share = |found: usize, of: usize| {
        if of == 0 {
            1.0
        } else {
            found as f64 / of as f64
        }
    };
    let mut components = vec![Component {
        name: ComponentName::Elements,
        points: el_max * share(elements.len(), required_count),
        max: el_max,
    }];
    if has_facts {
        components.push(Component {
            name: ComponentName::Facts,
            points: FACTS_MAX * share(facts.len(), drill.rubric.facts.len()),
            max: FACTS_MAX,
        });
    }
    components.push(Component {
        name: ComponentName::Similarity,
        points: SIMILARITY_MAX * similarity,
        max: SIMILARITY_MAX,
    });
    if let Some(t) = timing {
        let limit_ms = f64::from(drill.time_limit_s) * 1000.0;
        let points = if t.pasted_chars > 0 && !drill.allow_paste {
            0.0
        } else if t.total_ms <= limit_ms {
            SPEED_MAX
        } else {
            (SPEED_MAX * (2.0 - t.total_ms / limit_ms)).clamp(0.0, SPEED_MAX)
        };
        components.push(Component {
            name: ComponentName::Speed,
            points,
            max: SPEED_MAX,
        });
    }
    let earned: f64 = components.iter().map(|c| c.points).sum();
    let possible: f64 = components.iter().map(|c| c.max).sum();
    let penalty: u32 = banned.iter().map(|b| b.penalty).sum();
    if penalty > 0 {
        components.push(Component {
            name: ComponentName::Penalty,
            points: -f64::from(penalty),
            max: 0.0,
        });
    }
    let mistake_points: u32 = mistakes.iter().map(|m| m.penalty).sum();
    if mistake_points > 0 {
        components.push(Component {
            name: ComponentName::Mistakes,
            points: -f64::from(mistake_points),
            max: 0.0,
        });
    }
    let empty = normalise(reply).is_empty();
    let scaled = if possible > 0.0 && !empty {
        earned / possible * 100.0
    } else {
        0.0
    };
    let score = (scaled - f64::from(penalty) - f64::from(mistake_points))
        .round()
        .clamp(0.0, 100.0) as u32;
    ScoreBreakdown {
        score,
        elements,
        facts,
        missing,
        banned,
        mistakes,
        similarity,
        similarity_by,
        closest_reference,
        components,
    }
}

/// The quantities of `text` that neither the customer nor a reference states (those are facts of
/// the case, such as 8天前 or the price paid, not numbers to check).
fn case_free(drill: &Drill, text: &str) -> Vec<judge::Quantity> {
    judge::quantities(text)
        .into_iter()
        .filter(|q| {
            !drill
                .customer
                .iter()
                .chain(&drill.references)
                .any(|t| t.contains(q.written.as_str()))
        })
        .collect()
}

/// A wrong number `q` in clause `c`, where `right` is what `text` (a fact or a reference clause)
/// gives.
fn number_mistake(
    c: &Clause,
    q: &judge::Quantity,
    right: &[String],
    text: String,
    rule: Option<String>,
    penalty: u32,
) -> MistakeHit {
    let at = c
        .text
        .find(q.written.as_str())
        .map_or(0, |b| c.text[..b].chars().count());
    let start = (c.start + at) as u32;
    MistakeHit {
        text,
        why: format!("应为 {}，回复里写的是 {}", right.join(" / "), q.written),
        rule,
        matched: q.written.clone(),
        start,
        end: start + q.written.chars().count() as u32,
        by: MatchBy::Number,
        penalty,
    }
}

/// Whether the text just before a word (up to four characters, within its clause) negates it:
/// 不能打包票, 没法跟您打包票, 不会扣您.
fn negated_before(before: &[char]) -> bool {
    before
        .iter()
        .rev()
        .take(4)
        .take_while(|c| c.is_alphanumeric())
        .any(|c| matches!(c, '不' | '没' | '无' | '免' | '别' | '未' | '勿'))
}

/// Whether `sentence` says `word` without negating it just before (不会扣您 is not 扣您; 不用
/// 先确认收货 is not 先确认收货).
fn said(sentence: &str, word: &str) -> bool {
    sentence.match_indices(word).any(|(at, _)| {
        let before: Vec<char> = sentence[..at].chars().collect();
        !negated_before(&before)
    })
}

/// The first sentence of the reply (between 。！？!?；; and line breaks) that contains a word of
/// every list, as a character range; words the customer wrote themselves (their own name,
/// address or phone) do not count.
fn combo_sentence(
    reply: &Reply<'_>,
    lists: &[Vec<String>],
    customer: &[String],
) -> Option<(usize, usize)> {
    if lists.is_empty() {
        return None;
    }
    let n = reply.folded.len();
    let mut start = 0;
    for i in 0..=n {
        let end_here = i == n
            || matches!(
                reply.folded[i],
                '。' | '！' | '!' | '？' | '?' | '；' | ';' | '\n'
            );
        if !end_here {
            continue;
        }
        let sentence: String = reply.folded[start..i].iter().collect();
        let all = lists.iter().all(|words| {
            words.iter().any(|w| {
                let w: String = w.chars().map(fold).collect();
                !w.is_empty()
                    && said(&sentence, &w)
                    && !customer
                        .iter()
                        .any(|c| c.contains(w.as_str()) && w.chars().count() >= 3)
            })
        });
        if all && i > start {
            return Some((start, i));
        }
        start = i + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drill::{Fact, Persona, Rubric};

    #[test]
    fn a_word_right_after_a_negation_is_not_said() {
        assert!(said("我们会扣您手续费", "扣您"));
        assert!(!said("我们不会扣您手续费", "扣您"));
        assert!(!said("不用先确认收货", "先确认收货"));
        assert!(!said("这个我没法跟您打包票", "打包票"));
        // The negation must be in the word's clause.
        assert!(said("不好意思，肯定能送到", "肯定能送到"));
        // Said once negated and once not: said.
        assert!(said("不是扣您运费，是扣您手续费", "扣您"));
    }

    fn drill() -> Drill {
        Drill {
            category: "催发货".into(),
            difficulty: 2,
            persona: Persona::Anxious,
            time_limit_s: 60,
            allow_paste: false,
            customer: vec!["怎么还不发货".into()],
            references: vec!["好的亲，我这边给您跟仓库说一下，给您插队优先发货，另外我也给您持续跟进发货进展，感谢您支持".into()],
            poor: vec![],
            rubric: Rubric { elements: vec![], facts: vec![], mistakes: vec![] },
            upsell: None,
            rubric_line: 1,
        }
    }

    fn lexicon() -> Lexicon {
        let mut l = Lexicon::builtin();
        l.banned.insert(
            "极限词".into(),
            super::super::lexicon::Banned {
                penalty: 15,
                patterns: vec!["全网最低".into()],
            },
        );
        l
    }

    #[test]
    fn the_seed_pair_is_far_apart() {
        let good = score(
            &drill(),
            &lexicon(),
            "好的亲，我这边给您跟仓库说一下，给您插队优先发货，另外我也给您持续跟进发货进展，感谢您支持",
            None,
            None,
        );
        let poor = score(&drill(), &lexicon(), "好的，我给您催一下", None, None);
        assert!(
            good.score >= poor.score + 30,
            "good {} poor {}",
            good.score,
            poor.score
        );
        let names: Vec<&str> = good.elements.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, vec!["称呼", "具体动作", "跟进承诺", "致谢"]);
        assert_eq!(good.missing.len(), 1);
        assert_eq!(good.missing[0].name, "共情");
        assert!((good.similarity - 1.0).abs() < 1e-9);
    }

    #[test]
    fn matches_carry_their_place_in_the_reply_in_characters() {
        // 😊 is one character (four bytes); `VIP` matches `vip`; the longest pattern wins.
        let reply = "😊亲，VIP感谢支持";
        let r = Reply::new(reply);
        let m = r.find_any(&["感谢".into(), "vip".into(), "vip感谢".into()]);
        let m = m.expect("found");
        assert_eq!((m.text, m.start, m.end), ("VIP感谢", 3, 8));
        assert!(r.find_any(&["".into(), "没有".into()]).is_none());
        let chars: Vec<char> = reply.chars().collect();
        let b = score(&drill(), &lexicon(), reply, None, None);
        assert!(!b.elements.is_empty());
        for e in &b.elements {
            let at: String = chars[e.start as usize..e.end as usize].iter().collect();
            assert_eq!(at, e.matched);
        }
    }

    #[test]
    fn banned_words_cost_their_penalty_and_are_named() {
        let plain = score(
            &drill(),
            &lexicon(),
            "亲，这款价格很实惠，感谢支持",
            None,
            None,
        );
        let banned = score(
            &drill(),
            &lexicon(),
            "亲，这款全网最低价，感谢支持",
            None,
            None,
        );
        assert_eq!(
            banned.banned,
            vec![BannedHit {
                group: "极限词".into(),
                word: "全网最低".into(),
                start: 4,
                end: 8,
                penalty: 15,
                why: None,
            }]
        );
        assert!(
            banned.score + 10 <= plain.score,
            "{} vs {}",
            banned.score,
            plain.score
        );
    }

    #[test]
    fn facts_and_speed_count() {
        let mut d = drill();
        d.rubric.facts = vec![Fact {
            text: "48小时内发货".into(),
            r#match: vec!["48小时".into()],
            rule: Some("rules/x".into()),
        }];
        let with = score(
            &d,
            &lexicon(),
            "亲，48小时内一定发出",
            Some(Timing {
                total_ms: 30_000.0,
                pasted_chars: 0,
            }),
            None,
        );
        let without = score(
            &d,
            &lexicon(),
            "亲，很快就发出",
            Some(Timing {
                total_ms: 30_000.0,
                pasted_chars: 0,
            }),
            None,
        );
        assert_eq!(with.facts.len(), 1);
        assert_eq!(with.facts[0].matched, "48小时");
        assert!(
            without
                .missing
                .iter()
                .any(|m| m.kind == MissingKind::Fact && m.rule.as_deref() == Some("rules/x"))
        );
        assert!(with.score > without.score);
        let slow = score(
            &d,
            &lexicon(),
            "亲，48小时内一定发出",
            Some(Timing {
                total_ms: 90_000.0,
                pasted_chars: 0,
            }),
            None,
        );
        let speed = |b: &ScoreBreakdown| {
            b.components
                .iter()
                .find(|c| c.name == ComponentName::Speed)
                .map(|c| c.points)
        };
        assert_eq!(speed(&with), Some(15.0));
        assert_eq!(speed(&slow), Some(7.5));
        let pasted = score(
            &d,
            &lexicon(),
            "亲，48小时内一定发出",
            Some(Timing {
                total_ms: 5_000.0,
                pasted_chars: 10,
            }),
            None,
        );
        assert_eq!(speed(&pasted), Some(0.0));
    }

    #[test]
    fn a_known_mistake_costs_its_points_once_and_says_why() {
        let mut d = drill();
        d.rubric.mistakes = vec![crate::drill::Mistake {
            text: "明天肯定到".into(),
            r#match: vec!["明天肯定到".into()],
            why: "送达时间不能打包票".into(),
            rule: Some("rules/x".into()),
            penalty: None,
        }];
        let mut lex = lexicon();
        lex.banned.insert(
            "承诺".into(),
            super::super::lexicon::Banned {
                penalty: 15,
                patterns: vec!["明天肯定到".into(), "打包票".into()],
            },
        );
        let plain = score(&d, &lex, "亲，今天给您发出，感谢支持", None, None);
        let wrong = score(
            &d,
            &lex,
            "亲，今天给您发出，明天肯定到，感谢支持",
            None,
            None,
        );
        assert_eq!(wrong.mistakes.len(), 1);
        let m = &wrong.mistakes[0];
        assert_eq!((m.matched.as_str(), m.start, m.end), ("明天肯定到", 9, 14));
        assert_eq!(
            (m.why.as_str(), m.rule.as_deref(), m.by),
            ("送达时间不能打包票", Some("rules/x"), MatchBy::Words)
        );
        assert_eq!(m.penalty, lex.mistake_penalty);
        // The banned word on the same phrase is not counted again.
        assert!(wrong.banned.is_empty(), "{:?}", wrong.banned);
        assert!(
            wrong.score + lex.mistake_penalty - 5 <= plain.score,
            "{} vs {}",
            wrong.score,
            plain.score
        );
        let other = score(&d, &lex, "亲，打包票明天到，感谢支持", None, None);
        assert_eq!(other.banned.len(), 1);
    }

    #[test]
    fn a_copied_reply_that_adds_a_burden_on_the_buyer_loses_the_points_and_says_which() {
        let mut d = drill();
        d.references = vec![
            "亲，先跟您说声对不起，您把问题照片发我，补发新的今天发出，运费全由我们出，这件事我跟到底~".into(),
        ];
        let l = lexicon();
        let right = score(&d, &l, &d.references[0].clone(), None, None);
        assert!(right.mistakes.is_empty(), "{:?}", right.mistakes);
        for (changed, word) in [
            ("运费全由我们出", "运费我们和您一人一半"),
            ("补发新的今天发出", "补发要等您寄回旧的才能发"),
            ("这件事我跟到底", "这件事需要您自己去找快递"),
        ] {
            let wrong = d.references[0].replace(changed, word);
            let b = score(&d, &l, &wrong, None, None);
            let edits: Vec<&MistakeHit> = b
                .mistakes
                .iter()
                .filter(|m| m.by == MatchBy::Edited)
                .collect();
            assert_eq!(edits.len(), 1, "{wrong}: {:?}", b.mistakes);
            assert_eq!(edits[0].matched, word, "the changed clause is named");
            assert!(edits[0].why.contains("推给了买家"));
            assert_eq!(edits[0].penalty, l.mistake_penalty);
            assert!(
                b.score + 15 <= right.score,
                "{} vs {}",
                b.score,
                right.score
            );
        }
        // Edits that lift a burden, or change only a few characters, or a reply in the
        // agent's own words: nothing is charged.
        for fine in [
            d.references[0].replace("运费全由我们出", "运费不用您出，都算我们的"),
            d.references[0].replace("我跟到底", "我负责到底"),
            d.references[0].replace("先跟您说声对不起", "这不怪您催，先跟您说声对不起"),
            "亲实在抱歉，拍张照片给我，今天就给您寄新的，寄费我们掏，需要您做的我会提前说".into(),
        ] {
            let b = score(&d, &l, &fine, None, None);
            assert!(
                b.mistakes.iter().all(|m| m.by != MatchBy::Edited),
                "{fine}: {:?}",
                b.mistakes
            );
        }
    }

    #[test]
    fn empty_reply_scores_zero() {
        assert_eq!(score(&drill(), &lexicon(), "   ", None, None).score, 0);
    }

    #[test]
    fn bigram_f1_basics() {
        assert!((bigram_f1("插队发货", "插队发货") - 1.0).abs() < 1e-9);
        assert_eq!(bigram_f1("你好", "再见"), 0.0);
        assert_eq!(bigram_f1("a", "a"), 0.0);
    }
}
