//! [`SystemHost`]: `PATH` lookups and the Docker plugin probe on the real machine.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::Host;
use crate::process::{self, Output, ProcessSpec};
use crate::Cancel;

/// Python's fallback search path when `PATH` is unset (`os.confstr("CS_PATH")`).
const DEFAULT_PATH: &str = "/bin:/usr/bin";

/// How long `docker agent version` may take.
const DOCKER_PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// The real machine, seen through the engine's environment and working directory
/// (given, never read from the process).
#[derive(Debug, Clone)]
pub struct SystemHost {
    env: Vec<(OsString, OsString)>,
    cwd: PathBuf,
}

impl SystemHost {
    /// A host that searches the `PATH` of `env` and resolves relative paths against
    /// `cwd` (the engine's working directory); the Docker probe runs with both.
    pub fn new(env: Vec<(OsString, OsString)>, cwd: PathBuf) -> Self {
        Self { env, cwd }
    }

    fn path_var(&self) -> Option<&OsString> {
        self.env.iter().rev().find(|(k, _)| k == "PATH").map(|(_, v)| v)
    }

    /// Python's `_access_check`: exists, executable for us, not a directory.
    fn runnable(&self, candidate: &Path) -> bool {
        let full = self.cwd.join(candidate);
        rustix::fs::access(&full, rustix::fs::Access::EXEC_OK).is_ok() && !full.is_dir() && full.exists()
    }
}

impl Host for SystemHost {
    /// Python's `shutil.which` (POSIX): a name with a `/` is checked as it is; others
    /// are searched in `PATH` (unset: `/bin:/usr/bin`; empty: nothing is found).
    fn which(&self, name: &str) -> Option<String> {
        if name.contains('/') {
            return self.runnable(Path::new(name)).then(|| name.to_owned());
        }
        let default = OsString::from(DEFAULT_PATH);
        let path = self.path_var().unwrap_or(&default);
        if path.is_empty() {
            return None;
        }
        path.as_bytes()
            .split(|b| *b == b':')
            .map(|dir| Path::new(std::ffi::OsStr::from_bytes(dir)).join(name))
            .find(|candidate| self.runnable(candidate))
            .map(|candidate| candidate.to_string_lossy().into_owned())
    }

    /// Runs `<docker> agent version` (output discarded, 5 s limit) and reports whether
    /// it exited 0.
    fn docker_agent_plugin(&self, docker: &str) -> bool {
        let spec = ProcessSpec {
            argv: vec![docker.into(), "agent".into(), "version".into()],
            cwd: self.cwd.clone(),
            env: self.env.clone(),
            stdin: process::Input::Inherit,
            output: Output::Capture { max_bytes: Some(0) },
            timeout: Some(DOCKER_PROBE_TIMEOUT),
            own_group: false,
            foreground: false,
        };
        match process::run(&spec, &Cancel::new()) {
            Ok(done) => !done.timed_out && done.exit.is_some_and(|e| e.returncode() == 0),
            Err(_) => false,
        }
    }
}
