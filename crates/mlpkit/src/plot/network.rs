//! The network as a diagram, the way the tutorials draw theirs: each layer a column of units
//! (a few drawn, the rest elided with their count written under the column), the connections
//! between neighbouring columns, and each layer's activation.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::drawing::figure::{Figure, Plot, plot_err};
use crate::drawing::style::{self, INK, LABEL_SIZE, MUTED, NOTE_SIZE, TICK_SIZE, TITLE_SIZE};
use crate::error::{Error, Result};
use crate::model::{Architecture, LayerSpec, Sequential};
use crate::table::Table;

/// One column of the diagram.
#[derive(Debug, Clone, PartialEq)]
struct Column {
    /// What the column is: `input`, `hidden 1`, `output`.
    name: String,
    units: usize,
    /// Under the count: the activation, or the input's shape.
    detail: String,
    /// Written on the connections into this column (a dropout in front of it).
    incoming: Option<String>,
    color: RGBColor,
}

/// A diagram of a network of dense layers; see the module's documentation.
#[derive(Debug, Clone)]
pub struct NetworkDiagram {
    columns: Vec<Column>,
    title: Option<String>,
}

const INPUT: RGBColor = RGBColor(150, 150, 150);
const HIDDEN: RGBColor = RGBColor(31, 119, 180);
const OUTPUT: RGBColor = RGBColor(255, 127, 14);
const EDGE: RGBColor = RGBColor(200, 200, 200);
/// Units drawn in a column before the rest are elided: the first few and the last.
const SHOWN: usize = 6;
const COLUMN_W: u32 = 170;
const HEIGHT: u32 = 380;
/// The band the units are drawn in, from the top.
const UNITS_TOP: i32 = 70;
const UNITS_BOTTOM: i32 = 290;
const RADIUS: u32 = 9;

impl NetworkDiagram {
    /// The diagram of `arch`: its input, then one column per dense layer; a Flatten becomes
    /// the input's shape, a Dropout a note on the connections after it.
    pub fn new(arch: &Architecture) -> Result<Self> {
        let layers = arch.resolve()?;
        let shape = |s: &[usize]| {
            s.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(" × ")
        };
        let inputs: usize = arch.input_shape.iter().product();
        let dense_count = layers
            .iter()
            .filter(|l| matches!(l.spec, LayerSpec::Dense(_)))
            .count();
        if dense_count == 0 {
            return Err(Error::InvalidArgument(
                "NetworkDiagram: the network has no dense layer to draw".into(),
            ));
        }
        let detail = if arch.input_shape.len() > 1 {
            format!("{} pixels, flattened", shape(&arch.input_shape))
        } else {
            if inputs == 784 {
                "one per pixel".to_string()
            } else {
                "inputs".to_string()
            }
        };
        let mut columns = vec![Column {
            name: "input".into(),
            units: inputs,
            detail,
            incoming: None,
            color: INPUT,
        }];
        let (mut dropout, mut seen) = (None, 0);
        for layer in &layers {
            match &layer.spec {
                LayerSpec::Flatten => {}
                LayerSpec::Dropout(d) => dropout = Some(format!("dropout {}", d.rate)),
                LayerSpec::Dense(d) => {
                    seen += 1;
                    let last = seen == dense_count;
                    columns.push(Column {
                        name: if last {
                            "output".into()
                        } else {
                            format!("hidden {seen}")
                        },
                        units: d.units,
                        detail: d.activation.name().to_string(),
                        incoming: dropout.take(),
                        color: if last { OUTPUT } else { HIDDEN },
                    });
                }
            }
        }
        Ok(Self {
            columns,
            title: None,
        })
    }

    /// The diagram of `model`'s architecture.
    pub fn of(model: &Sequential) -> Result<Self> {
        Self::new(model.architecture())
    }

    /// Sets the title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// The diagram as a figure.
    pub fn figure(self) -> Figure<Self> {
        Figure::new(self)
    }

    /// The columns as a table (name, units, activation), for reading as text.
    pub fn table(&self) -> Table {
        let mut table = Table::new(&["layer", "units", "activation / input"]);
        for c in &self.columns {
            table.push(&[
                c.name.clone(),
                crate::model::thousands(c.units),
                c.detail.clone(),
            ]);
        }
        table
    }

    /// Which units of a column are drawn (their index in the column, `None` for the gap
    /// where the rest are elided), top to bottom.
    fn drawn(units: usize) -> Vec<Option<usize>> {
        if units <= SHOWN + 1 {
            return (0..units).map(Some).collect();
        }
        let mut rows: Vec<Option<usize>> = (0..SHOWN - 1).map(Some).collect();
        rows.push(None);
        rows.push(Some(units - 1));
        rows
    }

