//! The app's brain as one object: the open [`Library`], the practice [`Store`], the settings,
//! git, the file watcher and matching by meaning, all on one injected [`Clock`]. Every command
//! the UI can call is a method here (listed once in [`crate::commands`]); a shell (the Tauri
//! app, `kefu serve`) only wires a [`Shell`] to it and forwards calls.
//!
//! Threads: commands run on the caller's thread and take the library's lock for reading (or for
//! writing when they change files); [`Workspace::start`] opens the library in the background,
//! watches the content folder and embeds on a thread of its own. A command that arrives before
//! the first load finished waits for it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde::Serialize;

use crate::api::{
    ApiError, ContentChanged, DocumentView, LibraryStatus, SearchRequest, SourceCheck, Suggestion,
};
use crate::clock::Clock;
use crate::content::Problem;
use crate::drill::Progress;
use crate::error::Error;
use crate::git::{Git, GitStatus, SyncReport};
use crate::grants::{Grants, PathAsk, Use};
use crate::library::{Library, LibraryConfig};
use crate::phrasebook::export::PhraseFormat;
use crate::phrasebook::{self, ImportOutcome, ImportPreview, ImportRequest};
use crate::practice::{DrillHome, DrillPrompt, DrillResult, SubmitRequest, Trainer};
use crate::publish::{self, Draft, SaveOutcome, SaveRequest, Source};
use crate::review::ReviewItem;
use crate::search::SearchResults;
use crate::semantic::{Semantic, SemanticStatus};
use crate::settings::{Settings, TeamSettings};
use crate::store::Store;
use crate::team::assign::{Assignment, NewAssignment};
use crate::team::export::ExportFormat;
use crate::team::share::{ShareStatus, SharingRequest};
use crate::team::view::{AgentTrend, TeamView};
use crate::usage::{NotSentCode, SendOutcome, SendRequest, UsageHome, UsageModel, UseRecord};
use crate::watch::ContentWatcher;

/// Where things live on this machine.
#[derive(Debug, Clone)]
pub struct Paths {
    /// Index, vectors, settings and the practice database.
    pub data_dir: PathBuf,
    /// The content used when the settings name no folder.
    pub bundled_content: PathBuf,
    /// Folders where the sentence encoder's model file may be.
    pub model_dirs: Vec<PathBuf>,
}

/// Something the UI should hear about without asking.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Event {
    /// Files changed on disk were picked up (external edits, our saves, a pull, a new day).
    ContentChanged(ContentChanged),
    /// Matching by meaning changed state (model loaded, embedding progress).
    Semantic(SemanticStatus),
}

/// Event name for [`Event::ContentChanged`].
pub const CONTENT_CHANGED_EVENT: &str = "kefu://content-changed";
/// Event name for [`Event::Semantic`].
pub const SEMANTIC_EVENT: &str = "kefu://semantic";

impl Event {
    /// The name the UI listens for.
    pub fn name(&self) -> &'static str {
        match self {
            Event::ContentChanged(_) => CONTENT_CHANGED_EVENT,
            Event::Semantic(_) => SEMANTIC_EVENT,
        }
    }
}

/// What only the shell around the workspace can do: the window, the global hotkey, and
/// delivering events. Every method has a do-nothing default (a headless shell).
pub trait Shell: Send + Sync {
    /// Checks that `hotkey` (e.g. `Ctrl+Shift+K`) can be parsed; called before settings change.
    fn check_hotkey(&self, _hotkey: &str) -> Result<(), ApiError> {
        Ok(())
    }
    /// Registers `hotkey` in place of the previous one.
    fn apply_hotkey(&self, _hotkey: &str) -> Result<(), ApiError> {
        Ok(())
    }
    /// Compact (small, always on top) or normal window.
    fn set_compact(&self, _compact: bool) -> Result<(), ApiError> {
        Ok(())
    }
    /// Delivers an event to the UI.
    fn emit(&self, _event: Event) {}
    /// Pastes `text` into the window that had focus before Kefu was summoned, putting the
    /// clipboard back afterwards (see `src-tauri/src/send`). Without a window system: not sent.
    fn send_to_chat(&self, _text: &str) -> SendOutcome {
        SendOutcome::NotSent {
            reason: "no window system to send to".into(),
            code: NotSentCode::Unsupported,
        }
    }
    /// Opens the native dialog for `ask` and returns what the user picked (`None`: cancelled,
    /// or no window system). Only paths picked here can widen what the page reaches (see
    /// `grants`).
    fn choose_path(&self, _ask: &PathAsk) -> Option<PathBuf> {
        None
    }
}

