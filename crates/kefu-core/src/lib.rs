//! # kefu-core
//!
//! The product's brain, independent of any UI: it reads a folder of Markdown documents with
//! YAML front matter ([`content`]), renders them safely ([`markdown`]), and finds Chinese
//! customer-service text the way agents type it ([`search`]). [`Library`] ties them together.
//!
//! ```no_run
//! use std::sync::Arc;
//! use kefu_core::{Library, LibraryConfig, SearchOptions, SystemClock};
//!
//! let lib = Library::open(
//!     LibraryConfig { content_dir: "content".into(), data_dir: None },
//!     Arc::new(SystemClock),
//! )?;
//! let results = lib.search("催单", &SearchOptions::default())?;
//! for hit in results.hits {
//!     println!("{} {}", hit.title, hit.phrase.map(|p| p.text).unwrap_or_default());
//! }
//! # Ok::<(), kefu_core::Error>(())
//! ```

pub mod api;
pub mod clock;
/// The one list of IPC commands (the `kefu_commands!` macro).
mod command_list;
pub mod commands;
pub mod content;
pub mod drill;
pub mod error;
pub mod git;
pub mod grants;
mod library;
pub mod logging;
pub mod markdown;
pub mod phrasebook;
pub mod practice;
#[cfg(test)]
mod props;
pub mod publish;
pub mod review;
pub mod search;
pub mod semantic;
pub mod settings;
pub mod store;
pub mod team;
pub mod usage;
pub mod watch;
pub mod workspace;

pub use clock::{Clock, FixedClock, ManualClock, SystemClock};
pub use content::{Document, Kind, Phrase, Platform, Problem, Severity};
pub use error::{Error, ErrorKind, Result};
pub use library::{
    APP_IDENTIFIER, Library, LibraryConfig, MatchMode, app_data_dir, check, default_data_dir,
    index_dir,
};
pub use search::{Hit, SearchOptions, SearchResults, Snippet, SyncStats};
pub use settings::{CompactEnter, HideAfterCopy, Language, Settings, Theme};
pub use workspace::{Event, Headless, Paths, Shell, Workspace};
