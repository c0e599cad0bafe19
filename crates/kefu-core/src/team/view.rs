//! 组长看板: every agent against the team average, per category, with findings in words.
//!
//! **Cells.** For an agent and a category (and for all categories, `overall`):
//! - `score`: mean score of the last [`WINDOW`] reply-mode attempts;
//! - `first_response_s`: median time from the customer's message to the first key, same attempts;
//! - `cpm`: median characters per minute of the last [`WINDOW`] typed attempts (reply and
//!   accuracy modes);
//! - `attempts_7d`, `attempts_30d`: attempts of any mode in the last 7 and 30 days.
//!
//! **Team average** of a column (the 团队平均 row): the mean over the agents who have a value,
//! each agent weighing the same. **Standing** of a cell: against the same average over the
//! *other* agents (so that the thresholds do not depend on the team's size; none when no other
//! agent has a value): score better/worse by [`SCORE_MARGIN`] points; first response worse at
//! [`RESPONSE_RATIO`]× the average and [`RESPONSE_MIN_GAP_S`] seconds more, better at
//! 1/[`RESPONSE_RATIO`]×; CPM worse at 1/[`CPM_RATIO`]×, better at [`CPM_RATIO`]×;
//! 30-day attempts worse below half the average, better above 1.5×.
//!
//! **Findings**, in this order, each with the drills it suggests (see [`findings`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, Local, NaiveDate, Utc};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::assign::{self, AssignmentProgress, Done};
use super::results::{AgentResults, Rec, TeamData};
use crate::content::{Document, Problem};
use crate::error::{Error, Result};
use crate::store::DrillMode;

/// Attempts per cell (the last ones).
pub const WINDOW: usize = 20;
/// Score points above/below the team average that count as better/worse.
pub const SCORE_MARGIN: f64 = 5.0;
/// Ratio of first-response time to the team average that counts as slower.
pub const RESPONSE_RATIO: f64 = 1.25;
/// Seconds a first response must also exceed the average by to count as slower.
pub const RESPONSE_MIN_GAP_S: f64 = 3.0;
/// Ratio of CPM to the team average that counts as faster (its inverse as slower).
pub const CPM_RATIO: f64 = 1.2;
/// Reply attempts (in the window) an agent needs before findings are drawn about them.
pub const MIN_EVIDENCE: usize = 5;
/// Days from today to a new assignment's default due date.
pub const DEFAULT_DUE_DAYS: i64 = 7;
/// Weeks of trend shown for an agent.
pub const TREND_WEEKS: usize = 12;

/// A cell against the team average.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Standing {
    /// Better than the team.
    Better,
    /// About the same.
    Same,
    /// Worse than the team.
    Worse,
    /// Nothing to compare.
    None,
}

/// One agent × category (or overall).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Cell {
    /// Mean score of the last reply attempts.
    pub score: Option<f64>,
    /// Median first response, seconds.
    pub first_response_s: Option<f64>,
    /// Median characters per minute.
    pub cpm: Option<f64>,
    /// Attempts in the last 7 days.
    pub attempts_7d: u32,
    /// Attempts in the last 30 days.
    pub attempts_30d: u32,
    /// Attempts in all.
    pub attempts: u32,
    /// Reply attempts the score is over.
    pub scored: u32,
    /// Score against the team.
    pub score_vs: Standing,
    /// First response against the team (better = faster).
    pub response_vs: Standing,
    /// CPM against the team.
    pub cpm_vs: Standing,
    /// 30-day practice against the team.
    pub practice_vs: Standing,
}

/// Phrase use counts: uses, sends and the agents who used it, per document and phrase.
type UseCounts<'a> = BTreeMap<(String, Option<String>), (u32, u32, HashSet<&'a str>)>;
/// One week's scores, first responses, CPMs and attempts.
type WeekBucket = (Vec<f64>, Vec<f64>, Vec<f64>, u32);

/// Each agent's comparison values: overall, and per category column.
pub struct Peers<'a> {
    /// Per agent (in row order): the others' overall average.
    pub overall: &'a [Others],
    /// Per category column, per agent.
    pub cats: &'a [Vec<Others>],
}

/// One agent's row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AgentRow {
    /// Agent id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// All categories together.
    pub overall: Cell,
    /// One per [`TeamView::categories`] (`None`: never practised).
    pub cells: Vec<Option<Cell>>,
    /// Last attempt (RFC 3339).
    pub last_at: Option<String>,
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FindingCode {
    /// Answers start much later than the team's.
    SlowResponse,
    /// A category scores well below the team.
    WeakCategory,
    /// Types much slower than the team.
    SlowTyping,
    /// No practice in the last 7 days.
    Inactive,
    /// An assignment is past due.
    Overdue,
}

/// A drill a finding suggests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SuggestedDrill {
    /// Drill id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The mode to practise it in.
    pub mode: DrillMode,
}

/// A finding in words, derived from the numbers by the rules of [`findings`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Finding {
    /// Agent id.
    pub agent: String,
    /// Display name.
    pub name: String,
    /// Which rule.
    pub code: FindingCode,
    /// The category, for category findings.
    pub category: Option<String>,
    /// The finding in Chinese.
    pub text_zh: String,
    /// The finding in English.
    pub text_en: String,
    /// What to practise.
    pub drills: Vec<SuggestedDrill>,
}

/// A phrase and how often the team used it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PhraseUse {
    /// Document id.
    pub doc_id: String,
    /// Phrase code.
    pub phrase_code: Option<String>,
    /// Document title.
    pub title: String,
    /// Copies and sends.
    pub uses: u32,
    /// Of which sent.
    pub sent: u32,
    /// Agents who used it.
    pub agents: u32,
}

