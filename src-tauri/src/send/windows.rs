//! Windows, through windows-rs (Microsoft's own bindings, already in the app through Tauri):
//! `GetForegroundWindow` when the hotkey fires, `SetForegroundWindow` to give it back (allowed
//! because Kefu is the foreground process at that moment, which is why focus is handed back
//! before Kefu hides), and `SendInput` for Ctrl+V.
//!
//! Not compiled on the Linux machines the project is built and tested on (no Windows target
//! there); written against the windows-rs 0.62 documentation and the Win32 reference, and kept
//! small so it can be read line by line. A chat client running elevated (as administrator)
//! refuses synthetic input from a normal process (UIPI). Windows may not report that, so such a
//! send can look successful with nothing pasted.

use std::time::{Duration, Instant};

use windows::Win32::Foundation::HWND;
use windows::Win32::UI::Input::KeyboardAndMouse::{
    GetAsyncKeyState, INPUT, INPUT_0, INPUT_KEYBOARD, KEYBD_EVENT_FLAGS, KEYBDINPUT,
    KEYEVENTF_EXTENDEDKEY, KEYEVENTF_KEYUP, SendInput, VIRTUAL_KEY, VK_CONTROL, VK_LCONTROL,
    VK_LMENU, VK_LSHIFT, VK_LWIN, VK_RCONTROL, VK_RMENU, VK_RSHIFT, VK_RWIN, VK_V,
};
use windows::Win32::UI::WindowsAndMessaging::{
    GetForegroundWindow, GetWindowThreadProcessId, IsIconic, IsWindow, IsWindowVisible, SW_RESTORE,
    SetForegroundWindow, ShowWindow,
};

use super::Fail;

/// A window handle, kept as an integer so that it can cross threads.
pub(super) type Target = isize;

fn hwnd(t: Target) -> HWND {
    HWND(t as *mut core::ffi::c_void)
}

/// Left and right keys apart: a key-up of the generic VK_MENU would release only the left Alt.
const MODIFIERS: [VIRTUAL_KEY; 8] = [
    VK_LSHIFT,
    VK_RSHIFT,
    VK_LCONTROL,
    VK_RCONTROL,
    VK_LMENU,
    VK_RMENU,
    VK_LWIN,
    VK_RWIN,
];

pub(super) fn available() -> Result<(), Fail> {
    Ok(())
}

/// The foreground window, unless it is one of Kefu's own.
pub(super) fn focused_window() -> Result<Option<Target>, Fail> {
    // SAFETY: plain Win32 queries without pointers we own, except `pid`, which outlives the call.
    unsafe {
        let w = GetForegroundWindow();
        if w.0.is_null() {
            return Ok(None);
        }
        let mut pid = 0u32;
        GetWindowThreadProcessId(w, Some(&raw mut pid));
        if pid == std::process::id() {
            return Ok(None);
        }
        Ok(Some(w.0 as isize))
    }
}

pub(super) fn alive(t: Target) -> Result<bool, Fail> {
    // SAFETY: IsWindow and IsWindowVisible accept any handle value, valid or not.
    unsafe { Ok(IsWindow(Some(hwnd(t))).as_bool() && IsWindowVisible(hwnd(t)).as_bool()) }
}

pub(super) fn focus(t: Target) -> Result<(), Fail> {
    // SAFETY: `t` was checked with IsWindow just before; a window closed since makes the calls
    // fail, which is reported, not undefined.
    unsafe {
        let w = hwnd(t);
        if !IsWindow(Some(w)).as_bool() {
            return Err(Fail::Gone);
        }
        if IsIconic(w).as_bool() {
            let _ = ShowWindow(w, SW_RESTORE);
        }
        if !SetForegroundWindow(w).as_bool() {
            return Err(Fail::Other(
                "Windows did not give the chat window the focus back".into(),
            ));
        }
    }
    Ok(())
}

fn key(vk: VIRTUAL_KEY, up: bool) -> INPUT {
    let up_flag = if up { KEYEVENTF_KEYUP.0 } else { 0 };
    // Right Ctrl/Alt and the Windows keys are extended keys.
    let extended = if matches!(vk, VK_RCONTROL | VK_RMENU | VK_LWIN | VK_RWIN) {
        KEYEVENTF_EXTENDEDKEY.0
    } else {
        0
    };
    INPUT {
        r#type: INPUT_KEYBOARD,
        Anonymous: INPUT_0 {
            ki: KEYBDINPUT {
                wVk: vk,
                wScan: 0,
                dwFlags: KEYBD_EVENT_FLAGS(up_flag | extended),
                time: 0,
                dwExtraInfo: 0,
            },
        },
    }
}

fn send(inputs: &[INPUT]) -> Result<(), Fail> {
    // SAFETY: `inputs` is a valid slice of INPUT and the size passed is INPUT's.
    let sent = unsafe { SendInput(inputs, std::mem::size_of::<INPUT>() as i32) };
    if sent as usize == inputs.len() {
        Ok(())
    } else {
        Err(Fail::Other(
            "Windows refused the key presses (is the chat client running as administrator?)".into(),
        ))
    }
}

fn held(vk: VIRTUAL_KEY) -> bool {
    // SAFETY: GetAsyncKeyState takes any virtual-key code. The high bit means "down now".
    unsafe { (GetAsyncKeyState(i32::from(vk.0)) as u16) & 0x8000 != 0 }
}

/// Waits up to `wait` for Shift/Ctrl/Alt/Win to be let go, then releases any still down.
pub(super) fn release_modifiers(wait: Duration) -> Result<(), Fail> {
    let end = Instant::now() + wait;
    while MODIFIERS.iter().any(|vk| held(*vk)) && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(10));
    }
    let ups: Vec<INPUT> = MODIFIERS
        .iter()
        .filter(|vk| held(**vk))
        .map(|vk| key(*vk, true))
        .collect();
    if ups.is_empty() { Ok(()) } else { send(&ups) }
}

pub(super) fn paste() -> Result<(), Fail> {
    send(&[
        key(VK_CONTROL, false),
        key(VK_V, false),
        key(VK_V, true),
        key(VK_CONTROL, true),
    ])
}
