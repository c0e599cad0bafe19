//! Writing documents back: the source of a document with its fingerprint, saving that never
//! overwrites a file changed on disk since it was opened, and paths and templates for new cases.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::content::{self, Document, Problem, Severity};
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
    /// Path relative to the content folder (must end in `.md`); `None` for a new document,
    /// whose path is made from its kind, title and today's date (see [`new_path`]).
    #[ts(optional)]
    pub path: Option<String>,
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
        /// The document's id.
        id: String,
        /// New fingerprint.
        fingerprint: String,
        /// The text as written (with `updated:` / `created:` / `author:` filled in).
        text: String,
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

/// Resolves a relative content path, refusing anything that would leave the folder or pass
/// through a symlink (see `content::boundary`).
pub fn resolve(content_dir: &Path, rel: &str) -> Result<PathBuf> {
    if !rel.ends_with(".md") || !content::is_plain_relative(Path::new(rel)) {
        return Err(Error::InvalidInput(format!(
            "`{rel}` is not a Markdown path inside the content folder"
        )));
    }
    content::inside(content_dir, Path::new(rel))
}

/// The bytes at a resolved path; `None` when nothing is there. Links and special files are
/// refused (resolve already refused a link on the way).
fn read_existing(path: &Path) -> Result<Option<Vec<u8>>> {
    match content::read_regular(path, content::MAX_FILE_BYTES) {
        Ok(b) => Ok(Some(b)),
        Err(content::Refusal::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(r) => Err(content::refused(path, r)),
    }
}

/// Reads a document's file for editing.
pub fn read_source(content_dir: &Path, rel: &str) -> Result<Source> {
    let path = resolve(content_dir, rel)?;
    let bytes = read_existing(&path)?.ok_or_else(|| {
        Error::io(
            &path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        )
    })?;
    let Some(text) = content::decode_text(&bytes).into_text() else {
        return Err(Error::InvalidInput(format!("{rel} is not a text file")));
    };
    Ok(Source {
        path: rel.to_string(),
        text,
        fingerprint: fingerprint(&bytes),
    })
}

/// What a save fills in: today's date and the author (from the profile).
#[derive(Debug, Clone, Copy)]
pub struct Stamp<'a> {
    /// Written to `updated:` (and to `created:` for a new document).
    pub today: NaiveDate,
    /// Written to `author:` when the document names none.
    pub author: Option<&'a str>,
}

/// Checks a text as it would load at a path: the document (if it loads) and its problems.
pub type Validate<'a> = dyn Fn(&str, &str) -> (Option<Document>, Vec<Problem>) + 'a;

