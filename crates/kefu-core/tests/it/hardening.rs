//! The content folder as a hostile teammate could leave it (issue 18): links, special files,
//! other encodings, ids claimed twice, and editor saves in awkward places. Each test failed on
//! the code before the fix it names.

#![cfg(unix)]

use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::Path;

use kefu_core::Severity;
use kefu_core::content::{self, ProblemCode};
use kefu_core::publish::{SaveOutcome, SaveRequest};

use crate::util::{copy_tree, fixture, ids, open, search};

fn doc(title: &str, body: &str) -> String {
    format!("---\nkind: playbook\ntitle: {title}\n---\n{body}\n")
}

fn codes(problems: &[kefu_core::Problem], path: &str) -> Vec<(ProblemCode, Severity)> {
    problems
        .iter()
        .filter(|p| p.path == path)
        .map(|p| (p.code, p.severity))
        .collect()
}

/// Before: `follow_links(true)` indexed a linked folder outside the content folder, a link to
/// `/proc/self/pagemap` grew `kefu check` to gigabytes and a link to `/` never finished.
#[test]
fn links_are_never_followed_and_each_is_reported() {
    let tmp = tempfile::tempdir().expect("tmp");
    let content = tmp.path().join("content");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(content.join("playbooks")).expect("mkdir");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(outside.join("secret.md"), doc("外部", "秘密外部文件")).expect("w");
    std::fs::write(content.join("playbooks/ok.md"), doc("正常", "催发货话术")).expect("w");
    symlink(&outside, content.join("linked")).expect("ln");
    symlink("/", content.join("root")).expect("ln");
    symlink("/proc/self/pagemap", content.join("pagemap.md")).expect("ln");
    symlink(
        outside.join("secret.md"),
        content.join("playbooks/secret.md"),
    )
    .expect("ln");
    symlink(
        content.join("playbooks/ok.md"),
        content.join("playbooks/twin.md"),
    )
    .expect("ln");
    symlink("nowhere.md", content.join("dangling.md")).expect("ln");
    symlink("loop.md", content.join("loop.md")).expect("ln");
    symlink(&outside, content.join("linked.png")).expect("ln"); // a folder link, whatever its name
    symlink(outside.join("secret.md"), content.join("picture.png")).expect("ln"); // not content
    let status = std::process::Command::new("mkfifo")
        .arg(content.join("fifo.md"))
        .status()
        .expect("mkfifo");
    assert!(status.success());

    let loaded = content::load(&content).expect("loads");
    let got: Vec<&str> = loaded.docs.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(got, ["playbooks/ok.md"]);
    for link in [
        "linked",
        "root",
        "pagemap.md",
        "playbooks/secret.md",
        "playbooks/twin.md",
        "dangling.md",
        "loop.md",
        "linked.png",
    ] {
        assert_eq!(
            codes(&loaded.problems, link),
            [(ProblemCode::SymlinkSkipped, Severity::Error)],
            "{link}: {:#?}",
            loaded.problems
        );
    }
    assert_eq!(
        codes(&loaded.problems, "fifo.md"),
        [(ProblemCode::NotRegularFile, Severity::Error)]
    );
    assert!(codes(&loaded.problems, "picture.png").is_empty());
    assert_eq!(loaded.problems.len(), 9, "{:#?}", loaded.problems);

    // Search never sees the outside file; the editor cannot open or write through a link.
    let mut lib = open(&content, None);
    assert!(search(&lib, "秘密外部文件").hits.is_empty());
    assert_eq!(ids(&search(&lib, "催发货")), ["playbooks/ok"]);
    for rel in [
        "linked/secret.md",
        "playbooks/secret.md",
        "../outside/secret.md",
    ] {
        let req = SaveRequest {
            path: Some(rel.into()),
            text: doc("改写", "写穿"),
            base_fingerprint: Some(kefu_core::publish::fingerprint(
                &std::fs::read(outside.join("secret.md")).expect("r"),
            )),
        };
        assert!(lib.save_source(&req, None).is_err(), "{rel} was written");
        assert!(
            kefu_core::publish::read_source(&content, rel).is_err(),
            "{rel} was read"
        );
    }
    assert_eq!(
        std::fs::read_to_string(outside.join("secret.md")).expect("r"),
        doc("外部", "秘密外部文件")
    );
}

/// Before: a new file claiming an existing id, sorting first, displaced the real document and
/// the duplicate error landed on the real one.
#[test]
fn a_file_copying_another_ones_id_does_not_displace_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(tmp.path().join("rules")).expect("mkdir");
    std::fs::write(
        tmp.path().join("rules/seven-day.md"),
        "---\nkind: rule\ntitle: 七天无理由\nplatform: taobao\nsource: 规则\n---\n真正的规则\n",
    )
    .expect("w");
    std::fs::write(
        tmp.path().join("aaa.md"),
        "---\nkind: rule\nid: rules/seven-day\ntitle: 假的\nplatform: taobao\nsource: x\n---\n冒充的规则\n",
    )
    .expect("w");
    let loaded = content::load(tmp.path()).expect("loads");
    let kept: Vec<&str> = loaded.docs.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(kept, ["rules/seven-day.md"]);
    assert_eq!(
        codes(&loaded.problems, "aaa.md"),
        [(ProblemCode::DuplicateId, Severity::Error)]
    );
    assert!(codes(&loaded.problems, "rules/seven-day.md").is_empty());
}

