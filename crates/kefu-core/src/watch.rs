//! Live reload: a file watcher on the content folder (the `notify` crate: inotify on Linux,
//! FSEvents on macOS, ReadDirectoryChangesW on Windows) with a small debounce of our own that
//! coalesces the bursts of events one save, a `git pull` or an editor's rename-over-write
//! produce. Reads are not changes: notify also reports files being opened (which the reload
//! itself does), and counting those would make every reload trigger the next one.
//!
//! The watcher only says *that* something changed; [`crate::Library::reload_changes`] then
//! re-reads the folder and updates the index incrementally by file fingerprints, so missed or
//! duplicated events cannot leave it wrong.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::error::{Error, Result};

/// How long the folder must be quiet before a reload: short enough for "within 1 s", long
/// enough to see a `git pull` as one change.
pub const QUIET: Duration = Duration::from_millis(150);

/// The longest a burst of changes can postpone a reload.
pub const MAX_DELAY: Duration = Duration::from_millis(600);

/// Whether an event kind can change what the library reads (opening and reading cannot).
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

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

/// A running watcher; dropping it stops watching (and ends its thread).
pub struct ContentWatcher {
    _watcher: std::sync::Arc<std::sync::Mutex<RecommendedWatcher>>,
}

impl ContentWatcher {
    /// Watches `content_dir` recursively and calls `on_change` with the relevant changed paths
    /// (never empty) on the watcher's own thread once the folder has been quiet for [`QUIET`]
    /// (or after [`MAX_DELAY`] of continuous changes).
    pub fn start(
        content_dir: &Path,
        on_change: impl FnMut(Vec<PathBuf>) + Send + 'static,
    ) -> Result<ContentWatcher> {
        Self::start_with(content_dir, false, on_change)
    }

    /// [`ContentWatcher::start`]; `folder_by_folder` skips the recursive watch (for tests of
    /// the fallback, which needs a folder nobody can watch to happen by itself).
    fn start_with(
        content_dir: &Path,
        folder_by_folder: bool,
        mut on_change: impl FnMut(Vec<PathBuf>) + Send + 'static,
    ) -> Result<ContentWatcher> {
        let cannot = |e: notify::Error| {
            Error::Internal(format!("cannot watch {}: {e}", content_dir.display()))
        };
        let (tx, rx) = mpsc::channel::<notify::Result<Event>>();
        // Links are not followed (the boundary's rule): notify follows them by default, so a
        // link to `/` in a team's repository would have it watch the whole disk.
        let config = notify::Config::default().with_follow_symlinks(false);
        let mut watcher = RecommendedWatcher::new(tx, config).map_err(cannot)?;
        let mut each = false;
        let recursive = if folder_by_folder {
            Err(notify::Error::generic("watching folder by folder"))
        } else {
            watcher.watch(content_dir, RecursiveMode::Recursive)
        };
        if let Err(e) = recursive {
            // One folder that cannot be watched (no permission, a path past PATH_MAX, the
            // system's limit on watches) fails the whole recursive watch: watch every folder
            // that can be, one by one, rather than none.
            let (watched, failed) = watch_each(&mut watcher, content_dir);
            if watched == 0 {
                return Err(cannot(e));
            }
            log::warn!(
                "file watcher: {e}; watching {watched} folders one by one ({failed} cannot be watched)"
            );
            each = true;
        }
        let watcher = std::sync::Arc::new(std::sync::Mutex::new(watcher));
        // The thread must not keep the watcher alive: it ends when the watcher is dropped.
        let weak = std::sync::Arc::downgrade(&watcher);
        let root = content_dir.to_path_buf();
        let canonical = root.canonicalize().unwrap_or_else(|_| root.clone());
        // Changed paths that matter, and (watching folder by folder) folders made since, which
        // need watches of their own: any created folder, whatever its name (`v1.2` included).
        let keep = move |res: notify::Result<Event>,
                         paths: &mut Vec<PathBuf>,
                         folders: &mut Vec<PathBuf>| match res {
            Ok(ev) if is_change(&ev.kind) => {
                if each && matches!(ev.kind, EventKind::Create(_)) {
                    folders.extend(ev.paths.iter().cloned());
                }
                paths.extend(
                    ev.paths
                        .into_iter()
                        .filter(|p| relevant(&canonical, p) && relevant(&root, p)),
                );
            }
            Ok(_) => {}
            Err(e) => log::warn!("file watcher: {e}"),
        };
        std::thread::Builder::new()
            .name("kefu-watch".into())
            .spawn(move || {
                // Ends when the watcher (the sender) is dropped.
                while let Ok(first) = rx.recv() {
                    let mut paths = Vec::new();
                    let mut folders = Vec::new();
                    keep(first, &mut paths, &mut folders);
                    let started = Instant::now();
                    let mut open = true;
                    while started.elapsed() < MAX_DELAY {
                        match rx.recv_timeout(QUIET) {
                            Ok(ev) => keep(ev, &mut paths, &mut folders),
                            Err(RecvTimeoutError::Timeout) => break,
                            Err(RecvTimeoutError::Disconnected) => {
                                open = false;
                                break;
                            }
                        }
                    }
                    paths.sort();
                    paths.dedup();
                    if each {
                        // Watching folder by folder, new folders are ours to add.
                        if let Some(w) = weak.upgrade()
                            && let Ok(mut w) = w.lock()
                        {
                            for p in &folders {
                                if std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir()) {
                                    watch_each(&mut w, p);
                                }
                            }
                        }
                    }
                    if !paths.is_empty() {
                        on_change(paths);
                    }
                    if !open {
                        return;
                    }
                }
            })
            .map_err(|e| Error::Internal(format!("cannot start the file watcher: {e}")))?;
        Ok(ContentWatcher { _watcher: watcher })
    }
}

