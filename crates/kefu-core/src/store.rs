//! The local practice record (SQLite through rusqlite): the profile, every drill attempt with its
//! metrics and score breakdown, and each drill's spaced-repetition card.
//!
//! Migrations are numbered SQL scripts applied in one transaction each, tracked by
//! `PRAGMA user_version` (hand-rolled: `rusqlite_migration` pins an older rusqlite, and two
//! bundled SQLites cannot link into one binary). The database runs in WAL mode. A file that is
//! not a readable database is moved aside (`kefu.sqlite3.corrupt-<time>`), never deleted.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::clock::Clock;
use crate::drill::{ScoreBreakdown, TypingMetrics};
use crate::error::{Error, Result};

/// File name inside the data folder.
pub const DB_FILE: &str = "kefu.sqlite3";

/// Schema migrations, in order. Never edit a shipped one; append.
const MIGRATIONS: &[&str] = &[
    // 1: profile, attempts, spaced-repetition cards.
    "CREATE TABLE profile (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
     );
     CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        drill_id TEXT NOT NULL,
        category TEXT NOT NULL,
        mode TEXT NOT NULL,
        session_id TEXT,
        started_at TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        reply TEXT NOT NULL,
        score INTEGER NOT NULL,
        response_ms REAL,
        cpm REAL NOT NULL,
        breakdown TEXT NOT NULL,
        metrics TEXT NOT NULL
     );
     CREATE INDEX attempts_by_drill ON attempts (drill_id, submitted_at);
     CREATE INDEX attempts_by_category ON attempts (category, submitted_at);
     CREATE TABLE cards (
        drill_id TEXT PRIMARY KEY,
        card TEXT NOT NULL,
        due TEXT NOT NULL
     );",
    // 2: the usage log (crate::usage): each copy or send of a phrase. `query` is typed keywords
    // only, never a customer's message.
    "CREATE TABLE uses (
        id INTEGER PRIMARY KEY,
        doc_id TEXT NOT NULL,
        phrase_code TEXT,
        at TEXT NOT NULL,
        query TEXT,
        found_by TEXT NOT NULL,
        action TEXT NOT NULL
     );
     CREATE INDEX uses_by_time ON uses (at);
     CREATE INDEX uses_by_doc ON uses (doc_id, at);",
];

/// The latest schema version.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// How an attempt was practised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DrillMode {
    /// Write a reply to the customer.
    Reply,
    /// Retype a reference reply exactly.
    Accuracy,
    /// Find and copy the right phrase through search.
    FindIt,
}

impl DrillMode {
    fn as_str(self) -> &'static str {
        match self {
            DrillMode::Reply => "reply",
            DrillMode::Accuracy => "accuracy",
            DrillMode::FindIt => "find_it",
        }
    }
    fn parse(s: &str) -> DrillMode {
        match s {
            "accuracy" => DrillMode::Accuracy,
            "find_it" => DrillMode::FindIt,
            _ => DrillMode::Reply,
        }
    }
}

/// One stored attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Attempt {
    /// Row id.
    pub id: i64,
    /// The drill.
    pub drill_id: String,
    /// Its category at the time.
    pub category: String,
    /// How it was practised.
    pub mode: DrillMode,
    /// Session it belonged to.
    pub session_id: Option<String>,
    /// When the message was shown (RFC 3339, UTC).
    pub started_at: String,
    /// When it was submitted (RFC 3339, UTC).
    pub submitted_at: String,
    /// What was typed.
    pub reply: String,
    /// 0–100.
    pub score: u32,
    /// The explanation of the score.
    pub breakdown: ScoreBreakdown,
    /// How it was typed.
    pub metrics: TypingMetrics,
}

/// An attempt to record.
#[derive(Debug, Clone)]
pub struct NewAttempt<'a> {
    /// The drill.
    pub drill_id: &'a str,
    /// Its category.
    pub category: &'a str,
    /// The mode.
    pub mode: DrillMode,
    /// The session.
    pub session_id: Option<&'a str>,
    /// When the message appeared.
    pub started_at: DateTime<Utc>,
    /// The reply.
    pub reply: &'a str,
    /// The score.
    pub breakdown: &'a ScoreBreakdown,
    /// The metrics.
    pub metrics: &'a TypingMetrics,
}

/// The practice database.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

