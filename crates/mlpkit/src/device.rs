//! Which device tensors live on.

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
        Device::Cpu => format!("CPU ({} threads)", candle_core::utils::get_num_threads()),
        Device::Cuda(_) => "CUDA GPU 0".to_string(),
        Device::Metal(_) => "Metal GPU".to_string(),
    }
}

/// Number of CPU threads Candle's kernels use (`RAYON_NUM_THREADS`, else all cores).
pub fn cpu_threads() -> usize {
    candle_core::utils::get_num_threads()
}

/// Sets the number of CPU threads Candle's kernels use, for this process, by setting
/// `RAYON_NUM_THREADS` (which Candle reads at every matrix product). Call it before
/// training, not while other threads are running.
pub fn set_cpu_threads(threads: usize) {
    std::env::set_var("RAYON_NUM_THREADS", threads.max(1).to_string());
}

/// The thread count used for training when the user has not chosen one.
///
/// The tutorial networks multiply small matrices (a batch of 32–100 rows by a few hundred
/// columns); splitting such a product across threads costs more in hand-over than it
/// saves. Measured on a 2-core machine (`examples/bench_train.rs`), one thread trains the
/// five tutorial configurations 1.3–2.9 times faster than two.
pub const TRAINING_THREADS: usize = 1;

/// Applies [`TRAINING_THREADS`] once per process, unless `RAYON_NUM_THREADS` is already set.
pub(crate) fn default_training_threads() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("RAYON_NUM_THREADS").is_none() {
            set_cpu_threads(TRAINING_THREADS);
        }
    });
}
