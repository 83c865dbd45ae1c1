//! Preprocessing: the small, visible steps between raw pixels and network inputs.
//!
//! | tutorial step | here |
//! |---|---|
//! | `X.reshape(-1, 784)` | [`flatten`] |
//! | `X / 255.` | [`scale`]`(x, PixelRange::ZeroOne)` |
//! | `X / 255. - 0.5` | [`scale`]`(x, PixelRange::MinusHalfToHalf)` |
//! | `(X / 255. - 0.5) * 2` | [`scale`]`(x, PixelRange::MinusOneToOne)` |
//! | `(X - X_train.mean(axis=0)) / X_train.std()` | [`Standardizer::fit`] then [`Standardizer::transform`] |
//! | `to_categorical(y, 10)` | [`one_hot`] |

use candle_core::{D, DType, Tensor};

use crate::error::{Error, Result};
use crate::storage::{CHUNK_ROWS, with_cpu_slice};

/// Flattens each example to one row: `(n, 28, 28)` → `(n, 784)`. Any dtype; a tensor that
/// is already `(n,)` or `(n, features)` comes back as it is.
///
/// # Errors
/// [`Error::Shape`] when `x` is a single number (rank 0): there is no batch of examples to
/// flatten.
///
/// ```
/// use mlpkit::prelude::*;
/// let images = Tensor::zeros((5, 28, 28), DType::U8, &Device::Cpu)?;
/// assert_eq!(flatten(&images)?.dims(), &[5, 784]);
/// assert!(flatten(&Tensor::new(3f32, &Device::Cpu)?).is_err());
/// # Ok::<(), mlpkit::Error>(())
/// ```
pub fn flatten(x: &Tensor) -> Result<Tensor> {
    match x.rank() {
        0 => Err(Error::shape(
            "flatten",
            "a batch of examples, (n, ...)",
            x.dims(),
        )),
        1 | 2 => Ok(x.clone()),
        _ => Ok(x.flatten_from(1)?),
    }
}

/// The range raw pixel values 0–255 are mapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelRange {
    /// `p / 255` ∈ [0, 1].
    ZeroOne,
    /// `p / 255 − 0.5` ∈ [−0.5, 0.5].
    MinusHalfToHalf,
    /// `2 (p / 255 − 0.5)` ∈ [−1, 1].
    MinusOneToOne,
}

/// Converts raw pixels (`u8`, or any dtype holding 0–255) to `f32` in `range`: `p / 255`,
/// then shifted and stretched as [`PixelRange`] says. Any shape.
///
/// It does not look at the values: pixels already scaled to [0, 1] would be divided by 255
/// a second time, so scale the raw images once.
///
/// # Errors
/// Only [`Error::Candle`], if Candle cannot convert or divide the tensor (out of memory on
/// a GPU, say); every shape and dtype is accepted.
///
/// ```
/// use mlpkit::prelude::*;
/// let raw = Tensor::new(&[[0u8, 51, 255]], &Device::Cpu)?;
/// assert_eq!(scale(&raw, PixelRange::ZeroOne)?.to_vec2::<f32>()?, [[0.0, 0.2, 1.0]]);
/// let ends = Tensor::new(&[0u8, 255], &Device::Cpu)?;
/// assert_eq!(scale(&ends, PixelRange::MinusHalfToHalf)?.to_vec1::<f32>()?, [-0.5, 0.5]);
/// assert_eq!(scale(&ends, PixelRange::MinusOneToOne)?.to_vec1::<f32>()?, [-1.0, 1.0]);
/// # Ok::<(), mlpkit::Error>(())
/// ```
pub fn scale(x: &Tensor, range: PixelRange) -> Result<Tensor> {
    let map = |unit: f32| match range {
        PixelRange::ZeroOne => unit,
        PixelRange::MinusHalfToHalf => unit - 0.5,
        PixelRange::MinusOneToOne => (unit - 0.5) * 2.0,
    };
    // Fast path for raw bytes in memory: one pass through a 256-entry table, on every core.
    // It gives exactly the values of the general path below (same f32 operations).
    let table: Vec<f32> = (0..=255u8).map(|p| map(p as f32 / 255.0)).collect();
    if let Some(t) = map_cpu_bytes(x, &table)? {
        return Ok(t);
    }
    let unit = x
        .to_dtype(DType::F32)?
        .broadcast_div(&Tensor::new(255f32, x.device())?)?;
    Ok(match range {
        PixelRange::ZeroOne => unit,
        PixelRange::MinusHalfToHalf => unit.affine(1.0, -0.5)?,
        PixelRange::MinusOneToOne => unit.affine(1.0, -0.5)?.affine(2.0, 0.0)?,
    })
}

