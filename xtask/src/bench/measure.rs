//! Timing child processes: wall time from spawn to reap, and peak RSS from `wait4`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// One finished child process.
#[derive(Debug, Clone)]
pub struct Sample {
    /// From just before `spawn` to just after the child was reaped.
    pub wall: Duration,
    /// `ru_maxrss` of the child (and its reaped descendants), in KiB.
    pub max_rss_kib: u64,
    /// Exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Its stdout.
    pub stdout: String,
    /// Its stderr.
    pub stderr: String,
}

/// Runs `cmd` to completion with stdin closed and stdout/stderr captured in files of
/// `scratch`, timing it and reading its peak RSS with `wait4`.
pub fn run(mut cmd: Command, scratch: &Path) -> Result<Sample> {
    let out_path = scratch.join("bench-stdout.txt");
    let err_path = scratch.join("bench-stderr.txt");
    let out = File::create(&out_path).with_context(|| format!("cannot create {}", out_path.display()))?;
    let err = File::create(&err_path).with_context(|| format!("cannot create {}", err_path.display()))?;
    cmd.stdin(Stdio::null()).stdout(out).stderr(err);
    let start = Instant::now();
    let child = cmd.spawn().with_context(|| format!("cannot start {cmd:?}"))?;
    let (status, rss) = wait4(child.id())?;
    let wall = start.elapsed();
    let read = |p: &PathBuf| std::fs::read(p).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    Ok(Sample { wall, max_rss_kib: rss, code: status, stdout: read(&out_path), stderr: read(&err_path) })
}

/// Reaps `pid`, returning its exit code and `ru_maxrss` (KiB).
#[allow(unsafe_code)]
fn wait4(pid: u32) -> Result<(Option<i32>, u64)> {
    let Ok(pid) = libc::pid_t::try_from(pid) else { bail!("pid {pid} out of range") };
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of that plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `status` and `usage` are valid, exclusively borrowed out-pointers for
        // the duration of the call; `pid` is our own unreaped child.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e).context("wait4");
        }
    }
    let code = if libc::WIFEXITED(status) { Some(libc::WEXITSTATUS(status)) } else { None };
    Ok((code, u64::try_from(usage.ru_maxrss).unwrap_or(0)))
}

/// The floor: `n` bare `/bin/sh -c true` spawns from a Rust loop, `workers` at a time
/// (1 = a plain sequential loop).
pub fn floor(n: usize, workers: usize) -> Result<Duration> {
    let spawn = || -> Result<()> {
        let status = Command::new("/bin/sh")
            .args(["-c", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .context("cannot spawn /bin/sh")?;
        if !status.success() {
            bail!("/bin/sh -c true failed: {status}");
        }
        Ok(())
    };
    let start = Instant::now();
    if workers <= 1 {
        for _ in 0..n {
            spawn()?;
        }
    } else {
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| -> Result<()> {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    s.spawn(|| -> Result<()> {
                        while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < n {
                            spawn()?;
                        }
                        Ok(())
                    })
                })
                .collect();
            for h in handles {
                h.join().map_err(|_| anyhow::anyhow!("floor worker panicked"))??;
            }
            Ok(())
        })?;
    }
    Ok(start.elapsed())
}

/// The median of `xs` (the mean of the middle two for an even count).
pub fn median(xs: &[Duration]) -> Duration {
    let mut v = xs.to_vec();
    v.sort();
    match v.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        let ms = Duration::from_millis;
        assert_eq!(median(&[ms(3), ms(1), ms(2)]), ms(2));
        assert_eq!(median(&[ms(4), ms(1), ms(2), ms(3)]), Duration::from_micros(2500));
        assert_eq!(median(&[]), Duration::ZERO);
    }

    #[test]
    fn run_reports_exit_code_output_and_rss() -> Result<()> {
        let tmp = tempfile::tempdir()?;
        let mut cmd = Command::new("/bin/sh");
        cmd.args(["-c", "echo out; echo err >&2; exit 3"]);
        let s = run(cmd, tmp.path())?;
        assert_eq!(s.code, Some(3));
        assert_eq!(s.stdout, "out\n");
        assert_eq!(s.stderr, "err\n");
        assert!(s.max_rss_kib > 0);
        Ok(())
    }

    #[test]
    fn floor_runs_in_parallel_too() -> Result<()> {
        assert!(floor(4, 1)? > Duration::ZERO);
        assert!(floor(4, 3)? > Duration::ZERO);
        Ok(())
    }
}
