//! Writing this agent's results file: append what the local practice database has and the file
//! does not, never rewrite a line. Sharing is opt-in ([`TeamSettings::share`]); what is
//! written is the attempt's numbers (drill, category, mode, score and its parts, first response,
//! CPM, keystrokes per character, pasted characters, time), each phrase use (document, phrase,
//! copied or sent; never what was searched), and a profile line with the display name. The
//! reply's text only with [`TeamSettings::share_replies`].

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::results::{Parts, WireLine, parse, parse_ms};
use super::{FORMAT_VERSION, RESULTS_DIR, TEAM_DIR, results_path, valid_agent_id};
use crate::drill::ComponentName;
use crate::error::{Error, Result};
use crate::settings::TeamSettings;
use crate::store::{Attempt, DrillMode, Store};
use crate::usage::{UseAction, UseEvent};

/// What the agent sees of their sharing: the file and its last lines, exactly as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ShareStatus {
    /// Sharing is on.
    pub enabled: bool,
    /// The agent id in use (or proposed: none set yet).
    pub agent_id: Option<String>,
    /// Reply texts are shared too.
    pub share_replies: bool,
    /// The results file relative to the content folder (`team/results/<id>.jsonl`).
    pub path: Option<String>,
    /// Attempts in the file.
    pub attempts_shared: usize,
    /// Phrase uses in the file.
    pub uses_shared: usize,
    /// Attempts in the local practice database.
    pub attempts_local: usize,
    /// The file's last lines, as they are in the file.
    pub preview: Vec<String>,
    /// The content folder is a git repository (else nothing reaches the team).
    pub in_repository: bool,
}

/// What the agent asks for in 设置 → 团队.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SharingRequest {
    /// Share from now on (and what was practised before).
    pub share: bool,
    /// The agent id (required to turn sharing on).
    #[ts(optional)]
    pub agent_id: Option<String>,
    /// Share reply texts too.
    pub share_replies: bool,
    /// With `share: false`: also delete the results file already in the repository.
    pub delete_shared: bool,
}

/// The results file of `agent` inside `content_dir`, refusing a `team` or `team/results` that
/// is a link (a hostile repository could point it anywhere).
fn file_for(content_dir: &Path, agent: &str) -> Result<PathBuf> {
    if !valid_agent_id(agent) {
        return Err(Error::InvalidInput(format!(
            "`{agent}` is not a valid agent id: use 1–32 letters, digits, - or _"
        )));
    }
    if super::real_dir(content_dir, RESULTS_DIR).is_none() {
        return Err(Error::InvalidInput(format!(
            "{} is not a folder (links are not followed); sharing writes nothing",
            content_dir.join(RESULTS_DIR).display()
        )));
    }
    let path = content_dir.join(results_path(agent));
    if let Ok(m) = std::fs::symlink_metadata(&path)
        && !m.file_type().is_file()
    {
        return Err(Error::InvalidInput(format!(
            "{} is not a regular file (links are not followed); sharing writes nothing",
            path.display()
        )));
    }
    Ok(path)
}

fn millis(at: &str) -> Option<String> {
    chrono::DateTime::parse_from_rfc3339(at).ok().map(|t| {
        t.with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Millis, true)
    })
}

fn parts_of(a: &Attempt) -> Parts {
    let mut p = Parts::default();
    for c in &a.breakdown.components {
        let slot = match c.name {
            ComponentName::Elements => &mut p.elements,
            ComponentName::Facts => &mut p.facts,
            ComponentName::Similarity => &mut p.similarity,
            ComponentName::Speed => &mut p.speed,
            ComponentName::Penalty => &mut p.penalty,
            ComponentName::Mistakes => &mut p.mistakes,
        };
        *slot = Some((c.points * 10.0).round() / 10.0);
    }
    p
}