/// A phrase nobody used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UnusedPhrase {
    /// Document id.
    pub doc_id: String,
    /// Phrase code.
    pub phrase_code: String,
    /// Document title.
    pub title: String,
}

/// Phrase usage over the shared use lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TeamUsage {
    /// Uses in the last 30 days.
    pub uses_30d: u32,
    /// Agents who shared any use.
    pub agents: u32,
    /// The most used phrases (last 30 days).
    pub most_used: Vec<PhraseUse>,
    /// Phrases of the content nobody used in the last 30 days (the first ones).
    pub never_used: Vec<UnusedPhrase>,
    /// How many phrases nobody used in the last 30 days.
    pub never_used_total: u32,
}

/// The whole lead's view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TeamView {
    /// When computed (RFC 3339).
    pub generated_at: String,
    /// The local day it was computed on (YYYY-MM-DD).
    pub today: String,
    /// The due date a new assignment gets unless the lead picks another: a week from today.
    pub default_due: String,
    /// Attempts per cell.
    pub window: u32,
    /// The category columns.
    pub categories: Vec<String>,
    /// One row per agent who shares.
    pub agents: Vec<AgentRow>,
    /// The team average, overall.
    pub team_overall: Cell,
    /// The team average per category (aligned with `categories`).
    pub team_cells: Vec<Cell>,
    /// Findings in words.
    pub findings: Vec<Finding>,
    /// Assignments and who has done them.
    pub assignments: Vec<AssignmentProgress>,
    /// Phrase usage.
    pub usage: TeamUsage,
    /// Attempts read.
    pub attempts: u64,
    /// Problems with the team's files (results and assignments).
    pub problems: Vec<Problem>,
}

/// One week of an agent's (or the team's) practice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WeekPoint {
    /// Monday of the week (YYYY-MM-DD).
    pub week: String,
    /// Attempts.
    pub attempts: u32,
    /// Mean reply score.
    pub score: Option<f64>,
    /// Median first response, seconds.
    pub first_response_s: Option<f64>,
    /// Median CPM.
    pub cpm: Option<f64>,
}

/// One recent attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RecentAttempt {
    /// When (RFC 3339).
    pub at: String,
    /// Drill id.
    pub drill_id: String,
    /// Title (the id when the drill is gone).
    pub title: String,
    /// Category.
    pub category: String,
    /// Mode.
    pub mode: DrillMode,
    /// Score.
    pub score: u32,
    /// First response, seconds.
    pub first_response_s: Option<f64>,
}

/// One agent's trend, for the lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AgentTrend {
    /// Agent id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The agent's weeks, oldest first.
    pub weeks: Vec<WeekPoint>,
    /// The team's weeks (all agents' attempts together).
    pub team_weeks: Vec<WeekPoint>,
    /// The last attempts, newest first.
    pub recent: Vec<RecentAttempt>,
    /// The agent's findings.
    pub findings: Vec<Finding>,
}

/// What the view needs of the content.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// Drills: id, title, category, length of the first reference (chars).
    pub drills: Vec<(String, String, String, usize)>,
    /// Phrases: document id, code, document title.
    pub phrases: Vec<(String, String, String)>,
}

impl Catalogue {
    /// From loaded documents.
    pub fn from_docs<'a>(docs: impl IntoIterator<Item = &'a Document>) -> Catalogue {
        let mut c = Catalogue::default();
        for d in docs {
            if let Some(dr) = &d.drill {
                let len = dr.references.first().map_or(0, |r| r.chars().count());
                c.drills
                    .push((d.id.clone(), d.title.clone(), dr.category.clone(), len));
            }
            for p in &d.phrases {
                c.phrases
                    .push((d.id.clone(), p.code.clone(), d.title.clone()));
            }
        }
        c.drills.sort();
        c
    }

    /// Drills as assignments see them.
    pub fn drill_list(&self) -> Vec<(&str, &str, &str)> {
        self.drills
            .iter()
            .map(|(i, t, c, _)| (i.as_str(), t.as_str(), c.as_str()))
            .collect()
    }

    fn title<'a>(&'a self, id: &'a str) -> &'a str {
        self.drills
            .binary_search_by(|d| d.0.as_str().cmp(id))
            .ok()
            .map_or(id, |i| self.drills[i].1.as_str())
    }

    fn suggest(&self, id: &str, mode: DrillMode) -> SuggestedDrill {
        SuggestedDrill {
            id: id.to_string(),
            title: self.title(id).to_string(),
            mode,
        }
    }
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// A cell from attempts (oldest first).
fn cell<'a>(recs: impl DoubleEndedIterator<Item = &'a Rec> + Clone, now_ms: i64) -> Cell {
    let day = 86_400_000i64;
    let replies: Vec<&Rec> = recs
        .clone()
        .rev()
        .filter(|r| r.mode == DrillMode::Reply)
        .take(WINDOW)
        .collect();
    let scores: Vec<f64> = replies.iter().map(|r| f64::from(r.score)).collect();
    let mut firsts: Vec<f64> = replies
        .iter()
        .filter_map(|r| r.first_ms.map(|v| f64::from(v) / 1000.0))
        .collect();
    let mut cpms: Vec<f64> = recs
        .clone()
        .rev()
        .filter(|r| r.mode != DrillMode::FindIt)
        .filter_map(|r| r.cpm.map(f64::from))
        .filter(|v| *v > 0.0)
        .take(WINDOW)
        .collect();
    let (mut n7, mut n30, mut n) = (0u32, 0u32, 0u32);
    for r in recs {
        n += 1;
        if r.at_ms >= now_ms - 7 * day {
            n7 += 1;
        }
        if r.at_ms >= now_ms - 30 * day {
            n30 += 1;
        }
    }
    Cell {
        score: mean(&scores).map(round1),
        first_response_s: median(&mut firsts).map(round1),
        cpm: median(&mut cpms).map(round1),
        attempts_7d: n7,
        attempts_30d: n30,
        attempts: n,
        scored: replies.len() as u32,
        score_vs: Standing::None,
        response_vs: Standing::None,
        cpm_vs: Standing::None,
        practice_vs: Standing::None,
    }
}

