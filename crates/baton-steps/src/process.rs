//! Running a step's child process: its own process group, output capture with a cap,
//! a timeout and cancellation that end the whole group (DESIGN.md §3), and a bounded
//! wait for pipes that a stray descendant keeps open.

use std::ffi::OsString;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use crate::cancel::Cancel;

/// How long to wait for the pipes to close after the process ended or was killed.
const DRAIN_GRACE: Duration = Duration::from_secs(2);
/// How long a terminated group gets between SIGTERM and SIGKILL.
const KILL_GRACE: Duration = Duration::from_millis(500);

/// What to do with the child's stdout and stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Inherit baton's stdout and stderr (streaming agents).
    Inherit,
    /// Capture both; keep at most `max_bytes` of each (`None`: no limit). Reading goes
    /// on past the cap so the child never blocks on a full pipe.
    Capture {
        /// The cap per stream.
        max_bytes: Option<usize>,
    },
}

/// What the child reads on stdin.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Input {
    /// baton's own stdin (the reference never redirects it).
    #[default]
    Inherit,
    /// These bytes, then end of file (`subprocess.run(input=…)`).
    Bytes(Vec<u8>),
}

/// What to run and how.
#[derive(Debug, Clone)]
pub struct ProcessSpec {
    /// Program and arguments; `argv[0]` is looked up on `PATH` of `env` when it has no `/`.
    pub argv: Vec<OsString>,
    /// Working directory.
    pub cwd: PathBuf,
    /// The complete environment of the child (nothing is inherited implicitly).
    pub env: Vec<(OsString, OsString)>,
    /// What the child reads.
    pub stdin: Input,
    /// Output handling.
    pub output: Output,
    /// Kill the child's whole process group after this long.
    pub timeout: Option<Duration>,
    /// Put the child in a new process group (always, for shell steps).
    pub own_group: bool,
    /// With `own_group`: when baton's stdin is a terminal and baton is its foreground
    /// process group, make the child's group the foreground group while it runs (as a
    /// shell does for a job), so it can read the terminal and Ctrl-C reaches it; baton
    /// takes the terminal back afterwards. A child that then ends by SIGINT or exits
    /// with 130 counts as interrupted. Steps that run alone set it; fan-out items
    /// never do.
    pub foreground: bool,
}

/// How the child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// It exited with this code.
    Code(i32),
    /// A signal ended it.
    Signal(i32),
}

impl Exit {
    /// Python's `returncode`: the exit code, or minus the signal number.
    pub fn returncode(self) -> i32 {
        match self {
            Exit::Code(c) => c,
            Exit::Signal(s) => -s,
        }
    }
}

/// The result of running a process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// How it ended (`None` when it could not be waited for after a kill).
    pub exit: Option<Exit>,
    /// Captured stdout (empty with [`Output::Inherit`]).
    pub stdout: Vec<u8>,
    /// Captured stderr (empty with [`Output::Inherit`]).
    pub stderr: Vec<u8>,
    /// Was stdout cut at the cap?
    pub stdout_truncated: bool,
    /// Was stderr cut at the cap?
    pub stderr_truncated: bool,
    /// Did the timeout end it (or did a descendant hold the pipes past it)?
    pub timed_out: bool,
    /// Did cancellation end it?
    pub interrupted: bool,
}

