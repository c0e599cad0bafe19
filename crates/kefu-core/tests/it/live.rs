//! Publishing and live reload through the Library: a saved case is searchable at once; edits,
//! additions, deletions and renames made outside the app reach the index through the watcher.

use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kefu_core::publish::{SaveOutcome, SaveRequest};
use kefu_core::watch::ContentWatcher;

use crate::util::{copy_tree, fixture, ids, open, search};

const CASE: &str = "---\nkind: case\ntitle: 已发货仅退款批量筛查\nplatform: pdd\ntags: [仅退款]\n---\n## 情况\n拼多多上一批已发货订单被申请仅退款，用导出表格批量筛查物流签收状态。\n";

#[test]
fn a_published_case_is_searchable_immediately_and_its_problems_are_checked() {
    let tmp = tempfile::tempdir().expect("tmp");
    copy_tree(&fixture("good"), tmp.path());
    let mut lib = open(tmp.path(), None);
    assert!(ids(&search(&lib, "批量筛查")).is_empty());

    // A broken link is an error, as in `kefu check`: nothing is written.
    let bad = SaveRequest {
        path: None,
        text: format!("{CASE}见 [[rules/nope]]\n"),
        base_fingerprint: None,
    };
    match lib.save_source(&bad, Some("老王")).expect("save") {
        SaveOutcome::Invalid { problems } => {
            assert!(
                problems[0]
                    .to_string()
                    .contains("broken link [[rules/nope]]"),
                "{problems:?}"
            );
            assert_eq!(problems[0].line, 9, "the line in the text as typed");
        }
        other => panic!("expected invalid, got {other:?}"),
    }
    assert!(
        !tmp.path()
            .join("cases")
            .join("2026-11-24-yi-fa-huo-jin-tui-kuan-pi-liang-shai-cha.md")
            .exists()
    );

    let check = lib.check_source(None, CASE);
    assert_eq!(
        check.path.as_deref(),
        Some("cases/2026-11-24-yi-fa-huo-jin-tui-kuan-pi-liang-shai-cha.md")
    );
    assert!(check.html.contains("<h2>情况</h2>"), "{}", check.html);
    assert!(check.problems.is_empty(), "{:?}", check.problems);

    let req = SaveRequest {
        path: None,
        text: CASE.into(),
        base_fingerprint: None,
    };
    let id = match lib.save_source(&req, Some("老王")).expect("save") {
        SaveOutcome::Saved { id, text, .. } => {
            assert!(text.contains("author: 老王") && text.contains("created: 2026-11-24"));
            id
        }
        other => panic!("expected saved, got {other:?}"),
    };
    assert_eq!(ids(&search(&lib, "批量筛查")).first(), Some(&id));
    let doc = lib.document(&id).expect("loaded");
    assert_eq!(doc.author.as_deref(), Some("老王"));

    // Editing it again with a stale fingerprint is a conflict; with the fresh one it saves.
    let src = lib.source(&id).expect("source");
    std::fs::write(
        tmp.path().join(&src.path),
        src.text.replace("批量筛查", "逐单核对"),
    )
    .expect("write");
    let stale = SaveRequest {
        path: Some(src.path.clone()),
        text: src.text.clone(),
        base_fingerprint: Some(src.fingerprint.clone()),
    };
    assert!(matches!(
        lib.save_source(&stale, None).expect("save"),
        SaveOutcome::Conflict { .. }
    ));
    // "Keep both": the copy loads beside the original and both are searchable.
    match lib.save_copy(&stale, None).expect("copy") {
        SaveOutcome::Saved { path, .. } => assert!(path.ends_with("-copy.md"), "{path}"),
        other => panic!("expected saved, got {other:?}"),
    }
    let found = ids(&search(&lib, "逐单核对"));
    assert!(found.contains(&id), "{found:?}");
    assert!(
        found.iter().any(|i| i.ends_with("-copy"))
            || ids(&search(&lib, "批量筛查"))
                .iter()
                .any(|i| i.ends_with("-copy"))
    );

    // The template's prompts left in place are pointed out, line by line.
    let template = lib
        .new_case(None)
        .text
        .replacen("title: \n", "title: 模板没改完\n", 1);
    let check = lib.check_source(None, &template);
    let leftovers: Vec<usize> = check
        .problems
        .iter()
        .filter(|p| p.message.contains("template prompt"))
        .map(|p| p.line)
        .collect();
    assert_eq!(
        leftovers,
        [12, 15, 18, 22, 25, 28, 31],
        "{:?}",
        check.problems
    );

    // 生成练习: a drill draft from the saved case validates apart from what the case lacks.
    let draft = lib.drill_draft(&id, Some("老王")).expect("draft");
    assert!(draft.text.contains(&format!("[[{id}]]")));
}

