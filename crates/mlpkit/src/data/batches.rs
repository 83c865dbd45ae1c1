//! Mini-batches: the examples of one epoch, in a (seeded) random order, cut into equal pieces.
//!
//! ```
//! use mlpkit::prelude::*;
//! let train = Split::new(
//!     Tensor::zeros((150, 784), DType::F32, &Device::Cpu)?,
//!     Tensor::zeros(150, DType::U32, &Device::Cpu)?,
//! )?;
//! let mut batches = Batches::new(train.len(), 64)?.shuffle(42);
//! for epoch in 0..2 {
//!     let sizes: Vec<usize> = batches
//!         .epoch(&train)
//!         .map(|batch| batch.map(|b| b.len()))
//!         .collect::<mlpkit::Result<_>>()?;
//!     assert_eq!(sizes, [64, 64, 22]);    // each batch: images (≤64, 784), labels (≤64,)
//! }
//! # Ok::<(), mlpkit::Error>(())
//! ```

use rand::rngs::StdRng;

use super::split::{Split, permutation};
use crate::error::{Error, Result};

/// Plans the batches of each epoch: their size, whether to shuffle, and what to do with a last,
/// smaller batch. Each call to [`Batches::epoch`] or [`Batches::next_order`] draws a new order;
/// the sequence of orders depends only on the seed.
#[derive(Debug, Clone)]
pub struct Batches {
    n: usize,
    batch_size: usize,
    rng: Option<StdRng>,
    drop_last: bool,
}

impl Batches {
    /// Batches of `batch_size` over `n` examples, in order, keeping a smaller last batch:
    /// `⌈n / batch_size⌉` batches per epoch (`⌊n / batch_size⌋` with [`Batches::drop_last`]).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `batch_size` is 0.
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// assert_eq!(Batches::new(150, 64)?.len(), 3);
    /// assert_eq!(Batches::new(150, 64)?.drop_last(true).len(), 2);
    /// let mut plain = Batches::new(5, 2)?;                  // no shuffle: in order
    /// assert_eq!(plain.next_epoch_indices(), [vec![0, 1], vec![2, 3], vec![4]]);
    /// assert!(Batches::new(150, 0).is_err());
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn new(n: usize, batch_size: usize) -> Result<Self> {
        if batch_size == 0 {
            return Err(Error::InvalidArgument(
                "batch size must be at least 1".to_string(),
            ));
        }
        Ok(Self {
            n,
            batch_size,
            rng: None,
            drop_last: false,
        })
    }

    /// Reshuffle before every epoch, with a generator seeded by `seed`.
    pub fn shuffle(mut self, seed: u64) -> Self {
        self.rng = Some(crate::random::stream(seed));
        self
    }

    /// Drop the last batch when it is smaller than `batch_size` (default: keep it).
    pub fn drop_last(mut self, drop: bool) -> Self {
        self.drop_last = drop;
        self
    }

    /// Examples per batch (the last batch of an epoch may have fewer).
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// Number of examples the batches are drawn from.
    pub fn num_examples(&self) -> usize {
        self.n
    }

    /// Batches per epoch.
    pub fn len(&self) -> usize {
        if self.drop_last {
            self.n / self.batch_size
        } else {
            self.n.div_ceil(self.batch_size)
        }
    }

    /// Whether there are no batches.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The example order of the next epoch (a fresh permutation when shuffling).
    pub fn next_order(&mut self) -> Vec<u32> {
        match &mut self.rng {
            Some(rng) => permutation(self.n, rng),
            None => (0..self.n as u32).collect(),
        }
    }

    /// The index lists of the next epoch's batches.
    pub fn next_epoch_indices(&mut self) -> Vec<Vec<u32>> {
        let order = self.next_order();
        let batches = self.len();
        order
            .chunks(self.batch_size)
            .take(batches)
            .map(<[u32]>::to_vec)
            .collect()
    }

    /// The next epoch's batches of `data`, each a [`Split`] of up to `batch_size` examples.
    /// Without shuffling, batches are cheap views (`narrow`); with it, they are gathered.
    ///
    /// # Errors
    /// Each item is a `Result`; the iterator yields one error and then stops:
    /// - [`Error::Mismatch`] when `data` does not hold the [`Batches::num_examples`] the
    ///   batches were planned for (plan them with `Batches::new(data.len(), …)`);
    /// - [`Error::Interrupted`] when the notebook's stop button (or Ctrl-C) was pressed;
    ///   the batches before it were delivered.
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let data = Split::new(
    ///     Tensor::zeros((10, 4), DType::F32, &Device::Cpu)?,
    ///     Tensor::zeros(10, DType::U32, &Device::Cpu)?,
    /// )?;
    /// let mut wrong_size = Batches::new(12, 4)?;            // planned for 12, given 10
    /// assert!(wrong_size.epoch(&data).next().unwrap().is_err());
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn epoch<'a>(&mut self, data: &'a Split) -> EpochBatches<'a> {
        let indices = if self.rng.is_some() {
            Some(self.next_epoch_indices())
        } else {
            None
        };
        EpochBatches {
            _interrupt: crate::interrupt::InterruptGuard::install(),
            data,
            indices,
            next: 0,
            count: self.len(),
            batch_size: self.batch_size,
            n: self.n,
        }
    }
}

/// Iterator over one epoch's batches, made by [`Batches::epoch`].
#[derive(Debug)]
pub struct EpochBatches<'a> {
    /// While the batches are being walked, an interrupt stops them (see [`crate::interrupt`]).
    _interrupt: crate::interrupt::InterruptGuard,
    data: &'a Split,
    indices: Option<Vec<Vec<u32>>>,
    next: usize,
    count: usize,
    batch_size: usize,
    n: usize,
}

impl Iterator for EpochBatches<'_> {
    type Item = Result<Split>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.count {
            return None;
        }
        let i = self.next;
        if crate::interrupt::take_request() {
            self.next = self.count;
            return Some(Err(Error::Interrupted {
                during: format!("before batch {} of {}", i + 1, self.count),
                kept: String::new(),
            }));
        }
        self.next += 1;
        if self.data.len() != self.n {
            self.next = self.count;
            return Some(Err(Error::Mismatch(format!(
                "the batches were planned for {} examples but the data holds {}",
                self.n,
                self.data.len()
            ))));
        }
        Some(match &self.indices {
            Some(idx) => self.data.select(&idx[i]),
            None => {
                let start = i * self.batch_size;
                self.data.slice(start, self.batch_size.min(self.n - start))
            }
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.count - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for EpochBatches<'_> {}
