//! Real runs: fake agent scripts found through [`SystemHost`] and started with
//! `process::run`, checking the argv, working directory and environment they see.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use baton_steps::agents::{plan, Dispatch, Host, Mode, NotDispatchable, Outcome, Request, SystemHost, Task};
use baton_steps::process::{run, Exit};
use baton_steps::Cancel;

/// Records argv, cwd and two variables to `record.txt` in its working directory, prints
/// one line on each stream, and sleeps when asked to.
const RECORDER: &str = r#"#!/bin/sh
if [ "$1" = agent ] && [ "$2" = version ]; then [ "${DOCKER_AGENT_PLUGIN-1}" = 1 ]; exit $?; fi
{
  printf 'argv0=%s\n' "$0"
  for a in "$@"; do printf 'arg=<%s>\n' "$a"; done
  printf 'cwd=%s\n' "$(pwd -P)"
  printf 'SPECKIT_WORKFLOW_DIR=%s\n' "${SPECKIT_WORKFLOW_DIR-<unset>}"
  printf 'CASE_VAR=%s\n' "${CASE_VAR-<unset>}"
} >> record.txt
echo "agent-stdout $#"
echo "agent-stderr" >&2
case "$*" in *SLOW*) sleep 5 ;; esac
exit 0
"#;

struct World {
    _dir: tempfile::TempDir,
    bin: PathBuf,
    root: PathBuf,
    engine_cwd: PathBuf,
}

impl World {
    fn new(agents: &[&str]) -> World {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = std::fs::canonicalize(dir.path()).expect("canonical");
        let (bin, root, engine_cwd) = (base.join("bin"), base.join("project"), base.join("elsewhere"));
        for d in [&bin, &root, &engine_cwd] {
            std::fs::create_dir(d).expect("mkdir");
        }
        for name in agents {
            let exe = bin.join(name);
            std::fs::write(&exe, RECORDER).expect("write agent");
            std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        World { _dir: dir, bin, root, engine_cwd }
    }

    fn env(&self, extra: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        let mut env = vec![("PATH".into(), format!("{}:/usr/bin:/bin", self.bin.display()).into())];
        env.extend(extra.iter().map(|(k, v)| (OsString::from(k), OsString::from(v))));
        env
    }

    fn host(&self, env: &[(OsString, OsString)]) -> SystemHost {
        SystemHost::new(env.to_vec(), self.engine_cwd.clone())
    }

    fn plan(&self, env: &[(OsString, OsString)], integration: &str, task: Task<'_>, mode: Mode) -> Outcome {
        let map: BTreeMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string_lossy().into_owned(), v.to_string_lossy().into_owned()))
            .collect();
        let request = Request {
            integration: Some(integration),
            model: None,
            task,
            project_root: &self.root,
            mode,
            timeout: Duration::from_millis(500),
        };
        plan(&request, &map, &self.host(env)).expect("a valid configuration").outcome
    }

    fn record(&self) -> String {
        std::fs::read_to_string(self.root.join("record.txt")).unwrap_or_default()
    }
}

fn dispatch(outcome: Outcome) -> Dispatch {
    match outcome {
        Outcome::Dispatch(d) => d,
        Outcome::NotDispatchable(why) => panic!("not dispatchable: {}", why.hint()),
    }
}

fn command(command: &'static str, args: &'static str) -> Task<'static> {
    Task::Command { command, args, integration_args: &[], integration_options: &[] }
}

#[test]
fn a_streaming_command_sees_the_engine_environment_unchanged_in_the_project_root() {
    let world = World::new(&["claude"]);
    let env = world.env(&[
        ("SPECKIT_WORKFLOW_DIR", "caller-value"),
        ("CASE_VAR", "hello world"),
        ("SPECKIT_INTEGRATION_CLAUDE_EXTRA_ARGS", "--verbose"),
    ]);
    let d = dispatch(world.plan(&env, "claude", command("speckit.plan", "a b"), Mode::Stream));
    assert_eq!((d.timeout, d.own_group), (None, false));
    let done = run(&d.process_spec(&env), &Cancel::new()).expect("spawn");
    assert_eq!(done.exit, Some(Exit::Code(0)));
    assert!(done.stdout.is_empty(), "streamed, not captured");
    let bin = world.bin.display();
    let root = world.root.display();
    assert_eq!(
        world.record(),
        format!(
            "argv0={bin}/claude\narg=<-p>\narg=</speckit-plan a b>\narg=<--verbose>\ncwd={root}\n\
             SPECKIT_WORKFLOW_DIR=caller-value\nCASE_VAR=hello world\n"
        )
    );
}