fn wait_for(rx: &mpsc::Receiver<Vec<String>>, what: &str, pred: impl Fn(&[String]) -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(ids) if pred(&ids) => return,
            Ok(_) => continue,
            Err(_) => panic!("no reload reported for: {what}"),
        }
    }
}

fn write(dir: &Path, rel: &str, text: &str) {
    std::fs::write(dir.join(rel), text).expect("write");
}

#[test]
fn the_watcher_keeps_the_index_in_step_with_outside_edits() {
    let tmp = tempfile::tempdir().expect("tmp");
    copy_tree(&fixture("good"), tmp.path());
    std::fs::create_dir_all(tmp.path().join("cases")).expect("mkdir");
    let lib = Arc::new(Mutex::new(open(tmp.path(), None)));
    let (tx, rx) = mpsc::channel::<Vec<String>>();
    let shared = Arc::clone(&lib);
    let _watcher = ContentWatcher::start(tmp.path(), move |_paths| {
        let changed = shared
            .lock()
            .expect("lock")
            .reload_changes()
            .expect("reload");
        if let Some(ids) = changed {
            let _ = tx.send(ids);
        }
    })
    .expect("watch");
    let find = |q: &str| ids(&search(&lib.lock().expect("lock"), q));

    // Add.
    write(tmp.path(), "cases/new.md", CASE);
    wait_for(&rx, "add", |ids| ids.iter().any(|i| i == "cases/new"));
    assert_eq!(
        find("批量筛查").first().map(String::as_str),
        Some("cases/new")
    );

    // Edit.
    write(
        tmp.path(),
        "cases/new.md",
        &CASE.replace("批量筛查", "物流轨迹核验"),
    );
    wait_for(&rx, "edit", |ids| ids.iter().any(|i| i == "cases/new"));
    assert!(!find("批量筛查").contains(&"cases/new".to_string()));
    assert_eq!(
        find("物流轨迹核验").first().map(String::as_str),
        Some("cases/new")
    );

    // Rename (as git or a file manager does it).
    std::fs::rename(
        tmp.path().join("cases/new.md"),
        tmp.path().join("cases/renamed.md"),
    )
    .expect("rename");
    wait_for(&rx, "rename", |ids| {
        ids.iter().any(|i| i == "cases/renamed")
    });
    let found = find("物流轨迹核验");
    assert_eq!(found.first().map(String::as_str), Some("cases/renamed"));
    assert!(!found.contains(&"cases/new".to_string()));

    // A bad file: reported, the rest still searchable.
    write(tmp.path(), "cases/bad.md", "no front matter");
    wait_for(&rx, "bad file", |_| true);
    assert!(
        lib.lock()
            .expect("lock")
            .problems()
            .iter()
            .any(|p| p.path == "cases/bad.md")
    );

    // Delete.
    std::fs::remove_file(tmp.path().join("cases/renamed.md")).expect("rm");
    wait_for(&rx, "delete", |ids| {
        ids.iter().any(|i| i == "cases/renamed")
    });
    assert!(!find("物流轨迹核验").contains(&"cases/renamed".to_string()));
}

#[test]
fn a_same_size_edit_in_the_same_clock_tick_is_still_seen() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("a.md");
    std::fs::write(&path, "---\nkind: case\ntitle: 甲甲甲甲\n---\n正文\n").expect("write");
    let mut lib = open(tmp.path(), None);
    let before = std::fs::metadata(&path)
        .expect("meta")
        .modified()
        .expect("mtime");
    // Same size, and the modification time forced back to what the library saw: only the
    // bytes tell the two versions apart.
    std::fs::write(&path, "---\nkind: case\ntitle: 乙乙乙乙\n---\n正文\n").expect("write");
    std::fs::File::options()
        .write(true)
        .open(&path)
        .expect("open")
        .set_modified(before)
        .expect("set mtime");
    let changed = lib.reload_changes().expect("reload");
    assert_eq!(changed, Some(vec!["a".to_string()]));
    assert_eq!(lib.document("a").expect("doc").title, "乙乙乙乙");
}
