//! Paths the user chose, as the only paths the page may name.
//!
//! The web page is the app's least trusted part: if script were ever injected (none is known;
//! content is sanitised and the CSP forbids inline script), it could call any command. So a
//! command that widens access — a new content folder, a file to import, a file to write an
//! export to — accepts only a path the user picked in a **native dialog opened by the shell**
//! (`choose_folder`, `choose_open_file`, `choose_save_file`) during this run. The page receives
//! the picked path to show it, but naming any other path fails with `ErrorKind::NotPermitted`.
//! Paths inside the content folder go through `content::boundary` instead.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// What a native dialog is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathAsk {
    /// A folder (the content folder).
    Folder,
    /// An existing file to read, with these extensions (without dots; empty: any).
    OpenFile {
        /// Extensions offered.
        extensions: Vec<String>,
    },
    /// A file to write, proposed name and extensions.
    SaveFile {
        /// The name proposed.
        default_name: String,
        /// Extensions offered.
        extensions: Vec<String>,
    },
}

/// What a grant allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Use {
    /// Open as the content folder.
    Folder,
    /// Read.
    Read,
    /// Write (create or replace).
    Write,
}

impl Use {
    fn of(ask: &PathAsk) -> Use {
        match ask {
            PathAsk::Folder => Use::Folder,
            PathAsk::OpenFile { .. } => Use::Read,
            PathAsk::SaveFile { .. } => Use::Write,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Use::Folder => "content folder",
            Use::Read => "file to read",
            Use::Write => "file to write",
        }
    }
}

/// The paths chosen in this run's dialogs.
#[derive(Debug, Default)]
pub struct Grants {
    chosen: Mutex<HashSet<(PathBuf, Use)>>,
}

impl Grants {
    /// Records what the user picked for `ask`.
    pub fn record(&self, ask: &PathAsk, path: &Path) {
        if let Ok(mut g) = self.chosen.lock() {
            g.insert((normal(path), Use::of(ask)));
        }
    }

    /// Ok when `path` was picked for `use_` in this run.
    pub fn check(&self, path: &Path, use_: Use) -> Result<()> {
        let granted = self
            .chosen
            .lock()
            .map(|g| g.contains(&(normal(path), use_)))
            .unwrap_or(false);
        if granted {
            Ok(())
        } else {
            Err(Error::NotPermitted(format!(
                "{} was not chosen as the {} in a dialog",
                path.display(),
                use_.noun()
            )))
        }
    }
}

/// The path without `.` components or trailing separators, so the same choice compares equal
/// however the page spells it; `..` is kept (and then matches nothing the dialog returned).
fn normal(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_was_chosen_for_that_use_is_allowed() {
        let g = Grants::default();
        let folder = Path::new("/home/a/库");
        assert!(g.check(folder, Use::Folder).is_err());
        g.record(&PathAsk::Folder, folder);
        assert!(g.check(Path::new("/home/a/./库/"), Use::Folder).is_ok());
        assert!(g.check(folder, Use::Write).is_err());
        assert!(g.check(Path::new("/home/a/库/../b"), Use::Folder).is_err());
        let out = Path::new("/tmp/x.csv");
        g.record(
            &PathAsk::SaveFile {
                default_name: "x.csv".into(),
                extensions: vec!["csv".into()],
            },
            out,
        );
        assert!(g.check(out, Use::Write).is_ok());
        assert!(g.check(out, Use::Read).is_err());
        assert!(matches!(
            g.check(Path::new("/etc/passwd"), Use::Read),
            Err(Error::NotPermitted(_))
        ));
    }
}
