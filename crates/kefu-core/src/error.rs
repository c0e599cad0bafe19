//! The one error type of kefu-core.
//!
//! Every fallible public function returns [`Result<T>`]. The UI never matches on messages: it
//! branches on [`Error::kind`], a small serialisable [`ErrorKind`].
//!
//! Content problems (a bad front matter, a broken link …) are *not* errors: loading never fails
//! because of one bad file. They are reported as [`crate::content::Problem`]s next to the
//! documents that did load.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Convenient alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, in terms a caller can act on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file or folder failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The content folder does not exist or is not a folder.
    #[error("content folder {} does not exist or is not a folder", path.display())]
    ContentRoot {
        /// The folder that was asked for.
        path: PathBuf,
    },
    /// No document has this id.
    #[error("no document with id `{id}`")]
    NotFound {
        /// The id that was asked for.
        id: String,
    },
    /// The search index could not be read or written (after one rebuild attempt).
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The search index folder could not be prepared.
    #[error("search index folder {}: {message}", path.display())]
    IndexDir {
        /// The index folder.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The practice database failed.
    #[error("practice database {}: {message}", path.display())]
    Store {
        /// The database file (empty for an in-memory one).
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The practice database was written by a newer Kefu.
    #[error("practice database {} has schema {version}, newer than this Kefu supports; update Kefu", path.display())]
    StoreTooNew {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        version: u32,
    },
    /// A drill operation was not possible (unknown drill, nothing to practise …).
    #[error("drill: {0}")]
    Drill(String),
    /// A value given by the caller is not acceptable (bad option, bad argument).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Git is missing, the folder is not a repository, or a git command failed.
    #[error("git: {0}")]
    Git(String),
    /// The sentence encoder's model file is missing or unusable (semantic matching is then off;
    /// everything else works).
    #[error("semantic model {}: {message}", path.display())]
    Model {
        /// The model file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The page asked for a path the user did not choose: a folder, file to read or file to
    /// write must come from the native dialog (`choose_folder`, `choose_open_file`,
    /// `choose_save_file`) of this session.
    #[error("not permitted: {0}")]
    NotPermitted(String),
    /// A bug in Kefu (a broken invariant, a poisoned lock, a command the UI should not send),
    /// not something the user did or can fix; worth a bug report with the log file.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The category of an [`Error`], for callers (the desktop UI, the CLI) to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file or folder could not be read or written.
    Io,
    /// The content folder is missing or unusable.
    ContentRoot,
    /// The requested document does not exist.
    NotFound,
    /// The search index failed.
    Index,
    /// The practice database failed.
    Store,
    /// A drill operation was not possible.
    Drill,
    /// The caller passed something unacceptable.
    InvalidInput,
    /// Git is missing, the folder is not a repository, or a git command failed.
    Git,
    /// The semantic model could not be loaded.
    Model,
    /// A path the user did not choose in a native dialog.
    NotPermitted,
    /// A bug in Kefu.
    Internal,
}

impl Error {
    /// The category of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Io { .. } => ErrorKind::Io,
            Error::ContentRoot { .. } => ErrorKind::ContentRoot,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Index(_) | Error::IndexDir { .. } => ErrorKind::Index,
            Error::Store { .. } | Error::StoreTooNew { .. } => ErrorKind::Store,
            Error::Drill(_) => ErrorKind::Drill,
            Error::InvalidInput(_) => ErrorKind::InvalidInput,
            Error::Git(_) => ErrorKind::Git,
            Error::Model { .. } => ErrorKind::Model,
            Error::NotPermitted(_) => ErrorKind::NotPermitted,
            Error::Internal(_) => ErrorKind::Internal,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_serialise_as_snake_case() {
        let e = Error::NotFound { id: "x".into() };
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(
            serde_json::to_string(&e.kind()).ok().as_deref(),
            Some("\"not_found\"")
        );
        assert_eq!(e.to_string(), "no document with id `x`");
    }
}
