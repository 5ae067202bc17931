//! Results, targets, and their rendering (a text table or one JSON object).

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{json, Value};

use super::workloads::Kind;

/// Which `--durability` a run workload used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// The default of DESIGN §3 (no flag).
    Default,
    /// `--durability strict`.
    Strict,
    /// Not a run workload.
    None,
}

impl Durability {
    fn name(self) -> &'static str {
        match self {
            Durability::Default => "default",
            Durability::Strict => "strict",
            Durability::None => "-",
        }
    }

    /// ` (strict)` or nothing, for progress labels.
    pub fn suffix(self) -> &'static str {
        if self == Durability::Strict {
            " strict"
        } else {
            ""
        }
    }
}

/// One target of issue 20 and whether the row meets it.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// E.g. `×floor ≤ 1.3`.
    pub target: String,
    /// The measured value, as printed.
    pub value: String,
    /// Met?
    pub met: bool,
}

/// One measured workload at one size.
#[derive(Debug, Clone)]
pub struct Row {
    /// Which workload.
    pub kind: Kind,
    /// N (steps, iterations, items, runs).
    pub size: usize,
    /// Durability of a run workload.
    pub durability: Durability,
    /// Repetitions.
    pub reps: usize,
    /// Median wall time (None when baton failed).
    pub median: Option<Duration>,
    /// Fastest repetition.
    pub min: Option<Duration>,
    /// Median floor (N bare spawns, or one for non-step workloads).
    pub floor: Option<Duration>,
    /// Peak RSS over the repetitions, KiB.
    pub rss_kib: u64,
    /// time(4N)/time(N), on the larger row of a pair.
    pub growth: Option<f64>,
    /// The floor's own growth over the same sizes.
    pub floor_growth: Option<f64>,
    /// The reference's median.
    pub reference: Option<Duration>,
    /// The reference's peak RSS, KiB.
    pub reference_rss_kib: u64,
    /// Why baton failed.
    pub error: Option<String>,
    /// Targets that apply to this row.
    pub verdicts: Vec<Verdict>,
}

impl Row {
    /// An empty row.
    pub fn new(kind: Kind, size: usize, durability: Durability, reps: usize) -> Row {
        Row {
            kind,
            size,
            durability,
            reps,
            median: None,
            min: None,
            floor: None,
            rss_kib: 0,
            growth: None,
            floor_growth: None,
            reference: None,
            reference_rss_kib: 0,
            error: None,
            verdicts: Vec::new(),
        }
    }

    fn ratio(&self) -> Option<f64> {
        match (self.median, self.floor) {
            (Some(m), Some(f)) if self.kind.runs_steps() && !f.is_zero() => Some(m.as_secs_f64() / f.as_secs_f64()),
            _ => None,
        }
    }

    fn speedup(&self) -> Option<f64> {
        match (self.median, self.reference) {
            (Some(m), Some(r)) if !m.is_zero() => Some(r.as_secs_f64() / m.as_secs_f64()),
            _ => None,
        }
    }
}

/// Sets the growth factor on the larger row of a group of one workload (first and last
/// sizes: with the default sizes, 4N over N).
pub fn set_growth(group: &mut [Row]) {
    let (Some(first), Some(last)) = (group.first(), group.last()) else { return };
    if group.len() < 2 {
        return;
    }
    let g = match (first.median, last.median) {
        (Some(a), Some(b)) if !a.is_zero() => Some(b.as_secs_f64() / a.as_secs_f64()),
        _ => None,
    };
    let fg = match (first.floor, last.floor) {
        (Some(a), Some(b)) if !a.is_zero() && first.kind.runs_steps() => Some(b.as_secs_f64() / a.as_secs_f64()),
        _ => None,
    };
    if let Some(last) = group.last_mut() {
        last.growth = g;
        last.floor_growth = fg;
    }
}

const RSS_LIMIT_MIB: f64 = 30.0;

/// Attaches the targets of issue 20 that apply to `row`. Step workloads are judged at
/// `step_size` (3200 by default; other sizes get only the RSS target).
pub fn judge(row: &mut Row, step_size: usize) {
    let Some(m) = row.median else { return };
    let mut v = Vec::new();
    let msf = m.as_secs_f64() * 1e3;
    match row.kind {
        Kind::Shell | Kind::DoWhile | Kind::FanOut if row.size == step_size => {
            if let Some(r) = row.ratio() {
                v.push(Verdict { target: "×floor ≤ 1.3".into(), value: format!("{r:.2}"), met: r <= 1.3 });
            }
            if let Some(g) = row.growth {
                v.push(Verdict { target: "growth ≤ 4.4".into(), value: format!("{g:.2}"), met: g <= 4.4 });
            }
        }
        Kind::Validate if row.size == 1000 => {
            v.push(Verdict { target: "≤ 50 ms".into(), value: format!("{msf:.1} ms"), met: msf <= 50.0 });
        }
        Kind::Status if row.size == 10_000 => {
            v.push(Verdict { target: "≤ 1 s".into(), value: format!("{msf:.0} ms"), met: msf <= 1000.0 });
        }
        Kind::Startup => {
            v.push(Verdict { target: "≤ 5 ms".into(), value: format!("{msf:.2} ms"), met: msf <= 5.0 });
        }
        _ => {}
    }
    let mib = row.rss_kib as f64 / 1024.0;
    v.push(Verdict { target: "RSS ≤ 30 MB".into(), value: format!("{mib:.1} MB"), met: mib <= RSS_LIMIT_MIB });
    row.verdicts = v;
}