/// `table[p]` for every byte `p` of a contiguous `u8` CPU tensor; `None` for any other tensor.
fn map_cpu_bytes(x: &Tensor, table: &[f32]) -> Result<Option<Tensor>> {
    let Some(out) = with_cpu_slice::<u8, _>(x, |src| map_bytes(src, table)) else {
        return Ok(None);
    };
    Ok(Some(Tensor::from_vec(out, x.shape(), x.device())?))
}

fn map_bytes(src: &[u8], table: &[f32]) -> Vec<f32> {
    let mut out = vec![0f32; src.len()];
    let chunk = src
        .len()
        .div_ceil(candle_core::utils::get_num_threads().max(1))
        .max(1);
    let convert = |dst: &mut [f32], src: &[u8]| {
        dst.iter_mut()
            .zip(src)
            .for_each(|(d, &p)| *d = table[p as usize])
    };
    if chunk >= src.len() {
        // One piece: no thread to start (and none can be, in a browser's WebAssembly).
        convert(&mut out, src);
        return out;
    }
    use rayon::prelude::*;
    out.par_chunks_mut(chunk)
        .zip(src.par_chunks(chunk))
        .for_each(|(dst, src)| convert(dst, src));
    out
}

/// Mean and (population) standard deviation of every element of `x`, in `f64`:
/// `μ = Σ x / N`, `σ = √(Σ (x − μ)² / N)` (NumPy's `x.mean()`, `x.std()`).
///
/// # Errors
/// [`Error::Shape`] when `x` has no element (an empty split, say).
///
/// ```
/// use mlpkit::prelude::*;
/// let x = Tensor::new(&[[1f32, 2.0], [3.0, 4.0]], &Device::Cpu)?;
/// let (mean, std) = mean_std(&x)?;
/// assert_eq!(mean, 2.5);
/// assert!((std - 1.25f64.sqrt()).abs() < 1e-12);      // deviations ±0.5, ±1.5
/// assert!(mean_std(&Tensor::zeros(0, DType::F32, &Device::Cpu)?).is_err());
/// # Ok::<(), mlpkit::Error>(())
/// ```
pub fn mean_std(x: &Tensor) -> Result<(f64, f64)> {
    let n = x.elem_count();
    if n == 0 {
        return Err(Error::shape("mean_std", "at least one element", x.dims()));
    }
    if let Some(stats) = mean_std_cpu(x) {
        return Ok(stats);
    }
    let pieces = pieces(x)?;
    let mut sum = 0.0;
    for p in &pieces {
        sum += p.to_dtype(DType::F64)?.sum_all()?.to_scalar::<f64>()?;
    }
    let mean = sum / n as f64;
    let mut squares = 0.0;
    for p in &pieces {
        squares += p
            .to_dtype(DType::F64)?
            .affine(1.0, -mean)?
            .sqr()?
            .sum_all()?
            .to_scalar::<f64>()?;
    }
    Ok((mean, (squares / n as f64).sqrt()))
}

/// [`mean_std`] for `f32` data in memory: two passes with `f64` sums, no copies.
fn mean_std_cpu(x: &Tensor) -> Option<(f64, f64)> {
    with_cpu_slice::<f32, _>(x, |v| {
        let sum: f64 = v
            .chunks(4096)
            .map(|c| c.iter().map(|&x| x as f64).sum::<f64>())
            .sum();
        let mean = sum / v.len() as f64;
        let squares: f64 = v
            .chunks(4096)
            .map(|c| c.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>())
            .sum();
        (mean, (squares / v.len() as f64).sqrt())
    })
}

/// `x` cut along its first dimension into views of at most [`CHUNK_ROWS`] rows (a tensor of
/// rank 0 or 1 is one piece): statistics are computed in `f64` a few MB at a time, instead of
/// in an `f64` copy of the whole dataset (376 MB for MNIST's training images).
fn pieces(x: &Tensor) -> Result<Vec<Tensor>> {
    if x.rank() < 2 {
        return Ok(vec![x.clone()]);
    }
    let n = x.dims()[0];
    let mut out = Vec::with_capacity(n.div_ceil(CHUNK_ROWS));
    let mut start = 0;
    while start < n {
        let len = CHUNK_ROWS.min(n - start);
        out.push(x.narrow(0, start, len)?);
        start += len;
    }
    Ok(out)
}

