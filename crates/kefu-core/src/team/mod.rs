//! The team, through the content repository and no server.
//!
//! - **Sharing** ([`share`]): an agent who turns on 与团队共享练习结果 has their attempts (and
//!   phrase uses) appended to `team/results/<agent-id>.jsonl` in the content folder, one JSON
//!   object per line; 同步 carries the file like any other. One file per agent, only ever
//!   appended to by that agent's app, so two agents never conflict.
//! - **Reading** ([`results`]): every results file, checked line by line. A bad line, a file
//!   named after an invalid id, a line that names another agent, a link or an oversized file
//!   become [`Problem`](crate::content::Problem)s with file:line; the rest is read.
//! - **The lead's view** ([`view`]): agents × categories against the team average, trends,
//!   findings by the documented rules of [`view::findings`], phrase usage.
//! - **Assignments** ([`assign`]): `team/assignments/*.yaml`, validated by `kefu check`, shown
//!   first in the agent's drills and their completion in the lead's view.
//! - **Export** ([`export`]): the matrix as CSV and XLSX.

pub mod assign;
pub mod export;
pub mod results;
pub mod share;
pub mod view;

/// The team's folder inside the content folder.
pub const TEAM_DIR: &str = "team";
/// Results files: `team/results/<agent-id>.jsonl`.
pub const RESULTS_DIR: &str = "team/results";
/// Assignment files: `team/assignments/<id>.yaml`.
pub const ASSIGNMENTS_DIR: &str = "team/assignments";
/// The format version written in every line.
pub const FORMAT_VERSION: u32 = 1;

/// Whether `id` can name an agent: 1–32 characters, each a lowercase letter or digit (any
/// script, so `小红` works) or `-`/`_`, not starting with `-`. Never a path (no `.`, `/`, `\` or
/// spaces), never a name Windows reserves for a device (`con`, `nul`, `com1` …: a file of that
/// name cannot be checked out there), never `all` (assignments use it for everyone), and
/// lowercase, so that two ids never name one file on a case-insensitive disk.
pub fn valid_agent_id(id: &str) -> bool {
    let n = id.chars().count();
    let device = (id.starts_with("com") || id.starts_with("lpt"))
        && id.len() == 4
        && id.as_bytes()[3].is_ascii_digit();
    let reserved = device || matches!(id, "con" | "prn" | "aux" | "nul" | "all");
    (1..=32).contains(&n)
        && !reserved
        && !id.starts_with('-')
        && id
            .chars()
            .all(|c| (c.is_alphanumeric() && !c.is_uppercase()) || c == '-' || c == '_')
}

/// An agent id as typed, normalised (trimmed, lowercase).
pub fn normalise_agent_id(id: &str) -> String {
    id.trim().to_lowercase()
}

/// `content_dir/rel` when no existing part of `rel` is a link or a file (the rest may not
/// exist yet): where the team's files are read and written, so that a hostile repository
/// cannot point `team/` elsewhere.
pub fn real_dir(content_dir: &std::path::Path, rel: &str) -> Option<std::path::PathBuf> {
    let mut p = content_dir.to_path_buf();
    for part in rel.split('/') {
        p.push(part);
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_dir() => {}
            Ok(_) => return None,
            Err(_) => {}
        }
    }
    Some(p)
}

/// `team/.gitattributes`, written when sharing starts: a results file only grows by whole
/// lines, so when one agent's file was appended to on two machines git keeps both sides'
/// lines instead of stopping on a conflict (duplicate lines are dropped when read).
pub const GITATTRIBUTES: &str = "results/*.jsonl merge=union\n";

/// The results file of `agent`, relative to the content folder.
pub fn results_path(agent: &str) -> String {
    format!("{RESULTS_DIR}/{agent}.jsonl")
}

/// The results files read last time, kept while no file changed (by size and modification
/// time), so that the lead's view and an agent's trend do not re-read a year of practice.
#[derive(Debug, Default)]
pub struct ResultsCache {
    slot: std::sync::Mutex<Option<CacheEntry>>,
}

type FileKey = (String, u64, Option<std::time::SystemTime>);

#[derive(Debug)]
struct CacheEntry {
    dir: std::path::PathBuf,
    files: Vec<FileKey>,
    data: std::sync::Arc<results::TeamData>,
}

fn file_keys(dir: &std::path::Path) -> Vec<FileKey> {
    let mut keys: Vec<FileKey> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| {
                    let m = std::fs::symlink_metadata(e.path()).ok()?;
                    Some((
                        e.file_name().to_string_lossy().into_owned(),
                        m.len(),
                        m.modified().ok(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    keys.sort();
    keys
}

impl ResultsCache {
    /// The results of `content_dir`, read again only when a file changed.
    pub fn load(&self, content_dir: &std::path::Path) -> std::sync::Arc<results::TeamData> {
        let files = real_dir(content_dir, RESULTS_DIR)
            .map(|d| file_keys(&d))
            .unwrap_or_default();
        if let Ok(slot) = self.slot.lock()
            && let Some(e) = slot.as_ref()
            && e.dir == content_dir
            && e.files == files
        {
            return std::sync::Arc::clone(&e.data);
        }
        let data = std::sync::Arc::new(results::load(content_dir));
        if let Ok(mut slot) = self.slot.lock() {
            *slot = Some(CacheEntry {
                dir: content_dir.to_path_buf(),
                files,
                data: std::sync::Arc::clone(&data),
            });
        }
        data
    }
}

/// The lead's view of `content_dir` (results, assignments) over its documents.
pub fn view_of<'a>(
    content_dir: &std::path::Path,
    docs: impl IntoIterator<Item = &'a crate::content::Document>,
    data: &results::TeamData,
    now: chrono::DateTime<chrono::Local>,
) -> view::TeamView {
    let cat = view::Catalogue::from_docs(docs);
    let (assignments, problems) = assign::load(content_dir, &cat.drill_list());
    view::build(data, &cat, &assignments, problems, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_ids_are_names_never_paths() {
        for ok in [
            "xiaohong", "小红", "agent_07", "li-na", "a1", "com", "console",
        ] {
            assert!(valid_agent_id(ok), "{ok}");
        }
        for bad in [
            "XH",
            "nul",
            "con",
            "com1",
            "lpt9",
            "all",
            "",
            "../x",
            "a/b",
            "a\\b",
            "a.b",
            "-x",
            "a b",
            "..",
            "x\n",
            &"a".repeat(33),
        ] {
            assert!(!valid_agent_id(bad), "{bad:?}");
        }
    }
}
