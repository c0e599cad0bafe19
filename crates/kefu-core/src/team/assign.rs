//! Assignments: drills a team lead gives one agent or everyone, with a due date, as files in
//! the repository (`team/assignments/<id>.yaml`):
//!
//! ```yaml
//! to: [xiaohong]          # or: all
//! drills: [drills/cuifahuo-zhaoji, drills/kaichang-huanying]
//! # or  category: 开场     (every drill of the category)
//! # or  first_week: true  (the first-week path)
//! due: 2026-12-09
//! created: 2026-12-02     # attempts from this day on count
//! by: 王组长
//! note: 先把开场和催发货练熟
//! ```
//!
//! A drill counts as done when the agent practised it on or after `created`; a step of the
//! first-week path when it was passed as the path requires (2 replies scoring 70+), on or after
//! `created`. `kefu check` validates every file; a bad file is reported and skipped.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{ASSIGNMENTS_DIR, valid_agent_id};
use crate::content::{Document, Problem, ProblemCode};
use crate::drill::{FIRST_WEEK, PATH_TARGET_ATTEMPTS, PATH_TARGET_SCORE};
use crate::error::{Error, Result};
use crate::store::DrillMode;

/// Largest assignment file read.
const MAX_ASSIGNMENT_BYTES: u64 = 64 * 1024;

/// What is assigned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum AssignTarget {
    /// These drills.
    Drills {
        /// Drill ids.
        ids: Vec<String>,
    },
    /// Every drill of a category.
    Category {
        /// The category.
        name: String,
    },
    /// The first-week path.
    FirstWeek,
}

/// One assignment file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Assignment {
    /// The file's name without `.yaml`.
    pub id: String,
    /// The file, relative to the content folder.
    pub path: String,
    /// For everyone.
    pub to_all: bool,
    /// For these agents (when not for everyone).
    pub to: Vec<String>,
    /// What.
    pub target: AssignTarget,
    /// Due (YYYY-MM-DD).
    pub due: String,
    /// Attempts from this day on count (YYYY-MM-DD).
    pub created: String,
    /// Who assigned it.
    pub by: Option<String>,
    /// A word from the lead.
    pub note: Option<String>,
}

impl Assignment {
    /// Whether it is for `agent`.
    pub fn is_for(&self, agent: &str) -> bool {
        self.to_all || self.to.iter().any(|a| a == agent)
    }
}

/// A new assignment, from the lead's form or `kefu team assign`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewAssignment {
    /// Agent ids, or empty for everyone.
    pub to: Vec<String>,
    /// What.
    pub target: AssignTarget,
    /// Due (YYYY-MM-DD).
    pub due: String,
    /// A word from the lead.
    #[ts(optional)]
    pub note: Option<String>,
}

/// One agent's progress on one assignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AgentProgress {
    /// Agent id.
    pub agent: String,
    /// Display name.
    pub name: String,
    /// Units done.
    pub done: usize,
    /// Units in all.
    pub total: usize,
    /// When the last unit was done (RFC 3339), once all are.
    pub finished_at: Option<String>,
    /// Past the due date and not finished.
    pub overdue: bool,
    /// Drills still to practise.
    pub todo: Vec<String>,
}

/// An assignment as the agent it is for sees it (drills home).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MyAssignment {
    /// The assignment.
    pub assignment: Assignment,
    /// What it is, in Chinese.
    pub title_zh: String,
    /// What it is, in English.
    pub title_en: String,
    /// How far this agent is (from the local practice record).
    pub progress: AgentProgress,
}

/// An assignment and everyone's progress on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AssignmentProgress {
    /// The assignment.
    pub assignment: Assignment,
    /// What it is, in Chinese.
    pub title_zh: String,
    /// What it is, in English.
    pub title_en: String,
    /// Each agent it is for.
    pub agents: Vec<AgentProgress>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAssignment {
    to: Option<OneOrMany>,
    drills: Option<Vec<String>>,
    category: Option<String>,
    first_week: Option<bool>,
    due: Option<String>,
    created: Option<String>,
    by: Option<String>,
    note: Option<String>,
}

