//! Ctrl-C and SIGTERM: fire the run's [`Cancel`], so the engine saves the run `paused`
//! at the step in flight (DESIGN §1.5).

use baton_steps::Cancel;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// Starts a thread that fires `cancel` on SIGINT or SIGTERM (every time one arrives).
/// Without it (when the handler cannot be installed) the signals keep their default
/// action.
pub fn cancel_on_signals(cancel: &Cancel) {
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM]) else { return };
    let cancel = cancel.clone();
    let _ = std::thread::Builder::new().name("baton-signals".into()).spawn(move || {
        for _ in signals.forever() {
            cancel.cancel();
        }
    });
}