/// Saves `req` unless the file changed since it was opened or the text has errors (as
/// `validate` reports them). Fills in `updated:`, `created:` (new documents) and `author:`.
/// Always writes UTF-8, atomically. Never modifies anything else.
pub fn save(
    content_dir: &Path,
    req: &SaveRequest,
    stamp: &Stamp<'_>,
    validate: &Validate<'_>,
) -> Result<SaveOutcome> {
    let is_new = req.base_fingerprint.is_none();
    let text = stamp_text(&req.text, stamp.today, is_new, stamp.author);
    let rel = match &req.path {
        Some(p) => p.clone(),
        None => {
            let (doc, problems) = content::load_file_text(NEW_DOCUMENT, text.as_bytes());
            match doc {
                Some(d) => new_path(content_dir, d.kind, &d.title, stamp.today),
                None => return Ok(SaveOutcome::Invalid { problems }),
            }
        }
    };
    let path = resolve(content_dir, &rel)?;
    // Not on disk: a new file, or one deleted elsewhere since it was opened; writing it loses nothing.
    if let Some(disk) = read_existing(&path)? {
        let disk_fp = fingerprint(&disk);
        if req.base_fingerprint.as_deref() != Some(disk_fp.as_str()) {
            let disk_text = content::decode_text(&disk).into_text().unwrap_or_default();
            return Ok(SaveOutcome::Conflict {
                path: rel,
                disk_text,
                disk_fingerprint: disk_fp,
            });
        }
    }
    // Problems are reported against the editor's text (its line numbers), before stamping.
    let (doc, problems) = validate(&rel, &req.text);
    if doc.is_none() || problems.iter().any(|p| p.severity == Severity::Error) {
        return Ok(SaveOutcome::Invalid { problems });
    }
    let (doc, problems) = validate(&rel, &text);
    let Some(doc) = doc else {
        return Ok(SaveOutcome::Invalid { problems });
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    write_atomic(&path, text.as_bytes())?;
    Ok(SaveOutcome::Saved {
        path: rel,
        id: doc.id,
        fingerprint: fingerprint(text.as_bytes()),
        text,
        problems,
    })
}

/// The path problems of a document without a path yet are reported under.
pub const NEW_DOCUMENT: &str = "(new document)";

/// "Keep both" after a conflict: the editor's text goes to a new file next to the original
/// (`<name>-copy.md`, `-copy-2` …) without the original's explicit `id:`, so both load.
pub fn save_copy(
    content_dir: &Path,
    req: &SaveRequest,
    stamp: &Stamp<'_>,
    validate: &Validate<'_>,
) -> Result<SaveOutcome> {
    let original = req
        .path
        .as_deref()
        .ok_or_else(|| Error::InvalidInput("a copy needs the original's path".into()))?;
    resolve(content_dir, original)?;
    let stem = original.trim_end_matches(".md");
    let mut n = 1;
    let copy = loop {
        let candidate = if n == 1 {
            format!("{stem}-copy.md")
        } else {
            format!("{stem}-copy-{n}.md")
        };
        if !content_dir.join(&candidate).exists() {
            break candidate;
        }
        n += 1;
    };
    let text = set_front_matter_key(&req.text, "id", None);
    save(
        content_dir,
        &SaveRequest {
            path: Some(copy),
            text,
            base_fingerprint: None,
        },
        stamp,
        validate,
    )
}

/// Fills in what a save records: `updated:` today, `created:` for a new document that has
/// none, and `author:` when empty and known.
pub fn stamp_text(text: &str, today: NaiveDate, is_new: bool, author: Option<&str>) -> String {
    let today = today.to_string();
    let mut out = set_front_matter_key(text, "updated", Some(&today));
    if is_new && front_matter_value(&out, "created").is_none_or(|v| v.is_empty()) {
        out = set_front_matter_key(&out, "created", Some(&today));
    }
    if let Some(a) = author.map(str::trim).filter(|a| !a.is_empty())
        && front_matter_value(&out, "author").is_none_or(|v| v.is_empty() || v == "\"\"")
    {
        out = set_front_matter_key(&out, "author", Some(&yaml_scalar(a)));
    }
    out
}

mod drill_draft;
mod paths;
mod template;
mod yaml_lines;

pub use drill_draft::{customer_messages, drill_from_case, key_phrases};
pub use paths::{new_path, slug};
pub use template::{CASE_SECTIONS, Draft, case_template, template_leftovers};
pub use yaml_lines::{front_matter_value, set_front_matter_key, yaml_scalar};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Kind;

    const DOC: &str = "---\nkind: case\ntitle: 测试案例\n---\n## 情况\n正文\n";

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).expect("date")
    }

    fn stamp() -> Stamp<'static> {
        Stamp {
            today: today(),
            author: Some("售后组 李强"),
        }
    }

    fn plain(rel: &str, text: &str) -> (Option<Document>, Vec<Problem>) {
        content::load_file_text(rel, text.as_bytes())
    }

    fn save(dir: &Path, req: &SaveRequest) -> Result<SaveOutcome> {
        super::save(dir, req, &stamp(), &plain)
    }

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
            path: Some(rel.into()),
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
        let written = std::fs::read_to_string(tmp.path().join(rel)).expect("read");
        assert!(written.contains("我的修改"));
        assert!(written.contains("updated: 2026-11-24"), "{written}");
        assert!(
            !written.contains("created:"),
            "created is only set on new files"
        );
    }

    #[test]
    fn a_new_file_never_replaces_an_existing_one_and_invalid_text_is_not_written() {
        let tmp = tempfile::tempdir().expect("tmp");
        std::fs::write(tmp.path().join("a.md"), DOC).expect("write");
        let req = SaveRequest {
            path: Some("a.md".into()),
            text: DOC.into(),
            base_fingerprint: None,
        };
        assert!(matches!(
            save(tmp.path(), &req).expect("save"),
            SaveOutcome::Conflict { .. }
        ));
        let bad = SaveRequest {
            path: Some("b.md".into()),
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
        let p = new_path(tmp.path(), Kind::Case, "恶意差评", date);
        assert_eq!(p, "cases/2026-11-24-e-yi-cha-ping.md");
        std::fs::create_dir_all(tmp.path().join("cases")).expect("mkdir");
        std::fs::write(tmp.path().join(&p), DOC).expect("write");
        assert_eq!(
            new_path(tmp.path(), Kind::Case, "恶意差评", date),
            "cases/2026-11-24-e-yi-cha-ping-2.md"
        );
    }

    #[test]
    fn stamping_sets_dates_and_author_and_keeps_everything_else() {
        let text = "---\nkind: case\ntitle: 标题 # 注释\nupdated: 2020-01-01\nauthor:\ntags: [a]\n---\n正文\nupdated: not front matter\n";
        let out = stamp_text(text, today(), true, Some("组长: 王敏"));
        assert_eq!(
            out,
            "---\nkind: case\ntitle: 标题 # 注释\nupdated: 2026-11-24\nauthor: \"组长: 王敏\"\ntags: [a]\ncreated: 2026-11-24\n---\n正文\nupdated: not front matter\n"
        );
        // An author already named is kept; created is not touched on edits.
        let again = stamp_text(&out, today(), false, Some("别人"));
        assert_eq!(again, out);
        assert_eq!(
            stamp_text("no front matter", today(), true, None),
            "no front matter"
        );
        assert_eq!(
            set_front_matter_key("---\nid: x\nkind: case\n---\n", "id", None),
            "---\nkind: case\n---\n"
        );
    }

    #[test]
    fn a_new_case_from_the_template_gets_a_dated_pinyin_path() {
        let tmp = tempfile::tempdir().expect("tmp");
        let template = case_template(Some("老客服 张三"), today());
        // The empty title is what validation reports first.
        let (doc, problems) = plain(NEW_DOCUMENT, &template);
        assert!(doc.is_none());
        assert!(
            problems.iter().any(|p| p.message.contains("title")),
            "{problems:?}"
        );
        let text = template.replacen("title: \n", "title: 已发货仅退款批量处理\n", 1);
        let req = SaveRequest {
            path: None,
            text,
            base_fingerprint: None,
        };
        match save(tmp.path(), &req).expect("save") {
            SaveOutcome::Saved { path, id, text, .. } => {
                assert_eq!(
                    path,
                    "cases/2026-11-24-yi-fa-huo-jin-tui-kuan-pi-liang-chu-li.md"
                );
                assert_eq!(
                    id,
                    "cases/2026-11-24-yi-fa-huo-jin-tui-kuan-pi-liang-chu-li"
                );
                assert!(text.contains("author: 老客服 张三"));
                assert_eq!(
                    std::fs::read_to_string(tmp.path().join(&path)).expect("read"),
                    text
                );
            }
            other => panic!("expected saved, got {other:?}"),
        }
        // The same title again: a new file beside it, nothing replaced.
        let again = SaveRequest {
            path: None,
            text: template.replacen("title: \n", "title: 已发货仅退款批量处理\n", 1),
            base_fingerprint: None,
        };
        match save(tmp.path(), &again).expect("save") {
            SaveOutcome::Saved { path, .. } => assert!(path.ends_with("-2.md"), "{path}"),
            other => panic!("expected saved, got {other:?}"),
        }
    }

    #[test]
    fn keep_both_writes_a_copy_without_the_explicit_id() {
        let tmp = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(tmp.path().join("cases")).expect("mkdir");
        let text = "---\nid: my-case\nkind: case\ntitle: 案例\n---\n我的版本\n";
        std::fs::write(tmp.path().join("cases/a.md"), "theirs").expect("write");
        let req = SaveRequest {
            path: Some("cases/a.md".into()),
            text: text.into(),
            base_fingerprint: Some("stale".into()),
        };
        match save_copy(tmp.path(), &req, &stamp(), &plain).expect("copy") {
            SaveOutcome::Saved { path, id, .. } => {
                assert_eq!(path, "cases/a-copy.md");
                assert_eq!(id, "cases/a-copy");
            }
            other => panic!("expected saved, got {other:?}"),
        }
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("cases/a.md")).expect("read"),
            "theirs"
        );
        match save_copy(tmp.path(), &req, &stamp(), &plain).expect("copy") {
            SaveOutcome::Saved { path, .. } => assert_eq!(path, "cases/a-copy-2.md"),
            other => panic!("expected saved, got {other:?}"),
        }
    }

    #[test]
    fn a_drill_draft_takes_the_buyers_words_and_the_key_replies() {
        let case = "---\nkind: case\ntitle: 已发货仅退款\nplatform: pdd\ntags: [退款, 仅退款]\n---\n## 情况\n买家说“东西没收到”，其实已签收。\n\n## 客户情绪\n很生气，说要投诉。\n> 买家：东西根本没收到，你们凭什么不退款？\n> 我要投诉你们！\n\n## 关键话术\n- 给买家：“亲，我这边马上帮您核实签收记录，10分钟内给您答复~”\n- 见 [[playbooks/x]] 的 tk1\n- 亲，签收照片我已经发给您了，您看下是不是家人代收的呢？\n";
        let (doc, problems) = plain("cases/x.md", case);
        let doc = doc.unwrap_or_else(|| panic!("{problems:?}"));
        let draft = drill_from_case(&doc, Some("王敏"), today());
        let (drill, problems) = plain("drills/x.md", &draft.text);
        let drill = drill.unwrap_or_else(|| panic!("draft loads: {problems:?}\n{}", draft.text));
        let d = drill.drill.expect("a drill");
        assert_eq!(
            d.customer,
            ["东西根本没收到，你们凭什么不退款？", "我要投诉你们！"]
        );
        assert_eq!(
            d.references,
            [
                "亲，我这边马上帮您核实签收记录，10分钟内给您答复~",
                "亲，签收照片我已经发给您了，您看下是不是家人代收的呢？"
            ]
        );
        assert_eq!(d.category, "退款");
        assert_eq!(d.persona, crate::drill::Persona::Angry);
        assert_eq!(drill.platforms, [crate::Platform::Pdd]);
        assert!(drill.links.iter().any(|l| l.target == "cases/x"));
        // A case without quotes leaves placeholders that validation reports.
        let (bare, _) = plain(
            "cases/y.md",
            "---\nkind: case\ntitle: 空\n---\n## 情况\n无\n",
        );
        let draft = drill_from_case(&bare.expect("loads"), None, today());
        let (d, problems) = plain("drills/y.md", &draft.text);
        assert!(
            d.is_some_and(|d| d.drill.is_some_and(|x| x.customer.is_empty()))
                || !problems.is_empty()
        );
        assert!(
            problems.iter().any(|p| p.message.contains("customer")),
            "{problems:?}"
        );
    }
}
