//! Timing and typing metrics from the input-event log the UI records.
//!
//! Chinese is typed through an IME: the keys `c u i d a n` and a space compose 催单. So a
//! character counts when it is *committed* (a `compositionend`, or a plain `insertText` input
//! outside a composition), while every key press, composition keys included, counts as a
//! keystroke. Pasted text is counted separately.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum EventKind {
    /// The customer's message appeared.
    Shown,
    /// A key went down (`key` is the DOM `KeyboardEvent.key`; IMEs often report `Process`).
    KeyDown,
    /// The text changed (`data`, `input_type` and `is_composing` from the DOM `InputEvent`).
    Input,
    /// An IME composition started.
    CompositionStart,
    /// The composition text changed.
    CompositionUpdate,
    /// The composition was committed (`data` is the committed text).
    CompositionEnd,
    /// Text was pasted (`data` is the pasted text).
    Paste,
    /// The reply was submitted.
    Submit,
}

/// One recorded event; `t_ms` is a high-resolution timestamp (`performance.now()`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InputEvent {
    /// Milliseconds, any origin (only differences are used).
    pub t_ms: f64,
    /// What happened.
    pub kind: EventKind,
    /// `KeyboardEvent.key` for key-downs.
    #[serde(default)]
    #[ts(optional)]
    pub key: Option<String>,
    /// Inserted, composed or pasted text.
    #[serde(default)]
    #[ts(optional)]
    pub data: Option<String>,
    /// `InputEvent.inputType` (`insertText`, `insertCompositionText`, `deleteContentBackward` …).
    #[serde(default)]
    #[ts(optional)]
    pub input_type: Option<String>,
    /// `InputEvent.isComposing` / `KeyboardEvent.isComposing`.
    #[serde(default)]
    pub is_composing: bool,
}

/// What the log says about how the reply was typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TypingMetrics {
    /// Message shown → first key, input, composition or paste (`None` if nothing was typed).
    pub response_ms: Option<f64>,
    /// First input → submit.
    pub compose_ms: f64,
    /// Message shown → submit.
    pub total_ms: f64,
    /// Characters committed by typing (IME commits and plain inserts), not pasted.
    pub committed_chars: u32,
    /// Committed characters per minute of compose time.
    pub cpm: f64,
    /// Key presses, IME composition keys included; modifier keys alone are not counted.
    pub keystrokes: u32,
    /// Keystrokes per committed character (pinyin typing is typically 2–4).
    pub keystrokes_per_char: f64,
    /// Backspace presses.
    pub backspaces: u32,
    /// Characters pasted.
    pub pasted_chars: u32,
}

fn is_modifier(key: &str) -> bool {
    matches!(
        key,
        "Shift" | "Control" | "Alt" | "Meta" | "CapsLock" | "OS" | "AltGraph" | "Fn"
    )
}

fn chars(s: &Option<String>) -> u32 {
    s.as_deref()
        .map_or(0, |s| u32::try_from(s.chars().count()).unwrap_or(u32::MAX))
}

/// `to - from`, at least 0 and finite: the page's clock is not trusted (a log with times at
/// ±1e308 must not store an infinity, which JSON cannot hold).
fn span(from: f64, to: f64) -> f64 {
    finite((to - from).max(0.0))
}

fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { f64::MAX }
}