/// Spawns and waits. `Err` only when the process could not be started.
pub fn run(spec: &ProcessSpec, cancel: &Cancel) -> std::io::Result<Finished> {
    let Some((program, args)) = spec.argv.split_first() else {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "empty command line"));
    };
    let mut cmd = Command::new(resolve_program(program, &spec.env));
    cmd.args(args).current_dir(&spec.cwd).env_clear().envs(spec.env.iter().map(|(k, v)| (k, v)));
    match spec.stdin {
        Input::Inherit => cmd.stdin(Stdio::inherit()),
        Input::Bytes(_) => cmd.stdin(Stdio::piped()),
    };
    match spec.output {
        Output::Inherit => {
            cmd.stdout(Stdio::inherit()).stderr(Stdio::inherit());
        }
        Output::Capture { .. } => {
            cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        }
    }
    if spec.own_group {
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    }
    let mut child = spawn(&mut cmd)?;
    if let (Some(mut pipe), Input::Bytes(bytes)) = (child.stdin.take(), &spec.stdin) {
        let bytes = bytes.clone();
        // A child that exits without reading gives EPIPE: ignored, as Python does.
        thread::spawn(move || {
            use std::io::Write;
            let _ = pipe.write_all(&bytes);
        });
    }
    let max = match spec.output {
        Output::Capture { max_bytes } => max_bytes,
        Output::Inherit => None,
    };
    let (drain_tx, drain_rx) = mpsc::channel::<Drain>();
    let stdout_sink = Arc::new(Mutex::new(Sink::default()));
    let stderr_sink = Arc::new(Mutex::new(Sink::default()));
    let mut readers = 0;
    if let Some(out) = child.stdout.take() {
        readers += 1;
        spawn_reader(out, max, stdout_sink.clone(), drain_tx.clone());
    }
    if let Some(err) = child.stderr.take() {
        readers += 1;
        spawn_reader(err, max, stderr_sink.clone(), drain_tx.clone());
    }

    let started = Instant::now();
    let pid = child.id();
    let group = spec.own_group;
    let terminal = (spec.foreground && group).then(|| terminal::hand_over(pid)).flatten();
    let (exit, timed_out, mut interrupted) = wait_child(child, pid, group, spec.timeout, cancel, started);
    if let Some(terminal) = terminal {
        terminal.take_back();
        let sigint = rustix::process::Signal::INT.as_raw();
        if matches!(exit, Some(Exit::Signal(s)) if s == sigint) || exit == Some(Exit::Code(130)) {
            interrupted = true;
        }
    }
    // The child is gone; what it left running in its group goes too (a background
    // job ignores the terminal's SIGINT, a helper may ignore TERM).
    if group && (timed_out || interrupted) {
        end_group(pid);
    }

    // Collect the pipes: bounded by the step deadline, so a descendant that keeps them
    // open cannot hang the run; Ctrl-C still ends the wait. After a kill, the pipes get
    // a short grace to close; whatever was read by then is kept.
    let mut timed_out = timed_out;
    let deadline = spec.timeout.and_then(|t| started.checked_add(t));
    let mut drain_deadline = match (timed_out || interrupted, deadline) {
        (false, Some(at)) => Some(at.max(Instant::now())),
        (false, None) => None,
        (true, _) => Some(Instant::now() + DRAIN_GRACE),
    };
    // Past the deadline (or on Ctrl-C) the group that may still hold the pipes gets
    // TERM, then KILL, then a last grace for the pipes to close.
    let mut stage = if timed_out || interrupted { Stage::Killed } else { Stage::Waiting };
    let cancel_tx = drain_tx.clone();
    let _guard = cancel.on_cancel(move || {
        let _ = cancel_tx.send(Drain::Cancelled);
    });
    drop(drain_tx);
    let mut done = 0;
    while done < readers {
        let received = match drain_deadline {
            None => drain_rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(at) => drain_rx.recv_timeout(at.saturating_duration_since(Instant::now())),
        };
        let stop = match received {
            Ok(Drain::Eof) => {
                done += 1;
                continue;
            }
            Ok(Drain::Cancelled) => {
                if stage != Stage::Waiting {
                    continue;
                }
                interrupted = true;
                true
            }
            Err(RecvTimeoutError::Timeout) => {
                if stage == Stage::Waiting {
                    timed_out = true;
                }
                true
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        if stop {
            stage = match stage {
                Stage::Waiting => {
                    if group {
                        kill_group(pid, rustix::process::Signal::TERM);
                    }
                    drain_deadline = Some(Instant::now() + KILL_GRACE);
                    Stage::Terminated
                }
                Stage::Terminated => {
                    if group {
                        kill_group(pid, rustix::process::Signal::KILL);
                    }
                    drain_deadline = Some(Instant::now() + DRAIN_GRACE);
                    Stage::Killed
                }
                Stage::Killed => break,
            };
        }
    }
    if group && stage == Stage::Terminated {
        end_group(pid);
    }
    let (stdout, stdout_truncated) = Sink::take(&stdout_sink);
    let (stderr, stderr_truncated) = Sink::take(&stderr_sink);
    Ok(Finished { exit, stdout, stderr, stdout_truncated, stderr_truncated, timed_out, interrupted })
}

/// Where the wait for the pipes is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Until the step's deadline.
    Waiting,
    /// The group got TERM.
    Terminated,
    /// The group got KILL (or the child was already stopped).
    Killed,
}