    /// The centre of each drawn row of column `c`, top to bottom.
    fn rows(&self, c: usize) -> Vec<(Option<usize>, (i32, i32))> {
        let x = (COLUMN_W / 2 + c as u32 * COLUMN_W) as i32 + 10;
        let drawn = Self::drawn(self.columns[c].units);
        let n = drawn.len() as i32;
        let step = (UNITS_BOTTOM - UNITS_TOP) / (SHOWN as i32);
        let first = (UNITS_TOP + UNITS_BOTTOM) / 2 - step * (n - 1) / 2;
        drawn
            .into_iter()
            .enumerate()
            .map(|(i, u)| (u, (x, first + i as i32 * step)))
            .collect()
    }

    /// The connections between neighbouring columns' drawn units, and a dropout's note.
    fn draw_edges<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        for c in 1..self.columns.len() {
            let (from, to) = (self.rows(c - 1), self.rows(c));
            for (_, pa) in from.iter().filter(|r| r.0.is_some()) {
                for (_, pb) in to.iter().filter(|r| r.0.is_some()) {
                    root.draw(&PathElement::new(vec![*pa, *pb], EDGE.stroke_width(1)))
                        .map_err(plot_err)?;
                }
            }
            if let Some(note) = &self.columns[c].incoming {
                let x = (pa_x(&from) + pa_x(&to)) / 2;
                let text = style::text(NOTE_SIZE)
                    .color(&MUTED)
                    .pos(Pos::new(HPos::Center, VPos::Bottom));
                root.draw_text(note, &text, (x, UNITS_TOP - 16))
                    .map_err(plot_err)?;
            }
        }
        Ok(())
    }

    /// One column: its units, the gap's dots, its name above and its size and detail below.
    fn draw_column<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        c: usize,
    ) -> Result<()> {
        let column = &self.columns[c];
        let rows = self.rows(c);
        for (unit, (x, y)) in &rows {
            match unit {
                Some(_) => {
                    root.draw(&Circle::new((*x, *y), RADIUS, column.color.filled()))
                        .map_err(plot_err)?;
                    root.draw(&Circle::new((*x, *y), RADIUS, INK.stroke_width(1)))
                        .map_err(plot_err)?;
                }
                None => {
                    for d in [-8, 0, 8] {
                        root.draw(&Circle::new((*x, *y + d), 2, MUTED.filled()))
                            .map_err(plot_err)?;
                    }
                }
            }
        }
        let x = rows[0].1.0;
        let centre = |v| Pos::new(HPos::Center, v);
        root.draw_text(
            &column.name,
            &style::text(LABEL_SIZE).pos(centre(VPos::Bottom)),
            (x, UNITS_TOP - 30),
        )
        .map_err(plot_err)?;
        let units = format!("{} units", crate::model::thousands(column.units));
        root.draw_text(
            &units,
            &style::text(TICK_SIZE).pos(centre(VPos::Top)),
            (x, UNITS_BOTTOM + 22),
        )
        .map_err(plot_err)?;
        let detail = style::text(TICK_SIZE).color(&MUTED).pos(centre(VPos::Top));
        root.draw_text(&column.detail, &detail, (x, UNITS_BOTTOM + 42))
            .map_err(plot_err)?;
        Ok(())
    }
}

/// The x of a column's rows.
fn pa_x(rows: &[(Option<usize>, (i32, i32))]) -> i32 {
    rows.first().map_or(0, |r| r.1.0)
}

impl Plot for NetworkDiagram {
    crate::drawing::figure::compiled_here!();

    fn default_size(&self) -> (u32, u32) {
        let n = u32::try_from(self.columns.len()).unwrap_or(u32::MAX);
        (n.saturating_mul(COLUMN_W).saturating_add(20), HEIGHT)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let root = match &self.title {
            Some(t) => {
                let (w, _) = root.dim_in_pixel();
                let style = style::text(TITLE_SIZE).pos(Pos::new(HPos::Center, VPos::Center));
                root.draw_text(t, &style, ((w / 2) as i32, 16))
                    .map_err(plot_err)?;
                root.margin(20, 0, 0, 0)
            }
            None => root.clone(),
        };
        self.draw_edges(&root)?;
        for c in 0..self.columns.len() {
            self.draw_column(&root, c)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::Activation;
    use crate::model::{Dense, Dropout, Flatten};

    #[test]
    fn columns_follow_the_layers() {
        let arch = Architecture::new(&[28, 28])
            .add(Flatten)
            .add(Dense::new(300, Activation::Relu))
            .add(Dropout::new(0.2))
            .add(Dense::new(10, Activation::Softmax));
        let d = NetworkDiagram::new(&arch).unwrap();
        let got: Vec<(&str, usize, &str)> = d
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.units, c.detail.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("input", 784, "28 × 28 pixels, flattened"),
                ("hidden 1", 300, "relu"),
                ("output", 10, "softmax")
            ]
        );
        assert_eq!(d.columns[2].incoming.as_deref(), Some("dropout 0.2"));
        assert_eq!(NetworkDiagram::drawn(784).len(), SHOWN + 1);
        assert_eq!(
            NetworkDiagram::drawn(4),
            [Some(0), Some(1), Some(2), Some(3)]
        );
    }
}