/// What an assignment needs to know about the content: drills and their categories.
pub trait DrillCatalogue {
    /// Every drill: id, title, category.
    fn drill_list(&self) -> Vec<(&str, &str, &str)>;
}

impl DrillCatalogue for [Document] {
    fn drill_list(&self) -> Vec<(&str, &str, &str)> {
        self.iter()
            .filter_map(|d| {
                d.drill
                    .as_ref()
                    .map(|dr| (d.id.as_str(), d.title.as_str(), dr.category.as_str()))
            })
            .collect()
    }
}

/// The 1-based line of the first `key:` at the start of a line (1 when absent).
fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            l.strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with(':'))
        })
        .map_or(1, |i| i + 1)
}

/// A `YYYY-MM-DD` date (four-digit year, two-digit month and day).
fn date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    (s.len() == 10)
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
}

/// When an assignment starts counting, in ms since the epoch: an RFC 3339 time (what Kefu
/// writes: attempts after the moment it was assigned count), or a date (from local midnight).
fn created_ms(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.timestamp_millis())
        .or_else(|| {
            date(s)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .and_then(|t| t.and_local_timezone(chrono::Local).earliest())
                .map(|t| t.timestamp_millis())
        })
}

/// Parses and validates one assignment file's text.
pub fn parse(
    rel: &str,
    id: &str,
    text: &str,
    drills: &[(&str, &str, &str)],
) -> (Option<Assignment>, Vec<Problem>) {
    let mut problems = Vec::new();
    let raw: RawAssignment = match serde_saphyr::from_str::<Option<RawAssignment>>(text) {
        Ok(Some(r)) => r,
        Ok(None) => {
            problems.push(
                Problem::error(rel, 1, ProblemCode::AssignmentMalformed)
                    .arg("detail", "the file is empty"),
            );
            return (None, problems);
        }
        Err(e) => {
            let line = e.location().map_or(1, |l| l.line() as usize);
            let msg = e.without_snippet().to_string();
            let first = msg.lines().next().unwrap_or("").trim();
            let detail = first.rfind(" at line ").map_or(first, |i| &first[..i]);
            problems.push(
                Problem::error(rel, line, ProblemCode::AssignmentMalformed).arg("detail", detail),
            );
            return (None, problems);
        }
    };
    let (to_all, to) = match raw.to {
        Some(OneOrMany::One(s)) if s.trim() == "all" => (true, Vec::new()),
        Some(OneOrMany::One(s)) => (false, vec![s.trim().to_string()]),
        Some(OneOrMany::Many(v)) => (false, v.into_iter().map(|s| s.trim().to_string()).collect()),
        None => {
            problems.push(
                Problem::error(rel, 1, ProblemCode::AssignmentBadRecipient)
                    .arg("value", "")
                    .field("to"),
            );
            return (None, problems);
        }
    };
    if !to_all && (to.is_empty() || to.iter().any(|a| !valid_agent_id(a))) {
        let bad = to
            .iter()
            .find(|a| !valid_agent_id(a))
            .cloned()
            .unwrap_or_default();
        problems.push(
            Problem::error(
                rel,
                line_of(text, "to"),
                ProblemCode::AssignmentBadRecipient,
            )
            .arg("value", bad)
            .field("to"),
        );
        return (None, problems);
    }
    let ids: HashSet<&str> = drills.iter().map(|d| d.0).collect();
    let categories: HashSet<&str> = drills.iter().map(|d| d.2).collect();
    let chosen = [
        raw.drills.is_some(),
        raw.category.is_some(),
        raw.first_week == Some(true),
    ];
    if chosen.iter().filter(|c| **c).count() != 1 {
        problems.push(Problem::error(rel, 1, ProblemCode::AssignmentNoTarget));
        return (None, problems);
    }
    let target = if let Some(list) = raw.drills {
        let line = line_of(text, "drills");
        let mut keep = Vec::new();
        for d in list {
            let d = d.trim().to_string();
            if ids.contains(d.as_str()) {
                if !keep.contains(&d) {
                    keep.push(d);
                }
            } else {
                problems.push(
                    Problem::error(rel, line, ProblemCode::AssignmentUnknownDrill)
                        .arg("value", &d)
                        .field("drills"),
                );
            }
        }
        if keep.is_empty() {
            if problems.is_empty() {
                problems.push(Problem::error(rel, line, ProblemCode::AssignmentNoTarget));
            }
            return (None, problems);
        }
        AssignTarget::Drills { ids: keep }
    } else if let Some(c) = raw.category {
        let c = c.trim().to_string();
        if !categories.contains(c.as_str()) {
            problems.push(
                Problem::error(
                    rel,
                    line_of(text, "category"),
                    ProblemCode::AssignmentUnknownCategory,
                )
                .arg("value", &c)
                .field("category"),
            );
            return (None, problems);
        }
        AssignTarget::Category { name: c }
    } else {
        AssignTarget::FirstWeek
    };
    let mut dates = Vec::new();
    for (field, value) in [("due", &raw.due), ("created", &raw.created)] {
        match value.as_deref().map(str::trim) {
            Some(v) if field == "due" && date(v).is_some() => {
                dates.push(date(v).map(|d| d.to_string()).unwrap_or_default())
            }
            Some(v) if field == "created" && created_ms(v).is_some() => dates.push(v.to_string()),
            None if field == "created" => dates.push("1970-01-01".to_string()),
            other => {
                problems.push(
                    Problem::error(rel, line_of(text, field), ProblemCode::AssignmentBadDate)
                        .arg("field", field)
                        .arg("value", other.unwrap_or(""))
                        .field(field),
                );
                return (None, problems);
            }
        }
    }
    let clean = |s: Option<String>| {
        s.map(|v| v.trim().chars().take(500).collect::<String>())
            .filter(|v| !v.is_empty())
    };
    let a = Assignment {
        id: id.to_string(),
        path: rel.to_string(),
        to_all,
        to,
        target,
        created: dates.pop().unwrap_or_default(),
        due: dates.pop().unwrap_or_default(),
        by: clean(raw.by),
        note: clean(raw.note),
    };
    (Some(a), problems)
}