/// The mean over the first dimension, in `f64`, piece by piece.
fn feature_mean(x: &Tensor) -> Result<Tensor> {
    let mut sum: Option<Tensor> = None;
    for p in pieces(x)? {
        let s = p.to_dtype(DType::F64)?.sum(0)?;
        sum = Some(match sum {
            Some(acc) => (acc + s)?,
            None => s,
        });
    }
    let sum =
        sum.ok_or_else(|| Error::shape("Standardizer::fit", "at least one example", x.dims()))?;
    Ok(sum
        .affine(1.0 / x.dims()[0] as f64, 0.0)?
        .to_dtype(DType::F32)?)
}

/// Standardisation fitted on training data and applied unchanged to validation and test data:
/// `x' = (x − μ) / σ`.
///
/// [`Standardizer::fit`] uses a per-feature mean μ (one per pixel, over the
/// examples) and one global standard deviation σ over all pixels, as the
/// multilayer-perceptron tutorial does; [`Standardizer::fit_global`] uses one
/// global mean and σ (the familiar `Normalize((0.1307,), (0.3081,))`).
#[derive(Debug, Clone)]
pub struct Standardizer {
    /// μ, shaped like one example (per-feature) or a scalar (global).
    pub mean: Tensor,
    /// σ.
    pub std: f64,
}

impl Standardizer {
    /// Per-feature mean over the first dimension and one global standard deviation.
    ///
    /// # Errors
    /// - [`Error::Shape`] when `x` is not a batch `(n, features...)` (rank below 2) or holds
    ///   no example;
    /// - [`Error::InvalidArgument`] when σ is 0 (every value the same, a blank image set) or
    ///   not a finite number (the data holds NaN or infinite values).
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let train = Tensor::new(&[[0f32, 2.0], [2.0, 4.0]], &Device::Cpu)?;
    /// let s = Standardizer::fit(&train)?;
    /// assert_eq!(s.mean.to_vec1::<f32>()?, [1.0, 3.0]);      // one μ per feature
    /// assert!((s.std - 2f64.sqrt()).abs() < 1e-12);        // σ of 0, 2, 2, 4
    /// let z = s.transform(&train)?.to_vec2::<f32>()?;
    /// assert!((z[0][0] + 1.0 / 2f32.sqrt()).abs() < 1e-6); // (0 − 1) / √2
    /// let blank = Tensor::ones((3, 2), DType::F32, &Device::Cpu)?;
    /// assert!(Standardizer::fit(&blank).is_err());          // σ = 0
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn fit(x: &Tensor) -> Result<Self> {
        if x.rank() < 2 {
            return Err(Error::shape(
                "Standardizer::fit",
                "(n, features...)",
                x.dims(),
            ));
        }
        if x.dims()[0] == 0 {
            return Err(Error::shape(
                "Standardizer::fit",
                "at least one example",
                x.dims(),
            ));
        }
        let mean = feature_mean(x)?;
        let (_, std) = mean_std(x)?;
        Self::checked(mean, std)
    }

    /// One global mean and standard deviation, over every value of `x` (any shape).
    ///
    /// # Errors
    /// - [`Error::Shape`] when `x` has no element;
    /// - [`Error::InvalidArgument`] when σ is 0 (every value the same) or not a finite
    ///   number (NaN or infinite values in the data).
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let train = Tensor::new(&[[0f32, 2.0], [2.0, 4.0]], &Device::Cpu)?;
    /// let s = Standardizer::fit_global(&train)?;
    /// assert_eq!(s.mean.to_scalar::<f32>()?, 2.0);
    /// // A global standardiser takes examples of any shape, a per-feature one does not.
    /// let other = Tensor::new(&[[2f32, 2.0, 2.0]], &Device::Cpu)?;
    /// assert_eq!(s.transform(&other)?.to_vec2::<f32>()?, [[0.0, 0.0, 0.0]]);
    /// assert!(Standardizer::fit(&train)?.transform(&other).is_err());
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn fit_global(x: &Tensor) -> Result<Self> {
        let (mean, std) = mean_std(x)?;
        Self::checked(Tensor::new(mean as f32, x.device())?, std)
    }

    fn checked(mean: Tensor, std: f64) -> Result<Self> {
        if !(std.is_finite() && std > 0.0) {
            return Err(Error::InvalidArgument(format!(
                "cannot standardise: the data's standard deviation is {std} (all values equal?)"
            )));
        }
        Ok(Self { mean, std })
    }

