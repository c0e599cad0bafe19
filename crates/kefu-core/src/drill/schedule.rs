//! What to practise next: spaced repetition (FSRS, via `rs-fsrs`) graded from the score and the
//! time taken, never from self-rating; weakest categories first; and a first-week path for new hires.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use rs_fsrs::{Card, FSRS, Rating};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::model::Drill;
use crate::store::{Attempt, DrillMode};

/// The first-week path: categories in order; each unlocks the next when its target is met.
pub const FIRST_WEEK: &[&str] = &["开场", "催发货", "物流异常", "退款", "安抚投诉", "关联销售"];
/// Score an attempt needs to count toward a path step.
pub const PATH_TARGET_SCORE: u32 = 70;
/// Attempts at or above the target a step needs.
pub const PATH_TARGET_ATTEMPTS: usize = 2;
/// First-response target shown on the progress screen (seconds).
pub const FIRST_RESPONSE_TARGET_S: f64 = 30.0;

/// The FSRS rating of an attempt: from its score, and how its time compares with the limit.
pub fn rating_for(score: u32, total_ms: f64, time_limit_s: u32) -> Rating {
    let limit = f64::from(time_limit_s) * 1000.0;
    match score {
        0..50 => Rating::Again,
        50..70 => Rating::Hard,
        _ if total_ms > limit => Rating::Hard,
        85.. if total_ms <= 0.6 * limit => Rating::Easy,
        _ => Rating::Good,
    }
}

/// The card after reviewing with `rating` at `now` (a new card when there was none).
pub fn review(card: Option<Card>, rating: Rating, now: DateTime<Utc>) -> Card {
    let card = card.unwrap_or(Card {
        due: now,
        last_review: now,
        ..Card::default()
    });
    FSRS::default().next(card, now, rating).card
}

/// Why a drill was picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PlanReason {
    /// The team lead assigned it (see [`crate::team::assign`]); these come first.
    Assigned,
    /// Its spaced-repetition review is due.
    Due,
    /// It is the next step of the first-week path.
    Path,
    /// Its category has the lowest recent scores (or slowest answers).
    Weak,
    /// Not practised yet.
    New,
}

/// A drill chosen for the next session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PlannedDrill {
    /// Drill id.
    pub drill_id: String,
    /// The drill's title (filled in by the trainer, so the plan reads before any prompt loads).
    pub title: String,
    /// Why.
    pub reason: PlanReason,
}

/// One step of the first-week path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PathStep {
    /// Category.
    pub category: String,
    /// Attempts at or above the target score.
    pub passed: usize,
    /// Attempts needed.
    pub needed: usize,
    /// Target score.
    pub target_score: u32,
    /// Open for practice.
    pub unlocked: bool,
    /// Target met.
    pub done: bool,
}

/// The first-week path given the attempts so far.
pub fn first_week_path(attempts: &[Attempt]) -> Vec<PathStep> {
    let mut unlocked = true;
    FIRST_WEEK
        .iter()
        .map(|cat| {
            let passed = attempts
                .iter()
                .filter(|a| {
                    a.category == *cat && a.mode == DrillMode::Reply && a.score >= PATH_TARGET_SCORE
                })
                .count();
            let done = passed >= PATH_TARGET_ATTEMPTS;
            let step = PathStep {
                category: (*cat).to_string(),
                passed: passed.min(PATH_TARGET_ATTEMPTS),
                needed: PATH_TARGET_ATTEMPTS,
                target_score: PATH_TARGET_SCORE,
                unlocked,
                done,
            };
            unlocked = unlocked && done;
            step
        })
        .collect()
}