/// Reads and validates every assignment of `content_dir` (sorted by due date, then id).
pub fn load(content_dir: &Path, drills: &[(&str, &str, &str)]) -> (Vec<Assignment>, Vec<Problem>) {
    let Some(dir) = super::real_dir(content_dir, ASSIGNMENTS_DIR) else {
        return (
            Vec::new(),
            vec![Problem::error(
                ASSIGNMENTS_DIR,
                1,
                ProblemCode::TeamNotAFile,
            )],
        );
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return (Vec::new(), Vec::new());
    };
    let mut files: Vec<(String, String, std::path::PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let stem = name
                .strip_suffix(".yaml")
                .or_else(|| name.strip_suffix(".yml"))?
                .to_string();
            Some((stem, name, e.path()))
        })
        .collect();
    files.sort();
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (stem, name, path) in files {
        let rel = format!("{ASSIGNMENTS_DIR}/{name}");
        let meta = std::fs::symlink_metadata(&path);
        if !meta.as_ref().is_ok_and(|m| m.file_type().is_file()) {
            problems.push(Problem::error(&rel, 1, ProblemCode::TeamNotAFile));
            continue;
        }
        if meta.as_ref().is_ok_and(|m| m.len() > MAX_ASSIGNMENT_BYTES) {
            problems.push(
                Problem::error(&rel, 1, ProblemCode::AssignmentMalformed)
                    .arg("detail", "the file is over 64 KB"),
            );
            continue;
        }
        let text = match std::fs::read(&path).map(String::from_utf8) {
            Ok(Ok(t)) => t,
            Ok(Err(_)) => {
                problems.push(
                    Problem::error(&rel, 1, ProblemCode::AssignmentMalformed)
                        .arg("detail", "not UTF-8 text"),
                );
                continue;
            }
            Err(e) => {
                problems.push(Problem::error(&rel, 1, ProblemCode::CannotRead).arg("detail", e));
                continue;
            }
        };
        let (a, mut p) = parse(&rel, &stem, &text, drills);
        out.extend(a);
        problems.append(&mut p);
    }
    out.sort_by(|a, b| (&a.due, &a.id).cmp(&(&b.due, &b.id)));
    (out, problems)
}

