//! [`Split`]: a set of examples (images with their labels), and the ways to cut it
//! into training and validation parts.

use candle_core::{DType, Device, Tensor};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use crate::error::{Error, Result};

/// Images (or any inputs) and their labels, one example per row of the first dimension.
///
/// `images` can have any shape and dtype (`u8` `(n, 28, 28)` as loaded,
/// `f32` `(n, 784)` after preprocessing); `labels` is `u32` `(n,)` or one-hot
/// `f32` `(n, classes)`. The methods below cut along the first dimension only,
/// so they work before and after preprocessing.
///
/// ```
/// use mlpkit::prelude::*;
/// // Ten examples of 3 numbers, labelled 0..10 so that we can see where each one goes.
/// let x = Tensor::arange(0f32, 30.0, &Device::Cpu)?.reshape((10, 3))?;
/// let data = Split::new(x, Tensor::arange(0u32, 10, &Device::Cpu)?)?;
/// let (train, valid) = data.split_first(2)?;           // X[2:], X[:2]
/// assert_eq!((train.label_vec()?[0], valid.label_vec()?), (2, vec![0, 1]));
/// let (train, valid) = data.validation_split(0.2)?;    // Keras: the last 20 %
/// assert_eq!((train.len(), valid.label_vec()?), (8, vec![8, 9]));
/// # Ok::<(), mlpkit::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Split {
    pub(crate) images: Tensor,
    pub(crate) labels: Tensor,
}

impl Split {
    /// The images, one example per entry of the first dimension.
    pub fn images(&self) -> &Tensor {
        &self.images
    }

    /// The labels (or target rows), as many as there are images.
    pub fn labels(&self) -> &Tensor {
        &self.labels
    }

    /// The images and the labels, taken apart.
    pub fn into_parts(self) -> (Tensor, Tensor) {
        (self.images, self.labels)
    }

    /// Pairs images with labels, checking that they hold the same number of examples.
    ///
    /// # Errors
    /// - [`Error::Shape`] when either tensor is a single number (it has no first dimension
    ///   to count examples along);
    /// - [`Error::Mismatch`] when there are not as many labels as images.
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let images = Tensor::zeros((4, 28, 28), DType::U8, &Device::Cpu)?;
    /// let labels = Tensor::new(&[3u32, 1, 4, 1], &Device::Cpu)?;
    /// assert_eq!(Split::new(images.clone(), labels)?.len(), 4);
    /// let three = Tensor::new(&[3u32, 1, 4], &Device::Cpu)?;
    /// assert!(Split::new(images, three).is_err());         // 4 images, 3 labels
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn new(images: Tensor, labels: Tensor) -> Result<Self> {
        let (n_img, n_lab) = (
            first_dim(&images, "Split::new")?,
            first_dim(&labels, "Split::new")?,
        );
        if n_img != n_lab {
            return Err(Error::Mismatch(format!(
                "there are {n_img} images but {n_lab} labels; each image needs exactly one label"
            )));
        }
        Ok(Self { images, labels })
    }

    /// Number of examples.
    pub fn len(&self) -> usize {
        self.images.dims().first().copied().unwrap_or(0)
    }

    /// `true` when the split holds no example.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Examples `start..start + len`, in order (views, not copies).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `start + len` is past the end of the split.
    pub fn slice(&self, start: usize, len: usize) -> Result<Self> {
        if start + len > self.len() {
            return Err(Error::InvalidArgument(format!(
                "cannot take examples {start}..{} of a split that holds {}",
                start + len,
                self.len()
            )));
        }
        Ok(Self {
            images: self.images.narrow(0, start, len)?,
            labels: self.labels.narrow(0, start, len)?,
        })
    }