/// Mean of the last `n` scores and mean response time per category (reply attempts).
fn recent_by_category(attempts: &[Attempt], n: usize) -> BTreeMap<String, (f64, f64)> {
    let mut by: BTreeMap<String, Vec<&Attempt>> = BTreeMap::new();
    for a in attempts.iter().filter(|a| a.mode == DrillMode::Reply) {
        by.entry(a.category.clone()).or_default().push(a);
    }
    by.into_iter()
        .map(|(cat, list)| {
            let recent: Vec<&&Attempt> = list.iter().rev().take(n).collect();
            let score =
                recent.iter().map(|a| f64::from(a.score)).sum::<f64>() / recent.len() as f64;
            let times: Vec<f64> = recent
                .iter()
                .filter_map(|a| a.metrics.response_ms)
                .collect();
            let resp = if times.is_empty() {
                0.0
            } else {
                times.iter().sum::<f64>() / times.len() as f64
            };
            (cat, (score, resp))
        })
        .collect()
}

/// Number of practised drills whose review is due at `now`.
pub fn due_count(cards: &[(String, Card)], drills: &HashSet<&str>, now: DateTime<Utc>) -> usize {
    cards
        .iter()
        .filter(|(id, c)| drills.contains(id.as_str()) && c.due <= now)
        .count()
}

/// Picks up to `n` drills: due reviews first, then the current path step, then the weakest
/// categories, then drills never practised (easiest first).
pub fn plan(
    drills: &[(&str, &Drill)],
    attempts: &[Attempt],
    cards: &[(String, Card)],
    now: DateTime<Utc>,
    n: usize,
) -> Vec<PlannedDrill> {
    let mut out: Vec<PlannedDrill> = Vec::new();
    let known: HashSet<&str> = drills.iter().map(|(id, _)| *id).collect();
    let practised: HashSet<&str> = attempts.iter().map(|a| a.drill_id.as_str()).collect();
    let push = |out: &mut Vec<PlannedDrill>, id: &str, reason: PlanReason| {
        if out.len() < n && !out.iter().any(|p| p.drill_id == id) {
            out.push(PlannedDrill {
                drill_id: id.to_string(),
                title: String::new(),
                reason,
            });
        }
    };
    let mut due: Vec<&(String, Card)> = cards
        .iter()
        .filter(|(id, c)| known.contains(id.as_str()) && c.due <= now)
        .collect();
    due.sort_by_key(|(_, c)| c.due);
    for (id, _) in due {
        push(&mut out, id, PlanReason::Due);
    }
    let by_difficulty = |cat: Option<&str>| {
        let mut v: Vec<&(&str, &Drill)> = drills
            .iter()
            .filter(|(_, d)| cat.is_none_or(|c| d.category == c))
            .collect();
        v.sort_by_key(|(id, d)| (practised.contains(id), d.difficulty, *id));
        v
    };
    if let Some(step) = first_week_path(attempts)
        .into_iter()
        .find(|s| s.unlocked && !s.done)
    {
        for (id, _) in by_difficulty(Some(&step.category)) {
            push(&mut out, id, PlanReason::Path);
        }
    }
    let mut weak: Vec<(String, (f64, f64))> = recent_by_category(attempts, 3).into_iter().collect();
    weak.sort_by(|a, b| a.1.0.total_cmp(&b.1.0).then(b.1.1.total_cmp(&a.1.1)));
    for (cat, (score, _)) in weak {
        if score >= 85.0 {
            continue;
        }
        for (id, _) in by_difficulty(Some(&cat)) {
            push(&mut out, id, PlanReason::Weak);
        }
    }
    for (id, _) in by_difficulty(None) {
        if !practised.contains(id) {
            push(&mut out, id, PlanReason::New);
        }
    }
    out
}

/// Progress numbers for one category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CategoryStats {
    /// Category.
    pub category: String,
    /// Reply attempts.
    pub attempts: usize,
    /// Mean of the last 5 scores.
    pub recent_score: f64,
    /// Best score.
    pub best_score: u32,
    /// Mean first-response time of the last 5 (ms).
    pub recent_response_ms: f64,
    /// Mean CPM of the last 5.
    pub recent_cpm: f64,
}

/// One attempt as a point of the progress charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProgressPoint {
    /// RFC 3339 time.
    pub at: String,
    /// Category.
    pub category: String,
    /// Score.
    pub score: u32,
    /// First response (ms).
    pub response_ms: Option<f64>,
    /// Characters per minute.
    pub cpm: f64,
}

