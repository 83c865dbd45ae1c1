//! The machine's matrix-product peak, measured in the same run as the benchmark that
//! compares with it (shared by the `race` and `bench_train` examples).

use mlpkit::candle_core::{Device, Tensor};

/// The machine's matrix-product throughput on `device`, in GFLOP/s: the best of five
/// `size`×`size`×`size` `f32` products through Candle's matmul (`2 size³` operations each).
/// The benchmarks compare training throughput with it, measured in the same run.
pub fn matmul_gflops(size: usize, device: &Device) -> mlpkit::Result<f64> {
    let a = Tensor::rand(-1f32, 1f32, (size, size), device)?;
    let b = Tensor::rand(-1f32, 1f32, (size, size), device)?;
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = std::time::Instant::now();
        let c = a.matmul(&b)?;
        c.sum_all()?.to_scalar::<f32>()?;
        best = best.min(t.elapsed().as_secs_f64());
    }
    Ok(2.0 * (size as f64).powi(3) / best / 1e9)
}
