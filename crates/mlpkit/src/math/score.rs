//! [`Score`]: a loss and right answers summed over some rows, and [`Evaluation`], their
//! means over a dataset.

use std::fmt;

/// Loss and right answers summed over some rows: what a training step reports, and what an
/// evaluation adds up chunk by chunk.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Score {
    /// The losses, summed.
    pub loss_sum: f64,
    /// How many terms `loss_sum` holds (rows; rows × outputs for binary cross-entropy).
    pub loss_terms: f64,
    /// Right answers (see [`crate::math::answers`]).
    pub right: f64,
    /// Answers given.
    pub answers: f64,
}

impl Score {
    /// Adds another score's sums.
    pub fn add(&mut self, other: Score) {
        self.loss_sum += other.loss_sum;
        self.loss_terms += other.loss_terms;
        self.right += other.right;
        self.answers += other.answers;
    }

    /// The mean loss.
    pub fn loss(&self) -> f64 {
        self.loss_sum / self.loss_terms.max(1.0)
    }

    /// The share of right answers.
    pub fn accuracy(&self) -> f64 {
        self.right / self.answers.max(1.0)
    }

    /// Mean loss and accuracy.
    pub fn evaluation(&self) -> Evaluation {
        Evaluation {
            loss: self.loss(),
            accuracy: self.accuracy(),
        }
    }
}

/// Loss and accuracy on a dataset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// Mean loss.
    pub loss: f64,
    /// Share of right answers.
    pub accuracy: f64,
}

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "loss: {:.4} - accuracy: {:.4}", self.loss, self.accuracy)
    }
}
