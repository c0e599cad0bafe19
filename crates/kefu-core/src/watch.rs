//! Live reload: a file watcher on the content folder (the `notify` crate through
//! `notify-debouncer-mini`, which coalesces the bursts of events that one save, a `git pull` or
//! an editor's rename-over-write produce). The watcher only says *that* something changed;
//! [`crate::Library::reload_changes`] then re-reads the folder and updates the index
//! incrementally by file fingerprints, so missed or duplicated events cannot leave it wrong.

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify_debouncer_mini::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};

use crate::error::{Error, Result};

/// How long the folder must be quiet before a reload: short enough for "within 1 s", long
/// enough to see a `git pull` as one change.
pub const QUIET: Duration = Duration::from_millis(150);

/// Whether a changed path can matter to the library: Markdown documents, the dictionary and
/// the scoring lexicon; not git's own files, hidden folders or editors' temporary files.
pub fn relevant(content_dir: &Path, path: &Path) -> bool {
    let rel = path.strip_prefix(content_dir).unwrap_or(path);
    let hidden = rel.components().any(|c| {
        c.as_os_str()
            .to_str()
            .is_some_and(|s| s.starts_with('.') && s != "." && s != "..")
    });
    if hidden {
        return false;
    }
    let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if name.ends_with('~') || name.starts_with('#') {
        return false;
    }
    // A deleted or renamed folder arrives as its own path, without an extension.
    match rel.extension().and_then(|e| e.to_str()) {
        Some(ext) => matches!(ext, "md" | "txt" | "yaml" | "yml"),
        None => true,
    }
}

/// A running watcher; dropping it stops watching.
pub struct ContentWatcher {
    _debouncer: Debouncer<RecommendedWatcher>,
}

impl ContentWatcher {
    /// Watches `content_dir` recursively and calls `on_change` with the relevant changed paths
    /// (never empty) on the watcher's thread after each quiet period.
    pub fn start(
        content_dir: &Path,
        mut on_change: impl FnMut(Vec<PathBuf>) + Send + 'static,
    ) -> Result<ContentWatcher> {
        let root = content_dir.to_path_buf();
        let canonical = root.canonicalize().unwrap_or_else(|_| root.clone());
        let handler = move |res: DebounceEventResult| match res {
            Ok(events) => {
                let mut paths: Vec<PathBuf> = events
                    .into_iter()
                    .map(|e| e.path)
                    .filter(|p| relevant(&canonical, p) && relevant(&root, p))
                    .collect();
                paths.sort();
                paths.dedup();
                if !paths.is_empty() {
                    on_change(paths);
                }
            }
            Err(e) => eprintln!("kefu: file watcher: {e}"),
        };
        let mut debouncer = new_debouncer(QUIET, handler).map_err(|e| {
            Error::InvalidInput(format!("cannot watch {}: {e}", content_dir.display()))
        })?;
        debouncer
            .watcher()
            .watch(content_dir, RecursiveMode::Recursive)
            .map_err(|e| {
                Error::InvalidInput(format!("cannot watch {}: {e}", content_dir.display()))
            })?;
        Ok(ContentWatcher {
            _debouncer: debouncer,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn only_content_files_are_relevant() {
        let root = Path::new("/kb");
        for p in [
            "/kb/cases/a.md",
            "/kb/dict/userdict.txt",
            "/kb/scoring/lexicon.yaml",
            "/kb/cases",
        ] {
            assert!(relevant(root, Path::new(p)), "{p}");
        }
        for p in [
            "/kb/.git/index",
            "/kb/.git/refs/heads/main",
            "/kb/cases/.a.md.swp",
            "/kb/cases/a.md~",
            "/kb/notes.png",
            "/kb/cases/.kefu-tmp-123",
        ] {
            assert!(!relevant(root, Path::new(p)), "{p}");
        }
    }

    #[test]
    fn edits_in_the_folder_are_reported_and_git_internals_are_not() {
        let tmp = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(tmp.path().join(".git")).expect("mkdir");
        let (tx, rx) = mpsc::channel();
        let _w = ContentWatcher::start(tmp.path(), move |paths| {
            let _ = tx.send(paths);
        })
        .expect("watch");
        std::fs::write(tmp.path().join(".git/index"), "x").expect("write");
        std::fs::write(tmp.path().join("a.md"), "---\nkind: case\ntitle: a\n---\n").expect("write");
        let got = rx.recv_timeout(Duration::from_secs(10)).expect("an event");
        assert!(
            got.iter().all(|p| !p.to_string_lossy().contains(".git")),
            "{got:?}"
        );
        assert!(got.iter().any(|p| p.ends_with("a.md")), "{got:?}");
    }
}
