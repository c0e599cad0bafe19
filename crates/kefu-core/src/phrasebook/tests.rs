use super::*;
use crate::content::Phrase;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 2).expect("date")
}

fn ctx<'a>(dir: &'a Path, docs: Vec<&'a Document>) -> Context<'a> {
    Context {
        content_dir: dir,
        documents: docs,
        author: Some("组长 王敏"),
        today: today(),
    }
}

fn playbook(id: &str, codes: &[&str]) -> Document {
    let text = format!("---\nkind: playbook\ntitle: {id}\n---\n正文\n");
    let (doc, _) = content::load_file_text(&format!("{id}.md"), text.as_bytes());
    let mut d = doc.expect("doc");
    d.phrases = codes
        .iter()
        .map(|c| Phrase {
            code: c.to_string(),
            text: "亲".into(),
            when: String::new(),
        })
        .collect();
    d
}

const SHEET: &str = "快捷短语导出,,,\n\
分组名称,快捷编码,短语标题,短语内容,标签\n\
售前,kf1,问在吗,亲，在的~请问有什么可以帮您？,开场\n\
,kf2,,\"亲，订单【订单号】已经发出\n快递是[快递公司]\",物流、发货\n\
,,,,\n\
售后,sh1,破损,亲爱的#买家#，非常抱歉！麻烦拍一下破损照片，【温馨提示】照片要清楚,售后\n\
售后,sh1,重复的编码,同一组里第二次用 sh1,\n\
售后,cfh1,,和知识库撞编码,\n\
售后,sh9,,,\n\
售后,kf1,跨组,售后里也叫 kf1,\n";

fn preview_of(dir: &Path, docs: Vec<&Document>, req: &ImportRequest, csv: &str) -> ImportPreview {
    preview_bytes(&ctx(dir, docs), req, "团队短语.csv", csv.as_bytes()).expect("preview")
}

#[test]
fn a_team_sheet_is_previewed_with_groups_clashes_and_placeholders() {
    let tmp = tempfile::tempdir().expect("tmp");
    let kb = playbook("playbooks/cuifahuo", &["cfh1"]);
    let p = preview_of(tmp.path(), vec![&kb], &ImportRequest::default(), SHEET);
    assert_eq!(p.header_line, Some(2));
    let roles: Vec<ColumnRole> = p.columns.iter().map(|c| c.role).collect();
    use ColumnRole::*;
    assert_eq!(roles, [Group, Code, Title, Content, Tags]);
    // Empty row not counted; the row with no content is skipped with its line.
    assert_eq!(p.rows, 7);
    assert!(p.skipped.contains(&SkippedRow {
        line: 10,
        reason: SkipReason::NoContent
    }));
    assert_eq!(p.phrases, 6);
    // Groups fill down: kf2 belongs to 售前.
    assert_eq!(p.files.len(), 2);
    assert_eq!(p.files[0].group, "售前");
    assert_eq!(p.files[0].phrases, 2);
    assert_eq!(p.files[0].path, "playbooks/imported/shou-qian.md");
    // Clashes: with the knowledge base (kept), twice in one group (code dropped), across groups (kept).
    let by_line = |l: u32| p.clashes.iter().find(|c| c.line == l).expect("clash");
    assert_eq!(by_line(9).document.as_deref(), Some("playbooks/cuifahuo"));
    assert_eq!(by_line(9).action, ClashAction::Kept);
    assert_eq!(by_line(8).earlier_line, Some(7));
    assert_eq!(by_line(8).action, ClashAction::CodeDropped);
    assert_eq!(by_line(11).earlier_line, Some(3));
    assert_eq!(by_line(11).action, ClashAction::Kept);
    // Placeholders: suggested ones converted, emphasis left alone.
    let conv: Vec<(&str, bool)> = p
        .placeholders
        .iter()
        .map(|c| (c.found.token.as_str(), c.convert))
        .collect();
    assert!(conv.contains(&("【订单号】", true)));
    assert!(conv.contains(&("#买家#", true)));
    assert!(conv.contains(&("【温馨提示】", false)));
    let t = &p.files[0].text;
    assert!(t.contains("订单{{订单号}}已经发出"), "{t}");
    assert!(t.contains("快递是{{快递公司}}"), "{t}");
    assert!(p.files[1].text.contains("{{买家}}") && p.files[1].text.contains("【温馨提示】"));
    // Tags of the group's rows become the playbook's tags.
    assert!(t.contains("tags: [导入, 开场, 物流, 发货]"), "{t}");
}

