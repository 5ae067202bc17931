//! Ctrl-C and SIGTERM: fire the run's [`Cancel`], so the engine saves the run `paused`
//! at the step in flight (DESIGN §1.5).

use baton_steps::Cancel;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// Starts a thread that fires `cancel` on SIGINT or SIGTERM; the engine then saves the
/// run `paused`. A second signal ends baton at once (exit 130): the journal already
/// holds every finished step. Without the thread (when the handler cannot be
/// installed) the signals keep their default action.
pub fn cancel_on_signals(cancel: &Cancel) {
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM]) else { return };
    let cancel = cancel.clone();
    let _ = std::thread::Builder::new().name("baton-signals".into()).spawn(move || {
        let mut seen = 0;
        for _ in signals.forever() {
            seen += 1;
            if seen > 1 {
                std::process::exit(130);
            }
            cancel.cancel();
        }
    });
}
