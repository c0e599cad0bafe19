//! Importing a team's existing phrases through the workspace commands the app calls: the
//! fixture exports (GBK CSV with a title row, UTF-8 with a BOM, Excel's UTF-16 text), a
//! spreadsheet with merged group cells and two sheets, and a 10,000-phrase sheet; what was
//! imported is searchable by its code at once, nothing existing changes, and an export of the
//! knowledge base imports back as the same phrases.

use std::path::Path;
use std::sync::Arc;

use kefu_core::Workspace;
use kefu_core::api::SearchRequest;
use kefu_core::phrasebook::export::PhraseFormat;
use kefu_core::phrasebook::{
    ClashAction, ClashPolicy, ColumnRole, ImportRequest, SkipReason, SourceEncoding, SourceFormat,
};

use crate::util::{Picker, clock, copy_tree, fixture, repo_root, snapshot};

fn workspace(content: &Path, data: &Path) -> (Arc<Workspace>, Arc<Picker>) {
    let pick = Arc::new(Picker::default());
    let ws = Workspace::headless(
        content.to_path_buf(),
        data.to_path_buf(),
        clock(),
        Arc::clone(&pick) as Arc<dyn kefu_core::Shell>,
    );
    (ws, pick)
}

/// The user picks the request's file in the open dialog (the workspace reads only that).
fn picked(ws: &Workspace, pick: &Picker, r: ImportRequest) -> ImportRequest {
    pick.next(&r.path);
    ws.choose_open_file(Vec::new()).expect("dialog");
    r
}

fn shipped_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let content = tmp.path().join("content");
    copy_tree(&repo_root().join("content"), &content);
    (tmp, content)
}

fn req(path: &Path) -> ImportRequest {
    ImportRequest {
        path: path.display().to_string(),
        ..ImportRequest::default()
    }
}

fn typed(ws: &Workspace, q: &str) -> Vec<String> {
    ws.search(SearchRequest {
        query: q.into(),
        ..SearchRequest::default()
    })
    .expect("search")
    .hits
    .into_iter()
    .map(|h| h.id)
    .collect()
}