/// A shell without a window: settings apply, events are dropped.
#[derive(Debug, Default)]
pub struct Headless;

impl Shell for Headless {}

/// The app's state; see the module documentation.
pub struct Workspace {
    paths: Paths,
    clock: Arc<dyn Clock>,
    shell: Arc<dyn Shell>,
    library: RwLock<Option<Result<Library, ApiError>>>,
    ready: (Mutex<bool>, Condvar),
    settings: Mutex<Settings>,
    store: Mutex<Option<Result<Store, ApiError>>>,
    watcher: Mutex<Option<ContentWatcher>>,
    /// Matching by meaning, shared by every library opened (one encoder, one vector cache).
    semantic: Arc<Semantic>,
    /// Wakes the embedding thread when documents changed.
    embed_kick: (Mutex<bool>, Condvar),
    /// The day the open library's 待复核 reasons were computed for.
    review_day: Mutex<Option<NaiveDate>>,
    /// Frecency of the recorded uses; `None` until first needed or after a new use.
    usage: Mutex<Option<Arc<UsageModel>>>,
    /// The team's results files, read again only when one changed.
    team: crate::team::ResultsCache,
    /// Paths the user picked in this run's native dialogs.
    grants: Grants,
}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspace")
            .field("paths", &self.paths)
            .finish_non_exhaustive()
    }
}

/// An `ErrorKind::Internal` error: a bug or a poisoned lock, not the user's doing.
fn internal(message: impl Into<String>) -> ApiError {
    ApiError::from(Error::Internal(message.into()))
}

impl Workspace {
    /// A workspace that has not opened anything yet: call [`Workspace::start`] (background) or
    /// [`Workspace::load`] (now).
    pub fn new(
        paths: Paths,
        settings: Settings,
        clock: Arc<dyn Clock>,
        shell: Arc<dyn Shell>,
    ) -> Arc<Workspace> {
        Arc::new(Workspace {
            semantic: Arc::new(Semantic::new(Some(paths.data_dir.join("semantic")))),
            paths,
            clock,
            shell,
            library: RwLock::new(None),
            ready: (Mutex::new(false), Condvar::new()),
            settings: Mutex::new(settings),
            store: Mutex::new(None),
            watcher: Mutex::new(None),
            embed_kick: (Mutex::new(false), Condvar::new()),
            review_day: Mutex::new(None),
            usage: Mutex::new(None),
            team: crate::team::ResultsCache::default(),
            grants: Grants::default(),
        })
    }

    /// A workspace over `content` (data in `data_dir`), default settings, no model, already
    /// loaded: for tools and tests that need no window.
    pub fn headless(
        content: PathBuf,
        data_dir: PathBuf,
        clock: Arc<dyn Clock>,
        shell: Arc<dyn Shell>,
    ) -> Arc<Workspace> {
        let paths = Paths {
            data_dir,
            bundled_content: content,
            model_dirs: Vec::new(),
        };
        let ws = Workspace::new(paths, Settings::default(), clock, shell);
        ws.load();
        ws
    }

    /// Opens the library, then watches the folder and (with `semantic`) loads the encoder and
    /// embeds, all on a background thread.
    pub fn start(self: &Arc<Self>, semantic: bool) {
        let ws = Arc::clone(self);
        std::thread::spawn(move || {
            ws.load();
            ws.watch();
            if semantic {
                ws.run_semantic();
            }
        });
    }

    /// The content folder `settings` point at (the bundled one by default).
    pub fn content_dir_for(&self, settings: &Settings) -> PathBuf {
        settings
            .content_dir
            .as_ref()
            .map(PathBuf::from)
            .unwrap_or_else(|| self.paths.bundled_content.clone())
    }

    fn open(&self, settings: &Settings) -> Result<Library, ApiError> {
        let config = LibraryConfig {
            content_dir: self.content_dir_for(settings),
            data_dir: Some(self.paths.data_dir.clone()),
        };
        let mut lib = Library::open(config, Arc::clone(&self.clock)).map_err(ApiError::from)?;
        lib.use_semantic(Arc::clone(&self.semantic));
        Ok(lib)
    }

    fn set_review_day(&self) {
        if let Ok(mut d) = self.review_day.lock() {
            *d = Some(self.clock.today());
        }
    }

