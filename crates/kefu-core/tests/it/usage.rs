//! The usage log through the workspace: what is recorded, how typed search learns from it (and
//! where it must not), 最近使用 / 常用, and sending through the shell.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use kefu_core::api::SearchRequest;
use kefu_core::usage::{FoundBy, NotSentCode, SendOutcome, SendRequest, UseAction, UseRecord};
use kefu_core::{ErrorKind, FixedClock, Headless, Shell, Workspace};

fn content() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../content"))
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::on(
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
    ))
}

fn search(ws: &Workspace, q: &str) -> Vec<(String, f32, Option<String>)> {
    ws.search(SearchRequest {
        query: q.into(),
        limit: Some(20),
        kinds: Vec::new(),
        platforms: Vec::new(),
    })
    .expect("search")
    .hits
    .into_iter()
    .map(|h| (h.id, h.score, h.phrase.map(|p| p.code)))
    .collect()
}

fn used(doc: &str, code: Option<&str>, query: &str, found_by: FoundBy) -> UseRecord {
    UseRecord {
        doc_id: doc.into(),
        phrase_code: code.map(Into::into),
        query: query.into(),
        found_by,
        action: UseAction::Copied,
    }
}

/// A shell whose sends always arrive, keeping the texts.
#[derive(Default)]
struct Chat(Mutex<Vec<String>>);

impl Shell for Chat {
    fn send_to_chat(&self, text: &str) -> SendOutcome {
        if let Ok(mut v) = self.0.lock() {
            v.push(text.to_string());
        }
        SendOutcome::Sent
    }
}

#[test]
fn typed_search_learns_the_agents_habit_within_bounds() {
    let dir = tempfile::tempdir().expect("tmp");
    let ws = Workspace::headless(
        content(),
        dir.path().join("data"),
        clock(),
        Arc::new(Headless),
    );
    let q = "退款";
    let before = search(&ws, q);
    assert!(before.len() >= 6, "{before:?}");
    // A result a little behind the first, the agent's usual pick for this query.
    let top = before[0].1;
    let (pick, _, _) = before
        .iter()
        .skip(1)
        .find(|(_, s, _)| *s > top / 1.15)
        .cloned()
        .or_else(|| before.get(1).cloned())
        .expect("a second result");
    let pick_doc = pick.clone();
    for _ in 0..5 {
        ws.record_use(used(&pick_doc, None, q, FoundBy::Typed))
            .expect("record");
    }
    let after = search(&ws, q);
    let first = &after[0].0;
    let was = before
        .iter()
        .position(|h| h.0 == pick_doc)
        .expect("was there");
    let now = after
        .iter()
        .position(|h| h.0 == pick_doc)
        .expect("still there");
    assert!(now < was, "the used document moved up: {was} → {now}");
    // Relevance still wins: a result under 1/1.3 of the best never overtakes it.
    let far = before
        .iter()
        .find(|(_, s, _)| *s < top / 1.31)
        .map(|h| h.0.clone());
    if let Some(far) = far {
        for _ in 0..50 {
            ws.record_use(used(&far, None, q, FoundBy::Typed))
                .expect("record");
        }
        let again = search(&ws, q);
        assert_ne!(
            again[0].0, far,
            "a weak match does not become first by use alone"
        );
    }
    assert!(!first.is_empty());
}

#[test]
fn the_usual_phrase_is_shown_unless_a_code_is_typed() {
    let dir = tempfile::tempdir().expect("tmp");
    let ws = Workspace::headless(
        content(),
        dir.path().join("data"),
        clock(),
        Arc::new(Headless),
    );
    let hits = search(&ws, "催发货");
    assert_eq!(hits[0].0, "playbooks/cuifahuo");
    assert_ne!(hits[0].2.as_deref(), Some("cfh3"));
    for _ in 0..3 {
        ws.record_use(used(
            "playbooks/cuifahuo",
            Some("cfh3"),
            "催发货",
            FoundBy::Typed,
        ))
        .expect("record");
    }
    let cuifahuo = search(&ws, "催发")
        .into_iter()
        .find(|h| h.0 == "playbooks/cuifahuo")
        .expect("found with a shorter query");
    assert_eq!(
        cuifahuo.2.as_deref(),
        Some("cfh3"),
        "used with 催发货, so with 催发 too"
    );
    // Typing another phrase's code shows that phrase.
    assert_eq!(search(&ws, "cfh2")[0].2.as_deref(), Some("cfh2"));
}

