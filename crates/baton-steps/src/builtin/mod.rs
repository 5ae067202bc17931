//! The built-in step types, one file each, and [`register_builtins`] that adds them to a
//! [`StepRegistry`].

use std::sync::Arc;

use crate::step::{DuplicateStepType, StepRegistry};

mod casefold;
pub mod command;
mod dispatch;
pub mod do_while;
pub mod fan_in;
pub mod fan_out;
pub mod gate;
pub mod if_;
pub mod github;
pub mod init;
pub mod prompt;
pub mod shell;
pub mod slot;
pub mod switch;
mod support;
pub mod while_;
pub mod workflow;

pub use command::Command;
pub use do_while::DoWhile;
pub use fan_in::FanIn;
pub use fan_out::FanOut;
pub use gate::Gate;
pub use if_::If;
pub use github::GitHub;
pub use init::Init;
pub use prompt::Prompt;
pub use shell::Shell;
pub use slot::Slot;
pub use switch::Switch;
pub use while_::While;
pub use workflow::Workflow;

/// Adds every built-in step type to `registry`.
pub fn register_builtins(registry: &mut StepRegistry) -> Result<(), DuplicateStepType> {
    registry.register(Arc::new(Shell))?;
    registry.register(Arc::new(Gate))?;
    registry.register(Arc::new(Command))?;
    registry.register(Arc::new(Prompt))?;
    registry.register(Arc::new(Slot))?;
    registry.register(Arc::new(GitHub))?;
    registry.register(Arc::new(Init))?;
    registry.register(Arc::new(If))?;
    registry.register(Arc::new(Switch))?;
    registry.register(Arc::new(While))?;
    registry.register(Arc::new(DoWhile))?;
    registry.register(Arc::new(FanOut))?;
    registry.register(Arc::new(FanIn))?;
    registry.register(Arc::new(Workflow))?;
    Ok(())
}
