//! Timestamps in the reference's spelling (`datetime.now(timezone.utc).isoformat()`).

/// A source of the current time; tests pass a fixed or stepping clock.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> jiff::Timestamp;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}

impl<F: Fn() -> jiff::Timestamp + Send + Sync> Clock for F {
    fn now(&self) -> jiff::Timestamp {
        self()
    }
}

/// Python's `isoformat()` of an aware UTC datetime: `2026-11-24T00:30:11.960880+00:00`,
/// microseconds truncated, and the fraction left out when it is zero.
pub fn isoformat(ts: jiff::Timestamp) -> String {
    let dt = ts.to_zoned(jiff::tz::TimeZone::UTC).datetime();
    let micros = dt.subsec_nanosecond() / 1000;
    let base = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    );
    if micros == 0 {
        format!("{base}+00:00")
    } else {
        format!("{base}.{micros:06}+00:00")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelling() {
        let t = jiff::Timestamp::new(1_700_000_000, 960_880_123).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        assert_eq!(isoformat(t), "2023-11-14T22:13:20.960880+00:00");
        let t = jiff::Timestamp::new(1_700_000_000, 999).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        assert_eq!(isoformat(t), "2023-11-14T22:13:20+00:00");
    }
}
