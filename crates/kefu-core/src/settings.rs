//! User settings, kept as JSON in the data folder. Written atomically; a file that cannot be
//! read is moved aside (never silently overwritten) and defaults are used.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

/// File name inside the data folder.
pub const SETTINGS_FILE: &str = "settings.json";

/// UI language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Language {
    /// Simplified Chinese (default).
    #[default]
    Zh,
    /// English.
    En,
}

/// Colour theme.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Theme {
    /// Follow the system.
    #[default]
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

/// What plain Enter does on a result in the compact window (Alt+Enter always sends, Ctrl+Enter
/// always copies).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CompactEnter {
    /// Send the phrase to the chat window (default).
    #[default]
    Send,
    /// Open the document, as in the normal window.
    Open,
}

/// When Kefu hides itself after copying a phrase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum HideAfterCopy {
    /// Never.
    Never,
    /// In the compact window only (default).
    #[default]
    Compact,
    /// In both windows.
    Always,
}

/// Everything the user can set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct Settings {
    /// Content folder; `None` means the bundled content.
    pub content_dir: Option<String>,
    /// Global shortcut that shows Kefu and focuses search.
    pub hotkey: String,
    /// UI language.
    pub language: Language,
    /// Colour theme.
    pub theme: Theme,
    /// Start in the compact always-on-top window.
    pub compact: bool,
    /// 剪贴板建议: when a customer's message is copied in another app, show the results for it
    /// (off by default; the clipboard text is never stored or logged).
    pub clipboard_suggest: bool,
    /// Plain Enter in the compact window: send to the chat, or open the document.
    pub compact_enter: CompactEnter,
    /// Hide Kefu after a phrase is copied.
    pub hide_after_copy: HideAfterCopy,
    /// This agent in the team's repository (see [`crate::team`]).
    pub team: TeamSettings,
}

/// This machine's agent in the team's repository: who they are, and whether their practice
/// results are shared (opt-in; nothing is written to the repository while `share` is off).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct TeamSettings {
    /// The agent's id in the team (`team/results/<id>.jsonl`, assignments' `to:`).
    pub agent_id: Option<String>,
    /// 与团队共享练习结果: append this agent's attempts and phrase uses to their results file.
    pub share: bool,
    /// Also share the text of each reply (off by default).
    pub share_replies: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            content_dir: None,
            hotkey: "Ctrl+Shift+K".to_string(),
            language: Language::Zh,
            theme: Theme::System,
            compact: false,
            clipboard_suggest: false,
            compact_enter: CompactEnter::Send,
            hide_after_copy: HideAfterCopy::Compact,
            team: TeamSettings::default(),
        }
    }
}

impl Settings {
    /// Reads the settings; on a damaged file, moves it to `settings.json.bad` and returns defaults
    /// with a note saying so.
    pub fn load(data_dir: &Path) -> (Settings, Option<String>) {
        let path = data_dir.join(SETTINGS_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(_) => return (Settings::default(), None),
        };
        match serde_json::from_slice::<Settings>(&bytes) {
            Ok(s) => (s, None),
            Err(e) => {
                let aside = data_dir.join(format!("{SETTINGS_FILE}.bad"));
                let moved = std::fs::rename(&path, &aside).is_ok();
                let note = if moved {
                    format!(
                        "settings file was damaged ({e}); it was moved to {} and defaults are used",
                        aside.display()
                    )
                } else {
                    format!("settings file was damaged ({e}); defaults are used")
                };
                (Settings::default(), Some(note))
            }
        }
    }

    /// Writes the settings atomically (temporary file, fsync, rename).
    pub fn save(&self, data_dir: &Path) -> Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(|e| Error::Internal(e.to_string()))?;
        write_atomic(&data_dir.join(SETTINGS_FILE), &json)
    }
}

/// Modifier names a hotkey may start with (any case), as the shells' shortcut parsers read them.
const MODIFIERS: &[&str] = &[
    "ctrl",
    "control",
    "shift",
    "alt",
    "option",
    "super",
    "cmd",
    "command",
    "meta",
    "cmdorctrl",
    "commandorcontrol",
];

/// Checks the shape every shell needs before its own parser sees the hotkey: `Modifier+…+Key`,
/// at least one modifier (a bare key would be taken from every other program), no empty part,
/// and a key that is not itself a modifier. The shell then checks that it can register it.
pub fn check_hotkey(hotkey: &str) -> Result<()> {
    let bad = |why: &str| {
        Err(Error::InvalidInput(format!(
            "invalid hotkey `{hotkey}`: {why}"
        )))
    };
    let parts: Vec<&str> = hotkey.split('+').map(str::trim).collect();
    if hotkey.trim().is_empty() {
        return bad("it is empty");
    }
    if parts.iter().any(|p| p.is_empty()) {
        return bad("a part between `+` is empty");
    }
    let is_modifier = |p: &str| MODIFIERS.contains(&p.to_ascii_lowercase().as_str());
    let (key, modifiers) = parts.split_last().unwrap_or((&"", &[]));
    if is_modifier(key) {
        return bad("it ends with a modifier; add a key, e.g. Ctrl+Shift+K");
    }
    if modifiers.is_empty() || !modifiers.iter().all(|m| is_modifier(m)) {
        return bad("start with Ctrl, Alt, Shift or Super, e.g. Ctrl+Shift+K");
    }
    Ok(())
}

