//! The content folder's boundary, enforced in one place.
//!
//! A team's content folder is a git repository anyone on the team can push to, so its tree is
//! untrusted: it can hold symlinks (to `/`, to `/proc/self/pagemap`, to another repository), FIFOs,
//! device nodes and names that climb out with `..`. The rules, used by every reader and writer
//! of content in kefu-core:
//!
//! - **Symlinks are never followed**, inside the folder or out. The loader reports a linked
//!   document or folder as an error (`symlink_skipped`) naming the link; the editor, the team
//!   files and every other read refuse them. (Git on Windows checks symlinks out as small text
//!   files unless `core.symlinks` is on, so a team cannot rely on them anyway.)
//! - **Only regular files are read.** FIFOs, sockets and devices are refused before they are
//!   opened, so a read can never block or stream without end.
//! - **A relative path has only normal components** (no `..`, no root, no prefix), and no folder
//!   on the way from the root to it may be a symlink.
//! - **A byte budget per read**: at most `cap` bytes are read, whatever the file claims its size
//!   is (procfs files claim 0).

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// Why a file was not read.
#[derive(Debug)]
pub enum Refusal {
    /// The path is a symlink (or a folder on the way to it is).
    Symlink,
    /// Not a regular file: a FIFO, socket, device or folder.
    NotRegular,
    /// More than the budget: the size seen (at least budget + 1).
    TooLarge(u64),
    /// The relative path leaves the folder (`..`, a root, a drive) or is empty.
    Outside,
    /// The system refused (not found, no permission …).
    Io(std::io::Error),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Symlink => f.write_str("is a symbolic link, which Kefu never follows"),
            Refusal::NotRegular => f.write_str("is not a regular file"),
            Refusal::Outside => f.write_str("is not a path inside the content folder"),
            Refusal::TooLarge(n) => write!(f, "is too large ({n} bytes)"),
            Refusal::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Reads a regular file that is not a symlink, at most `cap` bytes.
pub fn read_regular(path: &Path, cap: u64) -> std::result::Result<Vec<u8>, Refusal> {
    let meta = std::fs::symlink_metadata(path).map_err(Refusal::Io)?;
    if meta.file_type().is_symlink() {
        return Err(Refusal::Symlink);
    }
    if !meta.is_file() {
        return Err(Refusal::NotRegular);
    }
    if meta.len() > cap {
        return Err(Refusal::TooLarge(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(Refusal::Io)?;
    // The path may have been swapped between the check and the open: check what was opened.
    let opened = file.metadata().map_err(Refusal::Io)?;
    if !opened.is_file() || !same_file(&meta, &opened) {
        return Err(Refusal::NotRegular);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Refusal::Io)?;
    if bytes.len() as u64 > cap {
        return Err(Refusal::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    // Windows: symlink_metadata + is_file above already refused links and devices; the file
    // index would need an unstable API.
    true
}

/// True when `rel` is a usable relative path: not empty, only normal components.
pub fn is_plain_relative(rel: &Path) -> bool {
    !rel.as_os_str().is_empty() && rel.components().all(|c| matches!(c, Component::Normal(_)))
}

/// `root/rel` after checking that `rel` stays inside `root`: only normal components, and no
/// existing entry on the way (the file itself included) is a symlink. Parts that do not exist
/// yet are fine (a save creates them).
pub fn within(root: &Path, rel: &Path) -> std::result::Result<PathBuf, Refusal> {
    if !is_plain_relative(rel) {
        return Err(Refusal::Outside);
    }
    let mut at = root.to_path_buf();
    for part in rel.components() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => return Err(Refusal::Symlink),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    Ok(root.join(rel))
}

/// [`within`] as a kefu-core error naming the path.
pub fn inside(root: &Path, rel: &Path) -> Result<PathBuf> {
    within(root, rel).map_err(|r| refused(&root.join(rel), r))
}

/// Reads `root/rel` within the boundary: [`within`], then [`read_regular`] with `cap`.
pub fn read_within(root: &Path, rel: &Path, cap: u64) -> std::result::Result<Vec<u8>, Refusal> {
    read_regular(&within(root, rel)?, cap)
}

/// [`read_within`] as a kefu-core error naming the path.
pub fn read_inside(root: &Path, rel: &Path, cap: u64) -> Result<Vec<u8>> {
    read_within(root, rel, cap).map_err(|r| refused(&root.join(rel), r))
}

/// A refusal as a kefu-core error naming the path.
pub fn refused(path: &Path, r: Refusal) -> Error {
    match r {
        Refusal::Io(e) => Error::io(path, e),
        other => Error::InvalidInput(format!("{} {other}", path.display())),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn symlinks_fifos_and_climbing_paths_are_refused() {
        let tmp = tempfile::tempdir().expect("tmp");
        let outside = tempfile::tempdir().expect("outside");
        std::fs::write(outside.path().join("secret.md"), "secret").expect("w");
        std::fs::write(tmp.path().join("ok.md"), "ok").expect("w");
        std::os::unix::fs::symlink(outside.path(), tmp.path().join("linked")).expect("ln");
        std::os::unix::fs::symlink(outside.path().join("secret.md"), tmp.path().join("l.md"))
            .expect("ln");
        let fifo = tmp.path().join("fifo.md");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(status.success());

        assert_eq!(
            read_inside(tmp.path(), Path::new("ok.md"), 10).expect("ok"),
            b"ok"
        );
        for rel in [
            "l.md",
            "linked/secret.md",
            "../x.md",
            "/etc/passwd",
            "fifo.md",
            "",
        ] {
            assert!(
                read_inside(tmp.path(), Path::new(rel), 10).is_err(),
                "{rel} was read"
            );
        }
        assert!(matches!(
            read_regular(&tmp.path().join("ok.md"), 1),
            Err(Refusal::TooLarge(2))
        ));
        // Not yet existing parts are fine; a linked folder on the way is not.
        assert!(inside(tmp.path(), Path::new("new/dir/a.md")).is_ok());
        assert!(inside(tmp.path(), Path::new("linked/new.md")).is_err());
    }

    #[test]
    fn a_file_claiming_size_zero_is_still_capped() {
        // procfs files report a size of 0; the budget counts bytes actually read.
        let meta = std::fs::symlink_metadata("/proc/self/status").expect("procfs");
        assert_eq!(meta.len(), 0);
        assert!(matches!(
            read_regular(Path::new("/proc/self/status"), 16),
            Err(Refusal::TooLarge(17))
        ));
    }
}