#[test]
fn a_customer_message_keeps_its_order_and_is_never_stored() {
    let dir = tempfile::tempdir().expect("tmp");
    let ws = Workspace::headless(
        content(),
        dir.path().join("data"),
        clock(),
        Arc::new(Headless),
    );
    let msg = "你好 在吗 我三天前买的东西到现在还没发货 怎么回事啊 能不能快点";
    let before: Vec<String> = search(&ws, msg).into_iter().map(|h| h.0).collect();
    assert!(!before.is_empty());
    let last = before.last().cloned().expect("hits");
    for _ in 0..20 {
        ws.record_use(used(&last, None, msg, FoundBy::Typed))
            .expect("record");
    }
    let after: Vec<String> = search(&ws, msg).into_iter().map(|h| h.0).collect();
    assert_eq!(before, after);
    // The database holds no word of the message.
    let (store, _) =
        kefu_core::store::Store::open(&dir.path().join("data"), &*clock()).expect("db");
    let uses = store.uses(None).expect("uses");
    assert_eq!(uses.len(), 20);
    assert!(
        uses.iter()
            .all(|u| u.query.is_none() && u.found_by == FoundBy::Pasted)
    );
}

#[test]
fn recent_and_frequent_and_bad_records() {
    let dir = tempfile::tempdir().expect("tmp");
    let ws = Workspace::headless(
        content(),
        dir.path().join("data"),
        clock(),
        Arc::new(Headless),
    );
    assert!(ws.usage_home().expect("home").recent.is_empty());
    ws.record_use(used(
        "playbooks/cuifahuo",
        Some("cfh2"),
        "",
        FoundBy::Browsed,
    ))
    .expect("a");
    ws.record_use(used(
        "playbooks/no-such-doc",
        Some("x1"),
        "",
        FoundBy::Browsed,
    ))
    .expect("b");
    let home = ws.usage_home().expect("home");
    let recent: Vec<(String, Option<String>)> = home
        .recent
        .iter()
        .map(|h| (h.id.clone(), h.phrase.as_ref().map(|p| p.code.clone())))
        .collect();
    assert_eq!(
        recent,
        vec![("playbooks/cuifahuo".to_string(), Some("cfh2".to_string()))],
        "a removed document is skipped"
    );
    let err = ws
        .record_use(used(" ", None, "", FoundBy::Browsed))
        .expect_err("no id");
    assert_eq!(err.kind, ErrorKind::InvalidInput);
}

#[test]
fn a_send_is_recorded_only_when_the_shell_sent_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let ws = Workspace::headless(
        content(),
        dir.path().join("data"),
        clock(),
        Arc::new(Headless),
    );
    let req = SendRequest {
        text: "好的亲😊\n马上安排".into(),
        record: used("playbooks/cuifahuo", Some("cfh1"), "cfh", FoundBy::Typed),
    };
    match ws.send_to_chat(req.clone()).expect("outcome") {
        SendOutcome::NotSent { code, .. } => assert_eq!(code, NotSentCode::Unsupported),
        SendOutcome::Sent => panic!("a headless workspace cannot send"),
    }
    assert!(
        ws.usage_home().expect("home").recent.is_empty(),
        "nothing sent, nothing logged"
    );

    let dir2 = tempfile::tempdir().expect("tmp");
    let chat = Arc::new(Chat::default());
    let ws2 = Workspace::headless(content(), dir2.path().join("data"), clock(), chat.clone());
    assert_eq!(ws2.send_to_chat(req).expect("sent"), SendOutcome::Sent);
    assert_eq!(
        chat.0.lock().expect("lock").as_slice(),
        ["好的亲😊\n马上安排"]
    );
    let (store, _) =
        kefu_core::store::Store::open(&dir2.path().join("data"), &*clock()).expect("db");
    let uses = store.uses(None).expect("uses");
    assert_eq!(uses.len(), 1);
    assert_eq!(uses[0].action, UseAction::Sent);
    assert_eq!(uses[0].query.as_deref(), Some("cfh"));
    let empty = SendRequest {
        text: String::new(),
        record: used("playbooks/cuifahuo", None, "", FoundBy::Browsed),
    };
    assert_eq!(
        ws2.send_to_chat(empty).expect_err("empty").kind,
        ErrorKind::InvalidInput
    );
}
