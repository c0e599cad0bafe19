//! Every command of the one list is registered and permitted in the real app configuration
//! (the capability files, the permissions build.rs generated), through Tauri's own IPC path on
//! the mock runtime: a call is answered by kefu-core (a result or an `ApiError`), never refused
//! by the ACL; a command outside the list is refused.

use std::sync::Arc;

use kefu_core::api::ApiError;
use kefu_core::commands::COMMANDS;
use kefu_core::{Headless, SystemClock, Workspace};
use serde_json::{Value, json};
use tauri::Manager;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;

fn request(cmd: &str, body: Value) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().expect("url"),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

#[test]
fn every_command_is_registered_and_permitted() {
    let dir = tempfile::tempdir().expect("tmp");
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("playbooks")).expect("mkdir");
    std::fs::write(
        content.join("playbooks/cuifa.md"),
        "---\nkind: playbook\ntitle: 催发货\nphrases:\n  - code: cfh1\n    text: 亲，马上帮您催~\n---\n正文\n",
    )
    .expect("write");
    let app = mock_builder()
        .invoke_handler(kefu_desktop::ipc::handle)
        .build(tauri::generate_context!())
        .expect("the app builds");
    let ws = Workspace::headless(
        content,
        dir.path().join("data"),
        Arc::new(SystemClock),
        Arc::new(Headless),
    );
    app.manage(ws);
    let webview = match app.get_webview_window("main") {
        Some(w) => w,
        None => tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("main window"),
    };

    let found = get_ipc_response(
        &webview,
        request("search", json!({"req": {"query": "催发货"}})),
    )
    .expect("search answers")
    .deserialize::<Value>()
    .expect("json");
    assert_eq!(found["hits"][0]["id"], "playbooks/cuifa");

    for cmd in COMMANDS {
        // No arguments: commands that need some answer with an ApiError from kefu-core,
        // which proves the call got through the ACL to the dispatcher.
        match get_ipc_response(&webview, request(cmd, json!({}))) {
            Ok(_) => {}
            Err(e) => {
                let api: Result<ApiError, _> = serde_json::from_value(e.clone());
                assert!(api.is_ok(), "{cmd} was refused before kefu-core: {e}");
            }
        }
    }

    let refused =
        get_ipc_response(&webview, request("format_disk", json!({}))).expect_err("not in the list");
    let text = refused.to_string();
    assert!(
        serde_json::from_value::<ApiError>(refused).is_err() && text.contains("format_disk"),
        "refused by the ACL, not by kefu-core: {text}"
    );
}