/// Before: UTF-16 files were skipped as "binary" with a warning, so `kefu check` passed while
/// a document was missing. Now UTF-16 (with its BOM) loads, and a binary `.md` is an error.
#[test]
fn utf16_loads_and_binary_is_an_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let text = doc("宽字符", "UTF16里的退款说明\r\n第二行");
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        le.extend(u.to_le_bytes());
        be.extend(u.to_be_bytes());
    }
    std::fs::write(tmp.path().join("le.md"), le).expect("w");
    std::fs::write(tmp.path().join("be.md"), be).expect("w");
    std::fs::write(tmp.path().join("bin.md"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").expect("w");
    let loaded = content::load(tmp.path()).expect("loads");
    assert_eq!(loaded.docs.len(), 2);
    assert!(
        loaded
            .docs
            .iter()
            .all(|d| d.body.contains("UTF16里的退款说明\n第二行"))
    );
    assert_eq!(
        codes(&loaded.problems, "le.md"),
        [(ProblemCode::ConvertedFromUtf16, Severity::Warning)]
    );
    assert_eq!(
        codes(&loaded.problems, "bin.md"),
        [(ProblemCode::BinaryFile, Severity::Error)]
    );
    assert!(loaded.has_errors());
}

fn saved(out: SaveOutcome) -> String {
    match out {
        SaveOutcome::Saved { fingerprint, .. } => fingerprint,
        other => panic!("not saved: {other:?}"),
    }
}

/// Before: a save widened 0600 to 0644, broke hard links, failed for a 248-byte name, and a
/// crash at the rename left its temporary file forever.
#[test]
fn saves_keep_permissions_links_and_long_names_and_clean_up() {
    let tmp = tempfile::tempdir().expect("tmp");
    let content = tmp.path().join("content");
    copy_tree(&fixture("good"), &content);
    let mut lib = open(&content, None);
    let rel = "playbooks/welcome.md";
    let path = content.join(rel);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let twin = tmp.path().join("twin.md");
    std::fs::hard_link(&path, &twin).expect("hard link");
    let src = lib.source("playbooks/welcome").expect("source");
    let text = src.text.replace("开场要快", "开场要快，先问好");
    let req = SaveRequest {
        path: Some(rel.into()),
        text,
        base_fingerprint: Some(src.fingerprint),
    };
    saved(lib.save_source(&req, None).expect("save"));
    let meta = std::fs::metadata(&path).expect("meta");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_eq!(meta.nlink(), 2, "the hard link was broken");
    assert!(
        std::fs::read_to_string(&twin)
            .expect("twin")
            .contains("先问好")
    );

    // The longest name most file systems take once the folder adds nothing: 248 bytes + ".md".
    let long = format!("cases/{}.md", "长".repeat(82) + "xx");
    assert_eq!(Path::new(&long).file_name().map(|n| n.len()), Some(251));
    let req = SaveRequest {
        path: Some(long.clone()),
        text: "---\nkind: case\ntitle: 长名字\n---\n正文\n".into(),
        base_fingerprint: None,
    };
    saved(lib.save_source(&req, None).expect("long name"));
    assert!(content.join(&long).is_file());

    // A save that crashed at the rename an hour ago left its temp file: the next save of the
    // same file removes it; nothing else in the folder is touched.
    let cases = content.join("cases");
    let before: Vec<_> = std::fs::read_dir(&cases)
        .expect("d")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    let src = lib.source(long.trim_end_matches(".md")).expect("source");
    let family = format!(
        "{}{:016x}-",
        kefu_core::settings::TEMP_PREFIX,
        xxhash_rust::xxh3::xxh3_64(Path::new(&long).file_name().expect("n").as_encoded_bytes())
    );
    let crashed = cases.join(format!("{family}1-0"));
    std::fs::write(&crashed, b"half").expect("w");
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&crashed)
        .expect("open")
        .set_modified(hour_ago)
        .expect("mtime");
    let req = SaveRequest {
        path: Some(long.clone()),
        text: src.text.replace("正文", "正文二"),
        base_fingerprint: Some(src.fingerprint),
    };
    saved(lib.save_source(&req, None).expect("save again"));
    assert!(!crashed.exists(), "the stale temp file is still there");
    let after: Vec<_> = std::fs::read_dir(&cases)
        .expect("d")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(before.len(), after.len(), "{after:?}");
}