/// Computes the metrics of one reply from its event log (in any order; sorted by time here).
pub fn compute(events: &[InputEvent]) -> TypingMetrics {
    let mut ev: Vec<&InputEvent> = events.iter().collect();
    ev.sort_by(|a, b| a.t_ms.total_cmp(&b.t_ms));
    let shown = ev
        .iter()
        .find(|e| e.kind == EventKind::Shown)
        .map(|e| e.t_ms);
    let start = shown.unwrap_or_else(|| ev.first().map_or(0.0, |e| e.t_ms));
    let first_input = ev
        .iter()
        .filter(|e| e.t_ms >= start)
        .find(|e| {
            matches!(
                e.kind,
                EventKind::KeyDown
                    | EventKind::Input
                    | EventKind::CompositionStart
                    | EventKind::Paste
            )
        })
        .map(|e| e.t_ms);
    let submit = ev
        .iter()
        .rev()
        .find(|e| e.kind == EventKind::Submit)
        .map(|e| e.t_ms);
    let end = submit.unwrap_or_else(|| ev.last().map_or(start, |e| e.t_ms));

    let mut m = TypingMetrics {
        response_ms: first_input.map(|t| span(start, t)),
        compose_ms: first_input.map_or(0.0, |t| span(t, end)),
        total_ms: span(start, end),
        ..TypingMetrics::default()
    };
    for e in &ev {
        match e.kind {
            EventKind::KeyDown => {
                let key = e.key.as_deref().unwrap_or("");
                if !is_modifier(key) {
                    m.keystrokes = m.keystrokes.saturating_add(1);
                }
                if key == "Backspace" {
                    m.backspaces = m.backspaces.saturating_add(1);
                }
            }
            EventKind::CompositionEnd => {
                m.committed_chars = m.committed_chars.saturating_add(chars(&e.data))
            }
            EventKind::Input
                if !e.is_composing && e.input_type.as_deref() == Some("insertText") =>
            {
                m.committed_chars = m.committed_chars.saturating_add(chars(&e.data));
            }
            EventKind::Paste => m.pasted_chars = m.pasted_chars.saturating_add(chars(&e.data)),
            _ => {}
        }
    }
    if m.compose_ms > 0.0 {
        m.cpm = finite(f64::from(m.committed_chars) / (m.compose_ms / 60_000.0));
    }
    if m.committed_chars > 0 {
        m.keystrokes_per_char = f64::from(m.keystrokes) / f64::from(m.committed_chars);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(t: f64, kind: EventKind) -> InputEvent {
        InputEvent {
            t_ms: t,
            kind,
            key: None,
            data: None,
            input_type: None,
            is_composing: false,
        }
    }
    fn key(t: f64, k: &str, composing: bool) -> InputEvent {
        InputEvent {
            key: Some(k.into()),
            is_composing: composing,
            ..ev(t, EventKind::KeyDown)
        }
    }
    fn with_data(mut e: InputEvent, data: &str) -> InputEvent {
        e.data = Some(data.into());
        e
    }
    fn input(t: f64, data: &str, input_type: &str, composing: bool) -> InputEvent {
        InputEvent {
            data: Some(data.into()),
            input_type: Some(input_type.into()),
            is_composing: composing,
            ..ev(t, EventKind::Input)
        }
    }

    /// 亲 typed as pinyin `qin` + space, then `，` as a plain insert, then 催单 as `cuidan` with the
    /// second candidate chosen by `2`, one backspace correcting a typo, then submit.
    fn pinyin_log() -> Vec<InputEvent> {
        let mut v = vec![
            ev(1000.0, EventKind::Shown),
            key(3500.0, "q", false),
            ev(3501.0, EventKind::CompositionStart),
        ];
        v.push(with_data(ev(3502.0, EventKind::CompositionUpdate), "q"));
        v.push(input(3503.0, "q", "insertCompositionText", true));
        v.push(key(3600.0, "i", true));
        v.push(with_data(ev(3601.0, EventKind::CompositionUpdate), "qi"));
        v.push(key(3700.0, "n", true));
        v.push(with_data(ev(3701.0, EventKind::CompositionUpdate), "qin"));
        v.push(key(3800.0, " ", true));
        v.push(input(3801.0, "亲", "insertCompositionText", true));
        v.push(with_data(ev(3802.0, EventKind::CompositionEnd), "亲"));
        v.push(key(4000.0, "Shift", false));
        v.push(key(4001.0, ",", false));
        v.push(input(4002.0, "，", "insertText", false));
        for (i, k) in ["c", "u", "i", "x", "Backspace", "d", "a", "n"]
            .iter()
            .enumerate()
        {
            v.push(key(
                4100.0 + 100.0 * i as f64,
                if *k == "x" { "Process" } else { k },
                true,
            ));
        }
        v.push(ev(4101.0, EventKind::CompositionStart));
        v.push(key(5000.0, "2", true));
        v.push(with_data(ev(5001.0, EventKind::CompositionEnd), "催单"));
        v.push(ev(7000.0, EventKind::Submit));
        v
    }

    #[test]
    fn pinyin_composition_counts_commits_and_keystrokes() {
        let m = compute(&pinyin_log());
        assert_eq!(m.response_ms, Some(2500.0));
        assert_eq!(m.compose_ms, 3500.0);
        assert_eq!(m.total_ms, 6000.0);
        assert_eq!(m.committed_chars, 4, "亲 + ， + 催单");
        // q i n space , c u i Process Backspace d a n 2 = 14 (Shift alone is not a keystroke)
        assert_eq!(m.keystrokes, 14);
        assert_eq!(m.backspaces, 1);
        assert_eq!(m.pasted_chars, 0);
        assert!(
            (m.cpm - 4.0 / (3500.0 / 60_000.0)).abs() < 1e-9,
            "{}",
            m.cpm
        );
        assert!((m.keystrokes_per_char - 3.5).abs() < 1e-9);
    }

    #[test]
    fn paste_is_reported_separately() {
        let log = vec![
            ev(0.0, EventKind::Shown),
            with_data(ev(800.0, EventKind::Paste), "好的亲，马上安排"),
            input(801.0, "好的亲，马上安排", "insertFromPaste", false),
            ev(1500.0, EventKind::Submit),
        ];
        let m = compute(&log);
        assert_eq!(m.response_ms, Some(800.0));
        assert_eq!(m.pasted_chars, 8);
        assert_eq!(m.committed_chars, 0);
        assert_eq!(m.keystrokes, 0);
        assert_eq!(m.cpm, 0.0);
    }

    #[test]
    fn nothing_typed() {
        let m = compute(&[ev(0.0, EventKind::Shown), ev(5000.0, EventKind::Submit)]);
        assert_eq!(m.response_ms, None);
        assert_eq!(m.total_ms, 5000.0);
        assert_eq!(m.compose_ms, 0.0);
    }

    #[test]
    fn times_from_a_hostile_page_give_finite_metrics() {
        // Found by the property tests: ±1e308 made total_ms infinite, which JSON cannot hold.
        let mut events = vec![
            ev(-f64::MAX, EventKind::Shown),
            ev(f64::MAX, EventKind::Submit),
        ];
        let m = compute(&events);
        assert!(m.total_ms.is_finite() && m.total_ms > 0.0, "{m:?}");
        events.insert(1, ev(0.0, EventKind::KeyDown));
        events.push(InputEvent {
            data: Some("退款".into()),
            ..ev(5e-324, EventKind::CompositionEnd)
        });
        let m = compute(&events);
        for v in [
            m.response_ms.unwrap_or(0.0),
            m.compose_ms,
            m.total_ms,
            m.cpm,
        ] {
            assert!(v.is_finite(), "{m:?}");
        }
        let json = serde_json::to_string(&m).unwrap_or_default();
        assert_eq!(serde_json::from_str::<TypingMetrics>(&json).ok(), Some(m));
    }
}
