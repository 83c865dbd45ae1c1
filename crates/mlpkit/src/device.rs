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
