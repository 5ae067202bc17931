use std::ffi::OsString;
use std::time::{Duration, Instant};

use baton_steps::process::{run, Exit, Finished, Input, Output, ProcessSpec};
use baton_steps::Cancel;

fn env() -> Vec<(OsString, OsString)> {
    vec![("PATH".into(), "/usr/bin:/bin".into())]
}

fn sh(script: &str, timeout: Option<Duration>, max_bytes: Option<usize>) -> ProcessSpec {
    ProcessSpec {
        argv: vec!["/bin/sh".into(), "-c".into(), script.into()],
        cwd: std::env::temp_dir(),
        env: env(),
        stdin: Input::Inherit,
        output: Output::Capture { max_bytes },
        timeout,
        own_group: true,
        foreground: false,
    }
}

fn go(spec: &ProcessSpec) -> Finished {
    run(spec, &Cancel::new()).expect("spawn")
}

fn alive(pid: i32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default().contains(") Z ")
}

#[test]
fn captures_both_streams_and_the_exit_code() {
    let done = go(&sh("echo out; echo err >&2; exit 3", None, None));
    assert_eq!(done.exit, Some(Exit::Code(3)));
    assert_eq!(done.stdout, b"out\n");
    assert_eq!(done.stderr, b"err\n");
    assert!(!done.timed_out && !done.interrupted);
}

#[test]
fn a_signal_death_is_a_negative_returncode() {
    let done = go(&sh("kill -9 $$", None, None));
    assert_eq!(done.exit.map(Exit::returncode), Some(-9));
}

#[test]
fn the_cap_keeps_the_first_bytes_and_drains_the_rest() {
    let done = go(&sh("head -c 200000 /dev/zero | tr '\\0' a", Some(Duration::from_secs(20)), Some(10)));
    assert_eq!(done.stdout, b"aaaaaaaaaa");
    assert!(done.stdout_truncated);
    assert_eq!(done.exit, Some(Exit::Code(0)));
}

#[test]
fn a_timeout_kills_the_whole_group() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pidfile = dir.path().join("pid");
    let script = format!("sleep 30 & echo $! > {}; wait", pidfile.display());
    let started = Instant::now();
    let done = go(&sh(&script, Some(Duration::from_millis(300)), None));
    assert!(done.timed_out);
    assert!(started.elapsed() < Duration::from_secs(10));
    let pid: i32 = std::fs::read_to_string(&pidfile).expect("pid").trim().parse().expect("number");
    std::thread::sleep(Duration::from_millis(100));
    assert!(!alive(pid), "grandchild {pid} survived the timeout");
}

#[test]
fn cancellation_ends_the_group_and_says_so() {
    let cancel = Cancel::new();
    let trigger = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        trigger.cancel();
    });
    let started = Instant::now();
    let done = run(&sh("sleep 30", None, None), &cancel).expect("spawn");
    assert!(done.interrupted);
    assert!(!done.timed_out);
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_descendant_holding_the_pipes_cannot_hang_the_step() {
    // setsid moves the sleeper out of the group: it keeps stdout open after sh exits.
    let started = Instant::now();
    let done = go(&sh("setsid sleep 30 & echo hi", Some(Duration::from_millis(500)), None));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(done.exit, Some(Exit::Code(0)));
    assert!(done.timed_out, "waiting for EOF past the deadline counts as a timeout");
    assert_eq!(done.stdout, b"hi\n", "what was read is kept");
}

#[test]
fn ctrl_c_ends_the_wait_for_pipes_a_descendant_holds() {
    let cancel = Cancel::new();
    let trigger = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        trigger.cancel();
    });
    let started = Instant::now();
    let done = run(&sh("setsid sleep 30 & echo hi", Some(Duration::from_secs(60)), None), &cancel).expect("spawn");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert!(done.interrupted && !done.timed_out);
    assert_eq!(done.exit, Some(Exit::Code(0)));
    assert_eq!(done.stdout, b"hi\n");
}

#[test]
fn the_program_is_found_on_the_childs_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fake = dir.path().join("fake-agent");
    std::fs::write(&fake, "#!/bin/sh\necho fake \"$@\"\n").expect("write");
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    let spec = ProcessSpec {
        argv: vec!["fake-agent".into(), "-p".into(), "x".into()],
        cwd: std::env::temp_dir(),
        env: vec![("PATH".into(), format!("{}:/usr/bin:/bin", dir.path().display()).into())],
        stdin: Input::Inherit,
        output: Output::Capture { max_bytes: None },
        timeout: None,
        own_group: true,
        foreground: false,
    };
    assert_eq!(go(&spec).stdout, b"fake -p x\n");
}

