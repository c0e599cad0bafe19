//! Time is passed in. Business logic never calls `Local::now()` itself, so tests can pin "today".

use chrono::{DateTime, Local, NaiveDate};

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current local date and time.
    fn now(&self) -> DateTime<Local>;

    /// Today's date in local time.
    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// The real wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Local> {
        Local::now()
    }
}

/// A clock that always says the same instant; for tests and reproducible reports.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Local>);

impl FixedClock {
    /// A clock fixed at local midnight of `date`.
    pub fn on(date: NaiveDate) -> Self {
        let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
        let local = midnight
            .and_local_timezone(Local)
            .earliest()
            .unwrap_or_else(|| {
                // A DST gap at midnight: fall back to the UTC reading of the same wall time.
                DateTime::from_naive_utc_and_offset(midnight, *Local::now().offset())
            });
        FixedClock(local)
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Local> {
        self.0
    }
}

/// A clock that stays where it is set (tests that cross midnight, or a day, while running).
#[derive(Debug)]
pub struct ManualClock(std::sync::Mutex<DateTime<Local>>);

impl ManualClock {
    /// Starts at `now`.
    pub fn new(now: DateTime<Local>) -> Self {
        ManualClock(std::sync::Mutex::new(now))
    }

    /// Moves the clock to `now`.
    pub fn set(&self, now: DateTime<Local>) {
        if let Ok(mut t) = self.0.lock() {
            *t = now;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Local> {
        self.0
            .lock()
            .map(|t| *t)
            .unwrap_or_else(|e| *e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_reports_its_date() {
        let d = NaiveDate::from_ymd_opt(2026, 2, 3).expect("valid date");
        assert_eq!(FixedClock::on(d).today(), d);
    }
}
