//! Kefu's desktop shell: resolves paths, starts a [`kefu_core::Workspace`] in the background,
//! registers the plugins and the global hotkey, and forwards every command to it ([`ipc`]).
//! No domain logic here.

pub mod clipboard;
pub mod ipc;
pub mod send;
pub mod shell;
pub mod shortcut;
pub mod window;

use std::path::PathBuf;
use std::sync::Arc;

use kefu_core::{Paths, Settings, SystemClock, Workspace};
use tauri::Manager;

use crate::shell::TauriShell;

/// The content folder used when the settings name none: `$KEFU_CONTENT`, the bundled resources,
/// or (for a build run from the repository) the repository's `content/`.
fn bundled_content(app: &tauri::App) -> PathBuf {
    if let Some(dir) = std::env::var_os("KEFU_CONTENT").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let resource = app.path().resource_dir().map(|d| d.join("content"));
    match resource {
        Ok(dir) if dir.is_dir() => dir,
        _ => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../content")),
    }
}

fn data_dir(app: &tauri::App) -> PathBuf {
    if let Some(dir) = std::env::var_os("KEFU_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    app.path()
        .app_data_dir()
        .unwrap_or_else(|_| kefu_core::default_data_dir())
}

/// Builds and runs the app.
pub fn run() {
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(shortcut::plugin())
        .manage(send::Sender::default())
        .setup(|app| {
            let mut model_dirs: Vec<PathBuf> = app
                .path()
                .resource_dir()
                .map(|d| vec![d.join("model")])
                .unwrap_or_default();
            model_dirs.extend(kefu_core::semantic::repo_model_dirs());
            let paths = Paths {
                data_dir: data_dir(app),
                bundled_content: bundled_content(app),
                model_dirs,
            };
            kefu_core::logging::init(&paths.data_dir);
            let (settings, note) = Settings::load(&paths.data_dir);
            if let Some(note) = note {
                log::warn!("{note}");
            }
            if let Err(e) = shortcut::register(app.handle(), &settings.hotkey) {
                log::warn!("{}", e.message);
            }
            if settings.compact
                && let Some(w) = app.get_webview_window("main")
            {
                let _ = window::set_compact(&w, true);
            }
            let shell = Arc::new(TauriShell {
                app: app.handle().clone(),
            });
            let ws = Workspace::new(paths, settings, Arc::new(SystemClock), shell);
            ws.start(true);
            clipboard::start(app.handle().clone(), Arc::clone(&ws));
            app.manage(ws);
            Ok(())
        })
        .invoke_handler(ipc::handle)
        .run(tauri::generate_context!());
    if let Err(e) = result {
        log::error!("the app could not start: {e}");
        eprintln!("kefu: the app could not start: {e}");
        std::process::exit(1);
    }
}