fn db_err(path: Option<&Path>, e: rusqlite::Error) -> Error {
    Error::Store {
        path: path.map(Path::to_path_buf).unwrap_or_default(),
        message: e.to_string(),
    }
}

impl Store {
    /// Opens (creating and migrating) the database in `data_dir`. A damaged file is moved aside
    /// and a new one created; the returned note says so.
    pub fn open(data_dir: &Path, clock: &dyn Clock) -> Result<(Store, Option<String>)> {
        std::fs::create_dir_all(data_dir).map_err(|e| Error::io(data_dir, e))?;
        let path = data_dir.join(DB_FILE);
        match Store::open_path(&path) {
            Ok(s) => Ok((s, None)),
            Err(e @ Error::StoreTooNew { .. }) => Err(e),
            Err(first) if path.exists() => {
                let stamp = clock.now().format("%Y%m%d-%H%M%S");
                let aside = data_dir.join(format!("{DB_FILE}.corrupt-{stamp}"));
                std::fs::rename(&path, &aside).map_err(|e| Error::io(&path, e))?;
                for ext in ["-wal", "-shm"] {
                    let side = data_dir.join(format!("{DB_FILE}{ext}"));
                    if side.exists() {
                        let _ = std::fs::rename(
                            &side,
                            data_dir.join(format!("{DB_FILE}{ext}.corrupt-{stamp}")),
                        );
                    }
                }
                let store = Store::open_path(&path)?;
                Ok((
                    store,
                    Some(format!(
                        "the practice database could not be read ({first}); it was moved to {} and a new one was started",
                        aside.display()
                    )),
                ))
            }
            Err(e) => Err(e),
        }
    }

    fn open_path(path: &Path) -> Result<Store> {
        let conn = Connection::open(path).map_err(|e| db_err(Some(path), e))?;
        let mut s = Store {
            conn,
            path: Some(path.to_path_buf()),
        };
        s.prepare()?;
        Ok(s)
    }