/// What the drain loop hears about.
enum Drain {
    /// A reader reached end of file.
    Eof,
    /// Ctrl-C / SIGTERM.
    Cancelled,
}

/// What a reader kept of one stream, readable while it still runs.
#[derive(Default)]
struct Sink {
    data: Vec<u8>,
    truncated: bool,
}

impl Sink {
    fn take(sink: &Mutex<Sink>) -> (Vec<u8>, bool) {
        let mut sink = sink.lock().unwrap_or_else(PoisonError::into_inner);
        (std::mem::take(&mut sink.data), sink.truncated)
    }
}

/// Starts the child, retrying briefly when the executable is "busy": a script that was
/// just written can still be open for writing in another thread's child between its
/// fork and exec (ETXTBSY), which passes within milliseconds.
fn spawn(cmd: &mut Command) -> std::io::Result<Child> {
    let mut delay = Duration::from_millis(1);
    for _ in 0..8 {
        match cmd.spawn() {
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::TXTBSY.raw_os_error()) => {
                thread::sleep(delay);
                delay *= 2;
            }
            other => return other,
        }
    }
    cmd.spawn()
}

/// `PATH` lookup in the child's environment (std would use baton's own `PATH`).
fn resolve_program(program: &OsString, env: &[(OsString, OsString)]) -> OsString {
    use std::os::unix::ffi::OsStrExt;
    if program.as_bytes().contains(&b'/') {
        return program.clone();
    }
    let Some((_, path)) = env.iter().rev().find(|(k, _)| k == "PATH") else {
        return program.clone();
    };
    for dir in std::env::split_paths(path) {
        let candidate = dir.join(program);
        if is_executable(&candidate) {
            return candidate.into_os_string();
        }
    }
    program.clone()
}

fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

fn spawn_reader(mut pipe: impl Read + Send + 'static, max: Option<usize>, sink: Arc<Mutex<Sink>>, tx: mpsc::Sender<Drain>) {
    thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let mut sink = sink.lock().unwrap_or_else(PoisonError::into_inner);
                    let room = max.map_or(n, |m| m.saturating_sub(sink.data.len()).min(n));
                    sink.data.extend_from_slice(&buf[..room]);
                    if room < n {
                        sink.truncated = true;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        let _ = tx.send(Drain::Eof);
    });
}

enum Wake {
    Exited(std::io::Result<ExitStatus>),
    Cancelled,
}

