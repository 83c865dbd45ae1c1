//! The confusion matrix as an annotated heatmap.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::colormap::{luminance, Colormap};
use super::figure::{plot_err, Figure, Plot};
use super::fonts::SANS;
use crate::error::{Error, Result};
use crate::metrics::ConfusionMatrix;

/// A confusion matrix drawn as coloured cells: true class down the side, predicted class
/// along the bottom, each cell annotated with its count (or its share of the row), and a
/// colour bar.
#[derive(Debug, Clone)]
pub struct Heatmap {
    matrix: ConfusionMatrix,
    /// Colour and annotate by share of the row instead of count.
    normalize: bool,
    title: Option<String>,
    cell: u32,
}

const TOP: u32 = 50;
const RIGHT: u32 = 110;
/// Approximate width of one character of tick-label text, in pixels.
const CHAR: u32 = 8;

impl Heatmap {
    /// A heatmap of `matrix`, with counts in the cells.
    pub fn new(matrix: &ConfusionMatrix) -> Self {
        Self {
            matrix: matrix.clone(),
            normalize: false,
            title: Some("Confusion matrix".into()),
            cell: 56,
        }
    }

    /// Row-normalised shares instead of counts.
    pub fn normalize(mut self, normalize: bool) -> Self {
        self.normalize = normalize;
        self
    }

    /// Sets the title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Side of each cell in pixels (56 by default; drawing refuses fewer than 12 or a
    /// figure too large to draw).
    pub fn cell_size(mut self, pixels: u32) -> Self {
        self.cell = pixels;
        self
    }

    /// The heatmap as a figure.
    pub fn figure(self) -> Figure<Self> {
        Figure::new(self)
    }

    /// Top-left pixel of cell `(true, predicted)`.
    pub fn cell_origin(&self, t: usize, p: usize) -> (u32, u32) {
        (
            self.left() + p as u32 * self.cell,
            TOP + t as u32 * self.cell,
        )
    }

    fn longest_name(&self) -> u32 {
        self.matrix
            .class_names
            .iter()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(1) as u32
    }

    /// Long class names are written vertically under the columns.
    fn rotate_x_labels(&self) -> bool {
        self.longest_name().saturating_mul(CHAR) > self.cell.saturating_sub(6)
    }

    fn left(&self) -> u32 {
        50 + self.longest_name() * CHAR
    }

    fn bottom(&self) -> u32 {
        50 + if self.rotate_x_labels() {
            self.longest_name() * CHAR
        } else {
            20
        }
    }

    /// The value each cell is coloured by, in [0, 1], and its annotation.
    fn cells(&self) -> Vec<Vec<(f32, String)>> {
        if self.normalize {
            self.matrix
                .row_shares()
                .into_iter()
                .map(|row| {
                    row.into_iter()
                        .map(|s| (s as f32, format!("{:.0}%", 100.0 * s)))
                        .collect()
                })
                .collect()
        } else {
            let max = self.matrix.max_count().max(1) as f32;
            self.matrix
                .counts
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|&c| (c as f32 / max, c.to_string()))
                        .collect()
                })
                .collect()
        }
    }
}

impl Plot for Heatmap {
    super::figure::compiled_here!();

