//! The confusion matrix as an annotated heatmap.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::colormap::{luminance, Colormap};
use super::figure::{plot_err, Figure, Plot};
use super::fonts::SANS;
use crate::error::{Error, Result};
use crate::metrics::ConfusionMatrix;

/// What a [`Heatmap`]'s cells show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeatmapView {
    /// Counts, coloured on one scale from 0 to the largest count. The diagonal (the correct
    /// answers) dominates the scale, so the errors all look alike.
    Counts,
    /// Each cell as a share of its row (of the images of that true class), one scale from 0 %
    /// to 100 %.
    Shares,
    /// The errors on their own: each off-diagonal cell as a share of its row, coloured on a
    /// square-root scale from 0 to the largest error share (small errors stay visible), and
    /// the diagonal in grey with each class's recall. The view for finding which classes get mistaken for which.
    Errors,
}

/// A confusion matrix drawn as coloured cells: true class down the side, predicted class
/// along the bottom, each cell annotated with its count or share (see [`HeatmapView`]), and a
/// colour bar.
#[derive(Debug, Clone)]
pub struct Heatmap {
    matrix: ConfusionMatrix,
    view: HeatmapView,
    title: Option<String>,
    cell: u32,
}

/// The colour of the diagonal in the [`HeatmapView::Errors`] view.
const DIAGONAL: RGBColor = RGBColor(222, 222, 222);

const TOP: u32 = 50;
const RIGHT: u32 = 110;
/// Size of the class names' text, in pixels.
const TICK_SIZE: u32 = 15;

impl Heatmap {
    /// A heatmap of `matrix`, with counts in the cells.
    pub fn new(matrix: &ConfusionMatrix) -> Self {
        Self {
            matrix: matrix.clone(),
            view: HeatmapView::Counts,
            title: Some("Confusion matrix".into()),
            cell: 56,
        }
    }

    /// Row-normalised shares instead of counts (the same as `view(HeatmapView::Shares)`).
    pub fn normalize(mut self, normalize: bool) -> Self {
        self.view = if normalize {
            HeatmapView::Shares
        } else {
            HeatmapView::Counts
        };
        self
    }

    /// What the cells show: counts, shares of each true class, or the errors on their own
    /// scale.
    pub fn view(mut self, view: HeatmapView) -> Self {
        self.view = view;
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

    /// Width in pixels of the widest class name, as set in the tick labels' font.
    fn longest_name(&self) -> u32 {
        let font = super::typeset::font_for(&plotters::style::FontFamily::SansSerif);
        self.matrix
            .class_names()
            .iter()
            .map(|n| {
                super::typeset::layout(font, TICK_SIZE as f32, n)
                    .width
                    .ceil() as u32
            })
            .max()
            .unwrap_or(8)
    }

    /// Long class names are written vertically under the columns.
    fn rotate_x_labels(&self) -> bool {
        self.longest_name() > self.cell.saturating_sub(6)
    }

    fn left(&self) -> u32 {
        50 + self.longest_name()
    }

    fn bottom(&self) -> u32 {
        50 + if self.rotate_x_labels() {
            self.longest_name()
        } else {
            20
        }
    }

    /// The largest share of a true class that went to one wrong class (the top of the
    /// [`HeatmapView::Errors`] scale), at least 1 %.
    fn largest_error_share(&self) -> f64 {
        let shares = self.matrix.row_shares();
        let mut max = 0.01f64;
        for (t, row) in shares.iter().enumerate() {
            for (p, &s) in row.iter().enumerate() {
                if t != p {
                    max = max.max(s);
                }
            }
        }
        max
    }

    /// Each cell's colour and annotation.
    fn cells(&self) -> Vec<Vec<(RGBColor, String)>> {
        let map = Colormap::Blues;
        match self.view {
            HeatmapView::Shares => self
                .matrix
                .row_shares()
                .into_iter()
                .map(|row| {
                    row.into_iter()
                        .map(|s| (map.color(s as f32), format!("{:.0}%", 100.0 * s)))
                        .collect()
                })
                .collect(),
            HeatmapView::Counts => {
                let max = self.matrix.max_count().max(1) as f32;
                self.matrix
                    .counts()
                    .iter()
                    .map(|row| {
                        row.iter()
                            .map(|&c| (map.color(c as f32 / max), c.to_string()))
                            .collect()
                    })
                    .collect()
            }
            HeatmapView::Errors => {
                let top = self.largest_error_share();
                self.matrix
                    .row_shares()
                    .into_iter()
                    .enumerate()
                    .map(|(t, row)| {
                        row.into_iter()
                            .enumerate()
                            .map(|(p, s)| {
                                if t == p {
                                    (DIAGONAL, format!("{:.0}%", 100.0 * s))
                                } else if s == 0.0 {
                                    (Colormap::Oranges.color(0.0), String::new())
                                } else {
                                    (Colormap::Oranges.color(error_shade(s, top)), percent(s))
                                }
                            })
                            .collect()
                    })
                    .collect()
            }
        }
    }

    /// The colour map of the colour bar, and its label at the top and in the middle.
    fn scale(&self) -> (Colormap, [String; 3]) {
        match self.view {
            HeatmapView::Counts => {
                let max = self.matrix.max_count();
                (
                    Colormap::Blues,
                    [
                        max.to_string(),
                        format!("{:.0}", max as f64 / 2.0),
                        "0".into(),
                    ],
                )
            }
            HeatmapView::Shares => (Colormap::Blues, ["100%".into(), "50%".into(), "0%".into()]),
            HeatmapView::Errors => {
                let top = self.largest_error_share();
                (
                    Colormap::Oranges,
                    // Half-way up the bar is the shade of a quarter of the top (see
                    // `error_shade`).
                    [percent(top), percent(top / 4.0), "0%".into()],
                )
            }
        }
    }
}

/// The shade of an error share on the [`HeatmapView::Errors`] scale: the square root of its
/// fraction of the largest error, so that a 5 % error beside a 30 % one is still clearly
/// coloured (on a linear scale it would be almost as pale as no error).
fn error_shade(share: f64, top: f64) -> f32 {
    (share / top).clamp(0.0, 1.0).sqrt() as f32
}

/// A share as a percentage short enough for a cell: "0.4%", "3.1%", "12%".
fn percent(share: f64) -> String {
    if share < 0.1 {
        format!("{:.1}%", 100.0 * share)
    } else {
        format!("{:.0}%", 100.0 * share)
    }
}

impl Plot for Heatmap {
    super::figure::compiled_here!();

