//! Writing documents back: the source of a document with its fingerprint, saving that never
//! overwrites a file changed on disk since it was opened, and paths and templates for new cases.

use std::path::{Component, Path, PathBuf};

use chrono::NaiveDate;
use pinyin::ToPinyin;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::content::{self, Problem};
use crate::error::{Error, Result};
use crate::settings::write_atomic;

/// A document's file as the editor opens it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Source {
    /// Path relative to the content folder.
    pub path: String,
    /// The file's text (decoded; CRLF normalised).
    pub text: String,
    /// Fingerprint of the bytes on disk (hex), to detect changes made elsewhere before saving.
    pub fingerprint: String,
}

/// A save request from the editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SaveRequest {
    /// Path relative to the content folder (must end in `.md`).
    pub path: String,
    /// The new text.
    pub text: String,
    /// Fingerprint of the file when it was opened; `None` for a new file (which must not exist).
    #[ts(optional)]
    pub base_fingerprint: Option<String>,
}

/// What happened to a save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[ts(export)]
pub enum SaveOutcome {
    /// Written; `fingerprint` is the new one.
    Saved {
        /// Relative path.
        path: String,
        /// New fingerprint.
        fingerprint: String,
        /// Warnings about the saved text.
        problems: Vec<Problem>,
    },
    /// The file changed on disk (or a new file's path is taken): nothing was written.
    Conflict {
        /// Relative path.
        path: String,
        /// What is on disk now.
        disk_text: String,
        /// Its fingerprint.
        disk_fingerprint: String,
    },
    /// The text would not load (errors below): nothing was written.
    Invalid {
        /// The problems, as `kefu check` reports them.
        problems: Vec<Problem>,
    },
}

/// Fingerprint of file bytes as the UI sees it (hex of the loader's xxh3 fingerprint).
pub fn fingerprint(bytes: &[u8]) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes))
}

/// Resolves a relative content path, refusing anything that would leave the folder.
pub fn resolve(content_dir: &Path, rel: &str) -> Result<PathBuf> {
    let p = Path::new(rel);
    let ok = !rel.is_empty()
        && rel.ends_with(".md")
        && p.components().all(|c| matches!(c, Component::Normal(_)));
    if !ok {
        return Err(Error::InvalidInput(format!(
            "`{rel}` is not a Markdown path inside the content folder"
        )));
    }
    Ok(content_dir.join(p))
}

/// Reads a document's file for editing.
pub fn read_source(content_dir: &Path, rel: &str) -> Result<Source> {
    let path = resolve(content_dir, rel)?;
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let text = match content::decode_text(&bytes) {
        content::Decoded::Utf8(t) | content::Decoded::Gb18030(t) => t,
        _ => return Err(Error::InvalidInput(format!("{rel} is not a text file"))),
    };
    Ok(Source {
        path: rel.to_string(),
        text,
        fingerprint: fingerprint(&bytes),
    })
}

/// Saves `req` unless the file changed since it was opened or the text would not load.
/// Always writes UTF-8, atomically. Never modifies anything else.
pub fn save(content_dir: &Path, req: &SaveRequest) -> Result<SaveOutcome> {
    let path = resolve(content_dir, &req.path)?;
    match std::fs::read(&path) {
        Ok(disk) => {
            let disk_fp = fingerprint(&disk);
            if req.base_fingerprint.as_deref() != Some(disk_fp.as_str()) {
                let disk_text = match content::decode_text(&disk) {
                    content::Decoded::Utf8(t) | content::Decoded::Gb18030(t) => t,
                    _ => String::new(),
                };
                return Ok(SaveOutcome::Conflict {
                    path: req.path.clone(),
                    disk_text,
                    disk_fingerprint: disk_fp,
                });
            }
        }
        // Not on disk: a new file, or one deleted elsewhere since it was opened; writing it loses nothing.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&path, e)),
    }
    let (doc, problems) = content::load_file_text(&req.path, req.text.as_bytes());
    if doc.is_none() {
        return Ok(SaveOutcome::Invalid { problems });
    }
    write_atomic(&path, req.text.as_bytes())?;
    Ok(SaveOutcome::Saved {
        path: req.path.clone(),
        fingerprint: fingerprint(req.text.as_bytes()),
        problems,
    })
}

/// A slug from a title: pinyin syllables joined by `-` (ASCII kept), at most 48 characters.
pub fn slug(title: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut word = String::new();
    for (c, p) in title.chars().zip(title.to_pinyin()) {
        match p {
            Some(p) => {
                if !word.is_empty() {
                    parts.push(std::mem::take(&mut word));
                }
                parts.push(p.plain().to_string());
            }
            None if c.is_ascii_alphanumeric() => word.push(c.to_ascii_lowercase()),
            None => {
                if !word.is_empty() {
                    parts.push(std::mem::take(&mut word));
                }
            }
        }
    }
    if !word.is_empty() {
        parts.push(word);
    }
    let mut s = String::new();
    for p in parts {
        if s.len() + p.len() + 1 > 48 {
            break;
        }
        if !s.is_empty() {
            s.push('-');
        }
        s.push_str(&p);
    }
    if s.is_empty() { "case".to_string() } else { s }
}

