use std::path::{Path, PathBuf};
use std::sync::Arc;

use kefu_core::{FixedClock, Library, LibraryConfig, SearchOptions, SearchResults};

pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(crate) fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(name)
}

pub(crate) fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::on(
        chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("date"),
    ))
}

pub(crate) fn open(content: &Path, data: Option<&Path>) -> Library {
    Library::open(
        LibraryConfig {
            content_dir: content.to_path_buf(),
            data_dir: data.map(Path::to_path_buf),
        },
        clock(),
    )
    .expect("library opens")
}

pub(crate) fn search(lib: &Library, q: &str) -> SearchResults {
    lib.search(q, &SearchOptions::default())
        .expect("search never fails")
}

pub(crate) fn ids(r: &SearchResults) -> Vec<String> {
    r.hits.iter().map(|h| h.id.clone()).collect()
}

/// Copies a folder tree (files only) into `to`.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let rel = entry.path().strip_prefix(from).expect("prefix");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

/// Every file's path and bytes, to prove nothing was modified.
pub(crate) fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().to_path_buf(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    v.sort();
    v
}

/// A shell whose native dialogs answer with the path the test queued (the user's pick), as the
/// desktop shell answers with what the user clicked.
#[derive(Default)]
pub(crate) struct Picker(std::sync::Mutex<Option<PathBuf>>);

impl Picker {
    /// The next dialog returns `path`.
    pub(crate) fn next(&self, path: impl Into<PathBuf>) {
        if let Ok(mut p) = self.0.lock() {
            *p = Some(path.into());
        }
    }
}

impl kefu_core::Shell for Picker {
    fn choose_path(&self, _ask: &kefu_core::grants::PathAsk) -> Option<PathBuf> {
        self.0.lock().ok().and_then(|mut p| p.take())
    }
}
