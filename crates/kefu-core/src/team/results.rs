//! The results files: the line format, and reading every agent's file with its problems.
//!
//! A line is one JSON object with `v` (format version), `type` (`attempt`, `use` or
//! `profile`), `agent` (the file's own id) and `at` (RFC 3339, UTC), then the fields of its type:
//!
//! ```text
//! {"v":1,"type":"profile","agent":"xiaohong","at":"2026-12-01T08:00:00.000Z","name":"小红"}
//! {"v":1,"type":"attempt","agent":"xiaohong","at":"2026-12-01T08:01:10.250Z","drill":"drills/cuifahuo-zhaoji",
//!  "category":"催发货","mode":"reply","score":82,"parts":{"elements":38.0,"similarity":24.0,"speed":20.0},
//!  "first_response_ms":5200.0,"total_ms":41000.0,"cpm":61.5,"kpc":2.4,"pasted":0}
//! {"v":1,"type":"use","agent":"xiaohong","at":"2026-12-01T09:12:00.000Z","doc":"playbooks/cuifahuo","phrase":"cfh1","action":"sent"}
//! ```
//!
//! (each object on one line). `reply` (the reply's text) is present only when the agent also
//! shares their replies. Unknown fields are ignored, so newer versions can add some.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{FORMAT_VERSION, RESULTS_DIR, valid_agent_id};
use crate::content::{Problem, ProblemCode};
use crate::store::DrillMode;

/// Bytes of one results file that are read (≈ 250 000 attempts, decades of practice).
pub const MAX_RESULTS_BYTES: u64 = 64 << 20;
/// Problems reported per file; the rest are counted in one last problem.
const MAX_PROBLEMS_PER_FILE: usize = 20;

/// The points of each part of a score (as in the score breakdown).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Parts {
    /// Reply elements.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elements: Option<f64>,
    /// Rubric facts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facts: Option<f64>,
    /// Closeness to a reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f64>,
    /// Speed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
    /// Penalised words (negative).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub penalty: Option<f64>,
    /// Known mistakes (negative).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mistakes: Option<f64>,
}

/// One line of a results file, as written and read (strings borrowed from the line).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct WireLine<'a> {
    /// Format version.
    #[serde(default)]
    pub v: u32,
    /// `attempt`, `use` or `profile`.
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    /// The agent the line belongs to (the file's id).
    #[serde(borrow)]
    pub agent: Cow<'a, str>,
    /// When (RFC 3339).
    #[serde(borrow)]
    pub at: Cow<'a, str>,
    /// Attempt: the drill.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub drill: Option<Cow<'a, str>>,
    /// Attempt: its category.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Cow<'a, str>>,
    /// Attempt: `reply`, `accuracy` or `find_it`.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Cow<'a, str>>,
    /// Attempt: 0–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u32>,
    /// Attempt: the score's parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parts: Option<Parts>,
    /// Attempt: message shown → first input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_ms: Option<f64>,
    /// Attempt: message shown → submit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_ms: Option<f64>,
    /// Attempt: committed characters per minute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpm: Option<f64>,
    /// Attempt: keystrokes per committed character.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kpc: Option<f64>,
    /// Attempt: pasted characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pasted: Option<u32>,
    /// Attempt: the reply's text (only when the agent shares replies).
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<Cow<'a, str>>,
    /// Use: the document.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<Cow<'a, str>>,
    /// Use: the phrase's code.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub phrase: Option<Cow<'a, str>>,
    /// Use: `copied` or `sent`.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Cow<'a, str>>,
    /// Profile: the agent's display name.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Cow<'a, str>>,
}

/// A line as read for the view: the fields it uses, borrowed (`parts` and `reply` are skipped).
#[derive(Debug, Deserialize)]
struct ReadLine<'a> {
    #[serde(default)]
    v: u32,
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    agent: Cow<'a, str>,
    #[serde(borrow)]
    at: Cow<'a, str>,
    #[serde(borrow, default)]
    drill: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    category: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    mode: Option<Cow<'a, str>>,
    #[serde(default)]
    score: Option<u32>,
    #[serde(default)]
    first_response_ms: Option<f64>,
    #[serde(default)]
    cpm: Option<f64>,
    #[serde(default)]
    pasted: Option<u32>,
    #[serde(borrow, default)]
    doc: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    phrase: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    action: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
}

