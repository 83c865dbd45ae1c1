//! Which device tensors live on.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use candle_core::Device;

use crate::error::Result;

/// The device the tutorials run on: the first CUDA GPU when the crate is built
/// with the `cuda` feature and a GPU is present, the CPU otherwise.
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

/// A one-line description of `device`, e.g. `CPU (2 threads)` or `CUDA GPU 0`.
pub fn describe(device: &Device) -> String {
    match device {
        Device::Cpu => format!("CPU ({} threads)", training_threads()),
        Device::Cuda(_) => "CUDA GPU 0".to_string(),
        Device::Metal(_) => "Metal GPU".to_string(),
    }
}

/// Number of CPU threads Candle's own kernels use (`RAYON_NUM_THREADS`, else all cores).
pub fn cpu_threads() -> usize {
    candle_core::utils::get_num_threads()
}

/// Threads chosen with [`set_cpu_threads`] (0: not chosen).
static CHOSEN_THREADS: AtomicUsize = AtomicUsize::new(0);
/// `RAYON_NUM_THREADS` as the user set it before this crate touched it (0: unset).
static USER_THREADS: AtomicUsize = AtomicUsize::new(0);
/// Whether [`default_training_threads`] has run.
static APPLIED: AtomicBool = AtomicBool::new(false);

/// Sets the number of CPU threads for training and inference in this process: the threads
/// of `fit`'s fused path, and Candle's (through `RAYON_NUM_THREADS`, which Candle reads at
/// every matrix product). Call it before training, not while other threads are running.
pub fn set_cpu_threads(threads: usize) {
    let threads = threads.max(1);
    CHOSEN_THREADS.store(threads, Ordering::SeqCst);
    std::env::set_var("RAYON_NUM_THREADS", threads.to_string());
}

/// Threads `fit` trains with on the CPU: the number given to [`set_cpu_threads`], else
/// `RAYON_NUM_THREADS` if you set it, else every core.
///
/// `fit`'s fused path ([`crate::train`]) splits each matrix product into one block per
/// thread itself, so it gains from every core even at batch 32.
pub fn training_threads() -> usize {
    let user = if APPLIED.load(Ordering::SeqCst) {
        USER_THREADS.load(Ordering::SeqCst)
    } else {
        // Nothing set by this crate yet: the variable, if any, is the user's.
        std::env::var("RAYON_NUM_THREADS")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    match (CHOSEN_THREADS.load(Ordering::SeqCst), user) {
        (0, 0) => std::thread::available_parallelism().map_or(1, |n| n.get()),
        (0, n) => n,
        (n, _) => n,
    }
}

/// The thread count Candle's kernels use when the user has not chosen one.
///
/// Outside the fused path (evaluation, prediction, hand-written loops), the tutorial
/// networks multiply small matrices (a batch of 32–100 rows by a few hundred columns);
/// Candle splitting such a product across threads costs more in hand-over than it saves.
/// Measured on a 2-core machine (`examples/bench_train.rs`), one thread ran Candle's
/// autograd path on the five tutorial configurations 1.3–2.9 times faster than two.
pub const TRAINING_THREADS: usize = 1;

/// Applies [`TRAINING_THREADS`] to Candle once per process, unless `RAYON_NUM_THREADS` is
/// already set (then that number is remembered as the user's choice).
pub(crate) fn default_training_threads() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| match std::env::var("RAYON_NUM_THREADS") {
        Ok(v) => {
            if let Ok(n) = v.trim().parse::<usize>() {
                USER_THREADS.store(n, Ordering::SeqCst);
            }
        }
        Err(_) => {
            if CHOSEN_THREADS.load(Ordering::SeqCst) == 0 {
                std::env::set_var("RAYON_NUM_THREADS", TRAINING_THREADS.to_string());
            }
        }
    });
    APPLIED.store(true, Ordering::SeqCst);
}

/// The machine's matrix-product throughput on `device`, in GFLOP/s: the best of five
/// `size`×`size`×`size` `f32` products through Candle's matmul (`2 size³` operations each).
/// The benchmarks compare training throughput with it, measured in the same run.
pub fn matmul_gflops(size: usize, device: &Device) -> Result<f64> {
    let a = candle_core::Tensor::rand(-1f32, 1f32, (size, size), device)?;
    let b = candle_core::Tensor::rand(-1f32, 1f32, (size, size), device)?;
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = std::time::Instant::now();
        let c = a.matmul(&b)?;
        c.sum_all()?.to_scalar::<f32>()?;
        best = best.min(t.elapsed().as_secs_f64());
    }
    Ok(2.0 * (size as f64).powi(3) / best / 1e9)
}
