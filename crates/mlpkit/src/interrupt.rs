//! Stopping long loops cleanly when the user interrupts (Ctrl-C in a terminal, the stop
//! button of a notebook).
//!
//! While an [`InterruptGuard`] lives, an interrupt signal (`SIGINT`) does not end the
//! process; it only raises a flag that [`requested`] reads. `fit` and the batches of a
//! hand-written loop hold a guard and look at the flag between batches, so an interrupt
//! stops them within one batch, with the model's weights and every notebook variable kept,
//! and they return [`crate::Error::Interrupted`]. When the last guard is dropped, whatever
//! handled the signal before is put back: outside training an interrupt does what it always
//! did (in a terminal, it ends the program).
//!
//! The workspace's notebook kernel sends the cell's process this signal when you press the
//! stop button, and ends the process only if the cell has not finished a few seconds later
//! (`kernel/README.md`). Elsewhere than on Unix, guards do nothing.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the signal handler; read between batches.
static REQUESTED: AtomicBool = AtomicBool::new(false);

/// How many guards live, and the action to put back when the last one goes.
static GUARDS: Mutex<Guards> = Mutex::new(Guards {
    count: 0,
    #[cfg(unix)]
    previous: None,
});

struct Guards {
    count: usize,
    #[cfg(unix)]
    previous: Option<libc::sigaction>,
}

/// Whether an interrupt arrived (while a guard lived) that no loop has acted on yet, and
/// clears the request: the loop that sees it is the one that stops.
pub fn take_request() -> bool {
    REQUESTED.swap(false, Ordering::Relaxed)
}

/// Turns `SIGINT` into a flag for as long as it lives (see the module's documentation).
/// Guards may nest and live on several threads: the first one installs the handler, the
/// last one to go puts back the previous action.
#[derive(Debug)]
pub struct InterruptGuard {
    _private: (),
}

#[cfg(unix)]
extern "C" fn on_interrupt(_signal: libc::c_int) {
    // Only an atomic store: the one kind of work that is safe inside a signal handler.
    REQUESTED.store(true, Ordering::Relaxed);
}

impl InterruptGuard {
    /// Installs the handler unless another guard already did.
    pub fn install() -> Self {
        let mut guards = GUARDS.lock().unwrap_or_else(|e| e.into_inner());
        if guards.count == 0 {
            #[cfg(unix)]
            {
                // SAFETY: `sigaction` gets a fully initialised action (zeroed, then the
                // handler, an empty mask and SA_RESTART) and a valid out-pointer for the
                // previous one. The handler only stores to an atomic, which is
                // async-signal-safe. On failure nothing changed and nothing is kept.
                guards.previous = unsafe {
                    let mut action: libc::sigaction = std::mem::zeroed();
                    action.sa_sigaction = on_interrupt as extern "C" fn(libc::c_int) as usize;
                    action.sa_flags = libc::SA_RESTART;
                    libc::sigemptyset(&mut action.sa_mask);
                    let mut previous: libc::sigaction = std::mem::zeroed();
                    (libc::sigaction(libc::SIGINT, &action, &mut previous) == 0).then_some(previous)
                };
            }
        }
        guards.count += 1;
        Self { _private: () }
    }
}

impl Drop for InterruptGuard {
    fn drop(&mut self) {
        let mut guards = GUARDS.lock().unwrap_or_else(|e| e.into_inner());
        guards.count -= 1;
        #[cfg(unix)]
        if guards.count == 0
            && let Some(previous) = guards.previous.take()
        {
            // SAFETY: `previous` is the action `sigaction` reported when the first guard
            // installed ours, so it is valid to install again; no out-pointer is asked for.
            unsafe {
                libc::sigaction(libc::SIGINT, &previous, std::ptr::null_mut());
            }
        }
    }
}
