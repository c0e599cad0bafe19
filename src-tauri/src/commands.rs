//! The IPC surface: each command is a few lines that call kefu-core through [`AppState`].
//! Errors reach the UI as `{kind, message}` ([`ApiError`]).

use kefu_core::api::{
    ApiError, DocumentView, LibraryStatus, SearchRequest, SourceCheck, Suggestion,
};
use kefu_core::drill::Progress;
use kefu_core::git::{GitStatus, SyncReport};
use kefu_core::practice::{DrillHome, DrillPrompt, DrillResult, SubmitRequest, Trainer};
use kefu_core::publish::{self, Draft, SaveOutcome, SaveRequest, Source};
use kefu_core::review::ReviewItem;
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
    state.inner().watch(app);
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

/// A document's file for the editor (text and fingerprint).
#[tauri::command]
pub async fn source(state: State<'_, Shared>, id: String) -> Result<Source, ApiError> {
    run(&state, move |s| s.read(|lib| lib.source(&id))).await
}

/// A file by path, for files that do not load (e.g. with git conflict markers).
#[tauri::command]
pub async fn source_at(state: State<'_, Shared>, path: String) -> Result<Source, ApiError> {
    run(&state, move |s| {
        s.read(|lib| publish::read_source(&lib.config().content_dir, &path))
    })
    .await
}

/// "发布案例": a new case from the template, author from the profile.
#[tauri::command]
pub async fn new_case(state: State<'_, Shared>) -> Result<Draft, ApiError> {
    run(&state, |s| {
        let author = s.author();
        s.read(|lib| Ok(lib.new_case(author.as_deref())))
    })
    .await
}

/// "生成练习": a drill draft from a case.
#[tauri::command]
pub async fn drill_draft(state: State<'_, Shared>, id: String) -> Result<Draft, ApiError> {
    run(&state, move |s| {
        let author = s.author();
        s.read(|lib| lib.drill_draft(&id, author.as_deref()))
    })
    .await
}

/// Live preview and validation of an editor buffer.
#[tauri::command]
pub async fn check_source(
    state: State<'_, Shared>,
    path: Option<String>,
    text: String,
) -> Result<SourceCheck, ApiError> {
    run(&state, move |s| {
        s.read(|lib| Ok(lib.check_source(path.as_deref(), &text)))
    })
    .await
}

/// Saves an editor buffer (never over a file changed on disk) and re-indexes.
#[tauri::command]
pub async fn save_source(
    state: State<'_, Shared>,
    req: SaveRequest,
) -> Result<SaveOutcome, ApiError> {
    run(&state, move |s| {
        let author = s.author();
        let out = s.write(|lib| lib.save_source(&req, author.as_deref()));
        s.kick_semantic();
        out
    })
    .await
}

/// "两份都保留" after a conflict: saves the buffer as a copy beside the original.
#[tauri::command]
pub async fn save_copy(
    state: State<'_, Shared>,
    req: SaveRequest,
) -> Result<SaveOutcome, ApiError> {
    run(&state, move |s| {
        let author = s.author();
        let out = s.write(|lib| lib.save_copy(&req, author.as_deref()));
        s.kick_semantic();
        out
    })
    .await
}

/// The 待复核 list.
#[tauri::command]
pub async fn review_items(state: State<'_, Shared>) -> Result<Vec<ReviewItem>, ApiError> {
    run(&state, |s| s.read(|lib| Ok(lib.review_items()))).await
}

/// The content folder's git state (for the 同步 button).
#[tauri::command]
pub async fn git_status(state: State<'_, Shared>) -> Result<GitStatus, ApiError> {
    run(&state, |s| s.git().map(|g| g.status())).await
}

/// "同步": commit, pull --rebase, push; then re-read the folder.
#[tauri::command]
pub async fn git_sync(state: State<'_, Shared>) -> Result<SyncReport, ApiError> {
    run(&state, |s| s.sync()).await
}