/// The team's average of cells (each agent weighs the same), and how many agents had a value
/// in each of score, first response, CPM.
fn average(cells: &[&Cell]) -> (Cell, [usize; 3]) {
    let pick =
        |f: fn(&Cell) -> Option<f64>| -> Vec<f64> { cells.iter().filter_map(|c| f(c)).collect() };
    let s = pick(|c| c.score);
    let r = pick(|c| c.first_response_s);
    let m = pick(|c| c.cpm);
    let n = cells.len().max(1) as f64;
    let avg_u = |f: fn(&Cell) -> u32| {
        (cells.iter().map(|c| f64::from(f(c))).sum::<f64>() / n).round() as u32
    };
    (
        Cell {
            score: mean(&s).map(round1),
            first_response_s: mean(&r).map(round1),
            cpm: mean(&m).map(round1),
            attempts_7d: avg_u(|c| c.attempts_7d),
            attempts_30d: avg_u(|c| c.attempts_30d),
            attempts: avg_u(|c| c.attempts),
            scored: avg_u(|c| c.scored),
            score_vs: Standing::None,
            response_vs: Standing::None,
            cpm_vs: Standing::None,
            practice_vs: Standing::None,
        },
        [s.len(), r.len(), m.len()],
    )
}

/// The average of everyone's cell but `me`'s (each agent once): what an agent is compared
/// with, so that the comparison does not depend on the team's size.
pub type Others = (Cell, [usize; 3], usize);

fn others(cells: &[Option<&Cell>], me: usize) -> Others {
    let rest: Vec<&Cell> = cells
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != me)
        .filter_map(|(_, c)| *c)
        .collect();
    let (avg, counts) = average(&rest);
    (avg, counts, rest.len())
}

/// Rates `c` against the others' average (`counts`: how many others had each value; `agents`:
/// how many others there are).
fn rate(c: &mut Cell, team: &Cell, counts: [usize; 3], agents: usize) {
    let cmp = |v: Option<f64>, avg: Option<f64>, n: usize, f: &dyn Fn(f64, f64) -> Standing| match (
        v, avg,
    ) {
        (Some(v), Some(a)) if n >= 1 => f(v, a),
        _ => Standing::None,
    };
    c.score_vs = cmp(c.score, team.score, counts[0], &|v, a| {
        if v >= a + SCORE_MARGIN {
            Standing::Better
        } else if v <= a - SCORE_MARGIN {
            Standing::Worse
        } else {
            Standing::Same
        }
    });
    c.response_vs = cmp(
        c.first_response_s,
        team.first_response_s,
        counts[1],
        &|v, a| {
            if v >= a * RESPONSE_RATIO && v >= a + RESPONSE_MIN_GAP_S {
                Standing::Worse
            } else if v <= a / RESPONSE_RATIO {
                Standing::Better
            } else {
                Standing::Same
            }
        },
    );
    c.cpm_vs = cmp(c.cpm, team.cpm, counts[2], &|v, a| {
        if v >= a * CPM_RATIO {
            Standing::Better
        } else if v <= a / CPM_RATIO {
            Standing::Worse
        } else {
            Standing::Same
        }
    });
    let avg30 = f64::from(team.attempts_30d);
    c.practice_vs = if agents < 1 || avg30 == 0.0 {
        Standing::None
    } else if f64::from(c.attempts_30d) < avg30 * 0.5 {
        Standing::Worse
    } else if f64::from(c.attempts_30d) > avg30 * 1.5 {
        Standing::Better
    } else {
        Standing::Same
    };
}

/// The category columns: the content's categories in their usual order, then the content's
/// other categories. A category only results name (a deleted drill's, or a forged one) gets no
/// column; its attempts count in `overall`.
fn columns(cat: &Catalogue, _data: &TeamData) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let known: HashSet<&str> = cat.drills.iter().map(|d| d.2.as_str()).collect();
    for c in crate::drill::CATEGORIES {
        if known.contains(c) {
            out.push((*c).to_string());
        }
    }
    let mut rest: Vec<String> = known
        .iter()
        .filter(|c| !out.iter().any(|o| o == *c))
        .map(|c| (*c).to_string())
        .collect();
    rest.sort();
    out.extend(rest);
    out
}

fn iso(ms: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// Rows of every agent (cells unrated).
fn rows(data: &TeamData, categories: &[String], now_ms: i64) -> Vec<AgentRow> {
    data.agents
        .par_iter()
        .map(|a| {
            let mut by_cat: HashMap<u32, Vec<&Rec>> = HashMap::new();
            for r in &a.attempts {
                by_cat.entry(r.category).or_default().push(r);
            }
            let index: HashMap<&str, u32> = by_cat.keys().map(|&k| (a.str(k), k)).collect();
            let cells = categories
                .iter()
                .map(|c| {
                    index
                        .get(c.as_str())
                        .and_then(|k| by_cat.get(k))
                        .map(|recs| cell(recs.iter().copied(), now_ms))
                })
                .collect();
            AgentRow {
                id: a.id.clone(),
                name: a.name.clone(),
                overall: cell(a.attempts.iter(), now_ms),
                cells,
                last_at: a.attempts.last().and_then(|r| iso(r.at_ms)),
            }
        })
        .collect()
}

fn done_list(a: &AgentResults) -> Vec<Done<'_>> {
    a.attempts
        .iter()
        .map(|r| Done {
            at_ms: r.at_ms,
            drill: a.str(r.drill),
            category: a.str(r.category),
            mode: r.mode,
            score: u32::from(r.score),
        })
        .collect()
}