#[test]
fn the_planned_files_load_as_the_phrases_meant() {
    let tmp = tempfile::tempdir().expect("tmp");
    let p = preview_of(tmp.path(), vec![], &ImportRequest::default(), SHEET);
    for f in &p.files {
        let (doc, problems) = content::load_file_text(&f.path, f.text.as_bytes());
        let doc = doc.expect("loads");
        assert!(
            problems.iter().all(|p| p.severity != Severity::Error),
            "{problems:?}"
        );
        assert_eq!(doc.kind, Kind::Playbook);
        assert_eq!(doc.phrases.len() as u32, f.phrases);
    }
    let (doc, _) = content::load_file_text(&p.files[0].path, p.files[0].text.as_bytes());
    let doc = doc.expect("doc");
    assert_eq!(
        doc.phrases[1].text,
        "亲，订单{{订单号}}已经发出\n快递是{{快递公司}}"
    );
    assert_eq!(doc.phrases[0].when, "问在吗");
    assert_eq!(doc.author.as_deref(), Some("组长 王敏"));
}

use crate::content::Kind;

#[test]
fn choices_in_the_request_are_followed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let kb = playbook("playbooks/cuifahuo", &["cfh1"]);
    let req = ImportRequest {
        convert: Some(vec!["【温馨提示】".into()]),
        on_clash: ClashPolicy::Skip,
        // The title column imported as tags, tags ignored.
        roles: Some(vec![
            ColumnRole::Group,
            ColumnRole::Code,
            ColumnRole::Ignore,
            ColumnRole::Content,
            ColumnRole::Ignore,
        ]),
        folder: Some("playbooks/千牛".into()),
        ..ImportRequest::default()
    };
    let p = preview_of(tmp.path(), vec![&kb], &req, SHEET);
    assert_eq!(p.phrases, 3, "three clashing rows skipped");
    assert!(p.clashes.iter().all(|c| c.action == ClashAction::Skipped));
    assert_eq!(
        p.skipped
            .iter()
            .filter(|s| s.reason == SkipReason::CodeClash)
            .count(),
        3
    );
    let all: String = p.files.iter().map(|f| f.text.as_str()).collect();
    assert!(all.contains("{{温馨提示}}") && all.contains("【订单号】"));
    assert!(!all.contains("when:"));
    assert!(
        p.files
            .iter()
            .all(|f| f.path.starts_with("playbooks/千牛/"))
    );
}

#[test]
fn hostile_folders_and_mismatched_roles_are_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    for folder in ["../out", "/etc", ".git/x", "a/../../b", "C:/x"] {
        let req = ImportRequest {
            folder: Some(folder.into()),
            ..ImportRequest::default()
        };
        let e = preview_bytes(&ctx(tmp.path(), vec![]), &req, "a.csv", SHEET.as_bytes())
            .expect_err(folder);
        assert!(e.to_string().contains("folder"), "{e}");
    }
    let req = ImportRequest {
        roles: Some(vec![ColumnRole::Content]),
        ..ImportRequest::default()
    };
    let e = preview_bytes(&ctx(tmp.path(), vec![]), &req, "a.csv", SHEET.as_bytes())
        .expect_err("roles");
    assert!(e.to_string().contains("5 columns"), "{e}");
}

#[test]
fn no_content_column_or_no_rows_blocks_the_import() {
    let tmp = tempfile::tempdir().expect("tmp");
    let req = ImportRequest {
        roles: Some(vec![ColumnRole::Ignore; 5]),
        ..ImportRequest::default()
    };
    let p = preview_of(tmp.path(), vec![], &req, SHEET);
    assert_eq!(p.blocker, Some(ImportBlocker::NoContentColumn));
    let p = preview_of(
        tmp.path(),
        vec![],
        &ImportRequest::default(),
        "分组,内容\n售前,\n",
    );
    assert_eq!(p.blocker, Some(ImportBlocker::NothingToImport));
}

#[test]
fn awkward_texts_survive_the_round_trip_through_yaml() {
    let tmp = tempfile::tempdir().expect("tmp");
    let texts = [
        "- 以横线开头",
        "key: value # 像注释",
        "\"引号\" 和 'single' 和 \\反斜杠",
        "  前面有空格\n第二行  ",
        "第一行\n\n空行之后",
        "true",
        "<script>alert(1)</script>",
        "emoji 😊 和全角，标点！",
        "tab\there",
        "{{买家}} 已经是占位符",
        "[[playbooks/x]] 像链接",
        "---\n像分隔线\n---",
    ];
    let mut csv = String::from("分组,编码,标题,内容\n");
    for (i, t) in texts.iter().enumerate() {
        let q = t.replace('"', "\"\"");
        csv.push_str(&format!("奇怪: [组] #1,c{i},\"标题 {i}: x\",\"{q}\"\n"));
    }
    let p = preview_of(tmp.path(), vec![], &ImportRequest::default(), &csv);
    assert_eq!(p.files.len(), 1);
    let f = &p.files[0];
    let (doc, _) = content::load_file_text(&f.path, f.text.as_bytes());
    let doc = doc.expect("loads");
    assert_eq!(doc.title, "奇怪: [组] #1");
    let got: Vec<&str> = doc.phrases.iter().map(|p| p.text.as_str()).collect();
    // Cells are trimmed when read; everything else arrives as written.
    let want: Vec<String> = texts.iter().map(|t| t.trim().to_string()).collect();
    assert_eq!(got, want);
}

