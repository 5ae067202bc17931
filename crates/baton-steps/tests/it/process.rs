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
    };
    assert_eq!(go(&spec).stdout, b"fake -p x\n");
}

#[test]
fn a_missing_program_is_a_spawn_error() {
    let spec = ProcessSpec { argv: vec!["no-such-program-xyz".into()], ..sh("", None, None) };
    assert!(run(&spec, &Cancel::new()).is_err());
}