    /// An in-memory store (tests, or when no data folder is usable).
    pub fn in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory().map_err(|e| db_err(None, e))?;
        let mut s = Store { conn, path: None };
        s.prepare()?;
        Ok(s)
    }

    fn err(&self, e: rusqlite::Error) -> Error {
        db_err(self.path.as_deref(), e)
    }

    fn prepare(&mut self) -> Result<()> {
        let check: String = self
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if check != "ok" {
            return Err(Error::Store {
                path: self.path.clone().unwrap_or_default(),
                message: format!("integrity check: {check}"),
            });
        }
        if self.path.is_some() {
            let _: String = self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(|e| self.err(e))?;
        }
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 3000;")
            .map_err(|e| self.err(e))?;
        self.migrate()
    }

    /// Applies pending migrations, each atomically with its version bump.
    fn migrate(&mut self) -> Result<()> {
        let current: u32 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if current > SCHEMA_VERSION {
            return Err(Error::StoreTooNew {
                path: self.path.clone().unwrap_or_default(),
                version: current,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let version = i + 1;
            let path = self.path.clone();
            let tx = self
                .conn
                .transaction()
                .map_err(|e| db_err(path.as_deref(), e))?;
            tx.execute_batch(sql)
                .map_err(|e| db_err(path.as_deref(), e))?;
            tx.execute_batch(&format!("PRAGMA user_version = {version}"))
                .map_err(|e| db_err(path.as_deref(), e))?;
            tx.commit().map_err(|e| db_err(path.as_deref(), e))?;
        }
        Ok(())
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// The trainee's name, if set.
    pub fn profile_name(&self) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT name FROM profile WHERE id = 1", [], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Sets the trainee's name (trimmed; a blank name is refused).
    pub fn set_profile_name(&self, name: &str, clock: &dyn Clock) -> Result<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::InvalidInput(
                "the trainee's name cannot be blank".into(),
            ));
        }
        self.conn
            .execute(
                "INSERT INTO profile (id, name, created_at) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name",
                params![name, clock.now().with_timezone(&Utc).to_rfc3339()],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Records an attempt; returns its id.
    pub fn record(&self, a: &NewAttempt<'_>, clock: &dyn Clock) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO attempts (drill_id, category, mode, session_id, started_at, submitted_at, reply, score,
                                       response_ms, cpm, breakdown, metrics)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    a.drill_id,
                    a.category,
                    a.mode.as_str(),
                    a.session_id,
                    a.started_at.to_rfc3339(),
                    clock.now().with_timezone(&Utc).to_rfc3339(),
                    a.reply,
                    a.breakdown.score,
                    a.metrics.response_ms,
                    a.metrics.cpm,
                    json(a.breakdown)?,
                    json(a.metrics)?,
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Attempts, oldest first; only one drill's when `drill_id` is given.
    pub fn attempts(&self, drill_id: Option<&str>) -> Result<Vec<Attempt>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, drill_id, category, mode, session_id, started_at, submitted_at, reply, score, breakdown, metrics
                 FROM attempts WHERE (?1 IS NULL OR drill_id = ?1) ORDER BY submitted_at, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![drill_id], |r| {
                let breakdown: String = r.get(9)?;
                let metrics: String = r.get(10)?;
                let mode: String = r.get(3)?;
                Ok(Attempt {
                    id: r.get(0)?,
                    drill_id: r.get(1)?,
                    category: r.get(2)?,
                    mode: DrillMode::parse(&mode),
                    session_id: r.get(4)?,
                    started_at: r.get(5)?,
                    submitted_at: r.get(6)?,
                    reply: r.get(7)?,
                    score: r.get(8)?,
                    breakdown: serde_json::from_str(&breakdown).map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(
                            9,
                            rusqlite::types::Type::Text,
                            Box::new(e),
                        )
                    })?,
                    metrics: serde_json::from_str(&metrics).map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(
                            10,
                            rusqlite::types::Type::Text,
                            Box::new(e),
                        )
                    })?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))
    }

    /// The spaced-repetition card of a drill, if it was ever practised.
    pub fn card(&self, drill_id: &str) -> Result<Option<rs_fsrs::Card>> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT card FROM cards WHERE drill_id = ?1",
                params![drill_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// Saves a drill's card.
    pub fn save_card(&self, drill_id: &str, card: &rs_fsrs::Card) -> Result<()> {
        let json = serde_json::to_string(card).map_err(|e| Error::Internal(e.to_string()))?;
        self.conn
            .execute(
                "INSERT INTO cards (drill_id, card, due) VALUES (?1, ?2, ?3)
                 ON CONFLICT (drill_id) DO UPDATE SET card = excluded.card, due = excluded.due",
                params![drill_id, json, card.due.to_rfc3339()],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// All cards: drill id → card.
    pub fn cards(&self) -> Result<Vec<(String, rs_fsrs::Card)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT drill_id, card FROM cards")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, json) = row.map_err(|e| self.err(e))?;
            if let Ok(card) = serde_json::from_str(&json) {
                out.push((id, card));
            }
        }
        Ok(out)
    }
}

