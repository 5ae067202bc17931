//! `!!timestamp`: PyYAML turns these into Python `datetime.date` / `datetime.datetime`
//! objects. baton keeps the source text in the tree and interprets it here for the
//! Python repr, the `isoformat()` text and key equality.

use std::sync::LazyLock;

use regex::Regex;

static PARTS: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    Regex::new(
        r"^([0-9][0-9][0-9][0-9])-([0-9][0-9]?)-([0-9][0-9]?)(?:(?:[Tt]|[ \t]+)([0-9][0-9]?):([0-9][0-9]):([0-9][0-9])(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9][0-9]?)(?::([0-9][0-9]))?))?)?$",
    )
    .unwrap()
});

/// A timestamp as PyYAML constructs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timestamp {
    pub(crate) year: u32,
    pub(crate) month: u32,
    pub(crate) day: u32,
    /// `None` for a `datetime.date`.
    pub(crate) time: Option<Time>,
}

/// The time part of a `datetime.datetime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Time {
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    pub(crate) second: u32,
    pub(crate) microsecond: u32,
    /// UTC offset in seconds (`Some(0)` for `Z`); `None` for a naive datetime.
    pub(crate) offset: Option<i64>,
}

fn number(text: Option<regex::Match<'_>>) -> u32 {
    text.and_then(|m| m.as_str().parse().ok()).unwrap_or(0)
}

impl Timestamp {
    /// Interprets `text` as `SafeConstructor.construct_yaml_timestamp` does. The error
    /// is the message of the Python exception it raises (`day is out of range for
    /// month`, …).
    pub(crate) fn parse(text: &str) -> Result<Timestamp, String> {
        let Some(caps) = PARTS.captures(text) else {
            return Err("'NoneType' object has no attribute 'groupdict'".to_owned());
        };
        let year = number(caps.get(1));
        let month = number(caps.get(2));
        let day = number(caps.get(3));
        let time = if caps.get(4).is_some() {
            let microsecond = match caps.get(7).map(|m| m.as_str()) {
                Some(fraction) if !fraction.is_empty() => {
                    let mut digits: String = fraction.chars().take(6).collect();
                    while digits.len() < 6 {
                        digits.push('0');
                    }
                    digits.parse().unwrap_or(0)
                }
                _ => 0,
            };
            let offset = match (caps.get(8), caps.get(9)) {
                (_, Some(sign)) => {
                    let seconds =
                        i64::from(number(caps.get(10))) * 3600 + i64::from(number(caps.get(11))) * 60;
                    let seconds = if sign.as_str() == "-" { -seconds } else { seconds };
                    if seconds.abs() >= 86_400 {
                        return Err(format!(
                            "offset must be a timedelta strictly between -timedelta(hours=24) and \
                             timedelta(hours=24), not {}.",
                            timedelta_repr(seconds)
                        ));
                    }
                    Some(seconds)
                }
                (Some(_), None) => Some(0),
                (None, None) => None,
            };
            Some(Time {
                hour: number(caps.get(4)),
                minute: number(caps.get(5)),
                second: number(caps.get(6)),
                microsecond,
                offset,
            })
        } else {
            None
        };
        if year == 0 {
            return Err(format!("year {year} is out of range"));
        }
        if !(1..=12).contains(&month) {
            return Err("month must be in 1..12".to_owned());
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err("day is out of range for month".to_owned());
        }
        if let Some(t) = time {
            if t.hour > 23 {
                return Err("hour must be in 0..23".to_owned());
            }
            if t.minute > 59 {
                return Err("minute must be in 0..59".to_owned());
            }
            if t.second > 59 {
                return Err("second must be in 0..59".to_owned());
            }
        }
        Ok(Timestamp { year, month, day, time })
    }