    /// The first `n` examples (pandas' `head`: a quick, smaller run).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the split holds fewer than `n` examples.
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let data = Split::new(
    ///     Tensor::zeros((5, 784), DType::F32, &Device::Cpu)?,
    ///     Tensor::new(&[7u32, 2, 1, 0, 4], &Device::Cpu)?,
    /// )?;
    /// assert_eq!(data.head(3)?.label_vec()?, [7, 2, 1]);
    /// assert!(data.head(6).is_err());
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn head(&self, n: usize) -> Result<Self> {
        self.slice(0, n)
    }

    /// The examples at `indices`, in that order (copies; an index may repeat).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when an index is not below [`Split::len`].
    pub fn select(&self, indices: &[u32]) -> Result<Self> {
        if let Some(&bad) = indices.iter().find(|&&i| i as usize >= self.len()) {
            return Err(Error::InvalidArgument(format!(
                "index {bad} is out of range for a split of {}",
                self.len()
            )));
        }
        let idx = Tensor::from_slice(indices, indices.len(), self.images.device())?;
        Ok(Self {
            images: self.images.index_select(&idx, 0)?,
            labels: self.labels.index_select(&idx, 0)?,
        })
    }

    /// Moves both tensors to `device`.
    ///
    /// # Errors
    /// [`Error::Candle`] when Candle cannot copy them there (no such GPU, not enough memory
    /// on it).
    pub fn to_device(&self, device: &Device) -> Result<Self> {
        Ok(Self {
            images: self.images.to_device(device)?,
            labels: self.labels.to_device(device)?,
        })
    }

    /// Applies `f` to the images and keeps the labels: `split.map_images(|x| scale(x, PixelRange::ZeroOne))`.
    ///
    /// # Errors
    /// The error `f` returns, as it is; [`Error::Mismatch`] when `f` returns a different
    /// number of examples than it was given.
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let raw = Split::new(
    ///     Tensor::full(255u8, (2, 28, 28), &Device::Cpu)?,
    ///     Tensor::new(&[5u32, 0], &Device::Cpu)?,
    /// )?;
    /// let ready = raw
    ///     .map_images(|x| flatten(&scale(x, PixelRange::ZeroOne)?))?
    ///     .map_labels(|y| one_hot(y, 10))?;
    /// assert_eq!((ready.images().dims(), ready.labels().dims()), (&[2, 784][..], &[2, 10][..]));
    /// assert_eq!(ready.images().max_all()?.to_scalar::<f32>()?, 1.0);
    /// assert!(raw.map_images(|x| Ok(x.narrow(0, 0, 1)?)).is_err()); // 1 image, 2 labels
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn map_images(&self, f: impl FnOnce(&Tensor) -> Result<Tensor>) -> Result<Self> {
        Split::new(f(&self.images)?, self.labels.clone())
    }

    /// Applies `f` to the labels and keeps the images: `split.map_labels(|y| one_hot(y, 10))`.
    ///
    /// # Errors
    /// The error `f` returns, as it is; [`Error::Mismatch`] when `f` returns a different
    /// number of labels than there are images. Example: [`Split::map_images`].
    pub fn map_labels(&self, f: impl FnOnce(&Tensor) -> Result<Tensor>) -> Result<Self> {
        Split::new(self.images.clone(), f(&self.labels)?)
    }

    /// Validation = the **first** `n` examples, training = the rest
    /// (`X_valid, X_train = X[:n], X[n:]`). Returns `(train, validation)`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `n` is 0 or not less than [`Split::len`]: both parts
    /// must keep at least one example. Example: [`Split`].
    pub fn split_first(&self, n: usize) -> Result<(Self, Self)> {
        self.check_holdout(n)?;
        Ok((self.slice(n, self.len() - n)?, self.slice(0, n)?))
    }

    /// Validation = the **last** `n` examples, training = the rest
    /// (`X_train, X_valid = X[:-n], X[-n:]`). Returns `(train, validation)`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `n` is 0 or not less than [`Split::len`].
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let data = Split::new(
    ///     Tensor::zeros((5, 2), DType::F32, &Device::Cpu)?,
    ///     Tensor::arange(0u32, 5, &Device::Cpu)?,
    /// )?;
    /// let (train, valid) = data.split_last(2)?;
    /// assert_eq!((train.label_vec()?, valid.label_vec()?), (vec![0, 1, 2], vec![3, 4]));
    /// assert!(data.split_last(5).is_err() && data.split_last(0).is_err());
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn split_last(&self, n: usize) -> Result<(Self, Self)> {
        self.check_holdout(n)?;
        let keep = self.len() - n;
        Ok((self.slice(0, keep)?, self.slice(keep, n)?))
    }

    /// Keras's `validation_split=fraction`: training keeps the first `⌊len·(1 − fraction)⌋`
    /// examples and validation is the rest, taken from the end **before** any shuffling.
    /// Returns `(train, validation)`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `fraction` is not strictly between 0 and 1, or when it
    /// is so small (or the split so short) that it holds out no example, or leaves none to
    /// train on. Example: [`Split`].
    pub fn validation_split(&self, fraction: f64) -> Result<(Self, Self)> {
        if !(fraction > 0.0 && fraction < 1.0) {
            return Err(Error::InvalidArgument(format!(
                "validation_split must be between 0 and 1 (exclusive), got {fraction}"
            )));
        }
        let keep = (self.len() as f64 * (1.0 - fraction)).floor() as usize;
        self.split_last(self.len() - keep)
    }

    /// A seeded random hold-out of `n` examples. The same seed always gives the
    /// same split. Returns `(train, validation)`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `n` is 0 or not less than [`Split::len`].
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let data = Split::new(
    ///     Tensor::zeros((10, 2), DType::F32, &Device::Cpu)?,
    ///     Tensor::arange(0u32, 10, &Device::Cpu)?,
    /// )?;
    /// let (train, valid) = data.random_split(3, 42)?;
    /// let mut all = [train.label_vec()?, valid.label_vec()?].concat();
    /// all.sort();
    /// assert_eq!(all, (0..10).collect::<Vec<u32>>());      // every example, once
    /// assert_eq!(valid.label_vec()?, data.random_split(3, 42)?.1.label_vec()?);
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn random_split(&self, n: usize, seed: u64) -> Result<(Self, Self)> {
        self.check_holdout(n)?;
        let order = permutation(self.len(), &mut crate::random::stream(seed));
        Ok((self.select(&order[n..])?, self.select(&order[..n])?))
    }

    /// Labels as a `Vec<u32>`: for integer labels the labels themselves, for
    /// one-hot (or probability) rows the index of the largest entry.
    ///
    /// # Errors
    /// [`Error::Shape`] when the labels are neither `(n,)` nor `(n, classes)`.
    pub fn label_vec(&self) -> Result<Vec<u32>> {
        labels_to_vec(&self.labels)
    }

    fn check_holdout(&self, n: usize) -> Result<()> {
        if n == 0 || n >= self.len() {
            return Err(Error::InvalidArgument(format!(
                "cannot hold out {n} of {} examples: both parts must keep at least one",
                self.len()
            )));
        }
        Ok(())
    }
}

/// Integer class labels from a `u32`/`u8`/`i64` vector or from one-hot rows.
pub(crate) fn labels_to_vec(labels: &Tensor) -> Result<Vec<u32>> {
    match labels.rank() {
        1 => Ok(labels.to_dtype(DType::U32)?.to_vec1::<u32>()?),
        2 => Ok(labels.argmax(1)?.to_vec1::<u32>()?),
        _ => Err(Error::shape(
            "labels",
            "(n,) integer labels or (n, classes) one-hot rows",
            labels.dims(),
        )),
    }
}

/// `0..n` in a random order drawn from `rng` (Fisher–Yates).
pub(crate) fn permutation(n: usize, rng: &mut StdRng) -> Vec<u32> {
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.shuffle(rng);
    order
}

fn first_dim(t: &Tensor, op: &'static str) -> Result<usize> {
    t.dims()
        .first()
        .copied()
        .ok_or_else(|| Error::shape(op, "at least one dimension", t.dims()))
}
