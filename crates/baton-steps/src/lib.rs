//! Steps: the `Step` trait, the step registry and the built-in step types (shell, gate,
//! if, switch, while, do-while, fan-out, fan-in, command, prompt, init, github, slot,
//! workflow). Steps never print; they return records and outputs to the engine.
