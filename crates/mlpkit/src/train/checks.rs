//! Checks that `fit` and `evaluate` make before they start, so that data that cannot train
//! gives an error that names the problem, instead of a model that silently learns nothing.
//!
//! Both training paths (autograd and fused) and `evaluate` go through these, so they
//! accept and reject the same inputs.

use candle_core::{DType, Tensor};

use crate::data::Split;
use crate::error::{Error, Result};
use crate::math::Loss;
use crate::model::Sequential;
use crate::storage::{CHUNK_ROWS, with_cpu_slice};

/// Checks a dataset before training or evaluating on it: not empty, as many labels as
/// images, floating-point images shaped for the model, labels that fit the loss and the
/// number of outputs, and no NaN or infinite values. `what` names the data in messages
/// ("the training data", "the validation data").
pub(crate) fn check_data(model: &Sequential, loss: Loss, data: &Split, what: &str) -> Result<()> {
    let n = data.len();
    if n == 0 {
        return Err(Error::InvalidArgument(format!(
            "{what} holds no examples; check how it was loaded or split"
        )));
    }
    let labels = data.labels.dims().first().copied().unwrap_or(0);
    if labels != n {
        return Err(Error::Mismatch(format!(
            "{what} has {n} images but {labels} labels; each image needs exactly one label \
             (build it with `Split::new(images, labels)`, which checks this)"
        )));
    }
    let images = model
        .check_input(&data.images)
        .map_err(|e| prefix(what, e))?;
    let outputs = model
        .architecture()
        .output_shape()?
        .iter()
        .product::<usize>();
    loss.check_labels(&data.labels, outputs)
        .map_err(|e| prefix(what, e))?;
    check_finite(&images, &format!("{what}'s images"))?;
    if data.labels.dtype().is_float() {
        check_finite(&data.labels, &format!("{what}'s labels"))?;
    }
    Ok(())
}

fn prefix(what: &str, e: Error) -> Error {
    match e {
        Error::InvalidArgument(m) => Error::InvalidArgument(format!("{what}: {m}")),
        Error::Mismatch(m) => Error::Mismatch(format!("{what}: {m}")),
        shape @ Error::Shape { .. } => Error::Mismatch(format!("{what}: {shape}")),
        other => other,
    }
}

/// Where a tensor's rows hold values that are not finite numbers.
#[derive(Debug, Default)]
struct NonFinite {
    values: usize,
    rows: Vec<usize>,
    rows_hit: usize,
    /// Per column of a row: how many rows have a non-finite value there.
    per_column: Vec<usize>,
}

impl NonFinite {
    fn scan(&mut self, values: &[f32], width: usize, first_row: usize) {
        for (r, row) in values.chunks(width).enumerate() {
            let mut hit = false;
            for (c, v) in row.iter().enumerate() {
                if !v.is_finite() {
                    self.values += 1;
                    self.per_column[c] += 1;
                    hit = true;
                }
            }
            if hit {
                self.rows_hit += 1;
                if self.rows.len() < 5 {
                    self.rows.push(first_row + r);
                }
            }
        }
    }
}

/// An error naming the rows and columns of `x` (rows along the first dimension) that hold
/// NaN or infinite values, with what usually causes them.
pub(crate) fn check_finite(x: &Tensor, what: &str) -> Result<()> {
    let n = x.dims().first().copied().unwrap_or(1);
    let width = x.elem_count().checked_div(n).unwrap_or(0);
    if width == 0 {
        return Ok(());
    }
    let mut found = NonFinite {
        per_column: vec![0; width],
        ..NonFinite::default()
    };
    let fast = if x.dtype() == DType::F32 {
        with_cpu_slice::<f32, _>(x, |v| found.scan(v, width, 0))
    } else {
        None
    };
    if fast.is_none() {
        let mut start = 0;
        while start < n {
            let len = CHUNK_ROWS.min(n - start);
            let chunk = x
                .narrow(0, start, len)?
                .to_dtype(DType::F32)?
                .flatten_all()?
                .to_vec1::<f32>()?;
            found.scan(&chunk, width, start);
            start += len;
        }
    }
    if found.values == 0 {
        return Ok(());
    }
    let list = |items: &[usize], total: usize| {
        let mut s = items
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        if total > items.len() {
            s.push_str(", …");
        }
        s
    };
    let columns: Vec<usize> = (0..width).filter(|&c| found.per_column[c] > 0).collect();
    let everywhere: Vec<usize> = columns
        .iter()
        .copied()
        .filter(|&c| found.per_column[c] == n)
        .collect();
    let mut msg = format!(
        "{what} hold {} values that are NaN or infinite, in {} of {n} rows (rows {}), at \
         positions {} within a row. Training on them would make the weights NaN and the \
         model useless. ",
        found.values,
        found.rows_hit,
        list(&found.rows, found.rows_hit),
        list(&columns[..columns.len().min(8)], columns.len()),
    );
    if !everywhere.is_empty() && n > 1 {
        msg.push_str(&format!(
            "{} positions ({}) are not finite in every row: that is what standardising each \
             pixel by its own standard deviation does where the deviation is 0 (MNIST's blank \
             border). Use one standard deviation for all pixels (`Standardizer::fit` or \
             `Standardizer::fit_global`), or add a small epsilon to the deviation.",
            everywhere.len(),
            list(&everywhere[..everywhere.len().min(8)], everywhere.len())
        ));
    } else {
        msg.push_str(
            "Check how the inputs were computed: a division by zero, the log of zero, or a \
             missing value in the source data are the usual causes.",
        );
    }
    Err(Error::NotFinite(msg))
}

/// An error if any weight of `model` is NaN or infinite (the loss can stay finite for a
/// while after a ReLU network's weights have gone bad).
pub(crate) fn check_weights(model: &Sequential, epoch: usize) -> Result<()> {
    for (name, var) in model.named_vars() {
        let sum = var.as_tensor().sum_all()?.to_scalar::<f32>()?;
        if !sum.is_finite() {
            return Err(Error::NotFinite(format!(
                "training diverged in epoch {epoch}: the weights `{name}` hold NaN or infinite \
                 values although the loss looked finite, so the model now predicts nothing \
                 useful. Usually the inputs are not scaled (e.g. to [0, 1]) or the learning \
                 rate is too high; rebuild the model before trying again."
            )));
        }
    }
    Ok(())
}
