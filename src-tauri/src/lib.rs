//! Kefu's desktop shell: resolves paths, opens the library in the background, registers the
//! plugins and the global hotkey, and exposes the commands in [`commands`]. No domain logic here.

pub mod clipboard;
pub mod commands;
pub mod shortcut;
pub mod state;
pub mod window;

use std::path::PathBuf;

use kefu_core::Settings;
use tauri::Manager;

use crate::state::{AppState, Paths};

/// Event sent to the UI after files changed on disk were picked up (payload: `ContentChanged`).
pub const CONTENT_CHANGED_EVENT: &str = "kefu://content-changed";

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
            let (settings, note) = Settings::load(&paths.data_dir);
            if let Some(note) = note {
                eprintln!("kefu: {note}");
            }
            if let Err(e) = shortcut::register(app.handle(), &settings.hotkey) {
                eprintln!("kefu: {}", e.message);
            }
            if settings.compact
                && let Some(w) = app.get_webview_window("main")
            {
                let _ = window::set_compact(&w, true);
            }
            let state = AppState::new(paths, settings);
            let loader = std::sync::Arc::clone(&state);
            let handle = app.handle().clone();
            std::thread::spawn(move || {
                loader.load();
                loader.watch(handle.clone());
                loader.run_semantic(handle);
            });
            clipboard::start(app.handle().clone(), std::sync::Arc::clone(&state));
            app.manage(state);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::status,
            commands::search,
            commands::suggest,
            commands::document,
            commands::problems,
            commands::reload,
            commands::get_settings,
            commands::save_settings,
            commands::set_compact,
            commands::drill_home,
            commands::drill_prompt,
            commands::drill_submit,
            commands::drill_progress,
            commands::set_profile_name,
            commands::source,
            commands::source_at,
            commands::new_case,
            commands::drill_draft,
            commands::check_source,
            commands::save_source,
            commands::save_copy,
            commands::review_items,
            commands::git_status,
            commands::git_sync,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("kefu: the app could not start: {e}");
        std::process::exit(1);
    }
}