    /// Python's `repr()`: `datetime.date(2024, 1, 1)`,
    /// `datetime.datetime(2024, 1, 1, 12, 0, tzinfo=datetime.timezone.utc)`.
    pub(crate) fn py_repr(&self) -> String {
        let Some(t) = self.time else {
            return format!("datetime.date({}, {}, {})", self.year, self.month, self.day);
        };
        let mut out = format!(
            "datetime.datetime({}, {}, {}, {}, {}",
            self.year, self.month, self.day, t.hour, t.minute
        );
        if t.second != 0 || t.microsecond != 0 {
            out.push_str(&format!(", {}", t.second));
        }
        if t.microsecond != 0 {
            out.push_str(&format!(", {}", t.microsecond));
        }
        match t.offset {
            Some(0) => out.push_str(", tzinfo=datetime.timezone.utc"),
            Some(seconds) => out.push_str(&format!(
                ", tzinfo=datetime.timezone({})",
                timedelta_repr(seconds)
            )),
            None => {}
        }
        out.push(')');
        out
    }

    /// `date.isoformat()` / `datetime.isoformat(sep)`.
    pub(crate) fn isoformat(&self, sep: char) -> String {
        let date = format!("{:04}-{:02}-{:02}", self.year, self.month, self.day);
        let Some(t) = self.time else {
            return date;
        };
        let mut out = format!("{date}{sep}{:02}:{:02}:{:02}", t.hour, t.minute, t.second);
        if t.microsecond != 0 {
            out.push_str(&format!(".{:06}", t.microsecond));
        }
        if let Some(seconds) = t.offset {
            let sign = if seconds < 0 { '-' } else { '+' };
            let a = seconds.abs();
            out.push_str(&format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60));
        }
        out
    }

    /// A value that is equal exactly when Python's `==` says two of these are equal
    /// (aware datetimes compare by instant; naive and aware never compare equal).
    pub(crate) fn key(&self) -> TimestampKey {
        match self.time {
            None => TimestampKey::Date(self.year, self.month, self.day),
            Some(t) => {
                let days = days_from_civil(self.year, self.month, self.day);
                let local = days * 86_400
                    + i64::from(t.hour) * 3600
                    + i64::from(t.minute) * 60
                    + i64::from(t.second);
                match t.offset {
                    None => TimestampKey::Naive(local, t.microsecond),
                    Some(offset) => TimestampKey::Aware(local - offset, t.microsecond),
                }
            }
        }
    }
}

/// See [`Timestamp::key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum TimestampKey {
    Date(u32, u32, u32),
    Naive(i64, u32),
    Aware(i64, u32),
}

/// Python's `repr(datetime.timedelta(seconds=s))`.
fn timedelta_repr(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    match (days, rest) {
        (0, 0) => "datetime.timedelta(0)".to_owned(),
        (0, s) => format!("datetime.timedelta(seconds={s})"),
        (d, 0) => format!("datetime.timedelta(days={d})"),
        (d, s) => format!("datetime.timedelta(days={d}, seconds={s})"),
    }
}

fn is_leap(year: u32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reprs() {
        let t = Timestamp::parse("2001-12-14t21:59:43.10-05:00").map(|t| t.py_repr());
        assert_eq!(
            t.as_deref(),
            Ok("datetime.datetime(2001, 12, 14, 21, 59, 43, 100000, tzinfo=datetime.timezone(datetime.timedelta(days=-1, seconds=68400)))")
        );
        let t = Timestamp::parse("2002-12-14").map(|t| t.py_repr());
        assert_eq!(t.as_deref(), Ok("datetime.date(2002, 12, 14)"));
        assert_eq!(
            Timestamp::parse("2024-02-30").err().as_deref(),
            Some("day is out of range for month")
        );
        let t = Timestamp::parse("2001-1-1 1:00:00Z").map(|t| t.isoformat(' '));
        assert_eq!(t.as_deref(), Ok("2001-01-01 01:00:00+00:00"));
        assert_eq!(
            Timestamp::parse("2024-01-01 10:00:00 +30").err().as_deref(),
            Some("offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24), not datetime.timedelta(days=1, seconds=21600).")
        );
    }
}