#[test]
fn a_gbk_shop_export_imports_into_new_playbooks_found_by_their_codes() {
    let (tmp, content) = shipped_copy();
    let (ws, pick) = workspace(&content, &tmp.path().join("data"));
    let before = snapshot(&content);
    let file = fixture("import/shop-export-gbk.csv");

    let p = ws
        .import_preview(picked(&ws, &pick, req(&file)))
        .expect("preview");
    assert_eq!(p.format, SourceFormat::Csv);
    assert_eq!(p.encoding, Some(SourceEncoding::Gb18030));
    assert_eq!(p.header_line, Some(2), "the title row is not the header");
    let roles: Vec<ColumnRole> = p.columns.iter().map(|c| c.role).collect();
    assert_eq!(
        roles,
        [
            ColumnRole::Group,
            ColumnRole::Code,
            ColumnRole::Content,
            ColumnRole::Ignore,
            ColumnRole::Ignore
        ]
    );
    assert_eq!(p.files.len(), 3);
    assert_eq!(p.phrases, 8);
    assert!(p.skipped.iter().any(|s| s.reason == SkipReason::NoContent));
    // cfh1 is a shipped code (催发货); sh1 repeats inside 售后.
    let cfh1 = p.clashes.iter().find(|c| c.code == "cfh1").expect("cfh1");
    assert_eq!(cfh1.document.as_deref(), Some("playbooks/cuifahuo"));
    assert_eq!(cfh1.action, ClashAction::Kept);
    let sh1 = p.clashes.iter().find(|c| c.code == "sh1").expect("sh1");
    assert_eq!(sh1.action, ClashAction::CodeDropped);
    // A preview writes nothing.
    assert_eq!(snapshot(&content), before);

    let out = ws
        .import_apply(picked(&ws, &pick, req(&file)))
        .expect("apply");
    assert_eq!(out.phrases, 8);
    assert_eq!(out.written.len(), 3);
    // Everything that was there is byte for byte the same; only new files were added.
    let after = snapshot(&content);
    for (path, bytes) in &before {
        let now = after.iter().find(|(p, _)| p == path).expect("still there");
        assert_eq!(&now.1, bytes, "{}", path.display());
    }
    assert_eq!(after.len(), before.len() + 3);
    // Searchable at once by the imported code, with the placeholder converted.
    let hits = typed(&ws, "fh1");
    assert_eq!(
        hits.first().map(String::as_str),
        Some("playbooks/imported/fa-huo-wu-liu")
    );
    let doc = ws
        .document("playbooks/imported/fa-huo-wu-liu".into())
        .expect("doc");
    let fh1 = doc.phrases.iter().find(|p| p.code == "fh1").expect("fh1");
    assert!(fh1.text.contains("{{订单号}}") && fh1.text.contains("{{快递公司}}"));
    let fh3 = doc.phrases.iter().find(|p| p.code == "fh3").expect("fh3");
    assert!(
        fh3.text.starts_with("【温馨提示】"),
        "emphasis is not a placeholder"
    );
    // The knowledge base has no new errors.
    let errors: Vec<String> = ws
        .problems()
        .expect("problems")
        .into_iter()
        .filter(|p| p.path.starts_with("playbooks/imported"))
        .filter(|p| p.severity == kefu_core::Severity::Error)
        .map(|p| p.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn utf8_bom_and_utf16_exports_keep_images_line_breaks_and_emoji() {
    let (tmp, content) = shipped_copy();
    let (ws, pick) = workspace(&content, &tmp.path().join("data"));
    let p = ws
        .import_preview(picked(
            &ws,
            &pick,
            req(&fixture("import/team-library-utf8.csv")),
        ))
        .expect("preview");
    assert_eq!(p.encoding, Some(SourceEncoding::Utf8Bom));
    assert_eq!(p.images, 1);
    let all: String = p.files.iter().map(|f| f.text.as_str()).collect();
    assert!(all.contains("欢迎{{昵称}}回来"), "{all}");
    assert!(all.contains("纯棉面料\n"), "<br> is a line break: {all}");
    assert!(all.contains("(<https://img.example.com/shop/detail-01.jpg>)"));
    let tags = p.files.iter().find(|f| f.group == "开场").expect("开场");
    assert!(
        tags.text.contains("tags: [导入, 开场, 老客]"),
        "{}",
        tags.text
    );

    let p = ws
        .import_preview(picked(
            &ws,
            &pick,
            req(&fixture("import/excel-unicode-text.txt")),
        ))
        .expect("utf16");
    assert_eq!(p.format, SourceFormat::Tsv);
    assert_eq!(p.encoding, Some(SourceEncoding::Utf16le));
    assert_eq!(
        p.files.len(),
        1,
        "no group column: one playbook named after the file"
    );
    assert_eq!(p.files[0].group, "excel-unicode-text");
    assert!(p.files[0].text.contains("预计{{到货时间}}到货"));
    assert!(p.files[0].text.contains("😊"));
}

#[test]
fn an_old_binary_xls_is_read_like_a_workbook() {
    let (tmp, content) = shipped_copy();
    let (ws, pick) = workspace(&content, &tmp.path().join("data"));
    let p = ws
        .import_preview(picked(
            &ws,
            &pick,
            req(&fixture("import/old-format-xls.xls")),
        ))
        .expect("xls");
    assert_eq!(p.format, SourceFormat::Spreadsheet);
    assert_eq!(p.header_line, Some(1));
    assert_eq!(p.phrases, 3);
    let groups: Vec<&str> = p.files.iter().map(|f| f.group.as_str()).collect();
    assert_eq!(groups, ["售后", "售前"]);
    assert!(
        p.files[0].text.contains("记得备注订单号{{订单号}}哦"),
        "{}",
        p.files[0].text
    );
}

/// A lead's workbook: a notes sheet first, then the phrases with two group levels whose cells
/// are merged down the rows, and a blank row between the groups.
fn workbook(path: &Path) {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("说明").expect("name");
    notes
        .write(0, 0, "本表由组长维护，每周同步一次")
        .expect("w");
    let ws = wb.add_worksheet();
    ws.set_name("话术库").expect("name");
    let f = Format::new();
    for (c, h) in ["一级分组", "二级分组", "编码", "话术内容", "备注"]
        .iter()
        .enumerate()
    {
        ws.write(0, c as u16, *h).expect("w");
    }
    ws.merge_range(1, 0, 3, 0, "售后", &f).expect("merge");
    ws.merge_range(1, 1, 2, 1, "退换货", &f).expect("merge");
    ws.write(3, 1, "补发").expect("w");
    let rows = [
        (
            1,
            "th1",
            "亲，退货请在订单页点申请退货，选择退货原因后按提示寄回",
        ),
        (
            2,
            "th2",
            "亲，换货的话我们收到退回的商品后24小时内给您寄出新的",
        ),
        (3, "bf1", "亲，少发的我们马上给您补发，补发单号稍后发您"),
    ];
    for (r, code, text) in rows {
        ws.write(r, 2, code).expect("w");
        ws.write(r, 3, text).expect("w");
    }
    ws.merge_range(5, 0, 6, 0, "售前", &f).expect("merge");
    ws.write(5, 1, "尺码").expect("w");
    ws.write(5, 2, 101).expect("w");
    ws.write(5, 3, "亲，您身高体重多少呢？我帮您推荐尺码")
        .expect("w");
    ws.write(6, 2, 102).expect("w");
    ws.write(6, 3, "=这一行以等号开头，但它是文字").expect("w");
    wb.save(path).expect("save");
}

#[test]
fn a_workbook_with_merged_cells_and_two_sheets() {
    let (tmp, content) = shipped_copy();
    let (ws, pick) = workspace(&content, &tmp.path().join("data"));
    let file = tmp.path().join("话术库.xlsx");
    workbook(&file);
    let p = ws
        .import_preview(picked(&ws, &pick, req(&file)))
        .expect("preview");
    assert_eq!(p.format, SourceFormat::Spreadsheet);
    assert_eq!(p.sheets, ["说明", "话术库"]);
    assert_eq!(
        p.sheet.as_deref(),
        Some("话术库"),
        "the notes sheet before it has no phrase column"
    );
    // The notes sheet, asked for, has no header: its one long cell is taken for the content.
    let mut notes = req(&file);
    notes.sheet = Some("说明".into());
    assert_eq!(
        ws.import_preview(picked(&ws, &pick, notes))
            .expect("notes")
            .phrases,
        1
    );

    let mut r = req(&file);
    r.sheet = Some("话术库".into());
    let p = ws
        .import_preview(picked(&ws, &pick, r.clone()))
        .expect("sheet");
    assert_eq!(p.header_line, Some(1));
    let groups: Vec<&str> = p.files.iter().map(|f| f.group.as_str()).collect();
    assert_eq!(groups, ["售后 / 退换货", "售后 / 补发", "售前 / 尺码"]);
    let codes: Vec<bool> = p.files[2]
        .text
        .lines()
        .filter(|l| l.contains("code:"))
        .map(|l| l.ends_with("\"101\"") || l.ends_with("\"102\""))
        .collect();
    assert_eq!(codes, [true, true], "numeric codes stay whole numbers");
    assert!(p.files[2].text.contains("=这一行以等号开头"));

    // Skipping clashes changes nothing here; a taken code does with Skip.
    r.on_clash = ClashPolicy::Skip;
    let out = ws.import_apply(picked(&ws, &pick, r)).expect("apply");
    assert_eq!(out.phrases, 5);
    assert_eq!(
        typed(&ws, "bf1").first().map(String::as_str),
        Some("playbooks/imported/shou-hou-bu-fa")
    );
}

#[test]
fn ten_thousand_phrases_import_in_parts_and_export_back_the_same() {
    let (tmp, content) = shipped_copy();
    let (ws, pick) = workspace(&content, &tmp.path().join("data"));
    let file = tmp.path().join("big.xlsx");
    {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let sheet = wb.add_worksheet();
        for (c, h) in ["分组", "快捷编码", "内容"].iter().enumerate() {
            sheet.write(0, c as u16, *h).expect("w");
        }
        for i in 0..10_000u32 {
            let r = i + 1;
            sheet.write(r, 0, format!("分组{}", i / 500)).expect("w");
            sheet.write(r, 1, format!("x{i}")).expect("w");
            sheet
                .write(
                    r,
                    2,
                    format!("亲，这是第{i}条导入的短语，订单【订单号】请查收"),
                )
                .expect("w");
        }
        wb.save(&file).expect("save");
    }
    let p = ws
        .import_preview(picked(&ws, &pick, req(&file)))
        .expect("preview");
    assert_eq!(p.phrases, 10_000);
    // 20 groups of 500: each split into a part of 400 and one of 100.
    assert_eq!(p.files.len(), 40);
    let out = ws
        .import_apply(picked(&ws, &pick, req(&file)))
        .expect("apply");
    assert_eq!(out.written.len(), 40);
    assert_eq!(
        typed(&ws, "x9999").first().map(String::as_str),
        Some(p.files[39].path.trim_end_matches(".md"))
    );

    // Export everything, then import the export into an empty folder: the same phrases.
    let export = tmp.path().join("all.csv");
    pick.next(&export);
    ws.choose_save_file("all.csv".into(), vec!["csv".into()])
        .expect("dialog");
    let n = ws
        .export_phrases(PhraseFormat::CsvGb18030, export.display().to_string())
        .expect("export");
    assert!(n >= 10_000, "{n}");
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let (ws2, pick2) = workspace(&empty, &tmp.path().join("data2"));
    let back = ws2
        .import_preview(picked(&ws2, &pick2, req(&export)))
        .expect("re-import");
    assert_eq!(back.encoding, Some(SourceEncoding::Gb18030));
    assert_eq!(back.phrases, n);
    assert!(
        back.clashes.is_empty(),
        "{:?}",
        &back.clashes[..back.clashes.len().min(3)]
    );
}

#[test]
fn bad_files_are_refused_with_their_names_and_nothing_is_written() {
    let (tmp, content) = shipped_copy();
    let (ws, pick) = workspace(&content, &tmp.path().join("data"));
    let before = snapshot(&content);
    let png = tmp.path().join("截图.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").expect("write");
    let fake = tmp.path().join("导出.xls");
    std::fs::write(
        &fake,
        "<html><body><table><tr><td>分组</td></tr></table></body></html>",
    )
    .expect("write");
    let broken = tmp.path().join("坏的.xlsx");
    std::fs::write(&broken, b"PK\x03\x04 not really a zip").expect("write");
    for (f, needle) in [
        (&png, "截图.png"),
        (&fake, "web page"),
        (&broken, "坏的.xlsx"),
        (&tmp.path().join("没有这个文件.csv"), "没有这个文件.csv"),
        (&tmp.path().to_path_buf(), "not a file"),
    ] {
        let e = ws
            .import_preview(picked(&ws, &pick, req(f)))
            .expect_err("refused");
        assert!(e.message.contains(needle), "{}: {}", f.display(), e.message);
        assert!(ws.import_apply(picked(&ws, &pick, req(f))).is_err());
    }
    let mut hostile = req(&fixture("import/team-library-utf8.csv"));
    hostile.folder = Some("../../outside".into());
    assert!(ws.import_apply(picked(&ws, &pick, hostile)).is_err());
    // A file nobody picked in the dialog (the page named it): not read, whatever it is.
    let unpicked = ws
        .import_preview(req(&fixture("import/shop-export-gbk.csv")))
        .expect_err("not picked");
    assert_eq!(unpicked.kind, kefu_core::ErrorKind::NotPermitted);
    let secret = tmp.path().join("notes.csv");
    std::fs::write(&secret, "短语\n秘密\n").expect("write");
    assert_eq!(
        ws.export_phrases(PhraseFormat::Csv, secret.display().to_string())
            .expect_err("not picked")
            .kind,
        kefu_core::ErrorKind::NotPermitted
    );
    assert_eq!(
        std::fs::read_to_string(&secret).expect("kept"),
        "短语\n秘密\n"
    );
    assert_eq!(snapshot(&content), before);
    assert!(!tmp.path().join("outside").exists());
}
