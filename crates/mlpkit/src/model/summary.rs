//! A Keras-style table of a model's layers: name, type, output shape, parameter count.

use std::fmt;

use super::layer::ResolvedLayer;
use crate::table::{Align, Table};

/// One row of a [`Summary`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    /// The layer's name.
    pub name: String,
    /// Keras's name for its kind, e.g. `Dense`.
    pub type_name: &'static str,
    /// Output shape with the batch dimension shown as `None`, e.g. `(None, 300)`.
    pub output_shape: String,
    /// Trainable parameters.
    pub params: usize,
}

/// What `model.summary()` shows. Prints as a text table; in a notebook, a cell whose value
/// is a `Summary` renders it as an HTML table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// One row per layer.
    pub rows: Vec<SummaryRow>,
    /// All parameters.
    pub total: usize,
    /// Parameters that training changes.
    pub trainable: usize,
    /// Parameters it does not (none in these networks).
    pub non_trainable: usize,
}

impl Summary {
    pub(crate) fn new(layers: &[ResolvedLayer]) -> Self {
        let rows: Vec<SummaryRow> = layers
            .iter()
            .map(|l| SummaryRow {
                name: l.name.clone(),
                type_name: l.spec.type_name(),
                output_shape: format!(
                    "(None, {})",
                    l.output_shape
                        .iter()
                        .map(|d| d.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                params: l.params,
            })
            .collect();
        let total = rows.iter().map(|r| r.params).sum();
        Self {
            rows,
            total,
            trainable: total,
            non_trainable: 0,
        }
    }

    /// The summary as a table: one row per layer, the totals under it.
    pub fn table(&self) -> Table {
        let mut table = Table::new(&["Layer (type)", "Output shape", "Param #"]).align(&[
            Align::Left,
            Align::Left,
            Align::Right,
        ]);
        for r in &self.rows {
            table.push(&[
                format!("{} ({})", r.name, r.type_name),
                r.output_shape.clone(),
                thousands(r.params),
            ]);
        }
        table
            .note(format!(
                "Total params: {} ({})",
                thousands(self.total),
                bytes(self.total)
            ))
            .note(format!("Trainable params: {}", thousands(self.trainable)))
            .note(format!(
                "Non-trainable params: {}",
                thousands(self.non_trainable)
            ))
    }

    /// The table as HTML.
    pub fn to_html(&self) -> String {
        self.table().to_html()
    }

    /// Shows the summary as an HTML table when it is the value of a notebook cell (evcxr).
    pub fn evcxr_display(&self) {
        println!(
            "EVCXR_BEGIN_CONTENT text/html\n{}\nEVCXR_END_CONTENT",
            self.to_html()
        );
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first: Vec<String> = self
            .rows
            .iter()
            .map(|r| format!("{} ({})", r.name, r.type_name))
            .collect();
        let w1 = first
            .iter()
            .map(String::len)
            .chain([12])
            .max()
            .unwrap_or(12)
            + 2;
        let w2 = self
            .rows
            .iter()
            .map(|r| r.output_shape.len())
            .chain([12])
            .max()
            .unwrap_or(12)
            + 2;
        let w3 = 12;
        let rule = |c: char| c.to_string().repeat(w1 + w2 + w3);
        writeln!(f, "{}", rule('='))?;
        writeln!(
            f,
            "{:<w1$}{:<w2$}{:>w3$}",
            "Layer (type)", "Output shape", "Param #"
        )?;
        writeln!(f, "{}", rule('='))?;
        for (r, name) in self.rows.iter().zip(&first) {
            writeln!(
                f,
                "{:<w1$}{:<w2$}{:>w3$}",
                name,
                r.output_shape,
                thousands(r.params)
            )?;
        }
        writeln!(f, "{}", rule('='))?;
        writeln!(
            f,
            "Total params: {} ({})",
            thousands(self.total),
            bytes(self.total)
        )?;
        writeln!(f, "Trainable params: {}", thousands(self.trainable))?;
        write!(f, "Non-trainable params: {}", thousands(self.non_trainable))
    }
}

/// `266610` → `266,610`.
///
/// ```
/// assert_eq!(mlpkit::model::thousands(266_610), "266,610");
/// assert_eq!(mlpkit::model::thousands(784), "784");
/// ```
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Size of `n` f32 parameters, e.g. `1.02 MB`.
fn bytes(n: usize) -> String {
    let b = (n * 4) as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.2} MB", b / (1024.0 * 1024.0))
    } else {
        format!("{:.2} KB", b / 1024.0)
    }
}
