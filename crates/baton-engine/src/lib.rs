//! The workflow executor: run and resume over the version-2 execution tree, nested ids,
//! `continue_on_error`, fan-out concurrency. Events go to an `EventSink`; the engine
//! never prints, reads the environment or exits.
