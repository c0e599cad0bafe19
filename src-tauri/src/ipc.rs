//! The one invoke handler: every command of `kefu_core::kefu_commands!` goes to
//! `kefu_core::commands::dispatch` on the blocking thread pool (never on the UI thread).
//! Tauri checks each call against the capability files before it reaches this handler.

use std::sync::Arc;

use kefu_core::api::ApiError;
use kefu_core::{ErrorKind, Workspace};
use tauri::Manager;
use tauri::ipc::{Invoke, InvokeBody, InvokeError};

/// Handles one `invoke` from the UI; always answers (an `ApiError` on failure).
pub fn handle<R: tauri::Runtime>(invoke: Invoke<R>) -> bool {
    let internal = |message: String| ApiError {
        kind: ErrorKind::Internal,
        message,
    };
    let webview = invoke.message.webview();
    let Some(ws) = webview
        .app_handle()
        .try_state::<Arc<Workspace>>()
        .map(|s| Arc::clone(s.inner()))
    else {
        invoke
            .resolver
            .reject(internal("the workspace is not ready".into()));
        return true;
    };
    let command = invoke.message.command().to_string();
    let args = match invoke.message.payload() {
        InvokeBody::Json(v) => v.clone(),
        InvokeBody::Raw(_) => {
            invoke.resolver.reject(ApiError {
                kind: ErrorKind::InvalidInput,
                message: format!("`{command}` takes a JSON object"),
            });
            return true;
        }
    };
    invoke.resolver.respond_async(async move {
        tauri::async_runtime::spawn_blocking(move || {
            kefu_core::commands::dispatch(&ws, &command, args).map_err(InvokeError::from)
        })
        .await
        .map_err(|e| InvokeError::from(internal(e.to_string())))?
    });
    true
}