/// The problems of the assignments of a content folder (for `kefu check` and the app).
pub fn check(content_dir: &Path, docs: &[Document]) -> Vec<Problem> {
    load(content_dir, &docs.drill_list()).1
}

/// A YAML double-quoted scalar (JSON's string syntax is valid YAML).
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// Writes a new assignment file (never over an existing one) and returns it as read back.
pub fn create(
    content_dir: &Path,
    req: &NewAssignment,
    drills: &[(&str, &str, &str)],
    by: Option<&str>,
    now: chrono::DateTime<chrono::Local>,
) -> Result<Assignment> {
    let today = now.date_naive();
    if date(&req.due).is_none() {
        return Err(Error::InvalidInput(format!(
            "the due date `{}` is not a date like 2026-12-31",
            req.due
        )));
    }
    if let Some(bad) = req.to.iter().find(|a| !valid_agent_id(a)) {
        return Err(Error::InvalidInput(format!(
            "`{bad}` is not a valid agent id"
        )));
    }
    let mut y = String::from("# Assigned in Kefu (组长看板); `kefu check` validates this file.\n");
    if req.to.is_empty() {
        y.push_str("to: all\n");
    } else {
        let list: Vec<String> = req.to.iter().map(|a| quoted(a)).collect();
        y.push_str(&format!("to: [{}]\n", list.join(", ")));
    }
    let slug = match &req.target {
        AssignTarget::Drills { ids } => {
            y.push_str("drills:\n");
            for id in ids {
                y.push_str(&format!("  - {}\n", quoted(id)));
            }
            "drills".to_string()
        }
        AssignTarget::Category { name } => {
            y.push_str(&format!("category: {}\n", quoted(name)));
            "category".to_string()
        }
        AssignTarget::FirstWeek => {
            y.push_str("first_week: true\n");
            "first-week".to_string()
        }
    };
    y.push_str(&format!(
        "due: {}\n",
        date(&req.due).map(|d| d.to_string()).unwrap_or_default()
    ));
    y.push_str(&format!(
        "created: {}\n",
        now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    ));
    if let Some(by) = by.map(str::trim).filter(|b| !b.is_empty()) {
        y.push_str(&format!("by: {}\n", quoted(by)));
    }
    if let Some(note) = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        y.push_str(&format!("note: {}\n", quoted(note)));
    }
    let who = if req.to.len() == 1 {
        req.to[0].clone()
    } else if req.to.is_empty() {
        "all".to_string()
    } else {
        format!("{}-agents", req.to.len())
    };
    // Validate exactly as `kefu check` will, before anything is written.
    let stem0 = format!("{today}-{who}-{slug}");
    let (parsed, problems) = parse("new assignment", &stem0, &y, drills);
    if let Some(p) = problems.first() {
        return Err(Error::InvalidInput(p.message.clone()));
    }
    if parsed.is_none() {
        return Err(Error::InvalidInput("the assignment is not valid".into()));
    }
    let dir = super::real_dir(content_dir, ASSIGNMENTS_DIR).ok_or_else(|| {
        Error::InvalidInput(format!(
            "{} is not a folder (links are not followed); nothing was written",
            content_dir.join(ASSIGNMENTS_DIR).display()
        ))
    })?;
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    for n in 1..1000 {
        let stem = if n == 1 {
            stem0.clone()
        } else {
            format!("{stem0}-{n}")
        };
        let path = dir.join(format!("{stem}.yaml"));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                use std::io::Write;
                f.write_all(y.as_bytes())
                    .and_then(|()| f.sync_all())
                    .map_err(|e| Error::io(&path, e))?;
                let rel = format!("{ASSIGNMENTS_DIR}/{stem}.yaml");
                let (a, _) = parse(&rel, &stem, &y, drills);
                return a.ok_or_else(|| Error::Internal("assignment did not read back".into()));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    Err(Error::InvalidInput(
        "too many assignments with the same name today".into(),
    ))
}

