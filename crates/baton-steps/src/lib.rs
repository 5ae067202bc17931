//! Steps: the `Step` trait, the step registry and the built-in step types (shell, gate,
//! if, switch, while, do-while, fan-out, fan-in, command, prompt, init, github, slot,
//! workflow). Steps never print; they return records and outputs to the engine.
//!
//! This crate also owns how step processes run ([`process`]): each in its own process
//! group, with timeouts and cancellation ([`Cancel`]) that end the whole group.
//!
//! ```
//! use baton_steps::{process, Cancel};
//! let spec = process::ProcessSpec {
//!     argv: vec!["/bin/sh".into(), "-c".into(), "echo hi".into()],
//!     cwd: std::env::temp_dir(),
//!     env: vec![],
//!     stdin: process::Input::Inherit,
//!     output: process::Output::Capture { max_bytes: None },
//!     timeout: None,
//!     own_group: true,
//!     foreground: false,
//! };
//! let done = process::run(&spec, &Cancel::new()).expect("sh runs");
//! assert_eq!(done.stdout, b"hi\n");
//! ```

pub mod agents;
pub mod builtin;
mod cancel;
pub mod process;
pub mod step;

pub use cancel::{Cancel, CancelGuard};
pub use step::{
    DuplicateStepType, GateAnswer, GateQuestion, Interaction, NoInteraction, Step, StepContext,
    StepError, StepRegistry, StepResult, StepStatus,
};
