//! What `fit` shows while it trains, as Keras's `verbose` chooses: nothing, a line per epoch,
//! or one output that updates in place (`live.rs`).
//!
//! `fit` tells a [`Report`] what happens (the run starts, a batch ends, an epoch ends, the run
//! ends, however it ends) and the report decides what to show. One report per `fit`, chosen
//! by `fit.rs` from [`Verbosity`].

use crate::history::{EpochLog, History};
use crate::math::Score;

/// How much `fit` shows while it trains: Keras's `verbose`, with `0`, `1` and `2` meaning
/// what they mean there (`Fit::epochs(5).verbose(2)`); `false` is `0`, `true` the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Verbosity {
    /// Nothing (Keras's `verbose=0`).
    Silent,
    /// One output that updates in place while training runs: the epoch, a bar through its
    /// batches, the last epoch's figures and the learning curve; at the end a summary and the
    /// curve (Keras's `verbose=1`). Where nothing can update in place (a terminal, a kernel
    /// without live displays), a line per epoch instead.
    Live,
    /// One line per epoch (Keras's `verbose=2`).
    Lines,
    /// [`Verbosity::Live`] in a notebook whose kernel can update an output in place,
    /// [`Verbosity::Lines`] anywhere else: the default.
    #[default]
    Auto,
}

/// Keras's numbers: 0 silent, 1 live, 2 (or more) a line per epoch; below 0, silent.
impl From<i32> for Verbosity {
    fn from(level: i32) -> Self {
        match level {
            i32::MIN..=0 => Verbosity::Silent,
            1 => Verbosity::Live,
            _ => Verbosity::Lines,
        }
    }
}

/// `false`: silent; `true`: the default ([`Verbosity::Auto`]).
impl From<bool> for Verbosity {
    fn from(show: bool) -> Self {
        if show {
            Verbosity::Auto
        } else {
            Verbosity::Silent
        }
    }
}

/// Whether this process can show a live display: it runs a notebook's cells under the
/// workspace's kernel, which says so in `EVCXR_LIVE_DISPLAY` (`kernel/README.md`).
pub(crate) fn live_displays_work() -> bool {
    std::env::var_os("EVCXR_LIVE_DISPLAY").is_some_and(|v| v == "1")
}

/// How a run of `fit` ended.
pub(crate) enum Outcome<'a> {
    /// Every epoch ran.
    Finished,
    /// A callback stopped it (why).
    Stopped(&'a str),
    /// It was interrupted (where, in words).
    Interrupted(&'a str),
    /// It failed (the error, in words).
    Failed(&'a str),
}

/// What `fit` tells as it trains. Every method does nothing unless a report shows it.
pub(crate) trait Report {
    /// Before the first batch: `header` is the line that says what trains how; epochs
    /// `first..=last`, `batches` per epoch.
    fn begin(&mut self, _header: &str, _first: usize, _last: usize, _batches: usize) {}
    /// After batch `batch` (1-based) of `epoch`: that batch's score, and the epoch's so far.
    fn batch(&mut self, _epoch: usize, _batch: usize, _this: Score, _so_far: &Score) {}
    /// After an epoch: its log, and every epoch of this run so far.
    fn epoch(&mut self, _log: &EpochLog, _run: &History) {}
    /// Once, however the run ended.
    fn end(&mut self, _run: &History, _outcome: &Outcome<'_>) {}
}

/// Shows nothing.
pub(crate) struct Silent;
impl Report for Silent {}

/// A line per epoch, and the batch lines `log_every` asks for: what `fit` printed before
/// live displays.
pub(crate) struct Lines {
    last: usize,
    batches: usize,
    log_every: Option<usize>,
}

impl Lines {
    pub(crate) fn new(log_every: Option<usize>) -> Self {
        Self {
            last: 0,
            batches: 0,
            log_every,
        }
    }
}

impl Report for Lines {
    fn begin(&mut self, header: &str, _first: usize, last: usize, batches: usize) {
        (self.last, self.batches) = (last, batches);
        println!("{header}");
    }

    fn batch(&mut self, epoch: usize, batch: usize, this: Score, _so_far: &Score) {
        if self.log_every.is_some_and(|k| batch.is_multiple_of(k)) {
            println!(
                "  epoch {epoch} batch {batch:>5}/{} - loss: {:.4} - accuracy: {:.4}",
                self.batches,
                this.loss(),
                this.accuracy()
            );
        }
    }

    fn epoch(&mut self, log: &EpochLog, _run: &History) {
        println!("Epoch {}/{} - {log}", log.epoch, self.last);
    }

    fn end(&mut self, _run: &History, outcome: &Outcome<'_>) {
        if let Outcome::Stopped(why) = outcome {
            println!("Stopped: {why}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keras_numbers_and_booleans_choose_a_verbosity() {
        assert_eq!(Verbosity::from(0), Verbosity::Silent);
        assert_eq!(Verbosity::from(1), Verbosity::Live);
        assert_eq!(Verbosity::from(2), Verbosity::Lines);
        assert_eq!(Verbosity::from(7), Verbosity::Lines);
        assert_eq!(Verbosity::from(-1), Verbosity::Silent);
        assert_eq!(Verbosity::from(false), Verbosity::Silent);
        assert_eq!(Verbosity::from(true), Verbosity::Auto);
        assert_eq!(Verbosity::default(), Verbosity::Auto);
    }
}