/// The titles of an assignment (Chinese, English).
pub fn titles(a: &Assignment, drills: &[(&str, &str, &str)]) -> (String, String) {
    let title = |id: &str| {
        drills
            .iter()
            .find(|d| d.0 == id)
            .map_or(id.to_string(), |d| d.1.to_string())
    };
    match &a.target {
        AssignTarget::Drills { ids } if ids.len() == 1 => {
            let t = title(&ids[0]);
            (format!("练习「{t}」"), format!("Drill “{t}”"))
        }
        AssignTarget::Drills { ids } => {
            let t = title(&ids[0]);
            (
                format!("练习「{t}」等 {} 个", ids.len()),
                format!("“{t}” and {} more drills", ids.len() - 1),
            )
        }
        AssignTarget::Category { name } => (
            format!("「{name}」类全部练习"),
            format!("every drill of “{name}”"),
        ),
        AssignTarget::FirstWeek => ("第一周路径".into(), "the first-week path".into()),
    }
}

/// One attempt as completion sees it.
#[derive(Debug, Clone, Copy)]
pub struct Done<'a> {
    /// Submitted (ms since the epoch).
    pub at_ms: i64,
    /// The drill.
    pub drill: &'a str,
    /// Its category.
    pub category: &'a str,
    /// Mode.
    pub mode: DrillMode,
    /// Score.
    pub score: u32,
}

