//! [`History`]: what happened in each epoch of training, a record kept with the model and
//! saved with it. Plain data: training writes it ([`crate::train`]), figures draw it
//! ([`crate::plot::LearningCurves`]).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::table::{Align, Table};

/// Metrics of one epoch.
///
/// Saved as JSON, a value that is not a finite number (a NaN validation loss, say) is written
/// as the string `"NaN"`, `"inf"` or `"-inf"` and read back as that value: JSON numbers
/// cannot hold them, and writing `null` would lose them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochLog {
    /// 1-based epoch number, counted across `fit` calls on the same model.
    pub epoch: usize,
    /// Mean training loss over the epoch's batches (weights change during the epoch).
    #[serde(with = "float")]
    pub loss: f64,
    /// Training accuracy over the epoch's batches.
    #[serde(with = "float")]
    pub accuracy: f64,
    /// Mean validation loss after the epoch, with validation data.
    #[serde(with = "float::option", default)]
    pub val_loss: Option<f64>,
    /// Validation accuracy after the epoch, with validation data.
    #[serde(with = "float::option", default)]
    pub val_accuracy: Option<f64>,
    /// Wall-clock seconds for the epoch, validation included.
    #[serde(with = "float")]
    pub seconds: f64,
    /// Learning rate in use at the end of the epoch.
    #[serde(with = "float")]
    pub learning_rate: f64,
    /// Whether the epoch ran on the fused CPU engine (`engine/`) rather than through
    /// Candle's autograd.
    #[serde(default)]
    pub fused: bool,
}

/// A quantity to watch (for early stopping and checkpoints).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Monitor {
    /// Training loss.
    Loss,
    /// Training accuracy.
    Accuracy,
    /// Validation loss.
    ValLoss,
    /// Validation accuracy.
    ValAccuracy,
}

impl Monitor {
    /// The watched value in `log`, if the epoch has it.
    pub fn value(self, log: &EpochLog) -> Option<f64> {
        match self {
            Monitor::Loss => Some(log.loss),
            Monitor::Accuracy => Some(log.accuracy),
            Monitor::ValLoss => log.val_loss,
            Monitor::ValAccuracy => log.val_accuracy,
        }
    }

    /// Whether smaller values are better (losses) or larger (accuracies).
    pub fn lower_is_better(self) -> bool {
        matches!(self, Monitor::Loss | Monitor::ValLoss)
    }

    /// `true` when `new` beats `best` by more than `min_delta`.
    pub fn improves(self, new: f64, best: f64, min_delta: f64) -> bool {
        if self.lower_is_better() {
            new < best - min_delta
        } else {
            new > best + min_delta
        }
    }

    /// Keras's name, e.g. `val_loss`.
    pub fn name(self) -> &'static str {
        match self {
            Monitor::Loss => "loss",
            Monitor::Accuracy => "accuracy",
            Monitor::ValLoss => "val_loss",
            Monitor::ValAccuracy => "val_accuracy",
        }
    }
}

/// Per-epoch metrics of training, like the `History` object Keras's `fit` returns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// One log per epoch, in order.
    pub epochs: Vec<EpochLog>,
    /// Why training ended before the planned number of epochs, if it did.
    pub stopped_early: Option<String>,
}

impl History {
    /// Number of epochs.
    pub fn len(&self) -> usize {
        self.epochs.len()
    }

    /// Whether no epoch has run.
    pub fn is_empty(&self) -> bool {
        self.epochs.is_empty()
    }

    /// The latest epoch's log.
    pub fn last(&self) -> Option<&EpochLog> {
        self.epochs.last()
    }

    /// Training loss per epoch.
    pub fn loss(&self) -> Vec<f64> {
        self.epochs.iter().map(|e| e.loss).collect()
    }

    /// Training accuracy per epoch.
    pub fn accuracy(&self) -> Vec<f64> {
        self.epochs.iter().map(|e| e.accuracy).collect()
    }

    /// Validation losses (empty when training had no validation data).
    pub fn val_loss(&self) -> Vec<f64> {
        self.epochs.iter().filter_map(|e| e.val_loss).collect()
    }

    /// Validation accuracies (empty when training had no validation data).
    pub fn val_accuracy(&self) -> Vec<f64> {
        self.epochs.iter().filter_map(|e| e.val_accuracy).collect()
    }

    /// Seconds per epoch.
    pub fn seconds(&self) -> Vec<f64> {
        self.epochs.iter().map(|e| e.seconds).collect()
    }