#[test]
fn apply_writes_new_files_only_and_never_replaces_one() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = tmp.path().join("团队短语.csv");
    std::fs::write(&src, SHEET).expect("write");
    let content = tmp.path().join("content");
    std::fs::create_dir_all(content.join("playbooks/imported")).expect("mkdir");
    // A file at the first group's natural path: the import picks another name.
    std::fs::write(content.join("playbooks/imported/shou-qian.md"), "mine").expect("write");
    let req = ImportRequest {
        path: src.display().to_string(),
        ..ImportRequest::default()
    };
    let c = ctx(&content, vec![]);
    let out = apply(&c, &req).expect("apply");
    assert_eq!(
        out.written,
        [
            "playbooks/imported/shou-qian-2.md",
            "playbooks/imported/shou-hou.md"
        ]
    );
    assert_eq!(
        std::fs::read_to_string(content.join("playbooks/imported/shou-qian.md")).expect("read"),
        "mine"
    );
    // The same import again writes beside the first one, never over it.
    let again = apply(&c, &req).expect("again");
    assert_eq!(again.written[0], "playbooks/imported/shou-qian-3.md");
    let loaded = crate::content::load(&content).expect("load");
    assert_eq!(
        loaded
            .docs
            .iter()
            .filter(|d| d.kind == Kind::Playbook)
            .count(),
        4
    );
}

#[test]
fn a_failed_write_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = tmp.path().join("a.csv");
    std::fs::write(&src, SHEET).expect("write");
    let content = tmp.path().join("content");
    std::fs::create_dir_all(&content).expect("mkdir");
    // The folder is a file: creating it fails before anything is written.
    std::fs::write(content.join("playbooks"), "not a folder").expect("write");
    let req = ImportRequest {
        path: src.display().to_string(),
        ..ImportRequest::default()
    };
    assert!(apply(&ctx(&content, vec![]), &req).is_err());
    assert_eq!(
        std::fs::read_to_string(content.join("playbooks")).expect("read"),
        "not a folder"
    );
}

#[test]
fn a_big_group_is_split_into_parts_and_images_are_links() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut csv = String::from("分组,内容\n");
    for i in 0..(PHRASES_PER_FILE + 10) {
        csv.push_str(&format!("大组,第 {i} 条\n"));
    }
    csv.push_str(
        "图片组,\"看图 <img src=\"\"https://img.example.com/a/b.png?x=1\"\"> 就懂<br>谢谢\"\n",
    );
    let p = preview_of(tmp.path(), vec![], &ImportRequest::default(), &csv);
    assert_eq!(p.files.len(), 3);
    assert_eq!(p.files[0].title, format!("大组（1/2）"));
    assert_eq!(p.files[0].phrases as usize, PHRASES_PER_FILE);
    assert_eq!(p.files[1].phrases, 10);
    assert_eq!(p.images, 1);
    let img = &p.files[2].text;
    assert!(
        img.contains("看图 https://img.example.com/a/b.png?x=1 就懂\n"),
        "{img}"
    );
    assert!(
        img.contains("- [图片 1](<https://img.example.com/a/b.png?x=1>)"),
        "{img}"
    );
}

#[test]
fn an_export_imports_back_as_the_same_phrases() {
    let tmp = tempfile::tempdir().expect("tmp");
    let text = "---\nkind: playbook\ntitle: 催发货\ntags: [物流]\nphrases:\n  - code: cfh1\n    when: 第一次问\n    text: \"=亲，订单{{订单号}}\\n已经在打包了😊\"\n  - code: cfh2\n    text: 好的亲\n---\n正文\n";
    let (doc, _) = content::load_file_text("playbooks/cuifahuo.md", text.as_bytes());
    let doc = doc.expect("doc");
    for format in [
        export::PhraseFormat::Csv,
        export::PhraseFormat::CsvGb18030,
        export::PhraseFormat::Xlsx,
    ] {
        let rows = export::rows(std::iter::once(&doc));
        let bytes = export::bytes(&rows, format).expect("export");
        let p = preview_bytes(
            &ctx(tmp.path(), vec![]),
            &ImportRequest::default(),
            "export",
            &bytes,
        )
        .expect("import");
        assert_eq!(p.files.len(), 1, "{format:?}");
        let (back, _) = content::load_file_text("x.md", p.files[0].text.as_bytes());
        let back = back.expect("loads");
        assert_eq!(back.title, "催发货", "{format:?}");
        let pairs: Vec<(&str, &str, &str)> = back
            .phrases
            .iter()
            .map(|p| (p.code.as_str(), p.when.as_str(), p.text.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("cfh1", "第一次问", "=亲，订单{{订单号}}\n已经在打包了😊"),
                ("cfh2", "", "好的亲"),
            ],
            "{format:?}"
        );
    }
}
