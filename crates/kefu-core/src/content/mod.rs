//! The content model: a folder of Markdown files with YAML front matter.
//!
//! [`load`] reads a content folder into [`Document`]s and [`Problem`]s. It never writes to the
//! folder, never stops at a bad file, and reports every problem with the file, line and a hint.
//! The format is specified in `docs/content-format.md`.

mod boundary;
mod decode;
mod front_matter;
mod loader;
mod model;
mod problem;

pub use boundary::{
    Refusal, inside, is_plain_relative, read_inside, read_regular, read_within, refused, within,
};
pub use chrono::NaiveDate;
pub use decode::{Decoded, MAX_FILE_BYTES, decode_text};
pub(crate) use front_matter::split as split_front_matter;
pub use loader::{
    FileKey, LoadedContent, Reuse, Seen, body_of, broken_link_problem, conflict_marker_line,
    duplicate_id_problem, load, load_file_text, load_with,
};
pub use model::{CaseMeta, Document, Kind, Link, Phrase, Platform, RuleMeta, Severity, parse_date};
pub use problem::{
    Problem, ProblemCode, ProblemTemplate, fill as fill_problem_template,
    typescript as problem_typescript, visible_text,
};
