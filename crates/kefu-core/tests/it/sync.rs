use crate::util::{copy_tree, fixture, ids, open, search};

fn setup() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let content = tmp.path().join("content");
    let data = tmp.path().join("data");
    copy_tree(&fixture("good"), &content);
    (tmp, content, data)
}

#[test]
fn reopening_is_incremental() {
    let (_tmp, content, data) = setup();
    let lib = open(&content, Some(&data));
    assert!(lib.last_sync().rebuilt);
    assert_eq!(lib.last_sync().added, 9);
    drop(lib);
    let lib = open(&content, Some(&data));
    let s = lib.last_sync();
    assert!(!s.rebuilt, "{s:?}");
    assert_eq!((s.added, s.updated, s.removed, s.unchanged), (0, 0, 0, 9));
    assert_eq!(lib.indexed(), 9);
}

#[test]
fn edits_additions_and_deletions_show_up_on_next_open() {
    let (_tmp, content, data) = setup();
    drop(open(&content, Some(&data)));
    let welcome = content.join("playbooks/welcome.md");
    let text = std::fs::read_to_string(&welcome).expect("read");
    std::fs::write(
        &welcome,
        text.replace("开场要快", "开场要快，记得提到独角兽活动"),
    )
    .expect("write");
    std::fs::remove_file(content.join("cases/signed-not-received.md")).expect("rm");
    std::fs::write(
        content.join("playbooks/new.md"),
        "---\nkind: playbook\ntitle: 新增话术\n---\n麒麟礼盒\n",
    )
    .expect("add");

    let lib = open(&content, Some(&data));
    let s = lib.last_sync();
    assert_eq!(
        (s.added, s.updated, s.removed, s.unchanged),
        (1, 1, 1, 7),
        "{s:?}"
    );
    assert_eq!(ids(&search(&lib, "独角兽")), vec!["playbooks/welcome"]);
    assert_eq!(ids(&search(&lib, "麒麟礼盒")), vec!["playbooks/new"]);
    assert!(search(&lib, "驿站").hits.is_empty(), "deleted file is gone");
}

#[test]
fn reload_applies_changes_without_reopening() {
    let (_tmp, content, data) = setup();
    let mut lib = open(&content, Some(&data));
    std::fs::write(
        content.join("playbooks/extra.md"),
        "---\nkind: playbook\ntitle: 赠品说明\n---\n小熊挂件\n",
    )
    .expect("add");
    let s = lib.reload().expect("reload").clone();
    assert_eq!((s.added, s.removed), (1, 0));
    assert_eq!(ids(&search(&lib, "小熊挂件")), vec!["playbooks/extra"]);
}

#[test]
fn dictionary_change_rebuilds() {
    let (_tmp, content, data) = setup();
    drop(open(&content, Some(&data)));
    std::fs::write(content.join("dict/synonyms.txt"), "催发货, 催单, 快点发\n").expect("write");
    let lib = open(&content, Some(&data));
    assert!(lib.last_sync().rebuilt);
    assert_eq!(
        lib.last_sync().rebuild_reason.as_deref(),
        Some("dictionary changed")
    );
    assert_eq!(ids(&search(&lib, "快点发"))[0], "playbooks/cuifahuo");
}

#[test]
fn unreadable_index_is_rebuilt_from_content() {
    let (_tmp, content, data) = setup();
    drop(open(&content, Some(&data)));
    let dir = kefu_core::index_dir(&data, &content);
    std::fs::write(dir.join("meta.json"), b"{ not json").expect("corrupt");
    let lib = open(&content, Some(&data));
    assert!(lib.last_sync().rebuilt);
    assert!(
        lib.last_sync()
            .rebuild_reason
            .as_deref()
            .is_some_and(|r| r.contains("unreadable"))
    );
    assert_eq!(ids(&search(&lib, "催单"))[0], "playbooks/cuifahuo");
}

/// Every kind of file the index keeps, truncated, zeroed or deleted: the next open rebuilds
/// from the content, says why once, and search works. (Before, a damaged segment file made
/// every open fail with "Footer magic byte mismatch" until the data folder was deleted.)
#[test]
fn any_damaged_index_file_is_rebuilt_from_content() {
    let (_tmp, content, data) = setup();
    drop(open(&content, Some(&data)));
    let dir = kefu_core::index_dir(&data, &content);
    let mut kinds: Vec<String> = std::fs::read_dir(&dir)
        .expect("index dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| !n.ends_with(".lock"))
        .map(|n| match n.rsplit_once('.') {
            Some((_, ext)) if n != "meta.json" && n != ".managed.json" => format!(".{ext}"),
            _ => n,
        })
        .collect();
    kinds.sort();
    kinds.dedup();
    for want in [
        ".idx",
        ".pos",
        ".term",
        ".store",
        ".fast",
        ".fieldnorm",
        "meta.json",
    ] {
        assert!(kinds.iter().any(|k| k == want), "{want} not in {kinds:?}");
    }
    for kind in &kinds {
        for damage in ["truncate", "zero", "delete"] {
            // One file of this kind (the first by name), damaged.
            let mut names: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
                .expect("dir")
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with(kind.as_str()))
                .collect();
            names.sort();
            let file = &names[0];
            let len = std::fs::metadata(file).expect("meta").len();
            match damage {
                "truncate" => {
                    std::fs::write(file, &std::fs::read(file).expect("r")[..(len / 2) as usize])
                }
                "zero" => std::fs::write(file, vec![0u8; len as usize]),
                _ => std::fs::remove_file(file),
            }
            .expect("damage");
            let lib = open(&content, Some(&data));
            assert_eq!(
                ids(&search(&lib, "催单")).first().map(String::as_str),
                Some("playbooks/cuifahuo"),
                "{damage} {kind}: {:?}",
                lib.last_sync()
            );
            let s = lib.last_sync();
            assert!(s.rebuilt || s.unchanged == 9, "{damage} {kind}: {s:?}");
            drop(lib);
            // And the one after that is a normal incremental open.
            let lib = open(&content, Some(&data));
            assert!(
                !lib.last_sync().rebuilt,
                "{damage} {kind}: {:?}",
                lib.last_sync()
            );
            drop(lib);
        }
    }
}

#[test]
fn a_second_process_falls_back_to_memory() {
    let (_tmp, content, data) = setup();
    let first = open(&content, Some(&data));
    let second = open(&content, Some(&data));
    assert!(second.last_sync().in_memory);
    assert_eq!(ids(&search(&second, "催单"))[0], "playbooks/cuifahuo");
    drop(first);
}