/// Everything the progress screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Progress {
    /// Each reply attempt, oldest first.
    pub points: Vec<ProgressPoint>,
    /// Per category.
    pub categories: Vec<CategoryStats>,
    /// Best score ever.
    pub best_score: Option<u32>,
    /// Fastest first response (ms).
    pub fastest_response_ms: Option<f64>,
    /// Highest CPM.
    pub best_cpm: Option<f64>,
    /// Target for the first response (seconds).
    pub response_target_s: f64,
    /// Share of the last 10 attempts that met the response target (0–1).
    pub response_target_rate: f64,
}

/// Builds the progress view from the attempts.
pub fn progress(attempts: &[Attempt]) -> Progress {
    let replies: Vec<&Attempt> = attempts
        .iter()
        .filter(|a| a.mode == DrillMode::Reply)
        .collect();
    let points = replies
        .iter()
        .map(|a| ProgressPoint {
            at: a.submitted_at.clone(),
            category: a.category.clone(),
            score: a.score,
            response_ms: a.metrics.response_ms,
            cpm: a.metrics.cpm,
        })
        .collect();
    let mut by: BTreeMap<&str, Vec<&Attempt>> = BTreeMap::new();
    for a in &replies {
        by.entry(a.category.as_str()).or_default().push(a);
    }
    let categories = by
        .into_iter()
        .map(|(cat, list)| {
            let recent: Vec<&&Attempt> = list.iter().rev().take(5).collect();
            let mean = |f: &dyn Fn(&Attempt) -> Option<f64>| {
                let v: Vec<f64> = recent.iter().filter_map(|a| f(a)).collect();
                if v.is_empty() {
                    0.0
                } else {
                    v.iter().sum::<f64>() / v.len() as f64
                }
            };
            CategoryStats {
                category: cat.to_string(),
                attempts: list.len(),
                recent_score: mean(&|a| Some(f64::from(a.score))),
                best_score: list.iter().map(|a| a.score).max().unwrap_or(0),
                recent_response_ms: mean(&|a| a.metrics.response_ms),
                recent_cpm: mean(&|a| Some(a.metrics.cpm)),
            }
        })
        .collect();
    let last10: Vec<&&Attempt> = replies.iter().rev().take(10).collect();
    let met = last10
        .iter()
        .filter(|a| {
            a.metrics
                .response_ms
                .is_some_and(|r| r <= FIRST_RESPONSE_TARGET_S * 1000.0)
        })
        .count();
    Progress {
        points,
        categories,
        best_score: replies.iter().map(|a| a.score).max(),
        fastest_response_ms: replies
            .iter()
            .filter_map(|a| a.metrics.response_ms)
            .min_by(f64::total_cmp),
        best_cpm: replies
            .iter()
            .map(|a| a.metrics.cpm)
            .filter(|c| *c > 0.0)
            .max_by(f64::total_cmp),
        response_target_s: FIRST_RESPONSE_TARGET_S,
        response_target_rate: if last10.is_empty() {
            0.0
        } else {
            met as f64 / last10.len() as f64
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drill::{Persona, Rubric, ScoreBreakdown, TypingMetrics};

    fn drill(cat: &str, difficulty: u8) -> Drill {
        Drill {
            category: cat.into(),
            difficulty,
            persona: Persona::Calm,
            time_limit_s: 60,
            allow_paste: false,
            customer: vec![],
            references: vec![],
            poor: vec![],
            rubric: Rubric::default(),
            upsell: None,
            rubric_line: 1,
        }
    }

    fn attempt(id: &str, cat: &str, score: u32, response_ms: f64) -> Attempt {
        Attempt {
            id: 0,
            drill_id: id.into(),
            category: cat.into(),
            mode: DrillMode::Reply,
            session_id: None,
            started_at: "2026-11-20T10:00:00+00:00".into(),
            submitted_at: "2026-11-20T10:01:00+00:00".into(),
            reply: String::new(),
            score,
            breakdown: ScoreBreakdown {
                score,
                elements: vec![],
                facts: vec![],
                missing: vec![],
                banned: vec![],
                mistakes: vec![],
                similarity: 0.0,
                similarity_by: crate::drill::MatchBy::Words,
                closest_reference: String::new(),
                components: vec![],
            },
            metrics: TypingMetrics {
                response_ms: Some(response_ms),
                cpm: 60.0,
                ..TypingMetrics::default()
            },
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-24T09:00:00+00:00")
            .map(|d| d.with_timezone(&Utc))
            .expect("time")
    }

    #[test]
    fn ratings_come_from_score_and_time() {
        assert_eq!(rating_for(40, 10_000.0, 60), Rating::Again);
        assert_eq!(rating_for(65, 10_000.0, 60), Rating::Hard);
        assert_eq!(rating_for(80, 70_000.0, 60), Rating::Hard, "too slow");
        assert_eq!(rating_for(80, 30_000.0, 60), Rating::Good);
        assert_eq!(rating_for(90, 30_000.0, 60), Rating::Easy);
        assert_eq!(
            rating_for(90, 50_000.0, 60),
            Rating::Good,
            "good but not fast"
        );
    }

    #[test]
    fn better_ratings_schedule_later_reviews() {
        let again = review(None, Rating::Again, now());
        let easy = review(None, Rating::Easy, now());
        assert!(again.due < easy.due, "{} vs {}", again.due, easy.due);
        assert!(again.due >= now());
    }

    #[test]
    fn the_path_unlocks_step_by_step() {
        let steps = first_week_path(&[]);
        assert!(steps[0].unlocked && !steps[1].unlocked);
        let a = vec![
            attempt("d1", "开场", 80, 5000.0),
            attempt("d2", "开场", 75, 5000.0),
            attempt("d3", "催发货", 90, 5000.0),
        ];
        let steps = first_week_path(&a);
        assert!(steps[0].done && steps[1].unlocked && !steps[1].done && !steps[2].unlocked);
        assert_eq!(steps[1].passed, 1);
    }

    #[test]
    fn plan_puts_due_then_path_then_weak_then_new() {
        let d = [
            drill("开场", 1),
            drill("催发货", 2),
            drill("退款", 3),
            drill("退款", 1),
        ];
        let drills = vec![
            ("kc", &d[0]),
            ("cfh", &d[1]),
            ("tk3", &d[2]),
            ("tk1", &d[3]),
        ];
        let attempts = vec![
            attempt("kc", "开场", 30, 20_000.0),
            attempt("tk3", "退款", 60, 40_000.0),
        ];
        let due_card = review(None, Rating::Again, now() - chrono::Duration::days(3));
        let cards = vec![("cfh".to_string(), due_card)];
        let p = plan(&drills, &attempts, &cards, now(), 10);
        let got: Vec<(&str, PlanReason)> =
            p.iter().map(|x| (x.drill_id.as_str(), x.reason)).collect();
        assert_eq!(
            got,
            vec![
                ("cfh", PlanReason::Due),
                ("kc", PlanReason::Path),
                ("tk1", PlanReason::Weak),
                ("tk3", PlanReason::Weak)
            ]
        );
        assert_eq!(due_count(&cards, &["cfh"].into_iter().collect(), now()), 1);
    }

    #[test]
    fn progress_summarises_bests_and_targets() {
        let a = vec![
            attempt("a", "开场", 60, 40_000.0),
            attempt("b", "开场", 80, 20_000.0),
        ];
        let p = progress(&a);
        assert_eq!(p.best_score, Some(80));
        assert_eq!(p.fastest_response_ms, Some(20_000.0));
        assert!((p.response_target_rate - 0.5).abs() < 1e-9);
        assert_eq!(p.categories[0].attempts, 2);
        assert!((p.categories[0].recent_score - 70.0).abs() < 1e-9);
    }
}