    /// Opens the library and the practice database for the current settings and wakes every
    /// waiting command.
    pub fn load(&self) {
        let settings = self.settings();
        let opened = self.open(&settings);
        let store = Store::open(&self.paths.data_dir, self.clock.as_ref()).map(|(s, note)| {
            if let Some(note) = note {
                log::warn!("{note}");
            }
            s
        });
        if let Ok(mut slot) = self.usage.lock() {
            *slot = None;
        }
        if let Ok(mut slot) = self.store.lock() {
            *slot = Some(store.map_err(ApiError::from));
        }
        if let Ok(mut slot) = self.library.write() {
            *slot = Some(opened);
        }
        self.set_review_day();
        let (lock, cvar) = &self.ready;
        if let Ok(mut ready) = lock.lock() {
            *ready = true;
            cvar.notify_all();
        }
    }

    fn wait_ready(&self) {
        let (lock, cvar) = &self.ready;
        if let Ok(mut ready) = lock.lock() {
            while !*ready {
                match cvar.wait(ready) {
                    Ok(r) => ready = r,
                    Err(_) => return,
                }
            }
        }
    }

    /// After midnight the 待复核 reasons (computed per load) are re-derived for the new day, so
    /// badges, problems and the review list never show yesterday's state.
    fn roll_day(&self) {
        let today = self.clock.today();
        let stale = self
            .review_day
            .lock()
            .map(|d| d.is_some_and(|d| d != today))
            .unwrap_or(false);
        if !stale {
            return;
        }
        self.set_review_day();
        self.reread(true);
    }

    /// Runs `f` on the open library (waiting for the first load to finish).
    pub fn with_library<T>(
        &self,
        f: impl FnOnce(&Library) -> crate::Result<T>,
    ) -> Result<T, ApiError> {
        self.wait_ready();
        self.roll_day();
        let guard = self
            .library
            .read()
            .map_err(|_| internal("library lock poisoned"))?;
        match guard.as_ref() {
            Some(Ok(lib)) => f(lib).map_err(ApiError::from),
            Some(Err(e)) => Err(e.clone()),
            None => Err(internal("library not loaded")),
        }
    }

    fn with_library_mut<T>(
        &self,
        f: impl FnOnce(&mut Library) -> crate::Result<T>,
    ) -> Result<T, ApiError> {
        self.wait_ready();
        let mut guard = self
            .library
            .write()
            .map_err(|_| internal("library lock poisoned"))?;
        match guard.as_mut() {
            Some(Ok(lib)) => f(lib).map_err(ApiError::from),
            Some(Err(e)) => Err(e.clone()),
            None => Err(internal("library not loaded")),
        }
    }