fn mode_str(m: DrillMode) -> &'static str {
    match m {
        DrillMode::Reply => "reply",
        DrillMode::Accuracy => "accuracy",
        DrillMode::FindIt => "find_it",
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The line of one local attempt.
fn attempt_line(agent: &str, a: &Attempt, replies: bool) -> Option<String> {
    let at = millis(&a.submitted_at)?;
    let m = &a.metrics;
    let line = WireLine {
        v: FORMAT_VERSION,
        kind: "attempt".into(),
        agent: agent.into(),
        at: at.into(),
        drill: Some(a.drill_id.as_str().into()),
        category: Some(a.category.as_str().into()),
        mode: Some(mode_str(a.mode).into()),
        score: Some(a.score),
        parts: Some(parts_of(a)),
        first_response_ms: m.response_ms.map(f64::round),
        total_ms: Some(m.total_ms.round()),
        cpm: Some(round1(m.cpm)),
        kpc: Some(round1(m.keystrokes_per_char)),
        pasted: Some(m.pasted_chars),
        reply: replies.then(|| a.reply.as_str().into()),
        ..WireLine::default()
    };
    serde_json::to_string(&line).ok()
}

fn use_line(agent: &str, u: &UseEvent) -> Option<String> {
    let at = millis(&u.at)?;
    let line = WireLine {
        v: FORMAT_VERSION,
        kind: "use".into(),
        agent: agent.into(),
        at: at.into(),
        doc: Some(u.doc_id.as_str().into()),
        phrase: u.phrase_code.as_deref().map(Into::into),
        action: Some(
            match u.action {
                UseAction::Sent => "sent",
                UseAction::Copied => "copied",
            }
            .into(),
        ),
        ..WireLine::default()
    };
    serde_json::to_string(&line).ok()
}

fn profile_line(agent: &str, name: &str, now: &str) -> Option<String> {
    let line = WireLine {
        v: FORMAT_VERSION,
        kind: "profile".into(),
        agent: agent.into(),
        at: now.into(),
        name: Some(name.into()),
        ..WireLine::default()
    };
    serde_json::to_string(&line).ok()
}

/// Appends to the agent's results file whatever of the local database it lacks (and a profile
/// line when the display name changed). Returns the number of lines written. Does nothing
/// while sharing is off.
pub fn sync_local(
    content_dir: &Path,
    team: &TeamSettings,
    name: Option<&str>,
    store: &Store,
    now: chrono::DateTime<Utc>,
) -> Result<usize> {
    if !team.share {
        return Ok(0);
    }
    let agent = team
        .agent_id
        .as_deref()
        .ok_or_else(|| Error::InvalidInput("sharing needs an agent id".into()))?;
    let path = file_for(content_dir, agent)?;
    let existing = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let (have, _) = parse(agent, &results_path(agent), &existing);
    // What identifies a line already shared: time, drill, mode and score of an attempt; time,
    // document, phrase and action of a use.
    let attempts_have: HashSet<(i64, &str, DrillMode, u32)> = have
        .attempts
        .iter()
        .map(|r| (r.at_ms, have.str(r.drill), r.mode, u32::from(r.score)))
        .collect();
    let uses_have: HashSet<(i64, &str, Option<&str>, bool)> = have
        .uses
        .iter()
        .map(|u| {
            (
                u.at_ms,
                have.str(u.doc),
                u.phrase.map(|p| have.str(p)),
                u.sent,
            )
        })
        .collect();
    let mut lines: Vec<String> = Vec::new();
    let now = now.to_rfc3339_opts(SecondsFormat::Millis, true);
    let name = name.map(super::results::display_name).unwrap_or_default();
    if !name.is_empty() && (have.name != name || existing.is_empty()) {
        lines.extend(profile_line(agent, &name, &now));
    }
    for a in store.attempts(None)? {
        let key = millis(&a.submitted_at).and_then(|t| parse_ms(&t));
        if key.is_some_and(|k| !attempts_have.contains(&(k, a.drill_id.as_str(), a.mode, a.score)))
        {
            lines.extend(attempt_line(agent, &a, team.share_replies));
        }
    }
    for u in store.uses(None)? {
        let key = millis(&u.at).and_then(|t| parse_ms(&t));
        let sent = u.action == UseAction::Sent;
        if key.is_some_and(|k| {
            !uses_have.contains(&(k, u.doc_id.as_str(), u.phrase_code.as_deref(), sent))
        }) {
            lines.extend(use_line(agent, &u));
        }
    }
    if lines.is_empty() {
        return Ok(0);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    // Union merges for results files, so that one agent on two machines never conflicts.
    let attributes = content_dir.join(TEAM_DIR).join(".gitattributes");
    if std::fs::symlink_metadata(&attributes).is_err() {
        std::fs::write(&attributes, super::GITATTRIBUTES).map_err(|e| Error::io(&attributes, e))?;
    }
    let mut text = String::new();
    if existing.last().is_some_and(|&b| b != b'\n') {
        text.push('\n');
    }
    for l in &lines {
        text.push_str(l);
        text.push('\n');
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_data())
        .map_err(|e| Error::io(&path, e))?;
    Ok(lines.len())
}

/// The team settings after `req` (validated: sharing needs a valid agent id; an id left out
/// keeps the one set before).
pub fn apply_request(old: &TeamSettings, req: &SharingRequest) -> Result<TeamSettings> {
    let agent = req
        .agent_id
        .as_deref()
        .map(super::normalise_agent_id)
        .filter(|a| !a.is_empty())
        .or_else(|| old.agent_id.clone());
    let team = TeamSettings {
        agent_id: agent,
        share: req.share,
        share_replies: req.share && req.share_replies,
    };
    check(&team)?;
    Ok(team)
}

/// Any agent id set must be valid, and sharing needs one.
pub fn check(team: &TeamSettings) -> Result<()> {
    match team.agent_id.as_deref() {
        Some(id) if !valid_agent_id(id) => Err(Error::InvalidInput(format!(
            "`{id}` is not a valid agent id: use 1–32 letters, digits, - or _"
        ))),
        None if team.share => Err(Error::InvalidInput("sharing needs an agent id".into())),
        _ => Ok(()),
    }
}

/// Deletes the agent's results file (the next 同步 removes it from the repository).
pub fn delete_shared(content_dir: &Path, agent: &str) -> Result<bool> {
    let path = file_for(content_dir, agent)?;
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// How many preview lines [`status`] shows.
const PREVIEW_LINES: usize = 3;

/// The sharing state for the settings screen.
pub fn status(content_dir: &Path, team: &TeamSettings, store: &Store) -> Result<ShareStatus> {
    let attempts_local = store.attempts(None)?.len();
    let in_repository = crate::git::Git::new(content_dir).is_repo();
    let mut out = ShareStatus {
        enabled: team.share,
        agent_id: team.agent_id.clone(),
        share_replies: team.share_replies,
        path: None,
        attempts_shared: 0,
        uses_shared: 0,
        attempts_local,
        preview: Vec::new(),
        in_repository,
    };
    let Some(agent) = team.agent_id.as_deref().filter(|a| valid_agent_id(a)) else {
        return Ok(out);
    };
    out.path = Some(results_path(agent));
    let path = file_for(content_dir, agent)?;
    if let Ok(bytes) = std::fs::read(&path) {
        let (have, _) = parse(agent, &results_path(agent), &bytes);
        out.attempts_shared = have.attempts.len();
        out.uses_shared = have.uses.len();
        let text = String::from_utf8_lossy(&bytes);
        let mut last: Vec<String> = text
            .lines()
            .rev()
            .filter(|l| !l.trim().is_empty())
            .take(PREVIEW_LINES)
            .map(str::to_string)
            .collect();
        last.reverse();
        out.preview = last;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, ManualClock};
    use crate::drill::{ScoreBreakdown, TypingMetrics};
    use crate::store::NewAttempt;

    fn record(store: &Store, clock: &ManualClock, drill: &str, score: u32, reply: &str) {
        let breakdown = ScoreBreakdown {
            score,
            elements: vec![],
            facts: vec![],
            missing: vec![],
            banned: vec![],
            mistakes: vec![],
            similarity: 0.5,
            similarity_by: Default::default(),
            closest_reference: String::new(),
            components: vec![],
        };
        let metrics = TypingMetrics {
            response_ms: Some(4000.0),
            total_ms: 30000.0,
            cpm: 60.0,
            ..TypingMetrics::default()
        };
        store
            .record(
                &NewAttempt {
                    drill_id: drill,
                    category: "催发货",
                    mode: DrillMode::Reply,
                    session_id: None,
                    started_at: clock.now().with_timezone(&Utc),
                    reply,
                    breakdown: &breakdown,
                    metrics: &metrics,
                },
                clock,
            )
            .expect("record");
    }

    fn team(share: bool, replies: bool) -> TeamSettings {
        TeamSettings {
            agent_id: Some("xh".into()),
            share,
            share_replies: replies,
        }
    }

    #[test]
    fn sharing_appends_only_what_is_new_and_nothing_while_off() {
        let tmp = tempfile::tempdir().expect("tmp");
        let clock = ManualClock::new(
            chrono::DateTime::parse_from_rfc3339("2026-12-01T08:00:00+08:00")
                .expect("t")
                .with_timezone(&chrono::Local),
        );
        let store = Store::in_memory().expect("store");
        record(&store, &clock, "drills/a", 80, "好的亲，马上为您催仓库");
        let now = clock.now().with_timezone(&Utc);
        assert_eq!(
            sync_local(tmp.path(), &team(false, false), Some("小红"), &store, now).expect("off"),
            0
        );
        assert!(
            !tmp.path().join(RESULTS_DIR).exists(),
            "nothing written while off"
        );
        let n = sync_local(tmp.path(), &team(true, false), Some("小红"), &store, now).expect("on");
        assert_eq!(n, 2, "profile + one attempt");
        clock.set(clock.now() + chrono::Duration::seconds(90));
        record(&store, &clock, "drills/b", 60, "稍等");
        let n =
            sync_local(tmp.path(), &team(true, false), Some("小红"), &store, now).expect("again");
        assert_eq!(n, 1, "only the new attempt");
        let text = std::fs::read_to_string(tmp.path().join("team/results/xh.jsonl")).expect("file");
        assert_eq!(text.lines().count(), 3);
        assert!(
            !text.contains("马上为您"),
            "no reply text unless asked: {text}"
        );
        let (a, problems) = parse("xh", "f", text.as_bytes());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(a.name, "小红");
        assert_eq!(a.attempts.len(), 2);
        assert_eq!(a.attempts[0].first_ms, Some(4000.0));
        let status = status(tmp.path(), &team(true, false), &store).expect("status");
        assert_eq!((status.attempts_shared, status.attempts_local), (2, 2));
        assert_eq!(status.preview.len(), 3);
        assert_eq!(status.preview[2], text.lines().nth(2).unwrap_or_default());
    }

    #[test]
    fn a_cut_last_line_and_a_long_name_do_not_spoil_later_appends() {
        let tmp = tempfile::tempdir().expect("tmp");
        let clock = ManualClock::new(
            chrono::DateTime::parse_from_rfc3339("2026-12-01T08:00:00+08:00")
                .expect("t")
                .with_timezone(&chrono::Local),
        );
        let store = Store::in_memory().expect("store");
        let long = "很长的名字".repeat(12);
        let now = clock.now().with_timezone(&Utc);
        record(&store, &clock, "drills/a", 80, "x");
        sync_local(tmp.path(), &team(true, false), Some(&long), &store, now).expect("first");
        let file = tmp.path().join("team/results/xh.jsonl");
        // A write cut short (power loss): half a line, no newline.
        let mut text = std::fs::read_to_string(&file).expect("f");
        text.push_str("{\"v\":1,\"type\":\"att");
        std::fs::write(&file, &text).expect("cut");
        clock.set(clock.now() + chrono::Duration::seconds(90));
        record(&store, &clock, "drills/b", 60, "y");
        let n =
            sync_local(tmp.path(), &team(true, false), Some(&long), &store, now).expect("again");
        assert_eq!(
            n, 1,
            "only the new attempt: the long name is not written again"
        );
        let (a, problems) = parse("xh", "f", &std::fs::read(&file).expect("f"));
        assert_eq!(a.attempts.len(), 2);
        assert_eq!(problems.len(), 1, "only the cut line: {problems:?}");
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("team/.gitattributes")).expect("attributes"),
            crate::team::GITATTRIBUTES
        );
    }

    #[test]
    fn reply_texts_only_when_asked_and_deleting_is_explicit() {
        let tmp = tempfile::tempdir().expect("tmp");
        let clock = ManualClock::new(
            chrono::DateTime::parse_from_rfc3339("2026-12-01T08:00:00+08:00")
                .expect("t")
                .with_timezone(&chrono::Local),
        );
        let store = Store::in_memory().expect("store");
        record(&store, &clock, "drills/a", 80, "好的亲，马上为您催仓库");
        let now = clock.now().with_timezone(&Utc);
        sync_local(tmp.path(), &team(true, true), None, &store, now).expect("on");
        let file = tmp.path().join("team/results/xh.jsonl");
        assert!(
            std::fs::read_to_string(&file)
                .expect("f")
                .contains("马上为您催仓库")
        );
        assert!(delete_shared(tmp.path(), "xh").expect("delete"));
        assert!(!file.exists());
        assert!(!delete_shared(tmp.path(), "xh").expect("again"));
    }

    #[test]
    fn hostile_ids_and_links_are_refused() {
        let tmp = tempfile::tempdir().expect("tmp");
        let store = Store::in_memory().expect("store");
        let bad = TeamSettings {
            agent_id: Some("../../etc/x".into()),
            share: true,
            share_replies: false,
        };
        assert!(sync_local(tmp.path(), &bad, None, &store, Utc::now()).is_err());
        #[cfg(unix)]
        {
            let outside = tempfile::tempdir().expect("outside");
            std::os::unix::fs::symlink(outside.path(), tmp.path().join(TEAM_DIR)).expect("link");
            let clock = ManualClock::new(
                chrono::DateTime::parse_from_rfc3339("2026-12-01T08:00:00+08:00")
                    .expect("t")
                    .with_timezone(&chrono::Local),
            );
            record(&store, &clock, "drills/a", 80, "x");
            let r = sync_local(tmp.path(), &team(true, false), None, &store, Utc::now());
            assert!(r.is_err_and(|e| e.to_string().contains("not a folder")));
            assert_eq!(std::fs::read_dir(outside.path()).expect("d").count(), 0);
        }
    }
}
