//! 发送到聊天窗口: paste a phrase into the chat client's input box and give the agent their
//! clipboard back.
//!
//! Design: Kefu remembers which window had the keyboard focus when the global hotkey summoned it
//! (the chat client), and hands focus back to it before pasting. The other known design, a
//! window that never takes focus (Tauri ≥ 2.8 `focusable: false`), would leave the agent unable
//! to type a query into Kefu without clicking it first, and an IME cannot compose into a window
//! without focus; remembering the window keeps "hotkey, type 2–3 characters, Alt+Enter".
//!
//! The flow ([`Sender::send`]): save the clipboard (text or image), put the phrase on it, give
//! the remembered window the focus, hide Kefu, wait for modifier keys the agent still holds (the
//! Alt of Alt+Enter) to be released, synthesise Ctrl+V (one chord, never key-by-key typing, which
//! an active IME would intercept), wait [`RESTORE_AFTER`] for the chat client to read the
//! clipboard, and put the saved clipboard back.
//!
//! Platform code is in one module per system, each a handful of documented calls:
//! [`x11`] (x11rb: EWMH `_NET_ACTIVE_WINDOW` when a window manager runs, else
//! `GetInputFocus`/`SetInputFocus`; XTEST for the key chord) and `windows` (Win32
//! `GetForegroundWindow`/`SetForegroundWindow`/`SendInput`). On Wayland, macOS or without a
//! window system a send is refused with a reason and the UI copies instead.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kefu_core::usage::{NotSentCode, SendOutcome};
use tauri::image::Image;
use tauri::{AppHandle, Manager};
use tauri_plugin_clipboard_manager::ClipboardExt;

#[cfg(target_os = "linux")]
mod x11;
#[cfg(target_os = "linux")]
use x11 as platform;

#[cfg(windows)]
#[allow(unsafe_code)] // Win32 calls; every block says why it is sound
mod windows;
#[cfg(windows)]
use self::windows as platform;

#[cfg(not(any(target_os = "linux", windows)))]
mod unsupported;
#[cfg(not(any(target_os = "linux", windows)))]
use unsupported as platform;

/// How long the chat client gets to read the clipboard after Ctrl+V before it is restored.
/// The paste itself arrives in a few milliseconds; this only delays the restore.
pub const RESTORE_AFTER: Duration = Duration::from_millis(350);
/// Time for the focus change to reach the chat client before the keys are sent.
const SETTLE: Duration = Duration::from_millis(15);
/// Longest wait for the agent to let go of Alt/Shift/Ctrl before they are released for them.
const MODIFIERS_WAIT: Duration = Duration::from_millis(500);

/// A window to send to: an X11 window id or a Win32 window handle.
type Target = platform::Target;

/// Why a platform step failed.
#[derive(Debug)]
pub enum Fail {
    /// This session cannot do it at all (Wayland, no display).
    Unsupported(String),
    /// The window is gone.
    Gone,
    /// The system refused.
    Other(String),
}

/// What was on the clipboard before a send.
enum Saved {
    Text(String),
    Image(Image<'static>),
    Nothing,
}

/// The send state: the window to go back to, and whether a send is running.
#[derive(Default)]
pub struct Sender {
    target: Mutex<Option<Target>>,
    busy: AtomicBool,
    /// The hotkey was pressed during a send: Kefu is summoned when the send is done.
    summon_after: AtomicBool,
}

struct BusyGuard<'a>(&'a AtomicBool);

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

fn not_sent(code: NotSentCode, reason: impl Into<String>) -> SendOutcome {
    SendOutcome::NotSent {
        reason: reason.into(),
        code,
    }
}

impl Sender {
    /// Remembers the window that has the focus now (called by the hotkey before Kefu shows).
    /// Kefu's own window is never remembered: summoning Kefu from itself keeps the previous one.
    pub fn remember(&self) {
        match platform::focused_window() {
            Ok(Some(w)) => {
                if let Ok(mut t) = self.target.lock() {
                    *t = Some(w);
                }
            }
            Ok(None) => {}
            Err(e) => log::debug!("no window to send to remembered: {e:?}"),
        }
    }

