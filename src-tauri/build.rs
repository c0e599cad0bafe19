//! Generates `allow-<command>` permissions for the app's commands, so the capability files can
//! grant exactly those. The names come from the one command list in kefu-core.

include!("../crates/kefu-core/src/command_list.rs");

macro_rules! names {
    ($( $(#[doc = $doc:literal])* $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty; )*) => {
        &[$(stringify!($name)),*]
    };
}

const COMMANDS: &[&str] = kefu_commands!(names);

fn main() {
    println!("cargo:rerun-if-changed=../crates/kefu-core/src/command_list.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
