//! The [`Shell`] the workspace talks to in the desktop app: the global hotkey, the window, and
//! events to the UI through Tauri's event system.

use kefu_core::api::ApiError;
use kefu_core::usage::SendOutcome;
use std::path::PathBuf;

use kefu_core::grants::PathAsk;
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

    /// The dialog plugin's Rust API, so what the user picks is known to core (and recorded as
    /// a grant) rather than reported by the page. Commands run on the blocking pool, where the
    /// blocking dialogs are meant to be called.
    fn choose_path(&self, ask: &PathAsk) -> Option<PathBuf> {
        use tauri_plugin_dialog::DialogExt;
        let mut dialog = self.app.dialog().file();
        if let Some(w) = self.app.get_webview_window("main") {
            dialog = dialog.set_parent(&w);
        }
        let filter = |d: tauri_plugin_dialog::FileDialogBuilder<tauri::Wry>, ext: &[String]| {
            if ext.is_empty() {
                d
            } else {
                let refs: Vec<&str> = ext.iter().map(String::as_str).collect();
                d.add_filter(ext.join(", "), &refs)
            }
        };
        let picked = match ask {
            PathAsk::Folder => dialog.blocking_pick_folder(),
            PathAsk::OpenFile { extensions } => filter(dialog, extensions).blocking_pick_file(),
            PathAsk::SaveFile {
                default_name,
                extensions,
            } => filter(dialog, extensions)
                .set_file_name(default_name)
                .blocking_save_file(),
        };
        picked.and_then(|p| p.into_path().ok())
    }

    fn emit(&self, event: Event) {
        let name = event.name();
        if let Err(e) = self.app.emit(name, event) {
            log::warn!("event {name} not delivered: {e}");
        }
    }
}
