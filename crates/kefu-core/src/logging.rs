//! The log: `kefu.log` in the data folder (info and up), warnings also on stderr. Shells call
//! [`init`] once at start; kefu-core itself only writes through the `log` macros. simplelog is
//! used because it is small, kept up to date, and writes to any `Write` without a background
//! thread.

use std::fs::OpenOptions;
use std::path::Path;

use simplelog::{CombinedLogger, ConfigBuilder, LevelFilter, SharedLogger, WriteLogger};

/// The log file's name in the data folder.
pub const LOG_FILE: &str = "kefu.log";

/// A log larger than this at start is moved to `kefu.log.1` (replacing the previous one).
const ROTATE_AT: u64 = 4 * 1024 * 1024;

/// Starts logging to `data_dir/kefu.log`; the folder is created if needed. If the file cannot
/// be opened, warnings still go to stderr. A second call does nothing.
pub fn init(data_dir: &Path) {
    let config = ConfigBuilder::new()
        .set_target_level(LevelFilter::Off)
        .set_thread_level(LevelFilter::Off)
        .build();
    let mut loggers: Vec<Box<dyn SharedLogger>> = vec![WriteLogger::new(
        LevelFilter::Warn,
        config.clone(),
        std::io::stderr(),
    )];
    let path = data_dir.join(LOG_FILE);
    let _ = std::fs::create_dir_all(data_dir);
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > ROTATE_AT) {
        let _ = std::fs::rename(&path, data_dir.join(format!("{LOG_FILE}.1")));
    }
    match OpenOptions::new().create(true).append(true).open(&path) {
        Ok(file) => loggers.push(WriteLogger::new(LevelFilter::Info, config, file)),
        Err(e) => eprintln!("kefu: cannot write the log {}: {e}", path.display()),
    }
    let _ = CombinedLogger::init(loggers);
    log::info!("Kefu {} started", env!("CARGO_PKG_VERSION"));
}
