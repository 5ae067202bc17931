//! `log.jsonl` events (engine spec §1.5).

use crate::json::{Json, JsonObject};

/// One segment of an `execution_path`: a position or a name (`"workflow"`, `"item"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// A node index.
    Index(u64),
    /// A named segment.
    Name(String),
}

/// The scope of an event inside a called workflow: written after the event's own fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventScope {
    /// The occurrence path.
    pub execution_path: Vec<PathSegment>,
    /// The callee's workflow id.
    pub workflow_id: String,
}

/// A `log.jsonl` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEvent {
    /// `step_started`: `step_id`, `type`.
    StepStarted {
        /// Qualified step id.
        step_id: String,
        /// Step type.
        step_type: String,
    },
    /// `step_completed`: `step_id`, `status` (own record status).
    StepCompleted {
        /// Qualified step id.
        step_id: String,
        /// Record status.
        status: String,
    },
    /// `step_failed`: `step_id`, `error`.
    StepFailed {
        /// Qualified step id.
        step_id: String,
        /// Record error.
        error: Option<String>,
    },
    /// `step_continue_on_error`: `step_id`, `error`.
    StepContinueOnError {
        /// Qualified step id.
        step_id: String,
        /// Record error.
        error: Option<String>,
    },
    /// `workflow_aborted`: `step_id`, `error`.
    WorkflowAborted {
        /// Qualified step id.
        step_id: String,
        /// Record error.
        error: Option<String>,
    },
    /// `workflow_finished`: `status`.
    WorkflowFinished {
        /// Run status.
        status: String,
    },
    /// `workflow_failed`: `error`.
    WorkflowFailed {
        /// The exception text.
        error: String,
    },
    /// `resume_failed`: `error`.
    ResumeFailed {
        /// The exception text.
        error: String,
    },
    /// `workflow_interrupted`.
    WorkflowInterrupted,
}

impl LogEvent {
    /// The event name.
    pub fn name(&self) -> &'static str {
        match self {
            LogEvent::StepStarted { .. } => "step_started",
            LogEvent::StepCompleted { .. } => "step_completed",
            LogEvent::StepFailed { .. } => "step_failed",
            LogEvent::StepContinueOnError { .. } => "step_continue_on_error",
            LogEvent::WorkflowAborted { .. } => "workflow_aborted",
            LogEvent::WorkflowFinished { .. } => "workflow_finished",
            LogEvent::WorkflowFailed { .. } => "workflow_failed",
            LogEvent::ResumeFailed { .. } => "resume_failed",
            LogEvent::WorkflowInterrupted => "workflow_interrupted",
        }
    }

    /// The log line's object: `event`, the event's fields, the scope, `timestamp` last.
    pub fn to_json(&self, scope: Option<&EventScope>, timestamp: &str) -> Json {
        let mut o = JsonObject::new();
        o.insert("event".into(), self.name().into());
        let mut put = |k: &str, v: Json| {
            o.insert(k.into(), v);
        };
        match self {
            LogEvent::StepStarted { step_id, step_type } => {
                put("step_id", step_id.as_str().into());
                put("type", step_type.as_str().into());
            }
            LogEvent::StepCompleted { step_id, status } => {
                put("step_id", step_id.as_str().into());
                put("status", status.as_str().into());
            }
            LogEvent::StepFailed { step_id, error }
            | LogEvent::StepContinueOnError { step_id, error }
            | LogEvent::WorkflowAborted { step_id, error } => {
                put("step_id", step_id.as_str().into());
                put("error", error.clone().into());
            }
            LogEvent::WorkflowFinished { status } => put("status", status.as_str().into()),
            LogEvent::WorkflowFailed { error } | LogEvent::ResumeFailed { error } => {
                put("error", error.as_str().into())
            }
            LogEvent::WorkflowInterrupted => {}
        }
        if let Some(s) = scope {
            let path = s
                .execution_path
                .iter()
                .map(|p| match p {
                    PathSegment::Index(i) => Json::from(*i),
                    PathSegment::Name(n) => n.as_str().into(),
                })
                .collect();
            o.insert("execution_path".into(), Json::Array(path));
            o.insert("workflow_id".into(), s.workflow_id.as_str().into());
        }
        o.insert("timestamp".into(), timestamp.into());
        Json::Object(o)
    }

    /// The log line (without the newline): `json.dumps(entry, ensure_ascii=False)`.
    pub fn to_line(&self, scope: Option<&EventScope>, timestamp: &str) -> String {
        self.to_json(scope, timestamp).to_python_line()
    }
}
