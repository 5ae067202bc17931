//! The built-in step types, one file each, and [`register_builtins`] that adds them to a
//! [`StepRegistry`].

use std::sync::Arc;

use crate::step::{DuplicateStepType, StepRegistry};

pub mod gate;
pub mod shell;
mod support;

pub use gate::Gate;
pub use shell::Shell;

/// Adds every built-in step type to `registry`.
pub fn register_builtins(registry: &mut StepRegistry) -> Result<(), DuplicateStepType> {
    registry.register(Arc::new(Shell))?;
    registry.register(Arc::new(Gate))?;
    Ok(())
}