    /// Whether a send is in progress (its clipboard changes are not the agent's copies).
    pub fn is_busy(&self) -> bool {
        self.busy.load(Ordering::SeqCst)
    }

    /// Called by the hotkey: `true` when a send is in progress, in which case the summon is
    /// kept for when the send is done (showing Kefu mid-way would take the paste or the
    /// clipboard restore away from the chat window).
    pub fn defer_summon(&self) -> bool {
        if !self.busy.load(Ordering::SeqCst) {
            return false;
        }
        self.summon_after.store(true, Ordering::SeqCst);
        // The send may have ended between the load and the store: take the request back
        // (whoever swaps it to false first summons, so it happens exactly once).
        if !self.busy.load(Ordering::SeqCst) && self.summon_after.swap(false, Ordering::SeqCst) {
            return false;
        }
        true
    }

    /// Pastes `text` into the remembered window; see the module documentation.
    pub fn send(&self, app: &AppHandle, text: &str) -> SendOutcome {
        if self.busy.swap(true, Ordering::SeqCst) {
            return not_sent(NotSentCode::Busy, "a send is still in progress");
        }
        let outcome = {
            // Cleared however send_now ends, a panic included (spawn_blocking would catch it
            // and every later send would say "still in progress").
            let _busy = BusyGuard(&self.busy);
            self.send_now(app, text)
        };
        if self.summon_after.swap(false, Ordering::SeqCst) {
            crate::shortcut::summon(app);
        }
        outcome
    }

    fn send_now(&self, app: &AppHandle, text: &str) -> SendOutcome {
        if let Err(Fail::Unsupported(why)) = platform::available() {
            return not_sent(NotSentCode::Unsupported, why);
        }
        let Some(target) = self.target.lock().ok().and_then(|t| *t) else {
            return not_sent(
                NotSentCode::NoTarget,
                "Kefu was not summoned from a chat window with the hotkey",
            );
        };
        match platform::alive(target) {
            Ok(true) => {}
            Ok(false) | Err(Fail::Gone) => {
                if let Ok(mut t) = self.target.lock() {
                    *t = None;
                }
                return not_sent(
                    NotSentCode::TargetGone,
                    "the window Kefu was summoned from has closed",
                );
            }
            Err(Fail::Unsupported(why)) => return not_sent(NotSentCode::Unsupported, why),
            Err(Fail::Other(why)) => return not_sent(NotSentCode::Failed, why),
        }
        let clipboard = app.clipboard();
        let saved = match clipboard.read_text() {
            Ok(t) => Saved::Text(t),
            Err(_) => match clipboard.read_image() {
                Ok(img) => Saved::Image(img.to_owned()),
                Err(_) => Saved::Nothing,
            },
        };
        if let Err(e) = clipboard.write_text(text) {
            return not_sent(
                NotSentCode::Failed,
                format!("the clipboard refused the text: {e}"),
            );
        }
        let result = platform::focus(target).and_then(|()| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.hide();
            }
            std::thread::sleep(SETTLE);
            platform::release_modifiers(MODIFIERS_WAIT)?;
            platform::paste()
        });
        // Restored whatever happened above: a failed send must not lose the agent's clipboard.
        // The wait is for the chat client's read, so only when keys were sent.
        if result.is_ok() {
            std::thread::sleep(RESTORE_AFTER);
        }
        let restored = match &saved {
            Saved::Text(t) => clipboard.write_text(t.as_str()),
            Saved::Image(img) => clipboard.write_image(img),
            Saved::Nothing => clipboard.clear(),
        };
        if let Err(e) = restored {
            log::warn!("the clipboard could not be restored after a send: {e}");
        }
        match result {
            Ok(()) => SendOutcome::Sent,
            Err(Fail::Gone) => {
                if let Ok(mut t) = self.target.lock() {
                    *t = None;
                }
                not_sent(
                    NotSentCode::TargetGone,
                    "the window Kefu was summoned from has closed",
                )
            }
            Err(Fail::Unsupported(why)) => not_sent(NotSentCode::Unsupported, why),
            Err(Fail::Other(why)) => {
                log::warn!("send to chat failed: {why}");
                not_sent(NotSentCode::Failed, why)
            }
        }
    }
}
