//! The app's shared state: one `Library`, opened in the background at start-up and reopened
//! when the content folder changes, plus the settings. Commands reach it through [`run`], which
//! moves the work off the UI thread.

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

use kefu_core::api::ApiError;
use kefu_core::api::ContentChanged;
use kefu_core::git::{Git, SyncReport};
use kefu_core::practice::Trainer;
use kefu_core::semantic::{Semantic, SemanticStatus};
use kefu_core::store::Store;
use kefu_core::watch::ContentWatcher;
use kefu_core::{ErrorKind, Library, LibraryConfig, Settings, SystemClock};
use tauri::Emitter;

/// Where things live on this machine.
#[derive(Debug, Clone)]
pub struct Paths {
    /// Index and settings.
    pub data_dir: PathBuf,
    /// The content shipped with the app (used when no folder is chosen).
    pub bundled_content: PathBuf,
    /// Folders where the sentence encoder's model file may be (bundle resources, repository).
    pub model_dirs: Vec<PathBuf>,
}

/// Event sent to the UI when the state of matching by meaning changes (payload:
/// `SemanticStatus`).
pub const SEMANTIC_EVENT: &str = "kefu://semantic";

/// State shared by all commands.
pub struct AppState {
    paths: Paths,
    library: RwLock<Option<Result<Library, ApiError>>>,
    ready: (Mutex<bool>, Condvar),
    settings: Mutex<Settings>,
    store: Mutex<Option<Result<Store, ApiError>>>,
    watcher: Mutex<Option<ContentWatcher>>,
    /// Matching by meaning, shared by every library opened (one encoder, one vector cache).
    semantic: Arc<Semantic>,
    /// Wakes the embedding thread when documents changed.
    embed_kick: (Mutex<bool>, Condvar),
}

/// What commands receive.
pub type Shared = Arc<AppState>;

fn internal(message: impl Into<String>) -> ApiError {
    ApiError {
        kind: ErrorKind::Io,
        message: message.into(),
    }
}

impl AppState {
    /// Creates the state; call [`AppState::load`] (in the background) to open the library.
    pub fn new(paths: Paths, settings: Settings) -> Shared {
        Arc::new(AppState {
            semantic: Arc::new(Semantic::new(Some(paths.data_dir.join("semantic")))),
            paths,
            library: RwLock::new(None),
            ready: (Mutex::new(false), Condvar::new()),
            settings: Mutex::new(settings),
            store: Mutex::new(None),
            watcher: Mutex::new(None),
            embed_kick: (Mutex::new(false), Condvar::new()),
        })
    }

    /// The content folder the settings point at (the bundled one by default).
    pub fn content_dir(settings: &Settings, paths: &Paths) -> PathBuf {
        settings
            .content_dir
            .as_ref()
            .map(PathBuf::from)
            .unwrap_or_else(|| paths.bundled_content.clone())
    }

    fn open(&self, settings: &Settings) -> Result<Library, ApiError> {
        let config = LibraryConfig {
            content_dir: Self::content_dir(settings, &self.paths),
            data_dir: Some(self.paths.data_dir.clone()),
        };
        let mut lib = Library::open(config, Arc::new(SystemClock)).map_err(ApiError::from)?;
        lib.use_semantic(Arc::clone(&self.semantic));
        Ok(lib)
    }