    /// Applies `(x − μ) / σ`; `x` must have the training data's feature shape. Returns `f32`.
    ///
    /// # Errors
    /// [`Error::Shape`] when the standardiser was made by [`Standardizer::fit`] (one μ per
    /// feature) and the examples of `x` are shaped differently from those it was fitted on
    /// (say, `(n, 784)` after fitting on `(n, 28, 28)`: flatten both the same way). One made
    /// by [`Standardizer::fit_global`] takes any shape. See the examples above.
    pub fn transform(&self, x: &Tensor) -> Result<Tensor> {
        let feature_dims = &x.dims()[x.rank().min(1)..];
        if self.mean.rank() > 0 && feature_dims != self.mean.dims() {
            return Err(Error::shape(
                "Standardizer::transform",
                format!(
                    "examples shaped {:?} like the data it was fitted on",
                    self.mean.dims()
                ),
                x.dims(),
            ));
        }
        if let Some(t) = self.transform_cpu(x)? {
            return Ok(t);
        }
        let centred = x
            .to_dtype(DType::F32)?
            .broadcast_sub(&self.mean.to_device(x.device())?)?;
        Ok(centred.affine(1.0 / self.std, 0.0)?)
    }

    /// The same values in one pass and one allocation, for `f32` data in memory (the general
    /// path above makes a centred copy first, which for MNIST is 188 MB more at its peak).
    fn transform_cpu(&self, x: &Tensor) -> Result<Option<Tensor>> {
        if !self.mean.device().is_cpu() {
            return Ok(None);
        }
        let mean = self.mean.flatten_all()?.to_vec1::<f32>()?;
        let scale = (1.0 / self.std) as f32;
        let standardized = with_cpu_slice::<f32, _>(x, |src| {
            let mut out = vec![0f32; src.len()];
            if !mean.is_empty() {
                for (dst, src) in out.chunks_mut(mean.len()).zip(src.chunks(mean.len())) {
                    for ((d, &v), &m) in dst.iter_mut().zip(src).zip(&mean) {
                        *d = (v - m) * scale;
                    }
                }
            }
            out
        });
        Ok(standardized
            .map(|out| Tensor::from_vec(out, x.shape(), x.device()))
            .transpose()?)
    }
}

/// One-hot rows from integer labels: `(n,)` → `(n, classes)` `f32` (Keras's `to_categorical`):
/// row `i` is 1 in column `labels[i]` and 0 elsewhere.
///
/// # Errors
/// - [`Error::Shape`] when `labels` is not one label per example, shape `(n,)` (one-hot rows
///   already, or a single number);
/// - [`Error::InvalidArgument`] when a label is `classes` or more (labels are `0..classes`).
///
/// ```
/// use mlpkit::prelude::*;
/// let y = Tensor::new(&[2u32, 0], &Device::Cpu)?;
/// assert_eq!(one_hot(&y, 3)?.to_vec2::<f32>()?, [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]);
/// assert!(one_hot(&y, 2).is_err());                    // label 2 needs 3 classes
/// assert!(one_hot(&one_hot(&y, 3)?, 3).is_err());      // already one-hot
/// # Ok::<(), mlpkit::Error>(())
/// ```
pub fn one_hot(labels: &Tensor, classes: usize) -> Result<Tensor> {
    if labels.rank() != 1 {
        return Err(Error::shape(
            "one_hot",
            "integer labels of shape (n,)",
            labels.dims(),
        ));
    }
    if classes == 0 {
        return Err(Error::InvalidArgument(
            "one_hot: 0 classes; give the number of classes, 10 for MNIST's digits".into(),
        ));
    }
    let labels = labels.to_dtype(DType::U32)?;
    if let Some(max) = labels
        .max_keepdim(0)
        .ok()
        .and_then(|m| m.squeeze(0).ok()?.to_scalar::<u32>().ok())
        && max as usize >= classes
    {
        return Err(Error::InvalidArgument(format!(
            "label {max} does not fit in {classes} classes: labels must be 0..{}",
            classes - 1
        )));
    }
    let classes_row = Tensor::arange(0u32, classes as u32, labels.device())?.unsqueeze(0)?;
    Ok(labels
        .unsqueeze(D::Minus1)?
        .broadcast_eq(&classes_row)?
        .to_dtype(DType::F32)?)
}
