//! Linux (X11) through x11rb, already in the app through the clipboard (arboard), pure Rust, with
//! the XTEST extension. Two ways to find and give back the chat window:
//! - a window manager that follows EWMH (GNOME, KDE, Xfce …): read `_NET_ACTIVE_WINDOW` on the
//!   root window, and ask for it back with a `_NET_ACTIVE_WINDOW` client message (source 2,
//!   "pager", which window managers honour without focus-stealing prevention);
//! - no window manager (Xvfb, the tests): `GetInputFocus` / `SetInputFocus`.
//!
//! Ctrl+V is two XTEST fake key events each way, with the key codes looked up in the keyboard
//! mapping. Wayland sessions are refused: there one app cannot focus or type into another.

use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    self, AtomEnum, ClientMessageEvent, ConnectionExt as _, EventMask, InputFocus, KeyButMask,
    Window,
};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;

use super::Fail;

/// An X11 window id.
pub(super) type Target = Window;

const XK_CONTROL_L: u32 = 0xffe3;
const XK_V: u32 = 0x0076;
fn other(e: impl std::fmt::Display) -> Fail {
    Fail::Other(e.to_string())
}

/// Whether this session is Wayland without an X11 backend for Kefu itself.
fn wayland() -> bool {
    std::env::var_os("WAYLAND_DISPLAY").is_some_and(|v| !v.is_empty())
        && std::env::var("GDK_BACKEND").map_or(true, |b| !b.contains("x11"))
}

fn connect() -> Result<(RustConnection, Window), Fail> {
    if wayland() {
        return Err(Fail::Unsupported(
            "Wayland does not let one app focus or type into another".into(),
        ));
    }
    let (conn, screen) =
        x11rb::connect(None).map_err(|e| Fail::Unsupported(format!("no X11 display ({e})")))?;
    let root = conn
        .setup()
        .roots
        .get(screen)
        .map(|s| s.root)
        .ok_or_else(|| Fail::Unsupported("the X11 display has no screen".into()))?;
    Ok((conn, root))
}

fn atom(conn: &RustConnection, name: &[u8]) -> Result<u32, Fail> {
    Ok(conn
        .intern_atom(false, name)
        .map_err(other)?
        .reply()
        .map_err(other)?
        .atom)
}

/// `_NET_ACTIVE_WINDOW` of the root, when a window manager keeps it.
fn active_window(conn: &RustConnection, root: Window) -> Result<Option<Window>, Fail> {
    let net_active = atom(conn, b"_NET_ACTIVE_WINDOW")?;
    let reply = conn
        .get_property(false, root, net_active, AtomEnum::WINDOW, 0, 1)
        .map_err(other)?
        .reply()
        .map_err(other)?;
    if reply.type_ == u32::from(AtomEnum::NONE) {
        return Ok(None); // no EWMH window manager
    }
    Ok(reply
        .value32()
        .and_then(|mut v| v.next())
        .filter(|w| *w != 0))
}

/// An EWMH window manager runs: `_NET_SUPPORTING_WM_CHECK` on the root names a live window that
/// carries the same property (a stale property left by a manager that exited does not count).
fn ewmh_wm(conn: &RustConnection, root: Window) -> Result<bool, Fail> {
    let check = atom(conn, b"_NET_SUPPORTING_WM_CHECK")?;
    let child = |w: Window| -> Result<Option<Window>, Fail> {
        Ok(conn
            .get_property(false, w, check, AtomEnum::WINDOW, 0, 1)
            .map_err(other)?
            .reply()
            .ok()
            .and_then(|r| r.value32().and_then(|mut v| v.next()))
            .filter(|w| *w != 0))
    };
    Ok(match child(root)? {
        Some(w) => child(w)? == Some(w),
        None => false,
    })
}

/// The `_NET_WM_PID` of `w` or of its nearest ancestor that has one (the client window comes
/// before any window-manager frame around it).
fn pid_of(conn: &RustConnection, mut w: Window) -> Result<Option<u32>, Fail> {
    let net_pid = atom(conn, b"_NET_WM_PID")?;
    for _ in 0..64 {
        let reply = conn
            .get_property(false, w, net_pid, AtomEnum::CARDINAL, 0, 1)
            .map_err(other)?
            .reply()
            .map_err(|_| Fail::Gone)?;
        if let Some(pid) = reply.value32().and_then(|mut v| v.next()) {
            return Ok(Some(pid));
        }
        let tree = conn
            .query_tree(w)
            .map_err(other)?
            .reply()
            .map_err(|_| Fail::Gone)?;
        if tree.parent == tree.root || tree.parent == x11rb::NONE {
            break;
        }
        w = tree.parent;
    }
    Ok(None)
}

pub(super) fn available() -> Result<(), Fail> {
    connect().map(|_| ())
}

/// The window with the keyboard focus, unless it is Kefu's own.
pub(super) fn focused_window() -> Result<Option<Target>, Fail> {
    let (conn, root) = connect()?;
    let focus = if ewmh_wm(&conn, root)? {
        // With a window manager, GetInputFocus names its frames or its no-focus window.
        match active_window(&conn, root)? {
            Some(w) => w,
            None => return Ok(None),
        }
    } else {
        let f = conn
            .get_input_focus()
            .map_err(other)?
            .reply()
            .map_err(other)?
            .focus;
        // 0 = None, 1 = PointerRoot: nothing to go back to.
        if f <= 1 || f == root {
            return Ok(None);
        }
        f
    };
    if pid_of(&conn, focus)? == Some(std::process::id()) {
        return Ok(None);
    }
    Ok(Some(focus))
}

