//! The workspace façade: commands over one injected clock, events through the shell, and the
//! day rolling over while the app runs.

use std::sync::{Arc, Mutex};

use chrono::{Local, TimeZone};
use kefu_core::api::SearchRequest;
use kefu_core::{Event, ManualClock, Shell, Workspace};

#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>, Mutex<Option<std::path::PathBuf>>);

impl Recorder {
    /// The next dialog answers with `path`.
    fn pick(&self, path: &std::path::Path) {
        if let Ok(mut p) = self.1.lock() {
            *p = Some(path.to_path_buf());
        }
    }
}

impl Shell for Recorder {
    fn emit(&self, event: Event) {
        if let Ok(mut v) = self.0.lock() {
            v.push(event);
        }
    }
    fn choose_path(&self, _ask: &kefu_core::grants::PathAsk) -> Option<std::path::PathBuf> {
        self.1.lock().ok().and_then(|mut p| p.take())
    }
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<Local> {
    Local
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .earliest()
        .expect("a local time")
}

fn rule(reviewed: &str, every: u32) -> String {
    format!(
        "---\nkind: rule\ntitle: 七天无理由退货\nplatform: taobao\nreviewed: {reviewed}\nreview_every_days: {every}\n---\n正文\n"
    )
}

fn workspace(clock: Arc<ManualClock>, shell: Arc<Recorder>) -> (tempfile::TempDir, Arc<Workspace>) {
    let dir = tempfile::tempdir().expect("tmp");
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("rules")).expect("mkdir");
    // Due on 2026-12-01 (reviewed 2026-11-01 + 30 days): 待复核 from 2026-12-02.
    std::fs::write(content.join("rules/qitian.md"), rule("2026-11-01", 30)).expect("write");
    let ws = Workspace::headless(content, dir.path().join("data"), clock, shell);
    (dir, ws)
}

#[test]
fn after_midnight_badges_problems_and_the_review_list_follow_the_new_day() {
    let clock = Arc::new(ManualClock::new(at(2026, 12, 1, 23, 58)));
    let shell = Arc::new(Recorder::default());
    let (_dir, ws) = workspace(Arc::clone(&clock), Arc::clone(&shell));
    assert!(
        ws.review_items().expect("items").is_empty(),
        "due today, not yet overdue"
    );
    assert_eq!(ws.status().expect("status").review, 0);
    let doc = ws.document("rules/qitian".into()).expect("doc");
    assert!(!doc.rule.expect("rule").needs_review);

    clock.set(at(2026, 12, 2, 0, 1));
    let items = ws.review_items().expect("items");
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(ws.status().expect("status").review, 1);
    let doc = ws.document("rules/qitian".into()).expect("doc");
    assert!(
        doc.rule.expect("rule").needs_review,
        "the rule's own view agrees"
    );
    assert!(
        ws.problems()
            .expect("problems")
            .iter()
            .any(|p| p.path.contains("qitian")),
        "the overdue review is a problem"
    );
    let events = shell.0.lock().expect("events").clone();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::ContentChanged(c) if c.status.review == 1)),
        "the UI hears about the new day: {events:?}"
    );
}

#[test]
fn commands_run_on_the_workspace_clock_and_files_are_kept() {
    let clock = Arc::new(ManualClock::new(at(2026, 12, 1, 10, 0)));
    let shell = Arc::new(Recorder::default());
    let (dir, ws) = workspace(clock, Arc::clone(&shell));
    let found = ws
        .search(SearchRequest {
            query: "七天无理由".into(),
            ..SearchRequest::default()
        })
        .expect("search");
    assert_eq!(found.hits[0].id, "rules/qitian");
    let draft = ws.new_case().expect("case");
    assert!(
        draft.text.contains("2026-12-01"),
        "today's date from the clock: {}",
        draft.text
    );
    // A bad content folder in the settings: refused, and nothing changes.
    let mut bad = ws.get_settings().expect("settings");
    let missing = dir.path().join("missing");
    bad.content_dir = Some(missing.display().to_string());
    // Not picked in the folder dialog (the page named it): refused before anything is opened.
    let err = ws.save_settings(bad.clone()).expect_err("not picked");
    assert_eq!(err.kind, kefu_core::ErrorKind::NotPermitted);
    shell.pick(&missing);
    assert_eq!(
        ws.choose_folder().expect("dialog"),
        Some(missing.display().to_string())
    );
    let err = ws.save_settings(bad).expect_err("missing folder");
    assert_eq!(err.kind, kefu_core::ErrorKind::ContentRoot);
    assert_eq!(ws.status().expect("still open").documents, 1);
    // An empty hotkey is refused by core whatever the shell (the window-less one accepts any).
    let mut no_key = ws.get_settings().expect("settings");
    no_key.hotkey = String::new();
    let err = ws.save_settings(no_key).expect_err("empty hotkey");
    assert_eq!(err.kind, kefu_core::ErrorKind::InvalidInput);
    assert_eq!(ws.get_settings().expect("settings").hotkey, "Ctrl+Shift+K");
}