#[test]
fn a_missing_program_is_a_spawn_error() {
    let spec = ProcessSpec { argv: vec!["no-such-program-xyz".into()], ..sh("", None, None) };
    assert!(run(&spec, &Cancel::new()).is_err());
}

/// Inside a pseudo-terminal (started by [`on_a_terminal_the_step_gets_it_and_gives_it_back`]):
/// runs a step that reads a line from the terminal, then one that waits for Ctrl-C,
/// and writes what happened to `$BATON_PTY_REPORT`.
#[test]
#[ignore = "runs only inside the pseudo-terminal of the test below"]
fn pty_helper() {
    use std::os::fd::AsFd;
    let Some(report) = std::env::var_os("BATON_PTY_REPORT") else { return };
    let dir = std::path::PathBuf::from(&report).with_file_name("");
    let step = |script: &str| ProcessSpec {
        foreground: true,
        timeout: Some(Duration::from_secs(10)),
        cwd: dir.clone(),
        ..sh(script, None, None)
    };
    let read = go(&step("read line; echo \"got:$line\""));
    let ready = dir.join("ready");
    let marker = dir.join("background-survived");
    let waited = go(&step(&format!("(sleep 1; touch {}) & touch {}; sleep 10", marker.display(), ready.display())));
    std::thread::sleep(Duration::from_millis(1500));
    let stdin = std::io::stdin();
    let back = rustix::termios::tcgetpgrp(stdin.as_fd()).ok() == Some(rustix::process::getpgrp());
    let text = format!(
        "read={:?} timed_out={} | waited interrupted={} timed_out={} | background survived={} | terminal back={back}\n",
        String::from_utf8_lossy(&read.stdout),
        read.timed_out,
        waited.interrupted,
        waited.timed_out,
        marker.exists(),
    );
    std::fs::write(report, text).expect("report");
}

#[test]
#[allow(clippy::print_stderr, reason = "a skipped test says why")]
fn on_a_terminal_the_step_gets_it_and_gives_it_back() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    if Command::new("script").arg("--version").output().map_or(true, |o| !o.status.success()) {
        eprintln!("skipping: util-linux `script` is not installed");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("report.txt");
    let exe = std::env::current_exe().expect("test binary");
    let inner = format!("{} --exact process::pty_helper --ignored --test-threads 1", exe.display());
    // A process started in the background by a non-interactive shell inherits SIGINT
    // ignored, and so would every step: restore the default for the terminal's Ctrl-C
    // (GNU env), as a terminal session has it.
    let default_int = Command::new("env").args(["--default-signal=INT", "true"]).status().is_ok_and(|s| s.success());
    let mut script = if default_int { Command::new("env") } else { Command::new("script") };
    if default_int {
        script.args(["--default-signal=INT", "script"]);
    }
    let mut script = script
        .args(["-qec", &inner, "/dev/null"])
        .env("BATON_PTY_REPORT", &report)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("script runs");
    let mut input = script.stdin.take().expect("stdin");
    input.write_all(b"hello\n").expect("type a line");
    input.flush().expect("flush");
    let ready = dir.path().join("ready");
    let started = Instant::now();
    while !ready.exists() && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    input.write_all(b"\x03").expect("press Ctrl-C");
    input.flush().expect("flush");
    let status = script.wait().expect("script ends");
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    assert!(status.success(), "the helper failed (report: {text:?})");
    assert_eq!(
        text,
        "read=\"got:hello\\n\" timed_out=false | waited interrupted=true timed_out=false | background survived=false | terminal back=true\n"
    );
}

#[test]
fn a_group_that_ignores_term_is_killed_after_the_grace() {
    let started = Instant::now();
    let done = go(&sh("trap '' TERM; while true; do sleep 1; done", Some(Duration::from_millis(300)), None));
    assert!(done.timed_out);
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(done.exit, Some(Exit::Signal(9)));
}

#[test]
fn a_timeout_also_ends_helpers_that_ignore_term_and_left_the_pipes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pidfile = dir.path().join("pid");
    // The helper ignores TERM and closes its output, so neither the pipes nor the
    // leader's death keep it in view; the group is ended anyway.
    let script = format!(
        "(trap '' TERM; exec >/dev/null 2>&1; sleep 30) & echo $! > {}; sleep 30",
        pidfile.display()
    );
    let done = go(&sh(&script, Some(Duration::from_millis(300)), None));
    assert!(done.timed_out);
    let pid: i32 = std::fs::read_to_string(&pidfile).expect("pid").trim().parse().expect("number");
    std::thread::sleep(Duration::from_millis(200));
    assert!(!alive(pid), "helper {pid} survived the timeout");
}