    /// The epoch with the best value of `monitor` (the lowest loss, the highest accuracy; the
    /// first of equal ones), `None` when no epoch has it (no validation data for `val_*`).
    ///
    /// ```
    /// use mlpkit::history::{EpochLog, History, Monitor};
    /// let epoch = |epoch, val_loss| EpochLog {
    ///     epoch,
    ///     loss: 0.5,
    ///     accuracy: 0.9,
    ///     val_loss: Some(val_loss),
    ///     val_accuracy: None,
    ///     seconds: 1.0,
    ///     learning_rate: 0.01,
    ///     fused: true,
    /// };
    /// let history = History {
    ///     epochs: vec![epoch(1, 0.40), epoch(2, 0.35), epoch(3, 0.38)],
    ///     stopped_early: None,
    /// };
    /// assert_eq!(history.best(Monitor::ValLoss).map(|e| e.epoch), Some(2));
    /// assert_eq!(history.val_loss(), [0.40, 0.35, 0.38]);
    /// assert!(history.best(Monitor::ValAccuracy).is_none());
    /// ```
    pub fn best(&self, monitor: Monitor) -> Option<&EpochLog> {
        self.epochs
            .iter()
            .filter(|e| monitor.value(e).is_some())
            .fold(None, |best: Option<&EpochLog>, e| match best {
                Some(b)
                    if !monitor.improves(
                        monitor.value(e).unwrap(),
                        monitor.value(b).unwrap(),
                        0.0,
                    ) =>
                {
                    Some(b)
                }
                _ => Some(e),
            })
    }

    /// Appends another run's epochs (numbering continues).
    pub fn extend(&mut self, other: History) {
        self.epochs.extend(other.epochs);
        self.stopped_early = other.stopped_early;
    }

    /// The epochs as a table: loss, accuracy, their validation values and seconds.
    pub fn table(&self) -> Table {
        let opt = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
        let mut table = Table::new(&[
            "epoch",
            "loss",
            "accuracy",
            "val_loss",
            "val_accuracy",
            "seconds",
        ])
        .align(&[Align::Right; 6]);
        for e in &self.epochs {
            table.push(&[
                e.epoch.to_string(),
                format!("{:.4}", e.loss),
                format!("{:.4}", e.accuracy),
                opt(e.val_loss),
                opt(e.val_accuracy),
                format!("{:.2}", e.seconds),
            ]);
        }
        match &self.stopped_early {
            Some(why) => table.note(format!("stopped early: {why}")),
            None => table,
        }
    }

    /// The table as HTML, for a notebook.
    pub fn to_html(&self) -> String {
        self.table().to_html()
    }

    /// Shows the history as an HTML table when it is the value of a notebook cell.
    pub fn evcxr_display(&self) {
        println!(
            "EVCXR_BEGIN_CONTENT text/html\n{}\nEVCXR_END_CONTENT",
            self.to_html()
        );
    }
}

impl fmt::Display for EpochLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:.1}s - loss: {:.4} - accuracy: {:.4}",
            self.seconds, self.loss, self.accuracy
        )?;
        if let Some(v) = self.val_loss {
            write!(f, " - val_loss: {v:.4}")?;
        }
        if let Some(v) = self.val_accuracy {
            write!(f, " - val_accuracy: {v:.4}")?;
        }
        Ok(())
    }
}

impl fmt::Display for History {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.epochs {
            writeln!(f, "epoch {:>3}: {e}", e.epoch)?;
        }
        if let Some(why) = &self.stopped_early {
            writeln!(f, "stopped early: {why}")?;
        }
        Ok(())
    }
}

/// JSON for `f64` values that may be NaN or infinite: finite values as numbers, the others
/// as the strings `"NaN"`, `"inf"`, `"-inf"`. Reading also takes `null` (as NaN), which is
/// what serde_json writes for them by default.
mod float {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Number(f64),
        Text(String),
        Null(()),
    }

    fn to_repr(v: f64) -> Repr {
        if v.is_finite() {
            Repr::Number(v)
        } else if v.is_nan() {
            Repr::Text("NaN".into())
        } else if v > 0.0 {
            Repr::Text("inf".into())
        } else {
            Repr::Text("-inf".into())
        }
    }

    fn from_repr<E: serde::de::Error>(r: Repr) -> Result<f64, E> {
        match r {
            Repr::Number(v) => Ok(v),
            Repr::Null(()) => Ok(f64::NAN),
            Repr::Text(t) => match t.as_str() {
                "NaN" => Ok(f64::NAN),
                "inf" => Ok(f64::INFINITY),
                "-inf" => Ok(f64::NEG_INFINITY),
                other => Err(E::custom(format!(
                    "expected a number, \"NaN\", \"inf\" or \"-inf\", found \"{other}\""
                ))),
            },
        }
    }

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        to_repr(*v).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        from_repr(Repr::deserialize(d)?)
    }

    /// The same for optional values; `None` is `null`.
    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
            v.map(to_repr).serialize(s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
            Option::<Repr>::deserialize(d)?.map(from_repr).transpose()
        }
    }
}