    fn default_size(&self) -> (u32, u32) {
        let side = u32::try_from(self.matrix.num_classes())
            .unwrap_or(u32::MAX)
            .saturating_mul(self.cell);
        (
            side.saturating_add(
                self.left()
                    + RIGHT
                    + if self.view == HeatmapView::Errors {
                        30
                    } else {
                        0
                    },
            ),
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
        let (map, scale_labels) = self.scale();
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
            for (p, (color, label)) in row.iter().enumerate() {
                let (x, y) = (left + p as i32 * cell, top + t as i32 * cell);
                let color = *color;
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
        self.draw_class_names(root, left, top, side)?;
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
        self.draw_colour_bar(root, map, &scale_labels, left + side + 24, top, side)?;
        Ok(())
    }
}

impl Heatmap {
    /// The class names beside the rows and under the columns (written downwards when long).
    fn draw_class_names<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        left: i32,
        top: i32,
        side: i32,
    ) -> Result<()> {
        let cell = self.cell as i32;
        let tick = TextStyle::from((SANS, TICK_SIZE).into_font());
        for (i, name) in self.matrix.class_names().iter().enumerate() {
            let c = i as i32 * cell + cell / 2;
            root.draw_text(
                name,
                &tick.pos(Pos::new(HPos::Right, VPos::Center)),
                (left - 8, top + c),
            )
            .map_err(plot_err)?;
            if self.rotate_x_labels() {
                let rotated = TextStyle::from(
                    (SANS, TICK_SIZE)
                        .into_font()
                        .transform(FontTransform::Rotate90),
                )
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
        Ok(())
    }

    /// The colour bar from 0 (bottom) to the top of the scale, with its labels.
    fn draw_colour_bar<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        map: Colormap,
        scale_labels: &[String; 3],
        bx: i32,
        top: i32,
        side: i32,
    ) -> Result<()> {
        let tick = TextStyle::from((SANS, TICK_SIZE).into_font());
        let bw = 18;
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
        for (label, i) in scale_labels.iter().zip([0, side / 2, side]) {
            root.draw_text(
                label,
                &tick.pos(Pos::new(HPos::Left, VPos::Center)),
                (bx + bw + 6, top + i),
            )
            .map_err(plot_err)?;
        }
        if self.view == HeatmapView::Errors {
            let note = TextStyle::from((SANS, 13).into_font().transform(FontTransform::Rotate90))
                .pos(Pos::new(HPos::Center, VPos::Top));
            root.draw_text(
                "errors, % of true class",
                &note,
                (bx + bw + 60, top + side / 2),
            )
            .map_err(plot_err)?;
        }
        Ok(())
    }
}
