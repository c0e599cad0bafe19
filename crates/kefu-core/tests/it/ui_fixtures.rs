//! Responses of the real core for the UI's component tests.
//!
//! `ui/src/test/fixture-calls.json` lists command calls (name + JSON arguments, in order, as one
//! session); this test runs each through `commands::dispatch` on a workspace over a copy of the
//! shipped content plus `tests/fixtures/browser`, on a fixed clock without the encoder, and writes
//! what came back to `ui/src/test/fixtures.json` (`make test` checks that it is committed, like
//! the bindings). The UI's stub backend answers from that file, so a component test sees what
//! core really says; when core changes, the file changes and the tests that depend on it fail.
//!
//! Values that differ between runs are normalised: the temporary folders become `<content>` and
//! `<data>`, and durations (`took_us`) become 0.

use std::sync::Arc;

use kefu_core::{FixedClock, Headless, Workspace, commands};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::util::{copy_tree, repo_root};

#[derive(Deserialize)]
struct Call {
    cmd: String,
    #[serde(default)]
    args: Value,
}

fn normalise(v: &mut Value, replace: &[(String, &str)]) {
    match v {
        Value::String(s) => {
            for (from, to) in replace {
                if s.contains(from.as_str()) {
                    *s = s.replace(from.as_str(), to);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| normalise(x, replace)),
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if k == "took_us" {
                    *x = json!(0);
                } else {
                    normalise(x, replace);
                }
            }
        }
        _ => {}
    }
}

#[test]
fn the_ui_fixtures_are_what_core_answers() {
    let ui = repo_root().join("ui/src/test");
    let calls_text = std::fs::read_to_string(ui.join("fixture-calls.json")).expect("call list");
    let calls: Vec<Call> = serde_json::from_str(&calls_text).expect("call list is JSON");
    assert!(!calls.is_empty());

    let dir = tempfile::tempdir().expect("tmp");
    let content = dir.path().join("content");
    copy_tree(&repo_root().join("content"), &content);
    copy_tree(&repo_root().join("tests/fixtures/browser"), &content);
    let data = dir.path().join("data");
    let clock = Arc::new(FixedClock::on(
        chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("date"),
    ));
    let ws: Arc<Workspace> =
        Workspace::headless(content.clone(), data.clone(), clock, Arc::new(Headless));

    let replace = vec![
        (content.to_string_lossy().into_owned(), "<content>"),
        (data.to_string_lossy().into_owned(), "<data>"),
        (dir.path().to_string_lossy().into_owned(), "<tmp>"),
    ];
    let mut out = Vec::with_capacity(calls.len());
    for c in calls {
        let args = if c.args.is_null() { json!({}) } else { c.args };
        let mut entry = json!({ "cmd": c.cmd, "args": args });
        match commands::dispatch(&ws, &c.cmd, args.clone()) {
            Ok(mut v) => {
                normalise(&mut v, &replace);
                entry["ok"] = v;
            }
            Err(e) => {
                let mut v = serde_json::to_value(e).expect("error as JSON");
                normalise(&mut v, &replace);
                entry["err"] = v;
            }
        }
        out.push(entry);
    }
    let text = serde_json::to_string_pretty(&out).expect("JSON") + "\n";
    std::fs::write(ui.join("fixtures.json"), text).expect("write fixtures.json");
}