/// Writes `bytes` to `path` so that readers see either the old or the new file, never a torn one.
///
/// The temporary file is `.kefu-tmp-<hash of the name>-<pid>-<n>` next to the target (short
/// whatever the name's length, hidden, and ignored by the loader, the watcher and git sync). An
/// existing file keeps its permissions. A file with other hard links is rewritten in place
/// (after its old bytes are kept in a temporary file, removed once the write is synced), so the
/// links keep sharing it. Leftovers of a crashed write older than a minute are removed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, bytes, |_| Ok(()))
}

/// The prefix of [`write_atomic`]'s temporary files.
pub const TEMP_PREFIX: &str = ".kefu-tmp-";

/// [`write_atomic`] with a hook run after the temporary file is written and synced, just before
/// the rename (tests use it to simulate a crash at the worst moment).
pub fn write_atomic_with(
    path: &Path,
    bytes: &[u8],
    before_rename: impl FnOnce(&Path) -> std::io::Result<()>,
) -> Result<()> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let name = path.file_name().unwrap_or_default();
    let family = format!(
        "{TEMP_PREFIX}{:016x}-",
        xxhash_rust::xxh3::xxh3_64(name.as_encoded_bytes())
    );
    let tmp = dir.join(format!(
        "{family}{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let existing = std::fs::symlink_metadata(path).ok();
    let result = (|| -> std::io::Result<()> {
        remove_stale_temps(&dir, &family);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        if let Some(m) = existing.as_ref().filter(|m| m.is_file()) {
            f.set_permissions(m.permissions())?;
            if hard_links(m) > 1 {
                // Keep the old bytes aside (`.old`: never removed as stale, it is the only copy
                // if this write is cut short), then rewrite the shared file itself.
                drop(f);
                std::fs::remove_file(&tmp)?;
                let old = tmp.with_extension("old");
                let mut keep = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&old)?;
                keep.write_all(&std::fs::read(path)?)?;
                keep.sync_all()?;
                before_rename(&old)?;
                let mut target = std::fs::OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(path)?;
                target.write_all(bytes)?;
                target.sync_all()?;
                return std::fs::remove_file(&old);
            }
        }
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        before_rename(&tmp)?;
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| Error::io(path, e))
}

/// Removes temporary files of `family` (one target's) left by a write that crashed over a minute ago.
fn remove_stale_temps(dir: &Path, family: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let minute_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let stale = name.starts_with(family)
            && !name.ends_with(".old")
            && e.metadata()
                .is_ok_and(|m| m.is_file() && m.modified().is_ok_and(|t| t < minute_ago));
        if stale {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(unix)]
fn hard_links(m: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    m.nlink()
}

#[cfg(not(unix))]
fn hard_links(_: &std::fs::Metadata) -> u64 {
    // Hard links on NTFS are rare in a checkout and the count needs an unstable API; replace.
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hotkeys_need_modifiers_and_a_key() {
        for ok in [
            "Ctrl+Shift+K",
            "alt+space",
            "CmdOrCtrl+Shift+F1",
            "Super + K",
        ] {
            assert!(check_hotkey(ok).is_ok(), "{ok}");
        }
        for bad in ["", "  ", "K", "Ctrl+", "Ctrl++K", "Ctrl+Shift", "Foo+K"] {
            let e = check_hotkey(bad).expect_err(bad);
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput, "{bad}");
            assert!(e.to_string().contains("invalid hotkey"), "{e}");
        }
    }

    #[test]
    fn round_trip_and_defaults() {
        let tmp = tempfile::tempdir().expect("tmp");
        assert_eq!(Settings::load(tmp.path()), (Settings::default(), None));
        let s = Settings {
            content_dir: Some("/x".into()),
            language: Language::En,
            ..Settings::default()
        };
        s.save(tmp.path()).expect("save");
        assert_eq!(Settings::load(tmp.path()).0, s);
    }

    #[test]
    fn damaged_file_is_moved_aside_not_lost() {
        let tmp = tempfile::tempdir().expect("tmp");
        std::fs::write(tmp.path().join(SETTINGS_FILE), b"{oops").expect("write");
        let (s, note) = Settings::load(tmp.path());
        assert_eq!(s, Settings::default());
        assert!(note.is_some_and(|n| n.contains("moved")));
        assert_eq!(
            std::fs::read(tmp.path().join("settings.json.bad")).expect("kept"),
            b"{oops"
        );
    }
}
