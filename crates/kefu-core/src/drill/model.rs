//! The typed drill document (`kind: drill`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The categories drills are grouped and scheduled by.
pub const CATEGORIES: &[&str] = &[
    "开场",
    "售前咨询",
    "关联销售",
    "催发货",
    "物流异常",
    "修改地址",
    "退款",
    "退货退款",
    "售后质量",
    "安抚投诉",
    "差评挽回",
    "结束语",
];

/// The simulated customer's mood.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum Persona {
    /// 平和
    #[default]
    #[serde(rename = "平和")]
    Calm,
    /// 着急
    #[serde(rename = "着急")]
    Anxious,
    /// 愤怒
    #[serde(rename = "愤怒")]
    Angry,
    /// 犹豫
    #[serde(rename = "犹豫")]
    Hesitant,
}

impl Persona {
    /// Parses the Chinese name (or calm/anxious/angry/hesitant).
    pub fn parse(s: &str) -> Option<Persona> {
        match s.trim() {
            "平和" | "calm" => Some(Persona::Calm),
            "着急" | "anxious" => Some(Persona::Anxious),
            "愤怒" | "angry" => Some(Persona::Angry),
            "犹豫" | "hesitant" => Some(Persona::Hesitant),
            _ => None,
        }
    }
}

/// A weak reply and why it is weak.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PoorReply {
    /// The reply.
    pub text: String,
    /// What is wrong with it.
    pub why: String,
}

/// A fact the reply must state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Fact {
    /// The fact, as the trainer reads it.
    pub text: String,
    /// Phrasings that count as stating it (any one); the text itself when empty.
    pub r#match: Vec<String>,
    /// The rule document it comes from.
    pub rule: Option<String>,
}

/// A wrong statement a new hire makes in this drill (a wrong number, rule or promise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Mistake {
    /// The wrong statement as an agent would write it (compared by meaning with the reply).
    pub text: String,
    /// Exact phrasings that make it (any one counts).
    pub r#match: Vec<String>,
    /// Why it is wrong, shown to the trainee.
    pub why: String,
    /// The rule it breaks.
    pub rule: Option<String>,
    /// Points taken off (the lexicon's `mistake_penalty` when not given).
    pub penalty: Option<u32>,
}

/// What a good reply to this drill contains.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Rubric {
    /// Lexicon element names (empty: the lexicon's defaults).
    pub elements: Vec<String>,
    /// Required facts.
    pub facts: Vec<Fact>,
    /// Known mistakes: a reply that makes one loses points.
    pub mistakes: Vec<Mistake>,
}

/// A reply drill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Drill {
    /// Category (开场, 催发货 …).
    pub category: String,
    /// 1–5.
    pub difficulty: u8,
    /// The customer's mood.
    pub persona: Persona,
    /// Seconds allowed.
    pub time_limit_s: u32,
    /// Whether pasting is accepted.
    pub allow_paste: bool,
    /// The customer's messages.
    pub customer: Vec<String>,
    /// Good replies.
    pub references: Vec<String>,
    /// Weak replies with reasons.
    pub poor: Vec<PoorReply>,
    /// What the reply must contain.
    pub rubric: Rubric,
    /// 关联销售: what to recommend.
    pub upsell: Option<String>,
    /// 1-based file line of `rubric:` (for problems about it).
    #[ts(skip)]
    #[serde(skip)]
    pub rubric_line: usize,
}