/// One line for progress output.
pub fn summary(row: &Row) -> String {
    match (&row.error, row.median) {
        (Some(e), _) => format!("FAILED: {e}"),
        (None, Some(m)) => {
            let mut s = format!("median {}", fmt_time(m));
            if let Some(r) = row.ratio() {
                let _ = write!(s, ", ×floor {r:.2}");
            }
            let _ = write!(s, ", peak RSS {:.1} MB", row.rss_kib as f64 / 1024.0);
            if let Some(x) = row.speedup() {
                let _ = write!(s, ", {x:.1}× faster than the reference");
            }
            s
        }
        (None, None) => "no measurement".into(),
    }
}

fn fmt_time(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms >= 10_000.0 {
        format!("{:.1} s", ms / 1e3)
    } else if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

/// What was measured, with what.
#[derive(Debug)]
pub struct Info {
    /// [`machine`].
    pub machine: Vec<(String, String)>,
    /// The baton binary.
    pub baton: String,
    /// Its `--version`.
    pub baton_version: String,
    /// The reference executable, if found.
    pub reference: Option<String>,
    /// Whether `baton run` has `--durability`.
    pub durability_flag: bool,
    /// `--quick`.
    pub quick: bool,
    /// Repetitions per measurement.
    pub reps: usize,
    /// Step-workload sizes.
    pub sizes: Vec<usize>,
}

/// CPU, cores, memory, kernel and the temp filesystem.
pub fn machine() -> Vec<(String, String)> {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, v)| v.trim().to_owned()))
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map(|n| n.get().to_string()).unwrap_or_else(|_| "?".into());
    let mem = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:").map(|v| v.trim().to_owned()))
        .and_then(|v| v.trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kib| format!("{:.1} GiB", kib as f64 / 1024.0 / 1024.0))
        .unwrap_or_else(|| "?".into());
    let kernel = read("/proc/sys/kernel/osrelease").trim().to_owned();
    let tmp = std::env::temp_dir();
    let mounts = read("/proc/mounts");
    let fs = mounts
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 3 && tmp.starts_with(f[1])).then(|| (f[1].len(), format!("{} ({} on {})", f[2], f[0], f[1])))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, s)| s)
        .unwrap_or_else(|| "?".into());
    vec![
        ("cpu".into(), format!("{cpu}, {cores} cores")),
        ("memory".into(), mem),
        ("kernel".into(), kernel),
        ("temp dir".into(), format!("{} — {fs}", tmp.display())),
    ]
}

