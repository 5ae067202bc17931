//! The built-in step types, one file each, and [`register_builtins`] that adds them to a
//! [`StepRegistry`].

use std::sync::Arc;

use crate::step::{DuplicateStepType, StepRegistry};

mod casefold;
pub mod command;
mod dispatch;
pub mod gate;
pub mod github;
pub mod prompt;
pub mod shell;
pub mod slot;
mod support;

pub use command::Command;
pub use gate::Gate;
pub use github::GitHub;
pub use prompt::Prompt;
pub use shell::Shell;
pub use slot::Slot;

/// Adds every built-in step type to `registry`.
pub fn register_builtins(registry: &mut StepRegistry) -> Result<(), DuplicateStepType> {
    registry.register(Arc::new(Shell))?;
    registry.register(Arc::new(Gate))?;
    registry.register(Arc::new(Command))?;
    registry.register(Arc::new(Prompt))?;
    registry.register(Arc::new(Slot))?;
    registry.register(Arc::new(GitHub))?;
    Ok(())
}
