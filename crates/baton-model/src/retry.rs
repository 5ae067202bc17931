//! baton's `retry` extension of `shell`, `command` and `prompt` steps (the reference
//! ignores the key): `retry: {max_attempts, delay, backoff, max_delay}`.
//!
//! A failed attempt waits `delay × backoff^(n−1)` seconds (at most `max_delay`) and
//! runs again, up to `max_attempts` attempts in all. [`RetryPolicy::parse`] is shared by
//! validation (problems become warnings with locations, never errors, since the
//! reference accepts any value) and the engine (an invalid `retry` means no retries).

use std::time::Duration;

use num_traits::ToPrimitive;

use crate::yaml::{Node, Span, Yaml};

/// The most attempts a step may ask for.
pub const MAX_ATTEMPTS: u32 = 100;
/// The longest wait between attempts, in seconds (one day).
pub const MAX_DELAY_SECONDS: f64 = 86_400.0;

/// A parsed `retry` mapping.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1..=[`MAX_ATTEMPTS`]; default 3).
    pub max_attempts: u32,
    /// Seconds before the second attempt (0..=[`MAX_DELAY_SECONDS`]; default 1).
    pub delay: f64,
    /// Factor applied to the wait after each further failure (1..=10; default 2).
    pub backoff: f64,
    /// Cap on any one wait, in seconds (default: none).
    pub max_delay: Option<f64>,
}

/// One problem of a `retry` value.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryProblem {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
}

/// The keys `retry` takes.
pub const RETRY_KEYS: [&str; 4] = ["max_attempts", "delay", "backoff", "max_delay"];

fn number(node: &Node) -> Option<f64> {
    match &node.value {
        Yaml::Int(i) => i.to_f64(),
        Yaml::Float(f) if f.is_finite() => Some(*f),
        _ => None,
    }
}

impl RetryPolicy {
    /// Parses a step's `retry` value: `Ok(None)` when absent or null.
    ///
    /// # Errors
    /// Every problem found (wrong types, out-of-range values, unknown keys), each with
    /// its location.
    pub fn parse(step_id: &str, retry: Option<&Node>) -> Result<Option<RetryPolicy>, Vec<RetryProblem>> {
        let Some(node) = retry else { return Ok(None) };
        let Some(map) = node.as_map() else {
            if matches!(node.value, Yaml::Null) {
                return Ok(None);
            }
            return Err(vec![RetryProblem {
                message: format!(
                    "Step '{step_id}': 'retry' must be a mapping with max_attempts, delay, backoff, max_delay; got {}.",
                    node.type_name()
                ),
                span: node.span,
            }]);
        };
        let mut problems = Vec::new();
        let mut policy = RetryPolicy { max_attempts: 3, delay: 1.0, backoff: 2.0, max_delay: None };
        let bad = |problems: &mut Vec<RetryProblem>, key: &str, want: &str, span: Span| {
            problems.push(RetryProblem { message: format!("Step '{step_id}': 'retry.{key}' must be {want}."), span });
        };
        for (k, v) in map {
            let key = match &k.value {
                Yaml::Str(s) => s.as_str(),
                _ => "",
            };
            match key {
                "max_attempts" => match &v.value {
                    Yaml::Int(i) => match i.to_u32().filter(|n| (1..=MAX_ATTEMPTS).contains(n)) {
                        Some(n) => policy.max_attempts = n,
                        None => bad(&mut problems, key, &format!("an integer from 1 to {MAX_ATTEMPTS}"), v.span),
                    },
                    _ => bad(&mut problems, key, &format!("an integer from 1 to {MAX_ATTEMPTS}"), v.span),
                },
                "delay" => match number(v).filter(|d| (0.0..=MAX_DELAY_SECONDS).contains(d)) {
                    Some(d) => policy.delay = d,
                    None => bad(&mut problems, key, &format!("a number of seconds from 0 to {MAX_DELAY_SECONDS}"), v.span),
                },
                "backoff" => match number(v).filter(|b| (1.0..=10.0).contains(b)) {
                    Some(b) => policy.backoff = b,
                    None => bad(&mut problems, key, "a number from 1 to 10", v.span),
                },
                "max_delay" => match number(v).filter(|d| *d > 0.0 && *d <= MAX_DELAY_SECONDS) {
                    Some(d) => policy.max_delay = Some(d),
                    None => bad(&mut problems, key, &format!("a positive number of seconds up to {MAX_DELAY_SECONDS}"), v.span),
                },
                _ => problems.push(RetryProblem {
                    message: format!(
                        "Step '{step_id}': unknown key {} in 'retry' (expected {}).",
                        k.py_repr(),
                        RETRY_KEYS.join(", ")
                    ),
                    span: k.span,
                }),
            }
        }
        if problems.is_empty() {
            Ok(Some(policy))
        } else {
            Err(problems)
        }
    }

    /// The wait after failed attempt `attempt` (1-based).
    pub fn delay_after(&self, attempt: u32) -> Duration {
        let exp = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
        let mut secs = self.delay * self.backoff.powi(exp);
        if let Some(cap) = self.max_delay {
            secs = secs.min(cap);
        }
        Duration::from_secs_f64(secs.clamp(0.0, MAX_DELAY_SECONDS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Option<RetryPolicy>, Vec<RetryProblem>> {
        let doc = crate::yaml::parse(text).unwrap();
        RetryPolicy::parse("s", doc.get("retry"))
    }

    #[test]
    fn defaults_and_backoff() {
        let p = parse("retry: {max_attempts: 4, delay: 0.5, max_delay: 1.5}").unwrap().unwrap();
        assert_eq!(p.max_attempts, 4);
        assert_eq!(p.delay_after(1), Duration::from_millis(500));
        assert_eq!(p.delay_after(2), Duration::from_secs(1));
        assert_eq!(p.delay_after(3), Duration::from_millis(1500));
        assert_eq!(parse("x: 1").unwrap(), None);
        assert_eq!(parse("retry: ~").unwrap(), None);
    }

    #[test]
    fn problems_have_locations() {
        let errs = parse("retry:\n  max_attempts: 0\n  delay: -1\n  backof: 2\n").unwrap_err();
        let lines: Vec<u32> = errs.iter().map(|e| e.span.line).collect();
        assert_eq!(lines, [2, 3, 4]);
        assert!(errs[0].message.contains("'retry.max_attempts' must be an integer from 1 to 100"));
        assert!(errs[2].message.contains("unknown key 'backof'"));
        assert!(parse("retry: 3").unwrap_err()[0].message.contains("must be a mapping"));
    }
}