    /// Loads the sentence encoder, then keeps the content's vectors up to date on one thread of
    /// its own (the other core stays free for the window and for queries); the UI hears about
    /// progress through `kefu://semantic`. Search works throughout, by words until vectors exist.
    pub fn run_semantic(self: &Arc<Self>, app: tauri::AppHandle) {
        let emit = |s: &AppState| {
            let status = s
                .read(|lib| Ok(lib.status().semantic))
                .unwrap_or(SemanticStatus::Loading);
            let _ = app.emit(SEMANTIC_EVENT, status);
        };
        self.semantic.set_loading();
        emit(self);
        let enc = kefu_core::semantic::start(&self.semantic, &self.paths.model_dirs);
        emit(self);
        if enc.is_none() {
            return;
        }
        loop {
            let todo = self.read(|lib| Ok(lib.embed_todo())).unwrap_or_default();
            if !todo.is_empty() {
                let mut last = Instant::now();
                let result = self.semantic.embed(&todo, 64, &|| false, &mut |_| {
                    if last.elapsed() >= Duration::from_millis(700) {
                        last = Instant::now();
                        emit(self);
                    }
                });
                if let Err(e) = result {
                    eprintln!("kefu: the vector cache could not be written: {e}");
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

    /// Tells the embedding thread that documents may have changed.
    pub fn kick_semantic(&self) {
        let (lock, cvar) = &self.embed_kick;
        if let Ok(mut k) = lock.lock() {
            *k = true;
            cvar.notify_all();
        }
    }

    /// Opens the library for the current settings and wakes every waiting command.
    pub fn load(&self) {
        let settings = self.settings();
        let opened = self.open(&settings);
        let store = Store::open(&self.paths.data_dir, &SystemClock).map(|(s, note)| {
            if let Some(note) = note {
                eprintln!("kefu: {note}");
            }
            s
        });
        if let Ok(mut slot) = self.store.lock() {
            *slot = Some(store.map_err(ApiError::from));
        }
        if let Ok(mut slot) = self.library.write() {
            *slot = Some(opened);
        }
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

    /// Runs `f` on the open library (waiting for the first load to finish).
    pub fn read<T>(&self, f: impl FnOnce(&Library) -> kefu_core::Result<T>) -> Result<T, ApiError> {
        self.wait_ready();
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

    /// Runs `f` on the open library with write access.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut Library) -> kefu_core::Result<T>,
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

    /// Runs `f` with the library and a trainer over the practice database.
    pub fn practice<T>(
        &self,
        f: impl FnOnce(&Library, &Trainer<'_>) -> kefu_core::Result<T>,
    ) -> Result<T, ApiError> {
        self.wait_ready();
        let store = self
            .store
            .lock()
            .map_err(|_| internal("store lock poisoned"))?;
        let store = match store.as_ref() {
            Some(Ok(s)) => s,
            Some(Err(e)) => return Err(e.clone()),
            None => return Err(internal("practice database not opened")),
        };
        self.read(|lib| {
            f(
                lib,
                &Trainer {
                    store,
                    clock: &SystemClock,
                },
            )
        })
    }

    /// The trainee/author name of the profile, for `author:` and commits.
    pub fn author(&self) -> Option<String> {
        let store = self.store.lock().ok()?;
        match store.as_ref() {
            Some(Ok(s)) => s.profile_name().ok().flatten(),
            _ => None,
        }
    }

    /// Git for the open content folder.
    pub fn git(&self) -> Result<Git, ApiError> {
        self.read(|lib| Ok(Git::new(&lib.config().content_dir)))
    }

    /// "同步", then the library re-reads what the pull brought.
    pub fn sync(&self) -> Result<SyncReport, ApiError> {
        let report = self.git()?.sync(self.author().as_deref())?;
        self.write(|lib| lib.reload_changes())?;
        self.kick_semantic();
        Ok(report)
    }

    /// (Re)starts the file watcher on the open content folder. Each change re-reads the folder
    /// and tells the UI (`kefu://content-changed`) what changed.
    pub fn watch(self: &Arc<Self>, app: tauri::AppHandle) {
        let Ok(dir) = self.read(|lib| Ok(lib.config().content_dir.clone())) else {
            return;
        };
        let weak = Arc::downgrade(self);
        let started = ContentWatcher::start(&dir, move |_paths| {
            let Some(state) = weak.upgrade() else { return };
            let changed = state.write(|lib| {
                Ok(lib.reload_changes()?.map(|ids| ContentChanged {
                    status: lib.status(),
                    ids,
                }))
            });
            match changed {
                Ok(Some(payload)) => {
                    state.kick_semantic();
                    let _ = app.emit(crate::CONTENT_CHANGED_EVENT, payload);
                }
                Ok(None) => {}
                Err(e) => eprintln!("kefu: reload after a file change failed: {}", e.message),
            }
        });
        match started {
            Ok(w) => {
                if let Ok(mut slot) = self.watcher.lock() {
                    *slot = Some(w);
                }
            }
            Err(e) => eprintln!("kefu: live reload is off: {e}"),
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> Settings {
        self.settings.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Applies and saves new settings. A new content folder is opened first; if it cannot be
    /// opened, nothing changes and the error is returned.
    pub fn save_settings(&self, new: Settings) -> Result<Settings, ApiError> {
        let old = self.settings();
        let folder_changed =
            Self::content_dir(&old, &self.paths) != Self::content_dir(&new, &self.paths);
        let failed_before = matches!(self.library.read().as_deref(), Ok(Some(Err(_))));
        if folder_changed || failed_before {
            let lib = self.open(&new)?;
            let mut slot = self
                .library
                .write()
                .map_err(|_| internal("library lock poisoned"))?;
            *slot = Some(Ok(lib));
            drop(slot);
            self.kick_semantic();
        }
        new.save(&self.paths.data_dir)?;
        if let Ok(mut s) = self.settings.lock() {
            *s = new.clone();
        }
        Ok(new)
    }
}

/// Runs blocking work (index, files) on the blocking thread pool, never on the UI thread.
pub async fn run<T: Send + 'static>(
    state: &tauri::State<'_, Shared>,
    f: impl FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let s = Arc::clone(state.inner());
    tauri::async_runtime::spawn_blocking(move || f(&s))
        .await
        .map_err(|e| internal(e.to_string()))?
}
