//! [`Cancel`]: a cancellation signal shared by the CLI (Ctrl-C, SIGTERM), the engine and
//! every running step.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

type Listener = Box<dyn Fn() + Send + Sync>;

#[derive(Default)]
struct Inner {
    cancelled: AtomicBool,
    next_id: AtomicU64,
    listeners: Mutex<Vec<(u64, Listener)>>,
}

/// A cloneable cancellation signal. [`Cancel::cancel`] sets it once and calls every
/// registered listener; listeners registered afterwards are called at once.
#[derive(Clone, Default)]
pub struct Cancel(Arc<Inner>);

impl std::fmt::Debug for Cancel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cancel").field("cancelled", &self.is_cancelled()).finish()
    }
}

impl Cancel {
    /// A signal that has not fired.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fires the signal (idempotent). Not async-signal-safe: call it from a normal
    /// thread (e.g. one that waits for signals), never from a signal handler.
    pub fn cancel(&self) {
        if self.0.cancelled.swap(true, Ordering::SeqCst) {
            return;
        }
        let listeners = self.0.listeners.lock().unwrap_or_else(PoisonError::into_inner);
        for (_, listener) in listeners.iter() {
            listener();
        }
    }

    /// Has the signal fired?
    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// Calls `listener` when the signal fires (at once if it already has), until the
    /// returned guard is dropped.
    pub fn on_cancel(&self, listener: impl Fn() + Send + Sync + 'static) -> CancelGuard {
        let id = self.0.next_id.fetch_add(1, Ordering::SeqCst);
        {
            let mut listeners = self.0.listeners.lock().unwrap_or_else(PoisonError::into_inner);
            listeners.push((id, Box::new(listener)));
        }
        if self.is_cancelled() {
            let listeners = self.0.listeners.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((_, l)) = listeners.iter().find(|(i, _)| *i == id) {
                l();
            }
        }
        CancelGuard { cancel: self.clone(), id }
    }
}

/// Unregisters a listener when dropped.
pub struct CancelGuard {
    cancel: Cancel,
    id: u64,
}

impl Drop for CancelGuard {
    fn drop(&mut self) {
        let mut listeners = self.cancel.0.listeners.lock().unwrap_or_else(PoisonError::into_inner);
        listeners.retain(|(i, _)| *i != self.id);
    }
}
