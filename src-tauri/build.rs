//! Generates `allow-<command>` permissions for the app's own commands, so the capability file can
//! grant exactly the commands the UI uses.

const COMMANDS: &[&str] = &[
    "status",
    "search",
    "suggest",
    "document",
    "problems",
    "reload",
    "get_settings",
    "save_settings",
    "set_compact",
    "drill_home",
    "drill_prompt",
    "drill_submit",
    "drill_progress",
    "set_profile_name",
    "source",
    "source_at",
    "new_case",
    "drill_draft",
    "check_source",
    "save_source",
    "save_copy",
    "review_items",
    "git_status",
    "git_sync",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
