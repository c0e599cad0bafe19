//! Window layouts: the normal window and the compact one that sits beside the chat client.

use kefu_core::ErrorKind;
use kefu_core::api::ApiError;
use tauri::{LogicalSize, WebviewWindow};

/// Size of the compact window.
pub const COMPACT: (f64, f64) = (420.0, 600.0);
/// Size of the normal window.
pub const NORMAL: (f64, f64) = (1280.0, 800.0);

/// Compact: small and always on top. Normal: the default size, not on top.
pub fn set_compact(window: &WebviewWindow, compact: bool) -> Result<(), ApiError> {
    let (w, h) = if compact { COMPACT } else { NORMAL };
    let fail = |e: tauri::Error| ApiError {
        kind: ErrorKind::Io,
        message: e.to_string(),
    };
    window.set_always_on_top(compact).map_err(fail)?;
    window.set_size(LogicalSize::new(w, h)).map_err(fail)?;
    Ok(())
}