/// The drills of `category` to suggest to `a`: never practised first, then the lowest mean
/// score; at most `n`.
fn weakest_drills(
    stats: &HashMap<&str, (f64, u32)>,
    cat: &Catalogue,
    category: &str,
    n: usize,
) -> Vec<String> {
    let mut ds: Vec<(u8, f64, &str)> = cat
        .drills
        .iter()
        .filter(|d| d.2 == category)
        .map(|d| match stats.get(d.0.as_str()) {
            None => (0u8, 0.0, d.0.as_str()),
            Some((sum, k)) => (1u8, sum / f64::from(*k), d.0.as_str()),
        })
        .collect();
    ds.sort_by(|x, y| {
        (x.0, x.1, x.2)
            .partial_cmp(&(y.0, y.1, y.2))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    ds.into_iter().take(n).map(|d| d.2.to_string()).collect()
}

/// Findings, by these rules (applied to agents with at least [`MIN_EVIDENCE`] reply attempts
/// in their window, against a team of at least two such agents, except `Overdue`):
///
/// 1. `SlowResponse`: the median first response is at least 1.5× the team average and at least
///    10 s more → practise finding phrases (find-it mode) and openings (开场).
/// 2. `WeakCategory`: in a category with at least 3 reply attempts, the mean score is at least
///    10 points under the team's average for that category → that category's drills, never
///    practised or lowest scoring first.
/// 3. `SlowTyping`: the median CPM is at most 0.7× the team average → the three shortest
///    references, in accuracy mode.
/// 4. `Inactive` (any agent who shared before): no attempt in the last 7 days while someone
///    else practised → the drills of their weakest category.
/// 5. `Overdue`: an assignment past its due date and not finished → its remaining drills.
pub fn findings(
    data: &TeamData,
    view_rows: &[AgentRow],
    peers_of: &Peers<'_>,
    categories: &[String],
    assignments: &[AssignmentProgress],
    cat: &Catalogue,
    now_ms: i64,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let evident = |r: &AgentRow| r.overall.scored as usize >= MIN_EVIDENCE;
    let peers = view_rows.iter().filter(|r| evident(r)).count();
    let fmt = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.0}"));
    let anyone_active = view_rows.iter().any(|r| r.overall.attempts_7d > 0);
    for (k, (row, a)) in view_rows.iter().zip(&data.agents).enumerate() {
        let name = &row.name;
        let Some((team_overall, _, _)) = peers_of.overall.get(k) else {
            continue;
        };
        // Reply score sum and count per drill, for the drills to suggest.
        let mut stats: HashMap<&str, (f64, u32)> = HashMap::new();
        for r in a.attempts.iter().filter(|r| r.mode == DrillMode::Reply) {
            let e = stats.entry(a.str(r.drill)).or_default();
            e.0 += f64::from(r.score);
            e.1 += 1;
        }
        let mut push = |code, category: Option<String>, zh: String, en: String, drills| {
            out.push(Finding {
                agent: row.id.clone(),
                name: name.clone(),
                code,
                category,
                text_zh: zh,
                text_en: en,
                drills,
            });
        };
        if evident(row) && peers >= 2 {
            let o = &row.overall;
            if let (Some(mine), Some(team)) = (o.first_response_s, team_overall.first_response_s)
                && mine >= team * 1.5
                && mine >= team + 10.0
            {
                let (level, level_en) = match o.score_vs {
                    Standing::Better => ("得分高于团队", "scores above the team"),
                    Standing::Worse => ("得分也低于团队", "scores below the team too"),
                    _ => ("得分与团队持平", "scores on a par with the team"),
                };
                let mut drills: Vec<SuggestedDrill> = weakest_drills(&stats, cat, "开场", 2)
                    .iter()
                    .map(|d| cat.suggest(d, DrillMode::Reply))
                    .collect();
                let mut found: HashMap<&str, u32> = HashMap::new();
                for r in a.attempts.iter().filter(|r| r.mode == DrillMode::FindIt) {
                    *found.entry(a.str(r.drill)).or_default() += 1;
                }
                let mut find: Vec<(u32, &str)> = cat
                    .drills
                    .iter()
                    .filter(|d| d.2 != "开场")
                    .map(|d| (found.get(d.0.as_str()).copied().unwrap_or(0), d.0.as_str()))
                    .collect();
                find.sort();
                drills.extend(
                    find.iter()
                        .take(3)
                        .map(|(_, d)| cat.suggest(d, DrillMode::FindIt)),
                );
                push(
                    FindingCode::SlowResponse,
                    None,
                    format!(
                        "{name}：{level}，首次响应 {} 秒（团队其他人 {} 秒）→ 练习找话术和开场",
                        fmt(Some(mine)),
                        fmt(Some(team))
                    ),
                    format!(
                        "{name}: {level_en}, first response {} s (the others {} s) → practise finding phrases and openings",
                        fmt(Some(mine)),
                        fmt(Some(team))
                    ),
                    drills,
                );
            }
            for (i, c) in categories.iter().enumerate() {
                let (Some(Some(mine)), Some((team, _, _))) = (
                    row.cells.get(i),
                    peers_of.cats.get(i).and_then(|c| c.get(k)),
                ) else {
                    continue;
                };
                if let (Some(s), Some(t)) = (mine.score, team.score)
                    && mine.scored >= 3
                    && s <= t - 10.0
                {
                    let drills = weakest_drills(&stats, cat, c, 3)
                        .iter()
                        .map(|d| cat.suggest(d, DrillMode::Reply))
                        .collect();
                    push(
                        FindingCode::WeakCategory,
                        Some(c.clone()),
                        format!(
                            "{name}：「{c}」得分 {}（团队其他人 {}）→ 练习「{c}」",
                            fmt(Some(s)),
                            fmt(Some(t))
                        ),
                        format!(
                            "{name}: “{c}” scores {} (the others {}) → practise “{c}”",
                            fmt(Some(s)),
                            fmt(Some(t))
                        ),
                        drills,
                    );
                }
            }
            if let (Some(mine), Some(team)) = (o.cpm, team_overall.cpm)
                && mine <= team * 0.7
            {
                let mut short: Vec<&(String, String, String, usize)> =
                    cat.drills.iter().filter(|d| d.3 > 0).collect();
                short.sort_by_key(|d| (d.3, d.0.as_str()));
                let drills = short
                    .iter()
                    .take(3)
                    .map(|d| cat.suggest(&d.0, DrillMode::Accuracy))
                    .collect();
                push(
                    FindingCode::SlowTyping,
                    None,
                    format!(
                        "{name}：打字 {} 字/分（团队其他人 {} 字/分）→ 用准确度模式练常用话术",
                        fmt(Some(mine)),
                        fmt(Some(team))
                    ),
                    format!(
                        "{name}: types {} chars/min (the others {}) → retype common phrases in accuracy mode",
                        fmt(Some(mine)),
                        fmt(Some(team))
                    ),
                    drills,
                );
            }
        }
        if row.overall.attempts_7d == 0 && anyone_active {
            let weakest = categories
                .iter()
                .enumerate()
                .filter_map(|(i, c)| {
                    row.cells
                        .get(i)
                        .and_then(|x| x.as_ref())
                        .and_then(|x| x.score)
                        .map(|s| (s, c))
                })
                .min_by(|x, y| x.0.total_cmp(&y.0))
                .map(|(_, c)| c.clone())
                .unwrap_or_else(|| "开场".to_string());
            let days = a.attempts.last().map(|r| (now_ms - r.at_ms) / 86_400_000);
            let drills = weakest_drills(&stats, cat, &weakest, 3)
                .iter()
                .map(|d| cat.suggest(d, DrillMode::Reply))
                .collect();
            let (zh, en) = match days {
                Some(d) => (
                    format!("{name}：已 {d} 天没有练习 → 布置「{weakest}」练习"),
                    format!("{name}: no practice for {d} days → assign “{weakest}” drills"),
                ),
                None => (
                    format!("{name}：还没有练习记录 → 布置「{weakest}」练习"),
                    format!("{name}: no practice yet → assign “{weakest}” drills"),
                ),
            };
            push(FindingCode::Inactive, Some(weakest), zh, en, drills);
        }
    }
    for p in assignments {
        for g in p.agents.iter().filter(|g| g.overdue) {
            out.push(Finding {
                agent: g.agent.clone(),
                name: g.name.clone(),
                code: FindingCode::Overdue,
                category: None,
                text_zh: format!(
                    "{}：{}（{} 到期）只完成了 {}/{}",
                    g.name, p.title_zh, p.assignment.due, g.done, g.total
                ),
                text_en: format!(
                    "{}: {} (due {}) is {}/{} done",
                    g.name, p.title_en, p.assignment.due, g.done, g.total
                ),
                drills: g
                    .todo
                    .iter()
                    .map(|d| cat.suggest(d, DrillMode::Reply))
                    .collect(),
            });
        }
    }
    out
}

/// Progress of every assignment for the agents it is for.
fn assignment_progress(
    data: &TeamData,
    assignments: &[assign::Assignment],
    cat: &Catalogue,
    today: NaiveDate,
) -> Vec<AssignmentProgress> {
    let list = cat.drill_list();
    let done: Vec<Vec<Done<'_>>> = data.agents.iter().map(done_list).collect();
    assignments
        .iter()
        .map(|a| {
            let (title_zh, title_en) = assign::titles(a, &list);
            let mut agents: Vec<_> = data
                .agents
                .iter()
                .zip(&done)
                .filter(|(g, _)| a.is_for(&g.id))
                .map(|(g, d)| assign::progress(a, &g.id, &g.name, d, &list, today))
                .collect();
            // Named agents who have shared nothing yet still show, with nothing done.
            for id in &a.to {
                if !agents.iter().any(|g| &g.agent == id) {
                    agents.push(assign::progress(a, id, id, &[], &list, today));
                }
            }
            AssignmentProgress {
                assignment: a.clone(),
                title_zh,
                title_en,
                agents,
            }
        })
        .collect()
}

fn usage(data: &TeamData, cat: &Catalogue, now_ms: i64) -> TeamUsage {
    let since = now_ms - 30 * 86_400_000;
    let mut counts: UseCounts<'_> = BTreeMap::new();
    let mut total = 0u32;
    let mut agents = 0u32;
    for a in &data.agents {
        if !a.uses.is_empty() {
            agents += 1;
        }
        for u in a.uses.iter().filter(|u| u.at_ms >= since) {
            total += 1;
            let key = (
                a.str(u.doc).to_string(),
                u.phrase.map(|p| a.str(p).to_string()),
            );
            let e = counts.entry(key).or_default();
            e.0 += 1;
            if u.sent {
                e.1 += 1;
            }
            e.2.insert(a.id.as_str());
        }
    }
    let titles: HashMap<&str, &str> = cat
        .phrases
        .iter()
        .map(|(d, _, t)| (d.as_str(), t.as_str()))
        .collect();
    let mut most: Vec<PhraseUse> = counts
        .iter()
        .map(|((doc, code), (n, sent, who))| PhraseUse {
            doc_id: doc.clone(),
            phrase_code: code.clone(),
            title: titles
                .get(doc.as_str())
                .map_or(doc.clone(), |t| (*t).to_string()),
            uses: *n,
            sent: *sent,
            agents: who.len() as u32,
        })
        .collect();
    most.sort_by(|a, b| b.uses.cmp(&a.uses).then_with(|| a.doc_id.cmp(&b.doc_id)));
    most.truncate(10);
    let used: HashSet<(&str, &str)> = counts
        .keys()
        .filter_map(|(d, c)| c.as_deref().map(|c| (d.as_str(), c)))
        .collect();
    let unused: Vec<UnusedPhrase> = if agents == 0 {
        Vec::new()
    } else {
        cat.phrases
            .iter()
            .filter(|(d, c, _)| !used.contains(&(d.as_str(), c.as_str())))
            .map(|(d, c, t)| UnusedPhrase {
                doc_id: d.clone(),
                phrase_code: c.clone(),
                title: t.clone(),
            })
            .collect()
    };
    TeamUsage {
        uses_30d: total,
        agents,
        most_used: most,
        never_used_total: unused.len() as u32,
        never_used: unused.into_iter().take(20).collect(),
    }
}

/// The whole view. `problems` are added to the results files' own.
pub fn build(
    data: &TeamData,
    cat: &Catalogue,
    assignments: &[assign::Assignment],
    problems: Vec<Problem>,
    now: DateTime<Local>,
) -> TeamView {
    let now_ms = now.timestamp_millis();
    let categories = columns(cat, data);
    let mut rows = rows(data, &categories, now_ms);
    let overall: Vec<&Cell> = rows.iter().map(|r| &r.overall).collect();
    let (team_overall, counts) = average(&overall);
    let team: Vec<(Cell, [usize; 3])> = (0..categories.len())
        .map(|i| {
            let cells: Vec<&Cell> = rows.iter().filter_map(|r| r.cells[i].as_ref()).collect();
            average(&cells)
        })
        .collect();
    let _ = counts;
    let n = rows.len();
    let overall_cells: Vec<Option<&Cell>> = rows.iter().map(|r| Some(&r.overall)).collect();
    let overall_others: Vec<Others> = (0..n).map(|k| others(&overall_cells, k)).collect();
    let cat_others: Vec<Vec<Others>> = (0..categories.len())
        .map(|i| {
            let cells: Vec<Option<&Cell>> = rows.iter().map(|r| r.cells[i].as_ref()).collect();
            (0..n).map(|k| others(&cells, k)).collect()
        })
        .collect();
    for (k, r) in rows.iter_mut().enumerate() {
        let (avg, counts, agents) = &overall_others[k];
        rate(&mut r.overall, avg, *counts, *agents);
        for (i, c) in r.cells.iter_mut().enumerate() {
            if let Some(c) = c {
                let (avg, counts, agents) = &cat_others[i][k];
                rate(c, avg, *counts, *agents);
            }
        }
    }
    let team_cells: Vec<Cell> = team.into_iter().map(|t| t.0).collect();
    let progress = assignment_progress(data, assignments, cat, now.date_naive());
    let findings = findings(
        data,
        &rows,
        &Peers {
            overall: &overall_others,
            cats: &cat_others,
        },
        &categories,
        &progress,
        cat,
        now_ms,
    );
    let mut all_problems = data.problems.clone();
    all_problems.extend(problems);
    TeamView {
        generated_at: now
            .with_timezone(&Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        today: now.date_naive().to_string(),
        default_due: (now.date_naive() + Duration::days(DEFAULT_DUE_DAYS)).to_string(),
        window: WINDOW as u32,
        categories,
        attempts: data.agents.iter().map(|a| a.attempts.len() as u64).sum(),
        agents: rows,
        team_overall,
        team_cells,
        findings,
        assignments: progress,
        usage: usage(data, cat, now_ms),
        problems: all_problems,
    }
}

fn monday(ms: i64) -> Option<NaiveDate> {
    let d = DateTime::<Utc>::from_timestamp_millis(ms)?
        .with_timezone(&Local)
        .date_naive();
    Some(d - Duration::days(i64::from(d.weekday().num_days_from_monday())))
}

/// Weekly buckets (Monday to Sunday, local time). The week of an attempt is worked out from
/// the local UTC offset of now (China keeps one offset all year; elsewhere a week boundary may
/// be an hour off around a daylight-saving change).
fn weeks<'a>(recs: impl Iterator<Item = &'a Rec>, now: DateTime<Local>) -> Vec<WeekPoint> {
    let this = monday(now.timestamp_millis()).unwrap_or_else(|| now.date_naive());
    let first = this - Duration::weeks(TREND_WEEKS as i64 - 1);
    let offset_ms = i64::from(now.offset().local_minus_utc()) * 1000;
    let start_ms = first
        .and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp_millis())
        - offset_ms;
    let week_ms = 7 * 86_400_000i64;
    let mut buckets: Vec<WeekBucket> = vec![Default::default(); TREND_WEEKS];
    for r in recs {
        if r.at_ms < start_ms {
            continue;
        }
        let i = ((r.at_ms - start_ms) / week_ms) as usize;
        let Some(b) = buckets.get_mut(i) else {
            continue;
        };
        b.3 += 1;
        if r.mode == DrillMode::Reply {
            b.0.push(f64::from(r.score));
            if let Some(f) = r.first_ms {
                b.1.push(f64::from(f) / 1000.0);
            }
        }
        if r.mode != DrillMode::FindIt
            && let Some(c) = r.cpm.filter(|c| *c > 0.0)
        {
            b.2.push(f64::from(c));
        }
    }
    buckets
        .into_iter()
        .enumerate()
        .map(|(i, (s, mut f, mut c, n))| WeekPoint {
            week: (first + Duration::weeks(i as i64)).to_string(),
            attempts: n,
            score: mean(&s).map(round1),
            first_response_s: median(&mut f).map(round1),
            cpm: median(&mut c).map(round1),
        })
        .collect()
}

