//! Systems Kefu cannot send on (macOS: it would need the Accessibility permission and
//! `NSRunningApplication.activate` plus a `CGEvent` Cmd+V; not built yet).

use std::time::Duration;

use super::Fail;

/// Nothing to hold.
pub(super) type Target = ();

fn no() -> Fail {
    Fail::Unsupported("sending to another window is not built for this system".into())
}

pub(super) fn available() -> Result<(), Fail> {
    Err(no())
}
pub(super) fn focused_window() -> Result<Option<Target>, Fail> {
    Err(no())
}
pub(super) fn alive(_: Target) -> Result<bool, Fail> {
    Err(no())
}
pub(super) fn focus(_: Target) -> Result<(), Fail> {
    Err(no())
}
pub(super) fn release_modifiers(_: Duration) -> Result<(), Fail> {
    Err(no())
}
pub(super) fn paste() -> Result<(), Fail> {
    Err(no())
}
