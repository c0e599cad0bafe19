//! The IPC surface: each command is a few lines that call kefu-core through [`AppState`].
//! Errors reach the UI as `{kind, message}` ([`ApiError`]).

use kefu_core::api::{ApiError, DocumentView, LibraryStatus, SearchRequest, Suggestion};
use kefu_core::drill::Progress;
use kefu_core::practice::{DrillHome, DrillPrompt, DrillResult, SubmitRequest, Trainer};
use kefu_core::{Problem, SearchResults, Settings};
use tauri::{AppHandle, State, WebviewWindow};

use crate::state::{Shared, run};

/// Counts, content folder and the last sync.
#[tauri::command]
pub async fn status(state: State<'_, Shared>) -> Result<LibraryStatus, ApiError> {
    run(&state, |s| s.read(|lib| Ok(lib.status()))).await
}

/// Searches.
#[tauri::command]
pub async fn search(
    state: State<'_, Shared>,
    req: SearchRequest,
) -> Result<SearchResults, ApiError> {
    run(&state, move |s| s.read(|lib| lib.search_request(&req))).await
}

/// Other queries to try when one finds nothing.
#[tauri::command]
pub async fn suggest(state: State<'_, Shared>, query: String) -> Result<Vec<Suggestion>, ApiError> {
    run(&state, move |s| s.read(|lib| Ok(lib.suggest(&query)))).await
}

/// One document, ready to show.
#[tauri::command]
pub async fn document(state: State<'_, Shared>, id: String) -> Result<DocumentView, ApiError> {
    run(&state, move |s| s.read(|lib| lib.document_view(&id))).await
}

/// Content problems (file:line messages).
#[tauri::command]
pub async fn problems(state: State<'_, Shared>) -> Result<Vec<Problem>, ApiError> {
    run(&state, |s| s.read(|lib| Ok(lib.problems().to_vec()))).await
}

/// Re-reads the content folder and updates the index.
#[tauri::command]
pub async fn reload(state: State<'_, Shared>) -> Result<LibraryStatus, ApiError> {
    run(&state, |s| {
        s.write(|lib| {
            lib.reload()?;
            Ok(lib.status())
        })
    })
    .await
}

/// The settings in force.
#[tauri::command]
pub async fn get_settings(state: State<'_, Shared>) -> Result<Settings, ApiError> {
    run(&state, |s| Ok(s.settings())).await
}

/// Saves and applies settings (content folder, hotkey).
#[tauri::command]
pub async fn save_settings(
    app: AppHandle,
    state: State<'_, Shared>,
    settings: Settings,
) -> Result<Settings, ApiError> {
    crate::shortcut::parse(&settings.hotkey)?;
    let applied = run(&state, move |s| s.save_settings(settings)).await?;
    crate::shortcut::register(&app, &applied.hotkey)?;
    Ok(applied)
}

/// Switches between the compact always-on-top window and the normal one.
#[tauri::command]
pub fn set_compact(window: WebviewWindow, compact: bool) -> Result<(), ApiError> {
    crate::window::set_compact(&window, compact)
}

/// The drills home: due count, first-week path, suggested session.
#[tauri::command]
pub async fn drill_home(state: State<'_, Shared>) -> Result<DrillHome, ApiError> {
    run(&state, |s| s.practice(|lib, t| t.home(lib, 5))).await
}

/// What to show for one drill.
#[tauri::command]
pub async fn drill_prompt(state: State<'_, Shared>, id: String) -> Result<DrillPrompt, ApiError> {
    run(&state, move |s| s.read(|lib| Trainer::prompt(lib, &id))).await
}

/// Scores, stores and schedules an answer.
#[tauri::command]
pub async fn drill_submit(
    state: State<'_, Shared>,
    req: SubmitRequest,
) -> Result<DrillResult, ApiError> {
    run(&state, move |s| s.practice(|lib, t| t.submit(lib, &req))).await
}

/// Charts and personal bests.
#[tauri::command]
pub async fn drill_progress(state: State<'_, Shared>) -> Result<Progress, ApiError> {
    run(&state, |s| s.practice(|_, t| t.progress())).await
}

/// Sets the trainee's name.
#[tauri::command]
pub async fn set_profile_name(state: State<'_, Shared>, name: String) -> Result<(), ApiError> {
    run(&state, move |s| {
        s.practice(|_, t| t.store.set_profile_name(&name, t.clock))
    })
    .await
}
