//! The global hotkey that summons Kefu from any application.

use kefu_core::ErrorKind;
use kefu_core::api::ApiError;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, Shortcut, ShortcutState};

/// Event sent to the UI when the hotkey shows the window.
pub const SUMMONED_EVENT: &str = "kefu://summoned";

/// Parses a hotkey such as `Ctrl+Shift+K`.
pub fn parse(hotkey: &str) -> Result<Shortcut, ApiError> {
    hotkey.parse::<Shortcut>().map_err(|e| ApiError {
        kind: ErrorKind::InvalidInput,
        message: format!("invalid hotkey `{hotkey}`: {e}"),
    })
}

/// Replaces any registered hotkey with `hotkey`.
pub fn register(app: &AppHandle, hotkey: &str) -> Result<(), ApiError> {
    let shortcut = parse(hotkey)?;
    let gs = app.global_shortcut();
    let _ = gs.unregister_all();
    gs.register(shortcut).map_err(|e| ApiError {
        kind: ErrorKind::InvalidInput,
        message: format!("cannot register hotkey `{hotkey}` (another program may own it): {e}"),
    })
}

/// The plugin, with the handler that shows, focuses and notifies the main window.
pub fn plugin() -> tauri::plugin::TauriPlugin<tauri::Wry> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, _shortcut, event| {
            if event.state() == ShortcutState::Pressed {
                summon(app);
            }
        })
        .build()
}

/// Brings the main window to the front and tells the UI to focus search. The window that had
/// the focus is remembered first, for 发送到聊天窗口. While a send is running the summon waits
/// for it to finish (see [`crate::send::Sender::defer_summon`]).
pub fn summon(app: &AppHandle) {
    if let Some(sender) = app.try_state::<crate::send::Sender>() {
        if sender.defer_summon() {
            log::info!("hotkey during a send to the chat window: Kefu shows when it is done");
            return;
        }
        sender.remember();
    }
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
    let _ = app.emit(SUMMONED_EVENT, ());
}