/// Waits for the child, ending its group on timeout or cancellation.
fn wait_child(
    mut child: Child,
    pid: u32,
    group: bool,
    timeout: Option<Duration>,
    cancel: &Cancel,
    started: Instant,
) -> (Option<Exit>, bool, bool) {
    let (tx, rx) = mpsc::channel::<Wake>();
    let cancel_tx = tx.clone();
    let _guard = cancel.on_cancel(move || {
        let _ = cancel_tx.send(Wake::Cancelled);
    });
    thread::spawn(move || {
        let _ = tx.send(Wake::Exited(child.wait()));
    });
    let deadline = timeout.and_then(|t| started.checked_add(t));
    let mut timed_out = false;
    let mut interrupted = false;
    let mut kill_at: Option<Instant> = None;
    loop {
        let next = [deadline.filter(|_| !timed_out && !interrupted), kill_at].into_iter().flatten().min();
        let wake = match next {
            Some(at) => rx.recv_timeout(at.saturating_duration_since(Instant::now())),
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match wake {
            Ok(Wake::Exited(status)) => return (status.ok().map(to_exit), timed_out, interrupted),
            Ok(Wake::Cancelled) => {
                if !interrupted && !timed_out {
                    interrupted = true;
                    terminate(pid, group);
                    kill_at = Some(Instant::now() + KILL_GRACE);
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                if kill_at.is_some_and(|at| Instant::now() >= at) {
                    kill(pid, group);
                    kill_at = None;
                } else if !timed_out && !interrupted {
                    // The reference SIGKILLs `/bin/sh` alone; baton ends the whole group
                    // (TERM, then KILL after a grace period; DESIGN §3).
                    timed_out = true;
                    terminate(pid, group);
                    kill_at = Some(Instant::now() + KILL_GRACE);
                }
            }
            Err(RecvTimeoutError::Disconnected) => return (None, timed_out, interrupted),
        }
    }
}

fn to_exit(status: ExitStatus) -> Exit {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => Exit::Code(code),
        (None, Some(sig)) => Exit::Signal(sig),
        (None, None) => Exit::Code(-1),
    }
}

fn terminate(pid: u32, group: bool) {
    if group {
        kill_group(pid, rustix::process::Signal::TERM);
    } else if let Some(pid) = rustix::process::Pid::from_raw(pid as i32) {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }
}

fn kill(pid: u32, group: bool) {
    if group {
        kill_group(pid, rustix::process::Signal::KILL);
    } else if let Some(pid) = rustix::process::Pid::from_raw(pid as i32) {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
    }
}

/// Ends what is left of a process group: TERM, then KILL when anything is still there
/// after the grace period.
fn end_group(pgid: u32) {
    let Some(group) = rustix::process::Pid::from_raw(pgid as i32) else { return };
    if rustix::process::kill_process_group(group, rustix::process::Signal::TERM).is_err() {
        return; // nothing left
    }
    let until = Instant::now() + KILL_GRACE;
    while Instant::now() < until {
        if rustix::process::test_kill_process_group(group).is_err() {
            return;
        }
        thread::sleep(Duration::from_millis(10));
    }
    let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
}

fn kill_group(pgid: u32, signal: rustix::process::Signal) {
    if let Some(pgid) = rustix::process::Pid::from_raw(pgid as i32) {
        let _ = rustix::process::kill_process_group(pgid, signal);
    }
}

/// Handing the controlling terminal to a step's process group and back.
mod terminal {
    use std::os::fd::AsFd;

    use nix::sys::signal::{pthread_sigmask, SigSet, SigmaskHow, Signal as NixSignal};
    use rustix::process::{getpgrp, kill_process_group, Pid, Signal};
    use rustix::termios::{isatty, tcgetpgrp, tcsetpgrp};

    /// The terminal was handed to a child's group; [`Handed::take_back`] returns it.
    pub(super) struct Handed {
        ours: Pid,
    }

    /// Makes `pgid` the foreground group of the terminal on stdin, when stdin is a
    /// terminal whose foreground group is ours. The child may already have stopped
    /// reading the terminal from the background (SIGTTIN): it is continued.
    pub(super) fn hand_over(pgid: u32) -> Option<Handed> {
        let stdin = std::io::stdin();
        let fd = stdin.as_fd();
        if !isatty(fd) {
            return None;
        }
        let ours = getpgrp();
        if tcgetpgrp(fd).ok()? != ours {
            return None;
        }
        let child = Pid::from_raw(i32::try_from(pgid).ok()?)?;
        tcsetpgrp(fd, child).ok()?;
        let _ = kill_process_group(child, Signal::CONT);
        Some(Handed { ours })
    }

    impl Handed {
        /// Makes baton's group the foreground group again. Called from the background,
        /// which would stop baton with SIGTTOU: the signal is blocked in this thread
        /// for the call.
        pub(super) fn take_back(self) {
            let stdin = std::io::stdin();
            let mut block = SigSet::empty();
            block.add(NixSignal::SIGTTOU);
            let mut previous = SigSet::empty();
            let blocked = pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&block), Some(&mut previous)).is_ok();
            let _ = tcsetpgrp(stdin.as_fd(), self.ours);
            if blocked {
                let _ = pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&previous), None);
            }
        }
    }
}
