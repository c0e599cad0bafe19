//! The [`Shell`] the workspace talks to in the desktop app: the global hotkey, the window, and
//! events to the UI through Tauri's event system.

use kefu_core::api::ApiError;
use kefu_core::usage::SendOutcome;
use kefu_core::{Event, Shell};
use tauri::{AppHandle, Emitter, Manager};

/// The desktop app's shell.
pub struct TauriShell {
    /// The running app.
    pub app: AppHandle,
}

impl Shell for TauriShell {
    fn check_hotkey(&self, hotkey: &str) -> Result<(), ApiError> {
        crate::shortcut::parse(hotkey).map(|_| ())
    }

    fn apply_hotkey(&self, hotkey: &str) -> Result<(), ApiError> {
        crate::shortcut::register(&self.app, hotkey)
    }

    fn set_compact(&self, compact: bool) -> Result<(), ApiError> {
        match self.app.get_webview_window("main") {
            Some(w) => crate::window::set_compact(&w, compact),
            None => Ok(()),
        }
    }

    fn send_to_chat(&self, text: &str) -> SendOutcome {
        match self.app.try_state::<crate::send::Sender>() {
            Some(sender) => sender.send(&self.app, text),
            None => kefu_core::usage::SendOutcome::NotSent {
                reason: "the app is still starting".into(),
                code: kefu_core::usage::NotSentCode::Failed,
            },
        }
    }

    fn emit(&self, event: Event) {
        let name = event.name();
        if let Err(e) = self.app.emit(name, event) {
            log::warn!("event {name} not delivered: {e}");
        }
    }
}
