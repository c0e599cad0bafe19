//! Integration tests of kefu-core through its public API, as one test binary.

mod bad_input;
mod drills;
mod hardening;
mod hostile;
mod import;
mod live;
mod search;
mod semantic;
mod shipped_content;
mod sync;
mod team;
mod ui_fixtures;
mod usage;
mod util;
mod workspace;