    fn practice<T>(
        &self,
        f: impl FnOnce(&Library, &Trainer<'_>) -> crate::Result<T>,
    ) -> Result<T, ApiError> {
        let clock = Arc::clone(&self.clock);
        self.with_store(|store| {
            self.with_library(|lib| {
                f(
                    lib,
                    &Trainer {
                        store,
                        clock: clock.as_ref(),
                    },
                )
            })
        })
    }

    /// Runs `f` on the practice database (waiting for the first load to finish).
    fn with_store<T>(&self, f: impl FnOnce(&Store) -> Result<T, ApiError>) -> Result<T, ApiError> {
        self.wait_ready();
        let store = self
            .store
            .lock()
            .map_err(|_| internal("store lock poisoned"))?;
        match store.as_ref() {
            Some(Ok(s)) => f(s),
            Some(Err(e)) => Err(e.clone()),
            None => Err(internal("practice database not opened")),
        }
    }

    /// The trainee/author name of the profile, for `author:` and commits.
    fn author(&self) -> Option<String> {
        let store = self.store.lock().ok()?;
        match store.as_ref() {
            Some(Ok(s)) => s.profile_name().ok().flatten(),
            _ => None,
        }
    }

    fn git(&self) -> Result<Git, ApiError> {
        self.with_library(|lib| Ok(Git::new(&lib.config().content_dir)))
    }

    // ------------------------------------------------------------------ watching, embedding

    /// (Re)starts the file watcher on the open content folder. Each change re-reads the folder
    /// and emits [`Event::ContentChanged`] with what changed.
    pub fn watch(self: &Arc<Self>) {
        let Ok(dir) = self.with_library(|lib| Ok(lib.config().content_dir.clone())) else {
            return;
        };
        let weak: Weak<Workspace> = Arc::downgrade(self);
        let started = ContentWatcher::start(&dir, move |_paths| {
            let Some(ws) = weak.upgrade() else { return };
            ws.reread(true);
        });
        match started {
            Ok(w) => {
                if let Ok(mut slot) = self.watcher.lock() {
                    *slot = Some(w);
                }
            }
            Err(e) => log::warn!("live reload is off: {e}"),
        }
    }

    /// Re-reads the folder (after a file change, a pull or a new day); emits what changed (when
    /// `emit`) and wakes the embedding thread.
    fn reread(&self, emit: bool) {
        let changed = self.with_library_mut(|lib| {
            Ok(lib.reload_changes()?.map(|ids| ContentChanged {
                status: lib.status(),
                ids,
            }))
        });
        match changed {
            Ok(Some(payload)) => {
                self.kick_semantic();
                if emit {
                    self.shell.emit(Event::ContentChanged(payload));
                }
            }
            Ok(None) => {}
            Err(e) => log::warn!("reload after a file change failed: {}", e.message),
        }
    }

    /// Loads the sentence encoder, then keeps the content's vectors up to date on this thread
    /// (run it on one of its own), emitting [`Event::Semantic`] as it goes. Search works
    /// throughout, by words until vectors exist.
    pub fn run_semantic(&self) {
        let emit = |ws: &Workspace| ws.shell.emit(Event::Semantic(ws.semantic_status()));
        self.semantic.set_loading();
        emit(self);
        let enc = crate::semantic::start(&self.semantic, &self.paths.model_dirs);
        emit(self);
        if enc.is_none() {
            return;
        }
        let mut warmed = false;
        loop {
            // The content first (search), then what drill scoring compares replies with.
            let todo = self
                .with_library(|lib| {
                    let todo = lib.embed_todo();
                    Ok(if todo.is_empty() {
                        lib.scoring_todo()
                    } else {
                        todo
                    })
                })
                .unwrap_or_default();
            if todo.is_empty() && !warmed {
                // What scoring compares a reply with, worked out once the drills' texts have
                // vectors (the first reply scored after a change is then as quick as the next).
                self.with_library(|lib| {
                    lib.warm_scoring();
                    Ok(())
                })
                .unwrap_or_default();
                warmed = true;
            }
            if !todo.is_empty() {
                warmed = false;
                let mut last = Instant::now();
                let result = self.semantic.embed(&todo, 64, &|| false, &mut |_| {
                    if last.elapsed() >= Duration::from_millis(700) {
                        last = Instant::now();
                        emit(self);
                    }
                });
                if let Err(e) = result {
                    log::warn!("the vector cache could not be written: {e}");
                }
                emit(self);
                continue;
            }
            // Wait for documents to change (or look again every few seconds).
            let (lock, cvar) = &self.embed_kick;
            let Ok(mut kicked) = lock.lock() else { return };
            if !*kicked {
                kicked = match cvar.wait_timeout(kicked, Duration::from_secs(5)) {
                    Ok((k, _)) => k,
                    Err(_) => return,
                };
            }
            *kicked = false;
        }
    }

    fn semantic_status(&self) -> SemanticStatus {
        self.with_library(|lib| Ok(lib.status().semantic))
            .unwrap_or(SemanticStatus::Loading)
    }

    /// Tells the embedding thread that documents may have changed.
    fn kick_semantic(&self) {
        let (lock, cvar) = &self.embed_kick;
        if let Ok(mut k) = lock.lock() {
            *k = true;
            cvar.notify_all();
        }
    }

    /// The data folder.
    pub fn data_dir(&self) -> &Path {
        &self.paths.data_dir
    }

    // ------------------------------------------------------------------ commands

    /// Counts, content folder and the last sync.
    pub fn status(&self) -> Result<LibraryStatus, ApiError> {
        self.with_library(|lib| Ok(lib.status()))
    }

    /// Searches.
    pub fn search(&self, req: SearchRequest) -> Result<SearchResults, ApiError> {
        // Typed keywords learn from use; a customer's message keeps its order by meaning (and
        // its second intent second). The model is taken before the library lock, never inside it
        // (the practice commands lock the store first).
        let model = (!crate::search::message::is_message(&req.query)).then(|| self.usage_model());
        self.with_library(|lib| {
            let mut results = lib.search_request(&req)?;
            if let Some(model) = model {
                model.rerank(&mut results);
                let q = crate::usage::normalise_query(&req.query);
                for hit in &mut results.hits {
                    if let Some(code) = model.favourite_phrase(&q, &hit.id) {
                        lib.prefer_phrase(hit, code, &req.query);
                    }
                }
            }
            Ok(results)
        })
    }

    /// The frecency model of the recorded uses (built once, rebuilt after a new use). Without a
    /// practice database it is empty: search works, it just does not learn.
    fn usage_model(&self) -> Arc<UsageModel> {
        if let Ok(slot) = self.usage.lock()
            && let Some(m) = slot.as_ref()
        {
            return Arc::clone(m);
        }
        let events = self
            .store
            .lock()
            .ok()
            .and_then(|s| match s.as_ref() {
                Some(Ok(store)) => store.uses(None).ok(),
                _ => None,
            })
            .unwrap_or_default();
        let model = Arc::new(UsageModel::new(
            &events,
            self.clock.now().with_timezone(&chrono::Utc),
        ));
        if let Ok(mut slot) = self.usage.lock() {
            *slot = Some(Arc::clone(&model));
        }
        model
    }

    /// Records a copy (or a send made elsewhere) of a phrase in the usage log.
    pub fn record_use(&self, record: UseRecord) -> Result<(), ApiError> {
        if record.doc_id.trim().is_empty() {
            return Err(ApiError::from(Error::InvalidInput(
                "a use needs the document's id".into(),
            )));
        }
        self.with_store(|s| {
            s.record_use(&record, self.clock.as_ref())
                .map_err(ApiError::from)
        })?;
        if let Ok(mut slot) = self.usage.lock() {
            *slot = None;
        }
        // Uses reach the results file at the next attempt or 同步 (share_now), not on the copy
        // and send path, which must stay quick.
        Ok(())
    }

    /// Sends a phrase to the chat window Kefu was summoned from and records it; when it cannot
    /// be sent, nothing is recorded and the outcome says why (the UI copies instead).
    pub fn send_to_chat(&self, req: SendRequest) -> Result<SendOutcome, ApiError> {
        if req.text.is_empty() {
            return Err(ApiError::from(Error::InvalidInput(
                "nothing to send: the text is empty".into(),
            )));
        }
        let outcome = self.shell.send_to_chat(&req.text);
        if outcome == SendOutcome::Sent {
            let record = UseRecord {
                action: crate::usage::UseAction::Sent,
                ..req.record
            };
            if let Err(e) = self.record_use(record) {
                log::warn!("a sent phrase was not logged: {}", e.message);
            }
        }
        Ok(outcome)
    }

    /// 最近使用 and 常用 for the empty search box (documents no longer in the content are skipped).
    pub fn usage_home(&self) -> Result<UsageHome, ApiError> {
        let model = self.usage_model();
        self.with_library(|lib| {
            let recent_keys = model.recent(3);
            let frequent_keys = model.frequent(5, &recent_keys);
            let cards = |keys: &[(&str, Option<&str>)]| {
                keys.iter()
                    .filter_map(|(d, p)| lib.card(d, *p))
                    .collect::<Vec<_>>()
            };
            Ok(UsageHome {
                recent: cards(&recent_keys),
                frequent: cards(&frequent_keys),
            })
        })
    }

    /// Other queries to try when one finds nothing.
    pub fn suggest(&self, query: String) -> Result<Vec<Suggestion>, ApiError> {
        self.with_library(|lib| Ok(lib.suggest(&query)))
    }

    /// One document, ready to show.
    pub fn document(&self, id: String) -> Result<DocumentView, ApiError> {
        self.with_library(|lib| lib.document_view(&id))
    }

    /// Content problems (file:line messages).
    pub fn problems(&self) -> Result<Vec<Problem>, ApiError> {
        self.with_library(|lib| Ok(shown(lib.problems())))
    }

    /// Re-reads the content folder and updates the index. A library that failed to open is
    /// opened again (so 重新加载 is a real retry, not the stored error).
    pub fn reload(&self) -> Result<LibraryStatus, ApiError> {
        self.wait_ready();
        let failed = matches!(self.library.read().as_deref(), Ok(Some(Err(_))));
        if failed {
            let opened = self.open(&self.settings());
            let status = opened.as_ref().map(Library::status).map_err(Clone::clone);
            let mut slot = self
                .library
                .write()
                .map_err(|_| internal("library lock poisoned"))?;
            *slot = Some(opened);
            drop(slot);
            if status.is_ok() {
                self.kick_semantic();
            }
            return status;
        }
        let status = self.with_library_mut(|lib| {
            lib.reload()?;
            Ok(lib.status())
        })?;
        self.kick_semantic();
        Ok(status)
    }

    /// 选择文件夹: the native folder dialog. The folder picked may become the content folder.
    pub fn choose_folder(&self) -> Result<Option<String>, ApiError> {
        Ok(self.choose(&PathAsk::Folder))
    }

    /// The native open dialog (files with these extensions). The file picked may be imported.
    pub fn choose_open_file(&self, extensions: Vec<String>) -> Result<Option<String>, ApiError> {
        Ok(self.choose(&PathAsk::OpenFile { extensions }))
    }

    /// The native save dialog, proposing `default_name`. An export may write the file picked.
    pub fn choose_save_file(
        &self,
        default_name: String,
        extensions: Vec<String>,
    ) -> Result<Option<String>, ApiError> {
        Ok(self.choose(&PathAsk::SaveFile {
            default_name,
            extensions,
        }))
    }

    fn choose(&self, ask: &PathAsk) -> Option<String> {
        let path = self.shell.choose_path(ask)?;
        self.grants.record(ask, &path);
        Some(path.to_string_lossy().into_owned())
    }

    /// The settings in force.
    pub fn get_settings(&self) -> Result<Settings, ApiError> {
        Ok(self.settings())
    }

    /// The settings in force (for the shell, e.g. the clipboard watcher).
    pub fn settings(&self) -> Settings {
        self.settings.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Applies and saves new settings. A new content folder is opened first; if it cannot be
    /// opened (or the hotkey is not valid), nothing changes and the error is returned.
    pub fn save_settings(self: &Arc<Self>, mut settings: Settings) -> Result<Settings, ApiError> {
        crate::settings::check_hotkey(&settings.hotkey)?;
        check_team(&settings.team)?;
        self.shell.check_hotkey(&settings.hotkey)?;
        let old = self.settings();
        let folder_changed = self.content_dir_for(&old) != self.content_dir_for(&settings);
        // A new content folder is one the user picked (the bundled one needs no pick).
        if folder_changed && let Some(dir) = &settings.content_dir {
            self.grants.check(Path::new(dir), Use::Folder)?;
        }
        // Consent to share was given for one team's folder: another folder asks again.
        if folder_changed {
            settings.team.share = false;
        }
        let failed_before = matches!(self.library.read().as_deref(), Ok(Some(Err(_))));
        if folder_changed || failed_before {
            let lib = self.open(&settings)?;
            let mut slot = self
                .library
                .write()
                .map_err(|_| internal("library lock poisoned"))?;
            *slot = Some(Ok(lib));
            drop(slot);
            self.set_review_day();
            self.kick_semantic();
        }
        settings.save(&self.paths.data_dir)?;
        if let Ok(mut s) = self.settings.lock() {
            *s = settings.clone();
        }
        let hotkey = self.shell.apply_hotkey(&settings.hotkey);
        if folder_changed || failed_before {
            self.watch();
        }
        self.share_now();
        hotkey?;
        Ok(settings)
    }

    /// Switches between the compact always-on-top window and the normal one.
    pub fn set_compact(&self, compact: bool) -> Result<(), ApiError> {
        self.shell.set_compact(compact)
    }

    /// The drills home: due count, first-week path, assignments, suggested session.
    pub fn drill_home(&self) -> Result<DrillHome, ApiError> {
        let agent = self.settings().team.agent_id;
        self.practice(|lib, t| t.home(lib, 5, agent.as_deref()))
    }

    /// What to show for one drill.
    pub fn drill_prompt(&self, id: String) -> Result<DrillPrompt, ApiError> {
        self.with_library(|lib| Trainer::prompt(lib, &id))
    }

    /// Scores, stores and schedules an answer (and shares it when sharing is on).
    pub fn drill_submit(&self, req: SubmitRequest) -> Result<DrillResult, ApiError> {
        let result = self.practice(|lib, t| t.submit(lib, &req))?;
        self.share_now();
        Ok(result)
    }

    /// Charts and personal bests.
    pub fn drill_progress(&self) -> Result<Progress, ApiError> {
        self.practice(|_, t| t.progress())
    }

    /// Sets the trainee's name.
    pub fn set_profile_name(&self, name: String) -> Result<(), ApiError> {
        self.practice(|_, t| t.store.set_profile_name(&name, t.clock))
    }

    /// A document's file for the editor (text and fingerprint).
    pub fn source(&self, id: String) -> Result<Source, ApiError> {
        self.with_library(|lib| lib.source(&id))
    }

    /// A file by path, for files that do not load (e.g. with git conflict markers).
    pub fn source_at(&self, path: String) -> Result<Source, ApiError> {
        self.with_library(|lib| publish::read_source(&lib.config().content_dir, &path))
    }

    /// "发布案例": a new case from the template, author from the profile.
    pub fn new_case(&self) -> Result<Draft, ApiError> {
        let author = self.author();
        self.with_library(|lib| Ok(lib.new_case(author.as_deref())))
    }

    /// "生成练习": a drill draft from a case.
    pub fn drill_draft(&self, id: String) -> Result<Draft, ApiError> {
        let author = self.author();
        self.with_library(|lib| lib.drill_draft(&id, author.as_deref()))
    }

    /// Live preview and validation of an editor buffer (`path` `None` for a new document).
    pub fn check_source(
        &self,
        path: Option<String>,
        text: String,
    ) -> Result<SourceCheck, ApiError> {
        self.with_library(|lib| {
            let mut c = lib.check_source(path.as_deref(), &text);
            c.problems = shown(&c.problems);
            Ok(c)
        })
    }

    /// Saves an editor buffer (never over a file changed on disk) and re-indexes.
    pub fn save_source(&self, req: SaveRequest) -> Result<SaveOutcome, ApiError> {
        let author = self.author();
        let out = self.with_library_mut(|lib| lib.save_source(&req, author.as_deref()));
        self.kick_semantic();
        out.map(shown_outcome)
    }

    /// "两份都保留" after a conflict: saves the buffer as a copy beside the original.
    pub fn save_copy(&self, req: SaveRequest) -> Result<SaveOutcome, ApiError> {
        let author = self.author();
        let out = self.with_library_mut(|lib| lib.save_copy(&req, author.as_deref()));
        self.kick_semantic();
        out.map(shown_outcome)
    }

    /// The 待复核 list.
    pub fn review_items(&self) -> Result<Vec<ReviewItem>, ApiError> {
        self.with_library(|lib| Ok(lib.review_items()))
    }

    /// The content folder's git state (for the 同步 button).
    pub fn git_status(&self) -> Result<GitStatus, ApiError> {
        self.git().map(|g| g.status())
    }

    /// "同步": commit, pull --rebase, push; then re-read what the pull brought.
    pub fn git_sync(&self) -> Result<SyncReport, ApiError> {
        self.share_now();
        let report = self.git()?.sync(self.author().as_deref())?;
        self.reread(true);
        Ok(report)
    }

    // ------------------------------------------------------------------ team

    fn content_dir(&self) -> Result<PathBuf, ApiError> {
        self.with_library(|lib| Ok(lib.config().content_dir.clone()))
    }

    /// Appends what the agent's results file lacks, when sharing is on. A failure is logged,
    /// never stops the practice it follows.
    fn share_now(&self) {
        let team = self.settings().team;
        if !team.share {
            return;
        }
        let Ok(dir) = self.content_dir() else { return };
        let name = self.author();
        let now = self.clock.now().with_timezone(&chrono::Utc);
        let shared = self.with_store(|s| {
            crate::team::share::sync_local(&dir, &team, name.as_deref(), s, now)
                .map_err(ApiError::from)
        });
        if let Err(e) = shared {
            log::warn!("results not shared: {}", e.message);
        }
    }

    /// 组长看板: every agent who shares, against the team average, with findings.
    pub fn team_view(&self) -> Result<TeamView, ApiError> {
        let dir = self.content_dir()?;
        let data = self.team.load(&dir);
        let now = self.clock.now();
        self.with_library(|lib| {
            let mut view = crate::team::view_of(&dir, lib.documents(), &data, now);
            view.problems = shown(&view.problems);
            Ok(view)
        })
    }

    /// One agent's weekly trend, recent attempts and findings.
    pub fn team_agent(&self, id: String) -> Result<AgentTrend, ApiError> {
        let dir = self.content_dir()?;
        let data = self.team.load(&dir);
        let now = self.clock.now();
        self.with_library(|lib| {
            let view = crate::team::view_of(&dir, lib.documents(), &data, now);
            let cat = crate::team::view::Catalogue::from_docs(lib.documents());
            crate::team::view::agent_trend(&data, &cat, &view, &id, now)
        })
    }

    /// Writes a new assignment file (validated as `kefu check` does); 同步 shares it.
    pub fn team_assign(&self, req: NewAssignment) -> Result<Assignment, ApiError> {
        let by = self.author();
        let now = self.clock.now();
        let a = self.with_library(|lib| {
            let list: Vec<(&str, &str, &str)> = lib
                .drills()
                .map(|(d, dr)| (d.id.as_str(), d.title.as_str(), dr.category.as_str()))
                .collect();
            crate::team::assign::create(&lib.config().content_dir, &req, &list, by.as_deref(), now)
        })?;
        self.reread(true);
        Ok(a)
    }

    /// Exports the matrix to `path` (an absolute path the user chose) as CSV or XLSX.
    pub fn team_export(&self, format: ExportFormat, path: String) -> Result<String, ApiError> {
        let target = PathBuf::from(&path);
        self.grants.check(&target, Use::Write)?;
        if !target.is_absolute() {
            return Err(ApiError::from(Error::InvalidInput(format!(
                "export to an absolute path, not `{path}`"
            ))));
        }
        let view = self.team_view()?;
        crate::team::export::write(&view, format, self.settings().language, &target)?;
        Ok(path)
    }

    /// 导入短语: what importing the file would write (nothing is written).
    pub fn import_preview(&self, req: ImportRequest) -> Result<ImportPreview, ApiError> {
        self.grants.check(Path::new(&req.path), Use::Read)?;
        let author = self.author();
        let today = self.clock.today();
        self.with_library(|lib| {
            let ctx = phrasebook::Context {
                content_dir: &lib.config().content_dir,
                documents: lib.documents().collect(),
                author: author.as_deref(),
                today,
            };
            phrasebook::preview(&ctx, &req)
        })
    }

    /// Writes the import with the choices confirmed in the preview (new files only), then
    /// re-reads the folder so the phrases are searchable at once.
    pub fn import_apply(&self, req: ImportRequest) -> Result<ImportOutcome, ApiError> {
        self.grants.check(Path::new(&req.path), Use::Read)?;
        let author = self.author();
        let today = self.clock.today();
        let out = self.with_library(|lib| {
            let ctx = phrasebook::Context {
                content_dir: &lib.config().content_dir,
                documents: lib.documents().collect(),
                author: author.as_deref(),
                today,
            };
            phrasebook::apply(&ctx, &req)
        })?;
        self.reread(true);
        Ok(out)
    }

    /// Exports every playbook phrase to `path` (an absolute path the user chose).
    pub fn export_phrases(&self, format: PhraseFormat, path: String) -> Result<u32, ApiError> {
        let target = PathBuf::from(&path);
        self.grants.check(&target, Use::Write)?;
        if !target.is_absolute() {
            return Err(ApiError::from(Error::InvalidInput(format!(
                "export to an absolute path, not `{path}`"
            ))));
        }
        self.with_library(|lib| {
            phrasebook::export::write(lib.documents(), format, &target).map(|n| n as u32)
        })
    }

    /// What this agent shares (settings → 团队).
    pub fn share_status(&self) -> Result<ShareStatus, ApiError> {
        let dir = self.content_dir()?;
        let team = self.settings().team;
        self.with_store(|s| crate::team::share::status(&dir, &team, s).map_err(ApiError::from))
    }

    /// Turns sharing on (writing what was practised so far) or off (deleting the shared file
    /// only when asked).
    pub fn set_sharing(&self, req: SharingRequest) -> Result<ShareStatus, ApiError> {
        let mut settings = self.settings();
        settings.team = crate::team::share::apply_request(&settings.team, &req)?;
        let agent = settings.team.agent_id.clone();
        // Stopping is saved first: a delete that fails (a locked file) never leaves sharing on.
        settings.save(&self.paths.data_dir)?;
        if let Ok(mut s) = self.settings.lock() {
            *s = settings;
        }
        if !req.share
            && req.delete_shared
            && let Some(agent) = &agent
        {
            crate::team::share::delete_shared(&self.content_dir()?, agent)?;
        }
        self.share_now();
        self.share_status()
    }
}

/// Sharing needs a valid agent id; any id set must be valid.
fn check_team(team: &TeamSettings) -> Result<(), ApiError> {
    crate::team::share::check(team).map_err(ApiError::from)
}

/// Problems as the page shows them: control and bidi characters escaped ([`Problem::visible`]).
fn shown(problems: &[Problem]) -> Vec<Problem> {
    problems.iter().map(Problem::visible).collect()
}

fn shown_outcome(mut o: SaveOutcome) -> SaveOutcome {
    if let SaveOutcome::Saved { problems, .. } | SaveOutcome::Invalid { problems } = &mut o {
        *problems = shown(problems);
    }
    o
}