/// A free path for a new case: `cases/<date>-<slug>.md`, with `-2`, `-3` … when taken.
pub fn new_case_path(content_dir: &Path, title: &str, date: NaiveDate) -> String {
    let base = format!("cases/{date}-{}", slug(title));
    let mut candidate = format!("{base}.md");
    let mut n = 2;
    while content_dir.join(&candidate).exists() {
        candidate = format!("{base}-{n}.md");
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "---\nkind: case\ntitle: 测试案例\n---\n## 情况\n正文\n";

    #[test]
    fn saving_detects_changes_made_elsewhere() {
        let tmp = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(tmp.path().join("cases")).expect("mkdir");
        let rel = "cases/a.md";
        std::fs::write(tmp.path().join(rel), DOC).expect("write");
        let opened = read_source(tmp.path(), rel).expect("read");
        // Someone else edits the file (another editor, a git pull).
        let theirs = DOC.replace("正文", "别人的修改");
        std::fs::write(tmp.path().join(rel), &theirs).expect("write");
        let mine = SaveRequest {
            path: rel.into(),
            text: DOC.replace("正文", "我的修改"),
            base_fingerprint: Some(opened.fingerprint),
        };
        match save(tmp.path(), &mine).expect("save") {
            SaveOutcome::Conflict { disk_text, .. } => assert!(disk_text.contains("别人的修改")),
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert_eq!(
            std::fs::read_to_string(tmp.path().join(rel)).expect("read"),
            theirs,
            "nothing overwritten"
        );
        // Reopen, then save: fine.
        let reopened = read_source(tmp.path(), rel).expect("read");
        let ok = SaveRequest {
            base_fingerprint: Some(reopened.fingerprint),
            ..mine
        };
        assert!(matches!(
            save(tmp.path(), &ok).expect("save"),
            SaveOutcome::Saved { .. }
        ));
        assert!(
            std::fs::read_to_string(tmp.path().join(rel))
                .expect("read")
                .contains("我的修改")
        );
    }

    #[test]
    fn a_new_file_never_replaces_an_existing_one_and_invalid_text_is_not_written() {
        let tmp = tempfile::tempdir().expect("tmp");
        std::fs::write(tmp.path().join("a.md"), DOC).expect("write");
        let req = SaveRequest {
            path: "a.md".into(),
            text: DOC.into(),
            base_fingerprint: None,
        };
        assert!(matches!(
            save(tmp.path(), &req).expect("save"),
            SaveOutcome::Conflict { .. }
        ));
        let bad = SaveRequest {
            path: "b.md".into(),
            text: "no front matter".into(),
            base_fingerprint: None,
        };
        assert!(matches!(
            save(tmp.path(), &bad).expect("save"),
            SaveOutcome::Invalid { .. }
        ));
        assert!(!tmp.path().join("b.md").exists());
        for evil in ["../x.md", "/etc/x.md", "cases/../../x.md", "a.txt", ""] {
            assert!(resolve(tmp.path(), evil).is_err(), "{evil}");
        }
    }

    #[test]
    fn a_crash_between_write_and_rename_leaves_the_old_file_intact() {
        let tmp = tempfile::tempdir().expect("tmp");
        let path = tmp.path().join("a.md");
        std::fs::write(&path, "old").expect("write");
        let crashed = crate::settings::write_atomic_with(&path, b"new", |_| {
            Err(std::io::Error::other("simulated crash before rename"))
        });
        assert!(crashed.is_err());
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "old");
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
            .expect("dir")
            .filter_map(|e| e.ok())
            .collect();
        assert_eq!(leftovers.len(), 1, "the temporary file is cleaned up");
    }

    #[test]
    fn case_paths_use_date_and_pinyin_slug_and_never_collide() {
        let tmp = tempfile::tempdir().expect("tmp");
        let date = NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
        assert_eq!(
            slug("已发货仅退款批量筛查"),
            "yi-fa-huo-jin-tui-kuan-pi-liang-shai-cha"
        );
        assert_eq!(slug("iPhone 15 破损"), "iphone-15-po-sun");
        let p = new_case_path(tmp.path(), "恶意差评", date);
        assert_eq!(p, "cases/2026-11-24-e-yi-cha-ping.md");
        std::fs::create_dir_all(tmp.path().join("cases")).expect("mkdir");
        std::fs::write(tmp.path().join(&p), DOC).expect("write");
        assert_eq!(
            new_case_path(tmp.path(), "恶意差评", date),
            "cases/2026-11-24-e-yi-cha-ping-2.md"
        );
    }
}
