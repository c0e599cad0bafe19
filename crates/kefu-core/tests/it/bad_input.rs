use kefu_core::Severity;
use kefu_core::content;

use crate::util::{copy_tree, fixture, open, snapshot};

/// (file, line, severity, message fragment) for every problem the bad corpus must produce.
const EXPECTED: &[(&str, usize, Severity, &str)] = &[
    ("bad-date.md", 4, Severity::Error, "bad date in `updated`"),
    ("binary.md", 1, Severity::Error, "looks binary"),
    (
        "broken-link.md",
        6,
        Severity::Error,
        "broken link [[rules/does-not-exist]]",
    ),
    (
        "drill-invalid.md",
        1,
        Severity::Error,
        "drill has no `references`",
    ),
    (
        "drill-invalid.md",
        5,
        Severity::Error,
        "difficulty 9 is not between 1 and 5",
    ),
    (
        "drill-invalid.md",
        6,
        Severity::Error,
        "unknown persona `开心`",
    ),
    (
        "duplicate-b.md",
        1,
        Severity::Error,
        "duplicate id `shared/dup`: already used by duplicate-a.md",
    ),
    ("empty.md", 1, Severity::Error, "no front matter"),
    ("gbk-encoded.md", 1, Severity::Warning, "GB18030"),
    (
        "git-conflict.md",
        6,
        Severity::Error,
        "unresolved git merge conflict",
    ),
    ("huge.md", 1, Severity::Warning, "over the 5 MB limit"),
    ("malformed-yaml.md", 3, Severity::Error, "malformed YAML"),
    ("missing-title.md", 1, Severity::Error, "missing `title`"),
    ("no-front-matter.md", 1, Severity::Error, "no front matter"),
    (
        "not-text.md",
        1,
        Severity::Error,
        "neither UTF-8 nor GB18030",
    ),
    (
        "rule-without-platform.md",
        1,
        Severity::Error,
        "rule has no `platform`",
    ),
    ("unclosed.md", 1, Severity::Error, "not closed"),
    ("unknown-kind.md", 2, Severity::Error, "unknown kind `faq`"),
    (
        "unknown-platform.md",
        6,
        Severity::Error,
        "unknown platform `amazon`",
    ),
    ("xss-body.md", 8, Severity::Warning, "script, event handler"),
    (
        "xss-body.md",
        10,
        Severity::Warning,
        "script, event handler",
    ),
    (
        "xss-body.md",
        12,
        Severity::Warning,
        "script, event handler",
    ),
    (
        "xss-body.md",
        14,
        Severity::Warning,
        "script, event handler",
    ),
    ("xss-title.md", 3, Severity::Warning, "title contains HTML"),
];

#[test]
fn every_bad_file_yields_its_exact_problem_and_nothing_else() {
    let tmp = tempfile::tempdir().expect("tmp");
    copy_tree(&fixture("bad"), tmp.path());
    std::fs::write(tmp.path().join("huge.md"), vec![b'a'; 5 * 1024 * 1024 + 1]).expect("huge");
    let loaded = content::load(tmp.path()).expect("loads");
    let got: Vec<(String, usize, Severity)> = loaded
        .problems
        .iter()
        .map(|p| (p.path.clone(), p.line, p.severity))
        .collect();
    let want: Vec<(String, usize, Severity)> = EXPECTED
        .iter()
        .map(|(f, l, s, _)| (f.to_string(), *l, *s))
        .collect();
    assert_eq!(got, want, "problems: {:#?}", loaded.problems);
    for (p, (_, _, _, fragment)) in loaded.problems.iter().zip(EXPECTED) {
        assert!(
            p.message.contains(fragment),
            "{p} should mention {fragment}"
        );
        assert!(
            p.hint.is_some() || p.severity == Severity::Warning,
            "errors carry a hint: {p}"
        );
    }
    let mut ids: Vec<&str> = loaded.docs.iter().map(|d| d.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        vec![
            "bad-date",
            "bom-crlf",
            "broken-link",
            "drill-invalid",
            "gbk-encoded",
            "rule-without-platform",
            "shared/dup",
            "unknown-platform",
            "xss-body",
            "xss-front-matter",
            "xss-title"
        ]
    );
    let dup = loaded
        .docs
        .iter()
        .find(|d| d.id == "shared/dup")
        .expect("dup");
    assert_eq!(dup.path, "duplicate-a.md", "the first file by path wins");
    let gbk = loaded
        .docs
        .iter()
        .find(|d| d.id == "gbk-encoded")
        .expect("gbk");
    assert_eq!(gbk.title, "国标编码的话术");
    let bom = loaded
        .docs
        .iter()
        .find(|d| d.id == "bom-crlf")
        .expect("bom");
    assert_eq!(bom.title, "带BOM和CRLF");
    assert_eq!(bom.body, "正文\n");
}

#[test]
fn check_reports_unknown_rubric_elements_at_the_rubric_line() {
    let (_, problems) =
        kefu_core::check(&fixture("bad"), crate::util::clock().as_ref()).expect("checks");
    let p = problems
        .iter()
        .find(|p| p.message.contains("不存在的要素"))
        .expect("reported");
    assert_eq!((p.path.as_str(), p.line), ("drill-invalid.md", 9));
    assert!(p.message.starts_with("unknown rubric element"));
}

#[test]
fn loading_never_modifies_the_folder() {
    let dir = fixture("bad");
    let before = snapshot(&dir);
    let _ = content::load(&dir).expect("loads");
    let _ = open(&dir, None);
    assert_eq!(before, snapshot(&dir));
}

#[test]
fn script_in_content_stays_inert_when_rendered() {
    let lib = open(&fixture("bad"), None);
    let html = lib.render_html("xss-body").expect("renders");
    for bad in [
        "<script",
        "onerror",
        "onclick",
        "javascript:",
        "<iframe",
        "alert(",
    ] {
        assert!(!html.contains(bad), "`{bad}` survived in {html}");
    }
    assert!(
        html.contains("href=\"https://example.com\""),
        "safe links survive: {html}"
    );
    // Titles and front-matter strings are data, never markup: the UI renders them as text.
    let title = lib.document("xss-title").expect("doc").title.clone();
    assert_eq!(title, "<img src=x onerror=alert('title')>标题注入");
    let fm = lib.document("xss-front-matter").expect("doc");
    assert_eq!(fm.phrases[0].text, "亲<script>alert('phrase')</script>您好");
}

#[test]
fn a_bad_folder_is_still_searchable() {
    let lib = open(&fixture("bad"), None);
    let r = crate::util::search(&lib, "国标编码");
    assert_eq!(
        crate::util::ids(&r).first().map(String::as_str),
        Some("gbk-encoded")
    );
}