/// One attempt, compact (strings are indexes into [`AgentResults::strings`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rec {
    /// Submitted, milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The drill id.
    pub drill: u32,
    /// The category.
    pub category: u32,
    /// How it was practised.
    pub mode: DrillMode,
    /// 0–100.
    pub score: u8,
    /// Message shown → first input.
    pub first_ms: Option<f32>,
    /// Characters per minute.
    pub cpm: Option<f32>,
    /// Pasted characters.
    pub pasted: u32,
}

/// One phrase use, compact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UseRec {
    /// When, milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The document.
    pub doc: u32,
    /// The phrase code, if any.
    pub phrase: Option<u32>,
    /// Sent to the chat (else copied).
    pub sent: bool,
}

/// Everything read from one agent's file.
#[derive(Debug, Clone, Default)]
pub struct AgentResults {
    /// The agent's id (the file's name).
    pub id: String,
    /// Display name (the last `profile` line), else the id.
    pub name: String,
    /// The file, relative to the content folder.
    pub path: String,
    /// Attempts, oldest first.
    pub attempts: Vec<Rec>,
    /// Phrase uses, oldest first.
    pub uses: Vec<UseRec>,
    /// The strings the records point to.
    pub strings: Vec<String>,
}

impl AgentResults {
    /// The string with index `i`.
    pub fn str(&self, i: u32) -> &str {
        self.strings.get(i as usize).map_or("", String::as_str)
    }
}

#[derive(Default)]
struct Interner {
    map: HashMap<String, u32>,
    strings: Vec<String>,
}

impl Interner {
    fn get(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.map.get(s) {
            return i;
        }
        let i = u32::try_from(self.strings.len()).unwrap_or(u32::MAX);
        self.strings.push(s.to_string());
        self.map.insert(s.to_string(), i);
        i
    }
}

/// All results files of a content folder, and what was wrong with them.
#[derive(Debug, Clone, Default)]
pub struct TeamData {
    /// One entry per readable file, sorted by agent id.
    pub agents: Vec<AgentResults>,
    /// Problems, by file and line.
    pub problems: Vec<Problem>,
}

/// Highest characters per minute accepted (fast typists reach ~300).
const MAX_CPM: f64 = 1000.0;
/// Longest first response accepted (a day).
const MAX_FIRST_RESPONSE_MS: f64 = 86_400_000.0;