/// The text table.
pub fn table(info: &Info, rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "baton bench{} — {}", if info.quick { " --quick" } else { "" }, info.baton_version);
    for (k, v) in &info.machine {
        let _ = writeln!(out, "  {k:<9} {v}");
    }
    let _ = writeln!(out, "  baton     {}", info.baton);
    let _ = writeln!(out, "  reference {}", info.reference.as_deref().unwrap_or("not found"));
    let _ = writeln!(
        out,
        "  median of {} repetitions (startup: {}); floor = N × `/bin/sh -c true` from a Rust loop (fan-out: 8 threads), measured in the same repetitions",
        info.reps,
        info.reps * 6
    );
    if !info.durability_flag {
        let _ = writeln!(out, "  `baton run` has no --durability flag in this build: strict figures not measured");
    }
    let _ = writeln!(out);
    let header = ["workload", "N", "durab.", "median", "floor", "×floor", "growth", "peak RSS", "reference", "speed-up", "targets"];
    let mut cells: Vec<Vec<String>> = vec![header.iter().map(|s| (*s).to_owned()).collect()];
    for r in rows {
        let opt = |x: Option<String>| x.unwrap_or_else(|| "-".into());
        let targets = if let Some(e) = &r.error {
            format!("FAILED: {}", e.chars().take(70).collect::<String>())
        } else {
            r.verdicts
                .iter()
                .map(|v| format!("{} {} ({})", if v.met { "✓" } else { "✗" }, v.target, v.value))
                .collect::<Vec<_>>()
                .join(", ")
        };
        cells.push(vec![
            r.kind.name().to_owned(),
            r.size.to_string(),
            r.durability.name().to_owned(),
            opt(r.median.map(fmt_time)),
            opt(r.floor.map(fmt_time)),
            opt(r.ratio().map(|x| format!("{x:.2}"))),
            opt(r.growth.map(|g| match r.floor_growth {
                Some(fg) => format!("{g:.2} (floor {fg:.2})"),
                None => format!("{g:.2}"),
            })),
            if r.median.is_some() { format!("{:.1} MB", r.rss_kib as f64 / 1024.0) } else { "-".into() },
            opt(r.reference.map(fmt_time)),
            opt(r.speedup().map(|x| format!("{x:.1}×"))),
            targets,
        ]);
    }
    let widths: Vec<usize> =
        (0..header.len()).map(|c| cells.iter().map(|row| row[c].chars().count()).max().unwrap_or(0)).collect();
    for (i, row) in cells.iter().enumerate() {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            let numeric = (1..=9).contains(&c);
            if c > 0 {
                line.push_str("  ");
            }
            if numeric {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else if c + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
        if i == 0 {
            let _ = writeln!(out, "{}", "-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
        }
    }
    let missed: Vec<String> = rows
        .iter()
        .flat_map(|r| {
            r.verdicts.iter().filter(|v| !v.met).map(move |v| format!("{} N={} {}: {} ({})", r.kind.name(), r.size, r.durability.name(), v.target, v.value))
        })
        .collect();
    let failed = rows.iter().filter(|r| r.error.is_some()).count();
    let _ = writeln!(out);
    if missed.is_empty() && failed == 0 {
        let _ = writeln!(out, "every target met");
    } else {
        for m in &missed {
            let _ = writeln!(out, "missed: {m}");
        }
        if failed > 0 {
            let _ = writeln!(out, "{failed} workload(s) failed to run");
        }
    }
    out
}

fn ms_value(d: Option<Duration>) -> Value {
    d.map_or(Value::Null, |d| json!((d.as_secs_f64() * 1e6).round() / 1e3))
}

/// The JSON object of `--json`.
pub fn json(info: &Info, rows: &[Row]) -> Value {
    let results: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "workload": r.kind.name(),
                "size": r.size,
                "durability": r.durability.name(),
                "reps": r.reps,
                "median_ms": ms_value(r.median),
                "min_ms": ms_value(r.min),
                "floor_ms": ms_value(r.floor),
                "ratio_to_floor": r.ratio(),
                "growth": r.growth,
                "floor_growth": r.floor_growth,
                "peak_rss_kib": if r.median.is_some() { json!(r.rss_kib) } else { Value::Null },
                "reference_ms": ms_value(r.reference),
                "reference_peak_rss_kib": if r.reference.is_some() { json!(r.reference_rss_kib) } else { Value::Null },
                "speedup": r.speedup(),
                "error": r.error,
                "targets": r.verdicts.iter().map(|v| json!({"target": v.target, "value": v.value, "met": v.met})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "machine": info.machine.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "baton": info.baton,
        "baton_version": info.baton_version,
        "reference": info.reference,
        "durability_flag": info.durability_flag,
        "quick": info.quick,
        "reps": info.reps,
        "sizes": info.sizes,
        "results": results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: Kind, size: usize, ms: u64, floor_ms: u64) -> Row {
        let d = if kind.runs_steps() { Durability::Default } else { Durability::None };
        let mut r = Row::new(kind, size, d, 3);
        r.median = Some(Duration::from_millis(ms));
        r.floor = Some(Duration::from_millis(floor_ms));
        r.rss_kib = 8 * 1024;
        r
    }

    #[test]
    fn growth_and_targets() {
        let mut g = vec![row(Kind::Shell, 800, 1000, 900), row(Kind::Shell, 3200, 4500, 3000)];
        set_growth(&mut g);
        assert_eq!(g[0].growth, None);
        let growth = g[1].growth.unwrap_or_default();
        assert!((growth - 4.5).abs() < 1e-9);
        judge(&mut g[1], 3200);
        let met: Vec<(String, bool)> = g[1].verdicts.iter().map(|v| (v.target.clone(), v.met)).collect();
        assert_eq!(
            met,
            [("×floor ≤ 1.3".to_owned(), false), ("growth ≤ 4.4".to_owned(), false), ("RSS ≤ 30 MB".to_owned(), true)]
        );
        let mut s = row(Kind::Startup, 1, 3, 1);
        judge(&mut s, 3200);
        assert!(s.verdicts.iter().all(|v| v.met));
    }

    #[test]
    fn table_names_every_miss_and_failure() {
        let mut r = row(Kind::Validate, 1000, 80, 1);
        judge(&mut r, 3200);
        let mut failed = Row::new(Kind::Shell, 800, Durability::Default, 3);
        failed.error = Some("non-zero exit".into());
        let info = Info {
            machine: vec![],
            baton: "baton".into(),
            baton_version: "baton 0.0.0".into(),
            reference: None,
            durability_flag: false,
            quick: true,
            reps: 3,
            sizes: vec![100, 400],
        };
        let t = table(&info, &[r.clone(), failed.clone()]);
        assert!(t.contains("missed: validate N=1000 -: ≤ 50 ms (80.0 ms)"), "{t}");
        assert!(t.contains("1 workload(s) failed"), "{t}");
        let j = json(&info, &[r, failed]);
        assert_eq!(j["results"][0]["median_ms"], 80.0);
        assert_eq!(j["results"][1]["error"], "non-zero exit");
    }
}