/// Progress of one agent on `a`, from their attempts (any order).
pub fn progress(
    a: &Assignment,
    agent: &str,
    name: &str,
    attempts: &[Done<'_>],
    drills: &[(&str, &str, &str)],
    today: NaiveDate,
) -> AgentProgress {
    let since = created_ms(&a.created).unwrap_or(0);
    let recent: Vec<&Done<'_>> = attempts.iter().filter(|d| d.at_ms >= since).collect();
    let mut done = 0usize;
    let mut total = 0usize;
    let mut last = 0i64;
    let mut todo = Vec::new();
    let mut drill_unit = |id: &str, done: &mut usize, todo: &mut Vec<String>| match recent
        .iter()
        .filter(|d| d.drill == id)
        .map(|d| d.at_ms)
        .min()
    {
        Some(at) => {
            *done += 1;
            last = last.max(at);
        }
        None => todo.push(id.to_string()),
    };
    match &a.target {
        AssignTarget::Drills { ids } => {
            for id in ids {
                total += 1;
                drill_unit(id, &mut done, &mut todo);
            }
        }
        AssignTarget::Category { name: cat } => {
            let ids: BTreeSet<&str> = drills.iter().filter(|d| d.2 == cat).map(|d| d.0).collect();
            for id in ids {
                total += 1;
                drill_unit(id, &mut done, &mut todo);
            }
        }
        AssignTarget::FirstWeek => {
            // Only the steps the content has drills for (a step without drills cannot be done).
            for cat in FIRST_WEEK
                .iter()
                .filter(|c| drills.iter().any(|d| d.2 == **c))
            {
                total += 1;
                let mut passes: Vec<i64> = recent
                    .iter()
                    .filter(|d| {
                        d.category == *cat
                            && d.mode == DrillMode::Reply
                            && d.score >= PATH_TARGET_SCORE
                    })
                    .map(|d| d.at_ms)
                    .collect();
                passes.sort_unstable();
                if let Some(at) = passes.get(PATH_TARGET_ATTEMPTS - 1) {
                    done += 1;
                    last = last.max(*at);
                } else if let Some((id, _, _)) = drills.iter().find(|d| d.2 == *cat) {
                    todo.push((*id).to_string());
                }
            }
        }
    }
    let finished = total > 0 && done == total;
    let overdue = !finished && date(&a.due).is_some_and(|d| d < today);
    AgentProgress {
        agent: agent.to_string(),
        name: name.to_string(),
        done,
        total,
        finished_at: finished
            .then(|| chrono::DateTime::from_timestamp_millis(last))
            .flatten()
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        overdue,
        todo,
    }
}

/// The unfinished assignments for `agent` (and for everyone), from the local attempts, the
/// soonest due first; finished ones are left out.
pub fn mine(
    content_dir: &Path,
    agent: Option<&str>,
    attempts: &[crate::store::Attempt],
    drills: &[(&str, &str, &str)],
    today: NaiveDate,
) -> Vec<MyAssignment> {
    let (all, _) = load(content_dir, drills);
    let done: Vec<Done<'_>> = attempts
        .iter()
        .filter_map(|a| {
            Some(Done {
                at_ms: chrono::DateTime::parse_from_rfc3339(&a.submitted_at)
                    .ok()?
                    .timestamp_millis(),
                drill: &a.drill_id,
                category: &a.category,
                mode: a.mode,
                score: a.score,
            })
        })
        .collect();
    all.into_iter()
        .filter(|a| a.to_all || agent.is_some_and(|me| a.is_for(me)))
        .filter_map(|a| {
            let me = agent.unwrap_or("");
            let progress = progress(&a, me, me, &done, drills, today);
            if progress.finished_at.is_some() {
                return None;
            }
            let (title_zh, title_en) = titles(&a, drills);
            Some(MyAssignment {
                assignment: a,
                title_zh,
                title_en,
                progress,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DRILLS: &[(&str, &str, &str)] = &[
        ("drills/a", "催发货·着急", "催发货"),
        ("drills/b", "开场·问候", "开场"),
        ("drills/c", "开场·回访", "开场"),
    ];

    #[test]
    fn a_valid_file_reads_and_bad_ones_say_where() {
        let (a, p) = parse(
            "team/assignments/x.yaml",
            "x",
            "to: [xiaohong]\ndrills: [drills/a]\ndue: 2026-12-09\ncreated: 2026-12-02\nnote: 加油\n",
            DRILLS,
        );
        assert!(p.is_empty(), "{p:?}");
        let a = a.expect("parsed");
        assert!(a.is_for("xiaohong") && !a.is_for("xiaoming"));
        assert_eq!(a.due, "2026-12-09");
        assert_eq!(a.created, "2026-12-02");
        let cases: &[(&str, ProblemCode, usize)] = &[
            (
                "to: all\ndrills: [drills/zz]\ndue: 2026-12-09\n",
                ProblemCode::AssignmentUnknownDrill,
                2,
            ),
            (
                "to: all\ncategory: 火星\ndue: 2026-12-09\n",
                ProblemCode::AssignmentUnknownCategory,
                2,
            ),
            (
                "to: [../../x]\nfirst_week: true\ndue: 2026-12-09\n",
                ProblemCode::AssignmentBadRecipient,
                1,
            ),
            (
                "to: all\nfirst_week: true\ndue: next week\n",
                ProblemCode::AssignmentBadDate,
                3,
            ),
            (
                "to: all\ndue: 2026-12-09\n",
                ProblemCode::AssignmentNoTarget,
                1,
            ),
            (
                "to: all\ncategory: 开场\nfirst_week: true\ndue: 2026-12-09\n",
                ProblemCode::AssignmentNoTarget,
                1,
            ),
            (
                "to: all\nfirst_week: true\ndue: 2026-12-09\ncolour: red\n",
                ProblemCode::AssignmentMalformed,
                4,
            ),
            ("to: [a\n", ProblemCode::AssignmentMalformed, 1),
            ("", ProblemCode::AssignmentMalformed, 1),
        ];
        for (text, code, line) in cases {
            let (a, p) = parse("f.yaml", "f", text, DRILLS);
            assert!(a.is_none(), "{text}");
            assert_eq!(
                p.first().map(|p| (p.code, p.line)),
                Some((*code, *line)),
                "{text}: {p:?}"
            );
        }
    }

    #[test]
    fn created_files_never_overwrite_and_read_back() {
        let tmp = tempfile::tempdir().expect("tmp");
        let today = chrono::DateTime::parse_from_rfc3339("2026-12-02T15:00:00+08:00")
            .expect("t")
            .with_timezone(&chrono::Local);
        let req = NewAssignment {
            to: vec!["小红".into()],
            target: AssignTarget::Category {
                name: "开场".into(),
            },
            due: "2026-12-09".into(),
            note: Some("先练 \"开场\"：冒号也行".into()),
        };
        let a = create(tmp.path(), &req, DRILLS, Some("王组长"), today).expect("one");
        let b = create(tmp.path(), &req, DRILLS, Some("王组长"), today).expect("two");
        assert_ne!(a.path, b.path);
        assert_eq!(a.note.as_deref(), Some("先练 \"开场\"：冒号也行"));
        let (all, problems) = load(tmp.path(), DRILLS);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].by.as_deref(), Some("王组长"));
        let bad = NewAssignment {
            target: AssignTarget::Drills {
                ids: vec!["drills/none".into()],
            },
            ..req.clone()
        };
        assert!(create(tmp.path(), &bad, DRILLS, None, today).is_err());
        let bad_date = NewAssignment {
            due: "soon".into(),
            ..req
        };
        assert!(create(tmp.path(), &bad_date, DRILLS, None, today).is_err());
        assert_eq!(
            load(tmp.path(), DRILLS).0.len(),
            2,
            "nothing written for a bad request"
        );
    }

    #[test]
    fn an_attempt_earlier_the_same_day_does_not_finish_a_new_assignment() {
        let tmp = tempfile::tempdir().expect("tmp");
        let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).expect("t");
        let now = at("2026-12-02T15:00:00+08:00").with_timezone(&chrono::Local);
        let req = NewAssignment {
            to: vec!["xh".into()],
            target: AssignTarget::Drills {
                ids: vec!["drills/a".into()],
            },
            due: "2026-12-09".into(),
            note: None,
        };
        let a = create(tmp.path(), &req, DRILLS, None, now).expect("created");
        let morning = Done {
            at_ms: at("2026-12-02T09:00:00+08:00").timestamp_millis(),
            drill: "drills/a",
            category: "催发货",
            mode: DrillMode::Reply,
            score: 80,
        };
        let today = now.date_naive();
        assert_eq!(progress(&a, "xh", "xh", &[morning], DRILLS, today).done, 0);
        let evening = Done {
            at_ms: at("2026-12-02T16:00:00+08:00").timestamp_millis(),
            ..morning
        };
        assert_eq!(
            progress(&a, "xh", "xh", &[morning, evening], DRILLS, today).done,
            1
        );
    }

    #[test]
    fn progress_counts_only_attempts_since_the_assignment() {
        let (a, _) = parse(
            "f",
            "f",
            "to: all\ncategory: 开场\ndue: 2026-12-09\ncreated: 2026-12-02\n",
            DRILLS,
        );
        let a = a.expect("a");
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .expect("t")
                .timestamp_millis()
        };
        let before = Done {
            at_ms: at("2026-11-20T10:00:00+08:00"),
            drill: "drills/b",
            category: "开场",
            mode: DrillMode::Reply,
            score: 90,
        };
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).expect("d");
        let p = progress(&a, "xh", "小红", &[before], DRILLS, today);
        assert_eq!((p.done, p.total, p.overdue), (0, 2, false));
        let after = Done {
            at_ms: at("2026-12-03T10:00:00+08:00"),
            ..before
        };
        let p = progress(&a, "xh", "小红", &[before, after], DRILLS, today);
        assert_eq!((p.done, p.todo.clone()), (1, vec!["drills/c".to_string()]));
        let late = NaiveDate::from_ymd_opt(2026, 12, 10).expect("d");
        assert!(progress(&a, "xh", "小红", &[after], DRILLS, late).overdue);
        let c = Done {
            drill: "drills/c",
            ..after
        };
        let p = progress(&a, "xh", "小红", &[after, c], DRILLS, late);
        assert!(p.finished_at.is_some() && !p.overdue);
    }
}