impl Store {
    /// Records a use of a phrase (see [`crate::usage`]: the query is kept only when it was typed
    /// keywords).
    pub fn record_use(&self, r: &crate::usage::UseRecord, clock: &dyn Clock) -> Result<()> {
        let (doc, code, query, found_by, action) = crate::usage::columns(r);
        self.conn
            .execute(
                "INSERT INTO uses (doc_id, phrase_code, at, query, found_by, action)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    doc,
                    code,
                    clock.now().with_timezone(&Utc).to_rfc3339(),
                    query,
                    found_by,
                    action
                ],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The uses at or after `since` (all when `None`), oldest first.
    pub fn uses(&self, since: Option<DateTime<Utc>>) -> Result<Vec<crate::usage::UseEvent>> {
        let since = since.map(|d| d.to_rfc3339());
        let mut stmt = self
            .conn
            .prepare(
                "SELECT doc_id, phrase_code, at, query, found_by, action FROM uses
                 WHERE (?1 IS NULL OR at >= ?1) ORDER BY at, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![since], |r| {
                Ok(crate::usage::event(
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    &r.get::<_, String>(4)?,
                    &r.get::<_, String>(5)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))
    }
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;

    fn clock() -> FixedClock {
        FixedClock::on(chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("date"))
    }

    #[test]
    fn an_empty_database_migrates_to_the_latest_version() {
        let s = Store::in_memory().expect("opens");
        assert_eq!(s.schema_version().expect("version"), SCHEMA_VERSION);
        assert_eq!(s.profile_name().expect("ok"), None);
        s.set_profile_name(" 小王 ", &clock()).expect("set");
        assert_eq!(s.profile_name().expect("ok").as_deref(), Some("小王"));
        assert!(
            s.set_profile_name("  ", &clock()).is_err(),
            "blank names are refused"
        );
    }

    #[test]
    fn a_version_1_database_gains_the_usage_log_and_keeps_its_attempts() {
        let tmp = tempfile::tempdir().expect("tmp");
        let path = tmp.path().join(DB_FILE);
        {
            let conn = Connection::open(&path).expect("open");
            conn.execute_batch(MIGRATIONS[0]).expect("v1");
            conn.execute_batch(
                "PRAGMA user_version = 1;
                 INSERT INTO profile (id, name, created_at) VALUES (1, '老李', '2026-01-01T00:00:00+00:00');",
            )
            .expect("data");
        }
        let (s, note) = Store::open(tmp.path(), &clock()).expect("migrates");
        assert!(note.is_none());
        assert_eq!(s.schema_version().expect("v"), SCHEMA_VERSION);
        assert_eq!(s.profile_name().expect("name").as_deref(), Some("老李"));
        use crate::usage::{FoundBy, UseAction, UseRecord};
        let typed = UseRecord {
            doc_id: "playbooks/cuifahuo".into(),
            phrase_code: Some("cfh1".into()),
            query: "CFH".into(),
            found_by: FoundBy::Typed,
            action: UseAction::Sent,
        };
        s.record_use(&typed, &clock()).expect("typed");
        let pasted = UseRecord {
            query: "亲 我的快递三天没动了 怎么回事".into(),
            found_by: FoundBy::Pasted,
            action: UseAction::Copied,
            ..typed.clone()
        };
        s.record_use(&pasted, &clock()).expect("pasted");
        let uses = s.uses(None).expect("uses");
        assert_eq!(uses.len(), 2);
        assert_eq!(uses[0].query.as_deref(), Some("cfh"));
        assert_eq!(uses[0].action, UseAction::Sent);
        assert_eq!(uses[1].query, None, "a customer's message is never stored");
        assert_eq!(uses[1].found_by, FoundBy::Pasted);
        let later = clock().now().with_timezone(&Utc) + chrono::Duration::days(1);
        assert!(s.uses(Some(later)).expect("since").is_empty());
        let raw: i64 = s
            .conn
            .query_row(
                "SELECT count(*) FROM uses WHERE query LIKE '%快递%'",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(raw, 0);
    }

    #[test]
    fn reopening_keeps_data_and_uses_wal() {
        let tmp = tempfile::tempdir().expect("tmp");
        {
            let (s, note) = Store::open(tmp.path(), &clock()).expect("open");
            assert!(note.is_none());
            s.set_profile_name("小李", &clock()).expect("set");
            let mode: String = s
                .conn
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .expect("mode");
            assert_eq!(mode, "wal");
        }
        let (s, _) = Store::open(tmp.path(), &clock()).expect("reopen");
        assert_eq!(s.profile_name().expect("ok").as_deref(), Some("小李"));
    }

    #[test]
    fn a_corrupt_database_is_moved_aside_not_deleted() {
        let tmp = tempfile::tempdir().expect("tmp");
        let garbage =
            b"this is not a sqlite database, just some bytes that someone saved here".repeat(100);
        std::fs::write(tmp.path().join(DB_FILE), &garbage).expect("write");
        let (s, note) = Store::open(tmp.path(), &clock()).expect("recovers");
        assert!(
            note.as_deref().is_some_and(|n| n.contains("moved")),
            "{note:?}"
        );
        assert_eq!(s.schema_version().expect("v"), SCHEMA_VERSION);
        let aside: Vec<_> = std::fs::read_dir(tmp.path())
            .expect("dir")
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("kefu.sqlite3.corrupt-")
            })
            .collect();
        assert_eq!(aside.len(), 1);
        assert_eq!(std::fs::read(aside[0].path()).expect("kept"), garbage);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let tmp = tempfile::tempdir().expect("tmp");
        {
            let conn = Connection::open(tmp.path().join(DB_FILE)).expect("open");
            conn.execute_batch("PRAGMA user_version = 99").expect("set");
        }
        let r = Store::open(tmp.path(), &clock());
        assert!(r.is_err_and(|e| e.to_string().contains("newer")));
        assert!(
            tmp.path().join(DB_FILE).exists(),
            "a newer database is left where it is"
        );
    }
}