/// Whether `w` still exists and can take the focus (with a window manager, a minimised window
/// or one on another workspace counts: `_NET_ACTIVE_WINDOW` brings it back).
pub(super) fn alive(w: Target) -> Result<bool, Fail> {
    let (conn, root) = connect()?;
    let Ok(attrs) = conn.get_window_attributes(w).map_err(other)?.reply() else {
        return Ok(false); // BadWindow: destroyed
    };
    Ok(ewmh_wm(&conn, root)? || attrs.map_state == xproto::MapState::VIEWABLE)
}

pub(super) fn focus(w: Target) -> Result<(), Fail> {
    let (conn, root) = connect()?;
    if ewmh_wm(&conn, root)? {
        let net_active = atom(&conn, b"_NET_ACTIVE_WINDOW")?;
        // EWMH: data = [source (2 = pager), timestamp, requestor's active window].
        let event = ClientMessageEvent::new(32, w, net_active, [2, x11rb::CURRENT_TIME, 0, 0, 0]);
        conn.send_event(
            false,
            root,
            EventMask::SUBSTRUCTURE_REDIRECT | EventMask::SUBSTRUCTURE_NOTIFY,
            event,
        )
        .map_err(other)?
        .check()
        .map_err(other)?;
        // The window manager acts on the request later: the keys must wait until it has.
        let end = Instant::now() + Duration::from_millis(300);
        while active_window(&conn, root)? != Some(w) {
            if Instant::now() >= end {
                return Err(Fail::Other(
                    "the window manager did not give the chat window the focus".into(),
                ));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    } else {
        conn.set_input_focus(InputFocus::PARENT, w, x11rb::CURRENT_TIME)
            .map_err(other)?
            .check()
            .map_err(|_| Fail::Gone)?;
    }
    conn.flush().map_err(other)?;
    Ok(())
}

/// Key codes of each keysym in `wanted` (first match), from the keyboard mapping.
fn keycodes(conn: &RustConnection, wanted: &[u32]) -> Result<Vec<Option<u8>>, Fail> {
    let setup = conn.setup();
    let (min, max) = (setup.min_keycode, setup.max_keycode);
    let map = conn
        .get_keyboard_mapping(min, max - min + 1)
        .map_err(other)?
        .reply()
        .map_err(other)?;
    let per = usize::from(map.keysyms_per_keycode).max(1);
    Ok(wanted
        .iter()
        .map(|sym| {
            map.keysyms
                .chunks(per)
                .position(|syms| syms.contains(sym))
                .and_then(|i| u8::try_from(usize::from(min) + i).ok())
        })
        .collect())
}

fn key(conn: &RustConnection, root: Window, code: u8, press: bool) -> Result<(), Fail> {
    let kind = if press {
        xproto::KEY_PRESS_EVENT
    } else {
        xproto::KEY_RELEASE_EVENT
    };
    conn.xtest_fake_input(kind, code, x11rb::CURRENT_TIME, root, 0, 0, 0)
        .map_err(other)?
        .check()
        .map_err(other)
}

/// Waits up to `wait` for Shift/Ctrl/Alt/Super to be let go, then releases any still down, so
/// that the chat client sees Ctrl+V and not Ctrl+Alt+V.
pub(super) fn release_modifiers(wait: Duration) -> Result<(), Fail> {
    let (conn, root) = connect()?;
    let held_mask = KeyButMask::SHIFT | KeyButMask::CONTROL | KeyButMask::MOD1 | KeyButMask::MOD4;
    let end = Instant::now() + wait;
    loop {
        let mask = conn
            .query_pointer(root)
            .map_err(other)?
            .reply()
            .map_err(other)?
            .mask;
        if u16::from(mask) & u16::from(held_mask) == 0 {
            return Ok(());
        }
        if Instant::now() >= end {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let keys = conn
        .query_keymap()
        .map_err(other)?
        .reply()
        .map_err(other)?
        .keys;
    let map = conn
        .get_modifier_mapping()
        .map_err(other)?
        .reply()
        .map_err(other)?;
    let per = usize::from(map.keycodes_per_modifier()).max(1);
    // Rows of the server's modifier map: Shift, Lock, Control, Mod1 … Mod5. Released: Shift,
    // Control, Mod1 (Alt) and Mod4 (Super), whichever keys are bound to them.
    for (row, codes) in map.keycodes.chunks(per).enumerate() {
        if !matches!(row, 0 | 2 | 3 | 6) {
            continue;
        }
        for &code in codes {
            if code != 0 && keys[usize::from(code / 8)] & (1 << (code % 8)) != 0 {
                key(&conn, root, code, false)?;
            }
        }
    }
    Ok(())
}

pub(super) fn paste() -> Result<(), Fail> {
    let (conn, root) = connect()?;
    let codes = keycodes(&conn, &[XK_CONTROL_L, XK_V])?;
    let (Some(ctrl), Some(v)) = (codes[0], codes[1]) else {
        return Err(Fail::Other(
            "the keyboard layout has no Control or V key to paste with".into(),
        ));
    };
    key(&conn, root, ctrl, true)?;
    key(&conn, root, v, true)?;
    key(&conn, root, v, false)?;
    key(&conn, root, ctrl, false)?;
    // A round trip: every event has reached the server before the clipboard timer starts.
    conn.get_input_focus()
        .map_err(other)?
        .reply()
        .map_err(other)?;
    Ok(())
}