#[test]
fn a_captured_prompt_keeps_both_streams() {
    let world = World::new(&["codex"]);
    let env = world.env(&[]);
    let d = dispatch(world.plan(
        &env,
        "codex",
        Task::Prompt { text: "Say hi" },
        Mode::Capture { max_bytes: Some(8) },
    ));
    assert_eq!((d.timeout, d.own_group), (Some(Duration::from_millis(500)), true));
    let done = run(&d.process_spec(&env), &Cancel::new()).expect("spawn");
    assert_eq!(done.stdout, b"agent-st");
    assert!(done.stdout_truncated);
    assert_eq!(done.stderr, b"agent-st");
    assert!(world.record().contains("arg=<exec>\narg=<Say hi>\n"));
    assert!(world.record().contains("SPECKIT_WORKFLOW_DIR=<unset>\n"), "nothing is added");
}

#[test]
fn a_captured_prompt_that_outlives_its_timeout_is_stopped() {
    let world = World::new(&["claude"]);
    let env = world.env(&[]);
    let d = dispatch(world.plan(
        &env,
        "claude",
        Task::Prompt { text: "be SLOW" },
        Mode::Capture { max_bytes: None },
    ));
    let done = run(&d.process_spec(&env), &Cancel::new()).expect("spawn");
    assert!(done.timed_out);
    assert_eq!(done.stdout, b"agent-stdout 2\n", "partial output is kept");
}

#[test]
fn docker_agent_runs_through_the_docker_plugin_when_it_answers() {
    let world = World::new(&["docker"]);
    let args = ["./agent.yaml".to_owned()];
    let task = Task::Command {
        command: "speckit.plan",
        args: "x",
        integration_args: &args,
        integration_options: &[],
    };
    let env = world.env(&[]);
    let d = dispatch(world.plan(&env, "docker-agent", task, Mode::Stream));
    assert_eq!(d.argv[0], format!("{}/docker", world.bin.display()));
    assert_eq!(d.argv[1..], ["agent", "run", "--exec", "./agent.yaml", "--", "/speckit-plan x"]);
    run(&d.process_spec(&env), &Cancel::new()).expect("spawn");
    assert!(world.record().contains("arg=<agent>\narg=<run>\narg=<--exec>\n"));

    let env = world.env(&[("DOCKER_AGENT_PLUGIN", "0")]);
    match world.plan(&env, "docker-agent", task, Mode::Stream) {
        Outcome::NotDispatchable(NotDispatchable::CliNotFound(m)) => assert_eq!(m.executable, "docker-agent"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn rovodev_needs_acli_even_when_rovodev_is_installed() {
    let world = World::new(&["rovodev"]);
    let env = world.env(&[]);
    match world.plan(&env, "rovodev", Task::Prompt { text: "hi" }, Mode::Stream) {
        Outcome::NotDispatchable(NotDispatchable::CliNotFound(m)) => {
            assert_eq!(
                (m.executable.as_str(), m.override_var.as_str()),
                ("acli", "SPECKIT_INTEGRATION_ROVODEV_EXECUTABLE")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn which_behaves_like_shutil_which() {
    let world = World::new(&["agent"]);
    std::fs::write(world.bin.join("baton-test-plain"), "not executable").expect("write");
    std::fs::create_dir(world.bin.join("baton-test-dir")).expect("mkdir");
    std::fs::set_permissions(world.bin.join("baton-test-dir"), std::fs::Permissions::from_mode(0o755))
        .expect("chmod");
    let bin = world.bin.display().to_string();
    let host = SystemHost::new(world.env(&[]), world.engine_cwd.clone());
    assert_eq!(host.which("agent"), Some(format!("{bin}/agent")));
    assert_eq!(host.which("baton-test-plain"), None);
    assert_eq!(host.which("baton-test-dir"), None);
    assert_eq!(host.which(&format!("{bin}/agent")), Some(format!("{bin}/agent")));
    assert_eq!(host.which("../bin/agent"), Some("../bin/agent".to_owned()), "relative to the engine's cwd");
    assert_eq!(host.which("bin/agent"), None);
    let empty = SystemHost::new(vec![("PATH".into(), "".into())], world.engine_cwd.clone());
    assert_eq!(empty.which("sh"), None);
    let unset = SystemHost::new(vec![], world.engine_cwd.clone());
    assert_eq!(unset.which("sh"), Some("/bin/sh".to_owned()));
    let relative = SystemHost::new(vec![("PATH".into(), "../bin".into())], world.engine_cwd.clone());
    assert_eq!(relative.which("agent"), Some("../bin/agent".to_owned()));
    assert!(Path::new(&bin).is_absolute());
}