/// One agent's trend and recent attempts; `view` gives their findings.
pub fn agent_trend(
    data: &TeamData,
    cat: &Catalogue,
    view: &TeamView,
    id: &str,
    now: DateTime<Local>,
) -> Result<AgentTrend> {
    let a = data
        .agents
        .iter()
        .find(|a| a.id == id)
        .ok_or_else(|| Error::NotFound { id: id.to_string() })?;
    let recent = a
        .attempts
        .iter()
        .rev()
        .take(20)
        .map(|r| RecentAttempt {
            at: iso(r.at_ms).unwrap_or_default(),
            drill_id: a.str(r.drill).to_string(),
            title: cat.title(a.str(r.drill)).to_string(),
            category: a.str(r.category).to_string(),
            mode: r.mode,
            score: u32::from(r.score),
            first_response_s: r.first_ms.map(|f| round1(f64::from(f) / 1000.0)),
        })
        .collect();
    Ok(AgentTrend {
        id: a.id.clone(),
        name: a.name.clone(),
        weeks: weeks(a.attempts.iter(), now),
        team_weeks: weeks(data.agents.iter().flat_map(|g| g.attempts.iter()), now),
        recent,
        findings: view
            .findings
            .iter()
            .filter(|f| f.agent == id)
            .cloned()
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::team::results::parse;

    /// Lines for `agent`: `n` reply attempts a day apart ending `now`, cycling over `drills`.
    fn lines(
        agent: &str,
        name: &str,
        drills: &[(&str, &str)],
        (score, first_s, cpm): (u32, f64, f64),
        n: usize,
        now: DateTime<Utc>,
    ) -> String {
        let mut out = format!(
            "{{\"v\":1,\"type\":\"profile\",\"agent\":\"{agent}\",\"at\":\"2026-01-01T00:00:00Z\",\"name\":\"{name}\"}}\n"
        );
        for i in 0..n {
            let (d, c) = drills[i % drills.len()];
            let at = (now - Duration::hours(12 + 24 * i as i64)).to_rfc3339();
            out.push_str(&format!(
                "{{\"v\":1,\"type\":\"attempt\",\"agent\":\"{agent}\",\"at\":\"{at}\",\"drill\":\"{d}\",\"category\":\"{c}\",\"mode\":\"reply\",\"score\":{score},\"first_response_ms\":{},\"cpm\":{cpm}}}\n",
                first_s * 1000.0
            ));
        }
        out
    }

    fn catalogue() -> Catalogue {
        Catalogue {
            drills: vec![
                (
                    "drills/cui".into(),
                    "催发货·着急".into(),
                    "催发货".into(),
                    40,
                ),
                ("drills/kai1".into(), "开场·问候".into(), "开场".into(), 20),
                ("drills/kai2".into(), "开场·回访".into(), "开场".into(), 25),
                ("drills/tui".into(), "退款·进度".into(), "退款".into(), 60),
            ],
            phrases: vec![
                ("playbooks/p".into(), "p1".into(), "催发货话术".into()),
                ("playbooks/p".into(), "p2".into(), "催发货话术".into()),
            ],
        }
    }

    fn team(now: DateTime<Utc>) -> TeamData {
        let mix: &[(&str, &str)] = &[("drills/cui", "催发货"), ("drills/tui", "退款")];
        let files = [
            lines("xh", "小红", mix, (80, 58.0, 60.0), 10, now),
            lines(
                "xm",
                "小明",
                &[("drills/cui", "催发货")],
                (82, 20.0, 62.0),
                10,
                now,
            ) + &lines(
                "xm",
                "小明",
                &[("drills/tui", "退款")],
                (55, 21.0, 62.0),
                4,
                now,
            ),
            lines("xl", "小李", mix, (80, 22.0, 30.0), 10, now),
        ];
        let mut data = TeamData::default();
        for (id, text) in ["xh", "xm", "xl"].iter().zip(files) {
            let (a, p) = parse(id, "f", text.as_bytes());
            assert!(p.is_empty(), "{p:?}");
            data.agents.push(a);
        }
        data
    }

    #[test]
    fn the_slow_responder_the_weak_category_and_the_slow_typist_are_found() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-02T12:00:00+08:00")
            .expect("t")
            .with_timezone(&Local);
        let data = team(now.with_timezone(&Utc));
        let view = build(&data, &catalogue(), &[], vec![], now);
        assert_eq!(
            view.categories,
            vec!["开场", "催发货", "退款"],
            "the content's usual order"
        );
        let xh = &view.agents[0];
        assert_eq!((xh.id.as_str(), xh.name.as_str()), ("xh", "小红"));
        assert_eq!(xh.overall.first_response_s, Some(58.0));
        assert_eq!(xh.overall.response_vs, Standing::Worse);
        assert_eq!(xh.overall.score_vs, Standing::Same);
        assert_eq!(xh.overall.attempts_7d, 7);
        let slow: Vec<&Finding> = view
            .findings
            .iter()
            .filter(|f| f.code == FindingCode::SlowResponse)
            .collect();
        assert_eq!(slow.len(), 1, "{:#?}", view.findings);
        assert_eq!(slow[0].agent, "xh");
        assert!(
            slow[0]
                .text_zh
                .starts_with("小红：得分与团队持平，首次响应 58 秒（团队其他人 21 秒）"),
            "{}",
            slow[0].text_zh
        );
        assert!(slow[0].text_zh.ends_with("→ 练习找话术和开场"));
        assert!(
            slow[0]
                .drills
                .iter()
                .any(|d| d.id.starts_with("drills/kai"))
        );
        assert!(slow[0].drills.iter().any(|d| d.mode == DrillMode::FindIt));
        let weak: Vec<&Finding> = view
            .findings
            .iter()
            .filter(|f| f.code == FindingCode::WeakCategory)
            .collect();
        assert_eq!(weak.len(), 1, "{:#?}", view.findings);
        assert_eq!(
            (weak[0].agent.as_str(), weak[0].category.as_deref()),
            ("xm", Some("退款"))
        );
        assert_eq!(weak[0].drills[0].id, "drills/tui");
        let typing: Vec<&str> = view
            .findings
            .iter()
            .filter(|f| f.code == FindingCode::SlowTyping)
            .map(|f| f.agent.as_str())
            .collect();
        assert_eq!(typing, vec!["xl"]);
        // The team average weighs each agent once.
        let refund = view
            .categories
            .iter()
            .position(|c| c == "退款")
            .expect("col");
        assert_eq!(
            view.team_cells[refund].score,
            Some(round1((80.0 + 55.0 + 80.0) / 3.0))
        );
        assert_eq!(
            view.agents[1].cells[refund].as_ref().map(|c| c.score_vs),
            Some(Standing::Worse)
        );
        assert!(view.agents[1].cells[0].is_none(), "never practised 开场");
    }

    #[test]
    fn one_agent_alone_is_not_compared_and_a_quiet_week_is_a_finding() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-02T12:00:00+08:00")
            .expect("t")
            .with_timezone(&Local);
        let mut data = team(now.with_timezone(&Utc));
        let alone = TeamData {
            agents: vec![data.agents[0].clone()],
            problems: vec![],
        };
        let v = build(&alone, &catalogue(), &[], vec![], now);
        assert_eq!(v.agents[0].overall.response_vs, Standing::None);
        assert!(v.findings.is_empty(), "{:#?}", v.findings);
        // 小李 stops practising: ten days later everyone else has practised, he has not.
        let later = now + Duration::days(10);
        for a in data.agents.iter_mut().take(2) {
            let last = *a.attempts.last().expect("one");
            a.attempts.push(Rec {
                at_ms: later.timestamp_millis() - 3_600_000,
                ..last
            });
        }
        let v = build(&data, &catalogue(), &[], vec![], later);
        let quiet: Vec<&Finding> = v
            .findings
            .iter()
            .filter(|f| f.code == FindingCode::Inactive)
            .collect();
        assert_eq!(quiet.len(), 1, "{:#?}", v.findings);
        assert!(
            quiet[0].text_zh.starts_with("小李：已 10 天没有练习"),
            "{}",
            quiet[0].text_zh
        );
    }

    #[test]
    fn trends_usage_and_exports_carry_the_numbers() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-02T12:00:00+08:00")
            .expect("t")
            .with_timezone(&Local);
        let mut text = lines(
            "xh",
            "小红",
            &[("drills/cui", "催发货")],
            (70, 30.0, 50.0),
            3,
            now.with_timezone(&Utc),
        );
        text.push_str("{\"v\":1,\"type\":\"use\",\"agent\":\"xh\",\"at\":\"2026-12-01T08:00:00Z\",\"doc\":\"playbooks/p\",\"phrase\":\"p1\",\"action\":\"sent\"}\n");
        let (a, _) = parse("xh", "f", text.as_bytes());
        let data = TeamData {
            agents: vec![a],
            problems: vec![],
        };
        let cat = catalogue();
        let view = build(&data, &cat, &[], vec![], now);
        assert_eq!(view.usage.uses_30d, 1);
        assert_eq!(view.usage.most_used[0].phrase_code.as_deref(), Some("p1"));
        assert_eq!(view.usage.most_used[0].sent, 1);
        assert_eq!(view.usage.never_used_total, 1);
        assert_eq!(view.usage.never_used[0].phrase_code, "p2");
        let trend = agent_trend(&data, &cat, &view, "xh", now).expect("trend");
        assert_eq!(trend.weeks.len(), TREND_WEEKS);
        assert_eq!(trend.weeks.iter().map(|w| w.attempts).sum::<u32>(), 3);
        assert_eq!(trend.recent.len(), 3);
        assert_eq!(trend.recent[0].title, "催发货·着急");
        assert!(agent_trend(&data, &cat, &view, "nobody", now).is_err());
        let csv = crate::team::export::csv(&view, crate::settings::Language::Zh).expect("csv");
        let csv = String::from_utf8(csv).expect("utf8");
        assert!(
            csv.starts_with("\u{feff}客服编号,姓名,分类,平均得分"),
            "{csv}"
        );
        assert!(csv.contains("xh,小红,全部,70.0"), "{csv}");
        assert!(csv.contains("xh,小红,催发货,70.0"), "{csv}");
        let xlsx = crate::team::export::xlsx(&view, crate::settings::Language::Zh).expect("xlsx");
        assert!(xlsx.starts_with(b"PK"), "an XLSX is a zip file");
    }
}
