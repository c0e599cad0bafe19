//! 剪贴板建议 (opt-in): while the setting is on, a customer's message copied in another app
//! (千牛, 咚咚, 飞鸽 …) is sent to the UI, which shows the results for it without a paste.
//!
//! The clipboard is read every 600 ms. Only a change counts, and not the text that was there when
//! the setting was turned on; a copy made while Kefu's window has focus is Kefu's own (a phrase)
//! and is ignored, and so are the clipboard changes of a send to the chat window; text that does
//! not read as a customer's message (see `kefu_core::search::message::is_message`) is ignored.
//! Clipboard text is never stored or
//! logged: only a hash of the last text seen is kept, to notice changes.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_clipboard_manager::ClipboardExt;

use std::sync::Arc;

use kefu_core::Workspace;

/// Event with the copied message (payload: the text).
pub const CLIPBOARD_EVENT: &str = "kefu://clipboard-message";

const POLL: Duration = Duration::from_millis(600);

/// Starts the clipboard watcher thread.
pub fn start(app: AppHandle, state: Arc<Workspace>) {
    std::thread::spawn(move || {
        let mut last: Option<u64> = None;
        loop {
            std::thread::sleep(POLL);
            if !state.settings().clipboard_suggest {
                last = None;
                continue;
            }
            // A send puts the phrase on the clipboard and then the agent's text back: neither
            // is a copy made in the chat client.
            if app
                .try_state::<crate::send::Sender>()
                .is_some_and(|s| s.is_busy())
            {
                continue;
            }
            let Ok(text) = app.clipboard().read_text() else {
                continue;
            };
            let mut h = DefaultHasher::new();
            text.hash(&mut h);
            let h = h.finish();
            let first = last.is_none();
            if last == Some(h) {
                continue;
            }
            last = Some(h);
            if first {
                continue; // on the clipboard before the setting was turned on: not a new copy
            }
            let ours = app
                .get_webview_window("main")
                .and_then(|w| w.is_focused().ok())
                .unwrap_or(false);
            if ours || !kefu_core::search::message::is_message(&text) {
                continue;
            }
            let _ = app.emit(CLIPBOARD_EVENT, text);
        }
    });
}
