//! Practice sessions over a [`Library`] and a [`Store`]: what is due, scoring and recording an
//! attempt (and its spaced-repetition card), accuracy and find-it drills, and progress.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::clock::Clock;
use crate::drill::{
    self, InputEvent, PathStep, Persona, PlannedDrill, Progress, ScoreBreakdown, Timing,
    TypingMetrics,
};
use crate::error::{Error, Result};
use crate::library::Library;
use crate::store::{DrillMode, NewAttempt, Store};

/// What the trainee sees before answering (no reference replies: those come with the result).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DrillPrompt {
    /// Drill id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Category.
    pub category: String,
    /// 1–5.
    pub difficulty: u8,
    /// Customer mood.
    pub persona: Persona,
    /// Seconds allowed.
    pub time_limit_s: u32,
    /// Whether pasting is allowed.
    pub allow_paste: bool,
    /// The customer's messages.
    pub customer: Vec<String>,
    /// 关联销售: what to recommend.
    pub upsell: Option<String>,
    /// Accuracy mode: the reference to retype.
    pub retype: String,
}

/// The home screen of the drills area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DrillHome {
    /// The trainee's name.
    pub profile_name: Option<String>,
    /// Reviews due today.
    pub due_today: usize,
    /// Drills in the content.
    pub drills: usize,
    /// Attempts so far.
    pub attempts: usize,
    /// The first-week path.
    pub path: Vec<PathStep>,
    /// The suggested next session (assigned drills first).
    pub plan: Vec<PlannedDrill>,
    /// The team lead's unfinished assignments for this agent, soonest due first.
    pub assignments: Vec<crate::team::assign::MyAssignment>,
}

/// A submitted answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SubmitRequest {
    /// Drill id.
    pub drill_id: String,
    /// Mode.
    pub mode: DrillMode,
    /// The typed reply (or, for find-it, the copied phrase).
    pub reply: String,
    /// The input-event log.
    pub events: Vec<InputEvent>,
    /// Session id (any string the UI chooses).
    #[ts(optional)]
    pub session_id: Option<String>,
    /// Find-it: the document the copied phrase came from.
    #[ts(optional)]
    pub found_doc: Option<String>,
}

/// How a run of characters of an accuracy diff compares with the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DiffOp {
    /// Typed as in the reference.
    Equal,
    /// In the reference, not typed.
    Missing,
    /// Typed, not in the reference.
    Extra,
}

/// One run of an accuracy diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DiffPart {
    /// Equal, missing or extra.
    pub op: DiffOp,
    /// The text.
    pub text: String,
}

/// The result screen of one drill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DrillResult {
    /// Stored attempt id.
    pub attempt_id: i64,
    /// 0–100.
    pub score: u32,
    /// The explanation (reply and find-it modes).
    pub breakdown: ScoreBreakdown,
    /// How it was typed.
    pub metrics: TypingMetrics,
    /// Accuracy mode: share of reference characters typed correctly (0–1).
    #[ts(optional)]
    pub accuracy: Option<f64>,
    /// Accuracy mode: the character diff.
    pub diff: Vec<DiffPart>,
    /// All reference replies.
    pub references: Vec<String>,
    /// The weak replies with reasons.
    pub poor: Vec<drill::PoorReply>,
    /// Next review (RFC 3339).
    pub next_due: String,
}

/// Practice state: the store plus the clock.
pub struct Trainer<'a> {
    /// The practice database.
    pub store: &'a Store,
    /// Time.
    pub clock: &'a dyn Clock,
}