/// `s` without control and bidirectional-override characters (they would reach terminals and
/// spreadsheets as written).
pub fn clean(s: &str) -> Cow<'_, str> {
    let bad = |c: char| {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if s.chars().any(bad) {
        Cow::Owned(s.chars().filter(|c| !bad(*c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// A display name as kept: cleaned, trimmed, at most 40 characters.
pub fn display_name(s: &str) -> String {
    clean(s).trim().chars().take(40).collect()
}

/// Parses an RFC 3339 time to milliseconds since the epoch. The UTC form Kefu writes
/// (`2026-12-01T08:01:10.250Z`, with or without milliseconds) takes a fast path: a year of a
/// team's practice is a million of them.
pub fn parse_ms(at: &str) -> Option<i64> {
    fast_utc_ms(at.as_bytes()).or_else(|| {
        chrono::DateTime::parse_from_rfc3339(at)
            .ok()
            .map(|t| t.timestamp_millis())
    })
}

fn fast_utc_ms(b: &[u8]) -> Option<i64> {
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let mut v = 0i64;
        for &c in b.get(r)? {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
        }
        Some(v)
    };
    let millis = match b.len() {
        24 if b[19] == b'.' && b[23] == b'Z' => digits(20..23)?,
        20 if b[19] == b'Z' => 0,
        _ => return None,
    };
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    // Days past the 28th go through chrono, which knows each month's length.
    if d > 28 {
        return None;
    }
    let (hh, mm, ss) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from the civil date (H. Hinnant's algorithm), proleptic Gregorian.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + hh) * 60 + mm) * 60_000 + ss * 1000 + millis)
}

fn serde_detail(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    }
}

/// Reads every `team/results/*.jsonl` of `content_dir` (files in parallel). A folder without
/// results gives empty data; nothing here fails.
pub fn load(content_dir: &Path) -> TeamData {
    let Some(dir) = super::real_dir(content_dir, RESULTS_DIR) else {
        return TeamData {
            agents: Vec::new(),
            problems: vec![Problem::error(RESULTS_DIR, 1, ProblemCode::TeamNotAFile)],
        };
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return TeamData::default();
    };
    let mut files: Vec<(String, std::path::PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".jsonl")
                .map(|stem| (stem.to_string(), e.path()))
        })
        .collect();
    files.sort();
    let read: Vec<(Option<AgentResults>, Vec<Problem>)> = files
        .par_iter()
        .map(|(stem, path)| read_file(stem, path))
        .collect();
    let mut out = TeamData::default();
    for (agent, problems) in read {
        out.agents.extend(agent);
        out.problems.extend(problems);
    }
    out
}

/// Reads one agent's file.
fn read_file(stem: &str, path: &Path) -> (Option<AgentResults>, Vec<Problem>) {
    let rel = format!("{RESULTS_DIR}/{stem}.jsonl");
    if !valid_agent_id(stem) {
        return (
            None,
            vec![Problem::error(&rel, 1, ProblemCode::TeamBadAgentId).arg("name", stem)],
        );
    }
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_file() => {}
        Ok(_) => {
            return (
                None,
                vec![Problem::error(&rel, 1, ProblemCode::TeamNotAFile)],
            );
        }
        Err(e) => {
            return (
                None,
                vec![Problem::error(&rel, 1, ProblemCode::CannotRead).arg("detail", e)],
            );
        }
    }
    let mut bytes = Vec::new();
    let size = match std::fs::File::open(path).and_then(|f| {
        let size = f.metadata()?.len();
        f.take(MAX_RESULTS_BYTES).read_to_end(&mut bytes)?;
        Ok(size)
    }) {
        Ok(size) => size,
        Err(e) => {
            return (
                None,
                vec![Problem::error(&rel, 1, ProblemCode::CannotRead).arg("detail", e)],
            );
        }
    };
    let mut problems = Vec::new();
    if size > MAX_RESULTS_BYTES {
        // Drop the line cut in the middle.
        if let Some(end) = bytes.iter().rposition(|&b| b == b'\n') {
            bytes.truncate(end + 1);
        }
        problems.push(
            Problem::warning(&rel, 1, ProblemCode::TeamFileTooLarge)
                .arg("limit_mb", MAX_RESULTS_BYTES >> 20)
                .arg("size_mb", size >> 20),
        );
    }
    let (agent, mut line_problems) = parse(stem, &rel, &bytes);
    problems.append(&mut line_problems);
    // A file with no readable line is no agent (its problems still say why).
    let empty = agent.attempts.is_empty() && agent.uses.is_empty() && agent.name == agent.id;
    (if empty { None } else { Some(agent) }, problems)
}

/// Parses the bytes of `owner`'s file (`rel` names it in problems).
pub fn parse(owner: &str, rel: &str, bytes: &[u8]) -> (AgentResults, Vec<Problem>) {
    let mut out = AgentResults {
        id: owner.to_string(),
        name: owner.to_string(),
        path: rel.to_string(),
        ..AgentResults::default()
    };
    let mut strings = Interner::default();
    let mut problems = Vec::new();
    let mut bad = 0usize;
    // The same line twice (one agent's file appended to on two machines and merged by union,
    // or a shared line written again) counts once.
    let mut seen: HashSet<u64> = HashSet::new();
    let mut report = |problems: &mut Vec<Problem>, p: Problem| {
        bad += 1;
        if bad <= MAX_PROBLEMS_PER_FILE {
            problems.push(p);
        }
    };
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let n = i + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let raw = if n == 1 {
            raw.strip_prefix("\u{feff}".as_bytes()).unwrap_or(raw)
        } else {
            raw
        };
        if raw.iter().all(u8::is_ascii_whitespace) || !seen.insert(xxhash_rust::xxh3::xxh3_64(raw))
        {
            continue;
        }
        let bad_line = |detail: String| {
            Problem::warning(rel, n, ProblemCode::TeamBadLine).arg("detail", detail)
        };
        let Ok(text) = std::str::from_utf8(raw) else {
            report(&mut problems, bad_line("not UTF-8 text".into()));
            continue;
        };
        let line: ReadLine<'_> = match serde_json::from_str(text) {
            Ok(l) => l,
            Err(e) => {
                report(&mut problems, bad_line(serde_detail(&e)));
                continue;
            }
        };
        if line.agent != owner {
            report(
                &mut problems,
                Problem::error(rel, n, ProblemCode::TeamForeignAgent)
                    .arg("agent", &line.agent)
                    .arg("owner", owner),
            );
            continue;
        }
        let Some(at_ms) = parse_ms(&line.at) else {
            report(
                &mut problems,
                bad_line(format!("`at` is not a time: `{}`", line.at)),
            );
            continue;
        };
        match line.kind.as_ref() {
            "attempt" => {
                let (Some(drill), Some(category), Some(score)) =
                    (&line.drill, &line.category, line.score)
                else {
                    report(
                        &mut problems,
                        bad_line("an attempt needs `drill`, `category` and `score`".into()),
                    );
                    continue;
                };
                if score > 100 {
                    report(
                        &mut problems,
                        bad_line(format!("score {score} is over 100")),
                    );
                    continue;
                }
                let mode = match line.mode.as_deref() {
                    None | Some("reply") => DrillMode::Reply,
                    Some("accuracy") => DrillMode::Accuracy,
                    Some("find_it") => DrillMode::FindIt,
                    Some(other) => {
                        report(&mut problems, bad_line(format!("unknown mode `{other}`")));
                        continue;
                    }
                };
                // A measurement no person produces (a reply typed by a script or pasted in one
                // go, a clock that jumped) says nothing about the agent's speed: the attempt and
                // its score count, the measurement does not.
                let cpm = line.cpm.filter(|c| (0.0..=MAX_CPM).contains(c));
                let first_response_ms = line
                    .first_response_ms
                    .filter(|f| (0.0..=MAX_FIRST_RESPONSE_MS).contains(f));
                let finite = |v: Option<f64>| v.filter(|x| x.is_finite() && *x >= 0.0);
                out.attempts.push(Rec {
                    at_ms,
                    drill: strings.get(&clean(drill)),
                    category: strings.get(&clean(category)),
                    mode,
                    score: u8::try_from(score).unwrap_or(100),
                    first_ms: finite(first_response_ms).map(|v| v as f32),
                    cpm: finite(cpm).map(|v| v as f32),
                    pasted: line.pasted.unwrap_or(0),
                });
            }
            "use" => {
                let Some(doc) = &line.doc else {
                    report(&mut problems, bad_line("a use needs `doc`".into()));
                    continue;
                };
                out.uses.push(UseRec {
                    at_ms,
                    doc: strings.get(&clean(doc)),
                    phrase: line.phrase.as_deref().map(|p| strings.get(&clean(p))),
                    sent: line.action.as_deref() == Some("sent"),
                });
            }
            "profile" => {
                let name = display_name(line.name.as_deref().unwrap_or(""));
                if !name.is_empty() {
                    out.name = name;
                }
            }
            // A newer Kefu may write kinds this one does not know: skip them quietly.
            _ if line.v > FORMAT_VERSION => {}
            other => report(&mut problems, bad_line(format!("unknown type `{other}`"))),
        }
    }
    if bad > MAX_PROBLEMS_PER_FILE {
        problems.push(Problem::warning(rel, 1, ProblemCode::TeamBadLine).arg(
            "detail",
            format!("{} more bad lines not listed", bad - MAX_PROBLEMS_PER_FILE),
        ));
    }
    out.attempts.sort_by_key(|a| a.at_ms);
    out.uses.sort_by_key(|u| u.at_ms);
    out.strings = strings.strings;
    (out, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"v":1,"type":"profile","agent":"xh","at":"2026-12-01T08:00:00Z","name":"小红"}
{"v":1,"type":"attempt","agent":"xh","at":"2026-12-01T08:01:00Z","drill":"drills/a","category":"催发货","mode":"reply","score":82,"first_response_ms":5200,"cpm":61.5,"pasted":0}
{"v":1,"type":"use","agent":"xh","at":"2026-12-01T08:02:00Z","doc":"playbooks/p","phrase":"c1","action":"sent"}
"#;

    #[test]
    fn a_good_file_reads_every_kind_of_line() {
        let (a, problems) = parse("xh", "team/results/xh.jsonl", GOOD.as_bytes());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(a.name, "小红");
        assert_eq!(a.attempts.len(), 1);
        let r = a.attempts[0];
        assert_eq!((a.str(r.drill), a.str(r.category)), ("drills/a", "催发货"));
        assert_eq!(
            (r.score, r.first_ms, r.mode),
            (82, Some(5200.0), DrillMode::Reply)
        );
        assert_eq!(a.uses.len(), 1);
        assert!(a.uses[0].sent);
        assert_eq!(a.uses[0].phrase.map(|p| a.str(p)), Some("c1"));
    }

    #[test]
    fn bad_lines_are_reported_with_their_line_and_the_rest_is_read() {
        let text = format!(
            "{GOOD}not json\n{}\n\u{0}\u{1}\n{}\n{}\n{}\n",
            r#"{"v":1,"type":"attempt","agent":"other","at":"2026-12-01T08:01:00Z","drill":"d","category":"c","score":1}"#,
            r#"{"v":1,"type":"attempt","agent":"xh","at":"yesterday","drill":"d","category":"c","score":1}"#,
            r#"{"v":1,"type":"attempt","agent":"xh","at":"2026-12-01T08:01:00Z","drill":"d","category":"c","score":900}"#,
            r#"{"v":9,"type":"hologram","agent":"xh","at":"2026-12-01T08:01:00Z"}"#,
        );
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(b"\xff\xfe broken\n");
        let (a, problems) = parse("xh", "team/results/xh.jsonl", &bytes);
        assert_eq!(a.attempts.len(), 1, "the good attempt is kept");
        let lines: Vec<(usize, ProblemCode)> = problems.iter().map(|p| (p.line, p.code)).collect();
        assert_eq!(
            lines,
            vec![
                (4, ProblemCode::TeamBadLine),
                (5, ProblemCode::TeamForeignAgent),
                (6, ProblemCode::TeamBadLine),
                (7, ProblemCode::TeamBadLine),
                (8, ProblemCode::TeamBadLine),
                (10, ProblemCode::TeamBadLine),
            ],
            "{problems:#?}"
        );
        assert!(problems[1].message.contains("`other`"));
        assert!(problems.iter().all(|p| p.path == "team/results/xh.jsonl"));
    }

    #[test]
    fn the_fast_time_path_agrees_with_chrono() {
        for at in [
            "2026-12-01T08:01:10.250Z",
            "2026-12-01T08:01:10Z",
            "2024-02-29T23:59:59.999Z",
            "1999-01-01T00:00:00Z",
            "2030-03-01T00:00:00.001Z",
        ] {
            let slow = chrono::DateTime::parse_from_rfc3339(at)
                .expect("t")
                .timestamp_millis();
            assert_eq!(parse_ms(at), Some(slow), "{at}");
            if !at.starts_with("2024-02-29") {
                assert_eq!(
                    fast_utc_ms(at.as_bytes()),
                    Some(slow),
                    "{at}: the fast path"
                );
            }
        }
        assert_eq!(fast_utc_ms(b"2026-13-01T08:01:10Z"), None);
        assert_eq!(
            parse_ms("2026-02-31T08:01:10Z"),
            None,
            "no 31st of February"
        );
        assert_eq!(
            parse_ms("2026-12-01T16:01:10+08:00"),
            parse_ms("2026-12-01T08:01:10Z"),
            "other forms go through chrono"
        );
    }

    #[test]
    fn duplicates_a_byte_order_mark_and_impossible_values() {
        let line = r#"{"v":1,"type":"attempt","agent":"xh","at":"2026-12-01T08:01:00Z","drill":"d","category":"c","score":70,"cpm":60}"#;
        let forged = r#"{"v":1,"type":"attempt","agent":"xh","at":"2026-12-01T08:02:00Z","drill":"d","category":"c","score":70,"cpm":1e300}"#;
        let named = r#"{"v":1,"type":"profile","agent":"xh","at":"2026-12-01T08:00:00Z","name":"小\u001b[31m红\u202e"}"#;
        let text = format!("\u{feff}{line}\n{line}\n{forged}\n{named}\n");
        let (a, problems) = parse("xh", "f", text.as_bytes());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(a.attempts.len(), 2, "the same line twice counts once");
        assert_eq!(a.attempts[0].cpm, Some(60.0));
        assert_eq!(
            a.attempts[1].cpm, None,
            "a CPM no person types is not a measurement; the attempt still counts"
        );
        assert_eq!(
            a.name, "小[31m红",
            "control and bidi characters are dropped"
        );
    }

    #[test]
    fn a_flood_of_bad_lines_is_summarised() {
        let text: String = (0..500).map(|i| format!("garbage {i}\n")).collect();
        let (_, problems) = parse("xh", "f", text.as_bytes());
        assert_eq!(problems.len(), MAX_PROBLEMS_PER_FILE + 1);
        assert!(
            problems
                .last()
                .is_some_and(|p| p.message.contains("480 more"))
        );
    }

    #[test]
    fn hostile_file_names_and_links_are_skipped_and_reported() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join(RESULTS_DIR);
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("xh.jsonl"), GOOD).expect("good");
        std::fs::write(dir.join("..evil.jsonl"), GOOD).expect("evil");
        std::fs::write(dir.join("a b.jsonl"), GOOD).expect("space");
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc/passwd", dir.join("link.jsonl")).expect("link");
        let data = load(tmp.path());
        assert_eq!(data.agents.len(), 1);
        assert_eq!(data.agents[0].id, "xh");
        let codes: Vec<(String, ProblemCode)> = data
            .problems
            .iter()
            .map(|p| (p.path.clone(), p.code))
            .collect();
        assert!(codes.contains(&(
            "team/results/..evil.jsonl".into(),
            ProblemCode::TeamBadAgentId
        )));
        assert!(codes.contains(&("team/results/a b.jsonl".into(), ProblemCode::TeamBadAgentId)));
        #[cfg(unix)]
        assert!(codes.contains(&("team/results/link.jsonl".into(), ProblemCode::TeamNotAFile)));
    }

    #[test]
    fn only_the_start_of_a_huge_file_is_read() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join(RESULTS_DIR);
        std::fs::create_dir_all(&dir).expect("dir");
        let line = |i: usize| {
            format!(
                r#"{{"v":1,"type":"attempt","agent":"big","at":"2026-12-01T08:01:00Z","drill":"drills/a{i:08}","category":"c","score":50}}"#
            )
        };
        let len = line(0).len() + 1;
        let n = (MAX_RESULTS_BYTES as usize / len) + 1000;
        let mut text = String::with_capacity(n * len);
        for i in 0..n {
            text.push_str(&line(i));
            text.push('\n');
        }
        std::fs::write(dir.join("big.jsonl"), text).expect("write");
        let data = load(tmp.path());
        assert_eq!(data.agents.len(), 1);
        let read = data.agents[0].attempts.len();
        assert!(read < n && read > n - 2000, "{read} of {n}");
        assert_eq!(data.problems.len(), 1, "{:?}", data.problems);
        assert_eq!(data.problems[0].code, ProblemCode::TeamFileTooLarge);
    }
}
