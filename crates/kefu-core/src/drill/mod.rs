//! Reply drills: the typed drill model, the scoring lexicon, deterministic explainable scoring,
//! IME-aware typing metrics, and the scheduler that picks what to practise next.

mod judge;
mod lexicon;
mod metrics;
mod model;
mod schedule;
mod score;

pub(crate) use judge::{drill_texts, warm as warm_scoring};
pub use lexicon::{Banned, Combo, Element, LEXICON_PATH, Lexicon, Upsell};
pub use metrics::{EventKind, InputEvent, TypingMetrics, compute as compute_metrics};
pub use model::{CATEGORIES, Drill, Fact, Mistake, Persona, PoorReply, Rubric};
pub use schedule::{
    CategoryStats, FIRST_RESPONSE_TARGET_S, FIRST_WEEK, PATH_TARGET_ATTEMPTS, PATH_TARGET_SCORE,
    PathStep, PlanReason, PlannedDrill, Progress, ProgressPoint, due_count, first_week_path, plan,
    progress, rating_for, review,
};
pub use score::{
    BannedHit, Component, ComponentName, ElementHit, FactHit, MatchBy, Meaning, Missing,
    MissingKind, MistakeHit, ScoreBreakdown, Timing, UPSELL_ELEMENT, bigram_f1, score,
};