impl Trainer<'_> {
    fn now(&self) -> DateTime<Utc> {
        self.clock.now().with_timezone(&Utc)
    }

    /// The drills home screen; `agent` is this agent's team id (for assignments).
    pub fn home(&self, lib: &Library, plan_size: usize, agent: Option<&str>) -> Result<DrillHome> {
        let attempts = self.store.attempts(None)?;
        let cards = self.store.cards()?;
        let drills: Vec<(&str, &drill::Drill)> =
            lib.drills().map(|(d, dr)| (d.id.as_str(), dr)).collect();
        let ids = drills.iter().map(|(id, _)| *id).collect();
        // "Due today": everything due by the end of the local day.
        let end_of_day = self
            .clock
            .today()
            .succ_opt()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|d| d.and_local_timezone(chrono::Local).earliest())
            .map_or(self.now(), |d| d.with_timezone(&Utc));
        let list: Vec<(&str, &str, &str)> = lib
            .drills()
            .map(|(d, dr)| (d.id.as_str(), d.title.as_str(), dr.category.as_str()))
            .collect();
        let assignments = crate::team::assign::mine(
            &lib.config().content_dir,
            agent,
            &attempts,
            &list,
            self.clock.today(),
        );
        // Assigned drills first (soonest due first), then the usual plan.
        let mut plan: Vec<PlannedDrill> = Vec::new();
        for a in &assignments {
            for id in &a.progress.todo {
                if !plan.iter().any(|p| &p.drill_id == id) {
                    plan.push(PlannedDrill {
                        drill_id: id.clone(),
                        title: String::new(),
                        reason: drill::PlanReason::Assigned,
                    });
                }
            }
        }
        plan.truncate(plan_size);
        for p in drill::plan(&drills, &attempts, &cards, self.now(), plan_size) {
            if plan.len() < plan_size && !plan.iter().any(|q| q.drill_id == p.drill_id) {
                plan.push(p);
            }
        }
        for p in &mut plan {
            if let Ok(d) = lib.document(&p.drill_id) {
                p.title = d.title.clone();
            }
        }
        Ok(DrillHome {
            profile_name: self.store.profile_name()?,
            due_today: drill::due_count(&cards, &ids, end_of_day),
            drills: drills.len(),
            attempts: attempts.len(),
            path: drill::first_week_path(&attempts),
            plan,
            assignments,
        })
    }

    /// What to show for a drill.
    pub fn prompt(lib: &Library, id: &str) -> Result<DrillPrompt> {
        let (doc, d) = lib.drill(id)?;
        Ok(DrillPrompt {
            id: doc.id.clone(),
            title: doc.title.clone(),
            category: d.category.clone(),
            difficulty: d.difficulty,
            persona: d.persona,
            time_limit_s: d.time_limit_s,
            allow_paste: d.allow_paste,
            customer: d.customer.clone(),
            upsell: d.upsell.clone(),
            retype: d.references.first().cloned().unwrap_or_default(),
        })
    }

    /// Scores, records and schedules an answer.
    pub fn submit(&self, lib: &Library, req: &SubmitRequest) -> Result<DrillResult> {
        let (doc, d) = lib.drill(&req.drill_id)?;
        let metrics = drill::compute_metrics(&req.events);
        // In find-it mode pasting into the search box is legitimate; only typed replies can't paste.
        let pasted_chars = if req.mode == DrillMode::FindIt {
            0
        } else {
            metrics.pasted_chars
        };
        let timing = Timing {
            total_ms: metrics.total_ms,
            pasted_chars,
        };
        let mut breakdown = lib.score_reply(&req.drill_id, &req.reply, Some(timing))?;
        let (mut accuracy, mut diff) = (None, Vec::new());
        match req.mode {
            DrillMode::Reply => {}
            DrillMode::Accuracy => {
                let target = d
                    .references
                    .first()
                    .ok_or_else(|| Error::Drill("drill has no reference to retype".into()))?;
                let (acc, parts) = char_diff(target, &req.reply);
                accuracy = Some(acc);
                diff = parts;
                // Accuracy mode scores exactness, then speed.
                let speed = if metrics.total_ms <= f64::from(d.time_limit_s) * 1000.0 {
                    1.0
                } else {
                    0.8
                };
                breakdown.score = (acc * 100.0 * speed).round() as u32;
            }
            DrillMode::FindIt => {
                // The right phrase comes from a playbook the drill links to, or reads like a reference.
                let linked = req
                    .found_doc
                    .as_ref()
                    .is_some_and(|found| doc.links.iter().any(|l| &l.target == found));
                if linked {
                    let speed = if metrics.total_ms <= f64::from(d.time_limit_s) * 1000.0 {
                        100.0
                    } else {
                        70.0
                    };
                    breakdown.score = breakdown.score.max(speed as u32);
                }
            }
        }
        let started_at = self.now() - chrono::Duration::milliseconds(metrics.total_ms as i64);
        let id = self.store.record(
            &NewAttempt {
                drill_id: &doc.id,
                category: &d.category,
                mode: req.mode,
                session_id: req.session_id.as_deref(),
                started_at,
                reply: &req.reply,
                breakdown: &breakdown,
                metrics: &metrics,
            },
            self.clock,
        )?;
        let rating = drill::rating_for(breakdown.score, metrics.total_ms, d.time_limit_s);
        let card = drill::review(self.store.card(&doc.id)?, rating, self.now());
        self.store.save_card(&doc.id, &card)?;
        Ok(DrillResult {
            attempt_id: id,
            score: breakdown.score,
            breakdown,
            metrics,
            accuracy,
            diff,
            references: d.references.clone(),
            poor: d.poor.clone(),
            next_due: card.due.to_rfc3339(),
        })
    }

    /// The progress screen.
    pub fn progress(&self) -> Result<Progress> {
        Ok(drill::progress(&self.store.attempts(None)?))
    }
}

/// Share of `target` typed correctly, and the character diff (via the `similar` crate).
pub fn char_diff(target: &str, typed: &str) -> (f64, Vec<DiffPart>) {
    let diff = similar::TextDiff::from_chars(target, typed);
    let mut parts: Vec<DiffPart> = Vec::new();
    let mut equal = 0usize;
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            similar::ChangeTag::Equal => DiffOp::Equal,
            similar::ChangeTag::Delete => DiffOp::Missing,
            similar::ChangeTag::Insert => DiffOp::Extra,
        };
        let text = change.value();
        if op == DiffOp::Equal {
            equal += text.chars().count();
        }
        match parts.last_mut() {
            Some(last) if last.op == op => last.text.push_str(text),
            _ => parts.push(DiffPart {
                op,
                text: text.to_string(),
            }),
        }
    }
    let longest = target.chars().count().max(typed.chars().count());
    let acc = if longest == 0 {
        1.0
    } else {
        equal as f64 / longest as f64
    };
    (acc, parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_missing_and_extra_characters() {
        let (acc, parts) = char_diff("感谢您的支持", "感谢你的支持哦");
        let ops: Vec<(DiffOp, &str)> = parts.iter().map(|p| (p.op, p.text.as_str())).collect();
        assert_eq!(
            ops,
            vec![
                (DiffOp::Equal, "感谢"),
                (DiffOp::Missing, "您"),
                (DiffOp::Extra, "你"),
                (DiffOp::Equal, "的支持"),
                (DiffOp::Extra, "哦")
            ]
        );
        assert!((acc - 5.0 / 7.0).abs() < 1e-9);
        assert_eq!(char_diff("", "").0, 1.0);
    }
}