/// Watches `dir` and every folder below it (links not followed, hidden folders skipped) one by
/// one; returns how many could and could not be watched.
fn watch_each(watcher: &mut RecommendedWatcher, dir: &Path) -> (usize, usize) {
    let (mut watched, mut failed) = (0, 0);
    let walk = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_type().is_dir() && e.file_name().to_string_lossy().starts_with('.'))
        });
    for entry in walk {
        match entry {
            Ok(e) if e.file_type().is_dir() => {
                match watcher.watch(e.path(), RecursiveMode::NonRecursive) {
                    Ok(()) => watched += 1,
                    Err(_) => failed += 1,
                }
            }
            Ok(_) => {}
            Err(_) => failed += 1,
        }
    }
    (watched, failed)
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
    fn reading_files_is_not_a_change() {
        let tmp = tempfile::tempdir().expect("tmp");
        std::fs::write(tmp.path().join("a.md"), "x").expect("write");
        let (tx, rx) = mpsc::channel();
        let _w = ContentWatcher::start(tmp.path(), move |paths| {
            let _ = tx.send(paths);
        })
        .expect("watch");
        for _ in 0..3 {
            let _ = std::fs::read(tmp.path().join("a.md")).expect("read");
        }
        assert!(
            rx.recv_timeout(QUIET * 4).is_err(),
            "reads must not look like changes (a reload reads every file)"
        );
        std::fs::write(tmp.path().join("a.md"), "y").expect("write");
        let got = rx.recv_timeout(Duration::from_secs(10)).expect("an event");
        assert!(got.iter().any(|p| p.ends_with("a.md")), "{got:?}");
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

    /// A folder that cannot be watched, and a link to `/`: the rest of the folder is still
    /// watched, new folders included, and the link is not followed. (Before, one unwatchable
    /// folder failed the whole watch, so the app never saw a change; the hostile corpus found it.)
    #[cfg(unix)]
    #[test]
    fn an_unwatchable_folder_or_a_link_to_root_does_not_stop_watching() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path();
        std::fs::create_dir_all(root.join("locked/inner")).expect("mkdir");
        std::os::unix::fs::symlink("/", root.join("root.md")).expect("link");
        std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o000))
            .expect("chmod");
        // Permissions do not stop inotify for root (CI): a chain of folders longer than
        // PATH_MAX is unwatchable for anyone.
        let mut deep = root.to_path_buf();
        let long = "d".repeat(200);
        let mut made = 0;
        while deep.as_os_str().len() < 4200 {
            let next = deep.join(&long);
            if std::fs::create_dir(&next).is_err() {
                break;
            }
            deep = next;
            made += 1;
        }
        let (tx, rx) = mpsc::channel();
        let w = ContentWatcher::start(root, move |paths| {
            let _ = tx.send(paths);
        });
        std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o755))
            .expect("chmod back");
        let _w = w.expect("the folder is watched");
        std::fs::create_dir_all(root.join("new/v1.2")).expect("mkdir");
        std::thread::sleep(QUIET * 3);
        let _ = rx.try_iter().count();
        std::fs::write(root.join("new/v1.2/a.md"), "x").expect("write");
        let got = rx.recv_timeout(Duration::from_secs(10)).expect("an event");
        assert!(
            got.iter().any(|p| p.ends_with("new/v1.2/a.md")),
            "{got:?} ({made} deep folders)"
        );
    }

    /// Watching folder by folder (what happens when the recursive watch fails), folders made
    /// later are watched too, whatever their names.
    #[test]
    fn folder_by_folder_watches_new_folders() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path();
        std::fs::create_dir_all(root.join("cases")).expect("mkdir");
        let (tx, rx) = mpsc::channel();
        let _w = ContentWatcher::start_with(root, true, move |paths| {
            let _ = tx.send(paths);
        })
        .expect("watch");
        std::fs::write(root.join("cases/a.md"), "x").expect("write");
        let got = rx.recv_timeout(Duration::from_secs(10)).expect("an event");
        assert!(got.iter().any(|p| p.ends_with("cases/a.md")), "{got:?}");
        std::fs::create_dir_all(root.join("rules/v1.2")).expect("mkdir");
        std::thread::sleep(QUIET * 3);
        let _ = rx.try_iter().count();
        std::fs::write(root.join("rules/v1.2/b.md"), "x").expect("write");
        let got = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("an event in a new folder");
        assert!(
            got.iter().any(|p| p.ends_with("rules/v1.2/b.md")),
            "{got:?}"
        );
    }
}
