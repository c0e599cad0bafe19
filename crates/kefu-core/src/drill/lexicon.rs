//! The scoring lexicon (`scoring/lexicon.yaml` in the content folder): what each rubric element
//! looks like in a reply, which words platforms penalise, and what counts as an upsell.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::content::{Problem, ProblemCode, decode_text};

/// Where the lexicon lives, relative to the content root.
pub const LEXICON_PATH: &str = "scoring/lexicon.yaml";

/// One rubric element.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Element {
    /// Shown to the trainee (defaults to the name).
    #[serde(default)]
    pub label: String,
    /// Substrings that reveal the element.
    #[serde(default)]
    pub patterns: Vec<String>,
}

/// A group of penalised words.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Banned {
    /// Points taken off when any word of the group appears.
    #[serde(default = "default_penalty")]
    pub penalty: u32,
    /// The words.
    #[serde(default)]
    pub patterns: Vec<String>,
}

fn default_penalty() -> u32 {
    15
}

/// What counts as recommending another item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Upsell {
    /// Substrings.
    #[serde(default)]
    pub patterns: Vec<String>,
}

/// Words that together in one sentence are penalised (a paid good review, another buyer's
/// details, a false refund reason), in any order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Combo {
    /// Points taken off.
    #[serde(default = "default_penalty")]
    pub penalty: u32,
    /// Why, shown to the trainee.
    #[serde(default)]
    pub why: String,
    /// Lists of words: the sentence must contain one word of each.
    #[serde(default)]
    pub all: Vec<Vec<String>>,
}

fn default_mistake_penalty() -> u32 {
    20
}

/// The whole lexicon.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Lexicon {
    /// Elements required when a drill names none.
    pub default_elements: Vec<String>,
    /// Element name → definition.
    pub elements: BTreeMap<String, Element>,
    /// Group name → penalised words.
    pub banned: BTreeMap<String, Banned>,
    /// Upsell words.
    pub upsell: Upsell,
    /// Name → a banned combination of words.
    pub combos: BTreeMap<String, Combo>,
    /// Points a known mistake of a drill takes off when it does not say.
    #[serde(default = "default_mistake_penalty")]
    pub mistake_penalty: u32,
}

impl Lexicon {
    /// Reads the lexicon of a content folder. A missing or broken file gives a small built-in
    /// lexicon (so scoring still works) and a problem.
    pub fn load(content_root: &Path) -> (Lexicon, Vec<Problem>) {
        let bytes = match crate::content::read_within(
            content_root,
            Path::new(LEXICON_PATH),
            crate::content::MAX_FILE_BYTES,
        ) {
            Ok(b) => b,
            Err(crate::content::Refusal::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                let p = Problem::warning(LEXICON_PATH, 1, ProblemCode::NoLexicon);
                return (Lexicon::builtin(), vec![p]);
            }
            Err(r) => {
                let p = Problem::error(LEXICON_PATH, 1, ProblemCode::CannotRead).arg("detail", r);
                return (Lexicon::builtin(), vec![p]);
            }
        };
        let Some(text) = decode_text(&bytes).into_text() else {
            return (
                Lexicon::builtin(),
                vec![Problem::error(LEXICON_PATH, 1, ProblemCode::LexiconNotText)],
            );
        };
        match serde_saphyr::from_str::<Option<Lexicon>>(&text) {
            Ok(Some(mut l)) => {
                for (name, e) in l.elements.iter_mut() {
                    if e.label.is_empty() {
                        e.label = name.clone();
                    }
                    e.patterns.retain(|p| !p.trim().is_empty());
                }
                for c in l.combos.values_mut() {
                    for words in &mut c.all {
                        words.retain(|w| !w.trim().is_empty());
                    }
                    c.all.retain(|words| !words.is_empty());
                }
                let mut problems = Vec::new();
                for name in &l.default_elements {
                    if !l.elements.contains_key(name) {
                        problems.push(
                            Problem::error(LEXICON_PATH, 1, ProblemCode::UndefinedDefaultElement)
                                .arg("name", name),
                        );
                    }
                }
                (l, problems)
            }
            Ok(None) => (
                Lexicon::builtin(),
                vec![Problem::error(LEXICON_PATH, 1, ProblemCode::LexiconEmpty)],
            ),
            Err(e) => {
                let line = e.location().map_or(1, |l| l.line() as usize);
                let msg = e.without_snippet().to_string();
                let msg = msg.lines().next().unwrap_or("").to_string();
                (
                    Lexicon::builtin(),
                    vec![
                        Problem::error(LEXICON_PATH, line, ProblemCode::MalformedLexicon)
                            .arg("detail", msg),
                    ],
                )
            }
        }
    }

    /// A minimal lexicon used when the content folder has none.
    pub fn builtin() -> Lexicon {
        let el = |label: &str, p: &[&str]| Element {
            label: label.into(),
            patterns: p.iter().map(|s| s.to_string()).collect(),
        };
        let mut elements = BTreeMap::new();
        elements.insert("称呼".into(), el("称呼/问候", &["亲", "您好"]));
        elements.insert(
            "共情".into(),
            el("共情/安抚", &["理解", "抱歉", "不好意思", "着急"]),
        );
        elements.insert(
            "具体动作".into(),
            el(
                "具体动作",
                &["跟仓库说", "插队", "补发", "登记", "申请", "联系快递"],
            ),
        );
        elements.insert(
            "跟进承诺".into(),
            el("跟进承诺", &["持续跟进", "第一时间", "随时"]),
        );
        elements.insert("致谢".into(), el("致谢", &["感谢", "谢谢"]));
        Lexicon {
            default_elements: vec![
                "称呼".into(),
                "共情".into(),
                "具体动作".into(),
                "跟进承诺".into(),
                "致谢".into(),
            ],
            elements,
            banned: BTreeMap::new(),
            upsell: Upsell::default(),
            combos: BTreeMap::new(),
            mistake_penalty: default_mistake_penalty(),
        }
    }
}
