//! Where the computation runs: the device tensors live on, and how many CPU threads work.

use std::sync::atomic::{AtomicUsize, Ordering};

use candle_core::Device;

use crate::error::Result;

/// The device the tutorials run on: the first CUDA GPU when the crate is built
/// with the `cuda` feature and a GPU is present, the CPU otherwise.
///
/// # Errors
/// Never without the `cuda` feature. With it, [`Error::Candle`](crate::Error::Candle) when
/// a GPU is present but CUDA cannot start on it (a driver that does not match the toolkit).
///
/// ```
/// let device = mlpkit::device::default_device()?;
/// # #[cfg(not(feature = "cuda"))]
/// assert!(device.is_cpu());
/// println!("{}", mlpkit::device::describe(&device)); // e.g. `CPU (2 threads)`
/// # Ok::<(), mlpkit::Error>(())
/// ```
pub fn default_device() -> Result<Device> {
    #[cfg(feature = "cuda")]
    {
        Ok(Device::cuda_if_available(0)?)
    }
    #[cfg(not(feature = "cuda"))]
    {
        Ok(Device::Cpu)
    }
}

/// A one-line description of `device`, e.g. `CPU (2 threads)` or `CUDA GPU 0`; it adds
/// when every seed is shifted from outside ([`crate::random::SEED_SHIFT_VAR`]), so that a
/// notebook's output says it.
pub fn describe(device: &Device) -> String {
    let what = match device {
        Device::Cpu => format!("CPU ({})", threads_phrase(training_threads())),
        Device::Cuda(_) => "CUDA GPU 0".to_string(),
        Device::Metal(_) => "Metal GPU".to_string(),
    };
    match crate::random::seed_shift() {
        0 => what,
        shift => format!(
            "{what}; every seed shifted by {shift} ({})",
            crate::random::SEED_SHIFT_VAR
        ),
    }
}

/// A point in time, to measure how long something took: the standard library's on the
/// machine, the page's clock (`performance.now()`) in a browser, where the standard one
/// panics.
#[cfg(not(target_arch = "wasm32"))]
pub use std::time::Instant;
#[cfg(target_arch = "wasm32")]
pub use web_time::Instant;

/// `1 thread`, `2 threads`: how the crate's messages say a thread count.
pub fn threads_phrase(n: usize) -> String {
    format!("{n} thread{}", if n == 1 { "" } else { "s" })
}

/// Number of CPU threads Candle's own kernels split their work into outside `fit`
/// (`RAYON_NUM_THREADS` if it was set when the process started, else every core).
///
/// This crate never changes the process environment. To change Candle's count outside `fit`,
/// set `RAYON_NUM_THREADS` before the program (or the notebook's kernel) starts, or run the
/// work inside a rayon pool of your own (`pool.install(|| …)`); `fit` does the latter with
/// [`Fit::threads`](crate::train::Fit::threads).
pub fn cpu_threads() -> usize {
    candle_core::utils::get_num_threads()
}

/// Threads chosen with [`set_cpu_threads`] (0: not chosen).
static CHOSEN_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Sets how many CPU threads `fit`'s fused path uses from now on in this process, when a
/// `fit` does not say (with [`Fit::threads`](crate::train::Fit::threads)). It changes nothing
/// else: not the environment, and not Candle's own kernels (see [`cpu_threads`]).
pub fn set_cpu_threads(threads: usize) {
    CHOSEN_THREADS.store(threads.max(1), Ordering::SeqCst);
}

/// Threads `fit`'s fused path trains with when a `fit` does not say: the number given to
/// [`set_cpu_threads`], else `RAYON_NUM_THREADS` if it is set, else every core.
///
/// The fused path ([`crate::train`]) splits each matrix product into one block per thread
/// itself, so it gains from every core even at batch 32.
pub fn training_threads() -> usize {
    match CHOSEN_THREADS.load(Ordering::SeqCst) {
        0 => std::env::var("RAYON_NUM_THREADS")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .filter(|&n: &usize| n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        n => n,
    }
}

/// Threads `fit` gives Candle's autograd path when a `fit` does not say.
///
/// The tutorial networks multiply small matrices (a batch of 32–100 rows by a few hundred
/// columns); Candle splitting such a product across threads costs more in hand-over than it
/// saves. Measured on a 2-core machine (`examples/bench_train.rs`), one thread ran Candle's
/// autograd path on the five tutorial configurations 1.3–2.9 times faster than two.
pub const AUTOGRAD_THREADS: usize = 1;