    fn default_size(&self) -> (u32, u32) {
        let side = u32::try_from(self.matrix.num_classes())
            .unwrap_or(u32::MAX)
            .saturating_mul(self.cell);
        (
            side.saturating_add(self.left() + RIGHT),
            side.saturating_add(TOP + self.bottom()),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let k = self.matrix.num_classes();
        if self.cell < 12 {
            return Err(Error::InvalidArgument(format!(
                "Heatmap: cells of {} pixels are too small to read; choose at least 12",
                self.cell
            )));
        }
        // Drawing works in `i32` coordinates: refuse cells that would overflow them.
        if (k as u64) * (self.cell as u64) + self.left() as u64 + TOP as u64 > (i32::MAX / 2) as u64
        {
            return Err(Error::Plot(format!(
                "Heatmap: {k} cells of {} pixels are too large to draw; choose a smaller `cell`",
                self.cell
            )));
        }
        let cell = self.cell as i32;
        let (left, top) = (self.left() as i32, TOP as i32);
        let side = k as i32 * cell;
        let map = Colormap::Blues;
        let font = (SANS, (self.cell as f64 * 0.3).clamp(10.0, 18.0)).into_font();
        let center = Pos::new(HPos::Center, VPos::Center);
        if let Some(title) = &self.title {
            root.draw_text(
                title,
                &TextStyle::from((SANS, 22).into_font()).pos(center),
                (left + side / 2, top / 2),
            )
            .map_err(plot_err)?;
        }
        for (t, row) in self.cells().iter().enumerate() {
            for (p, (v, label)) in row.iter().enumerate() {
                let (x, y) = (left + p as i32 * cell, top + t as i32 * cell);
                let color = map.color(*v);
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    color.filled(),
                ))
                .map_err(plot_err)?;
                let ink = if luminance(color) < 0.5 { WHITE } else { BLACK };
                let style = TextStyle::from(font.clone()).color(&ink).pos(center);
                root.draw_text(label, &style, (x + cell / 2, y + cell / 2))
                    .map_err(plot_err)?;
            }
        }
        root.draw(&Rectangle::new(
            [(left, top), (left + side, top + side)],
            BLACK.stroke_width(1),
        ))
        .map_err(plot_err)?;
        // Tick labels: class names.
        let tick = TextStyle::from((SANS, 14).into_font());
        for (i, name) in self.matrix.class_names.iter().enumerate() {
            let c = i as i32 * cell + cell / 2;
            root.draw_text(
                name,
                &tick.pos(Pos::new(HPos::Right, VPos::Center)),
                (left - 8, top + c),
            )
            .map_err(plot_err)?;
            if self.rotate_x_labels() {
                let rotated =
                    TextStyle::from((SANS, 14).into_font().transform(FontTransform::Rotate90))
                        .pos(Pos::new(HPos::Left, VPos::Center));
                root.draw_text(name, &rotated, (left + c, top + side + 8))
                    .map_err(plot_err)?;
            } else {
                root.draw_text(
                    name,
                    &tick.pos(Pos::new(HPos::Center, VPos::Top)),
                    (left + c, top + side + 8),
                )
                .map_err(plot_err)?;
            }
        }
        let axis = TextStyle::from((SANS, 17).into_font()).pos(center);
        root.draw_text(
            "predicted label",
            &axis,
            (left + side / 2, top + side + self.bottom() as i32 - 18),
        )
        .map_err(plot_err)?;
        let vertical =
            TextStyle::from((SANS, 17).into_font().transform(FontTransform::Rotate270)).pos(center);
        root.draw_text("true label", &vertical, (18, top + side / 2))
            .map_err(plot_err)?;
        // Colour bar.
        let (bx, bw) = (left + side + 24, 18);
        for i in 0..side {
            let v = 1.0 - i as f32 / side as f32;
            root.draw(&Rectangle::new(
                [(bx, top + i), (bx + bw, top + i + 1)],
                map.color(v).filled(),
            ))
            .map_err(plot_err)?;
        }
        root.draw(&Rectangle::new(
            [(bx, top), (bx + bw, top + side)],
            BLACK.stroke_width(1),
        ))
        .map_err(plot_err)?;
        let max = self.matrix.max_count();
        for (frac, i) in [(1.0, 0), (0.5, side / 2), (0.0, side)] {
            let label = if self.normalize {
                format!("{:.0}%", 100.0 * frac)
            } else {
                format!("{:.0}", frac * max as f64)
            };
            root.draw_text(
                &label,
                &tick.pos(Pos::new(HPos::Left, VPos::Center)),
                (bx + bw + 6, top + i),
            )
            .map_err(plot_err)?;
        }
        Ok(())
    }
}
