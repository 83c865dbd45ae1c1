//! The confusion matrix as an annotated heatmap.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::drawing::colormap::{Colormap, luminance};
use crate::drawing::colour_bar::{BAR_WIDTH, ColourScale, LABELS_WIDTH, draw_colour_bar};
use crate::drawing::figure::{Figure, Plot, plot_err};
use crate::drawing::style::{self, INK, LABEL_SIZE, TICK_SIZE, TITLE_SIZE};
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
    /// square-root scale from 0 to the largest error share (small errors stay visible; the
    /// colour bar says so), and the diagonal in grey with each class's recall. The view for
    /// finding which classes get mistaken for which.
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
    /// The top of the colour scale, when set by [`Heatmap::scale_max`].
    top: Option<f64>,
}

/// The colour of the diagonal in the [`HeatmapView::Errors`] view.
const DIAGONAL: RGBColor = RGBColor(222, 222, 222);

/// Room above the cells (the title), and between the cells and the colour bar.
const TOP: u32 = 44;
const GAP: u32 = 20;

impl Heatmap {
    /// A heatmap of `matrix`, with counts in the cells.
    pub fn new(matrix: &ConfusionMatrix) -> Self {
        Self {
            matrix: matrix.clone(),
            view: HeatmapView::Counts,
            title: Some("Confusion matrix".into()),
            cell: 56,
            top: None,
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

    /// The top of the colour scale: the largest count ([`HeatmapView::Counts`]) or error
    /// share ([`HeatmapView::Errors`]), unless [`Heatmap::scale_max`] set it; 1 for shares.
    pub fn scale_top(&self) -> f64 {
        match self.view {
            HeatmapView::Shares => 1.0,
            HeatmapView::Counts => self.top.unwrap_or(self.matrix.max_count().max(1) as f64),
            HeatmapView::Errors => self.top.unwrap_or_else(|| self.largest_error_share()),
        }
    }

    /// Sets the top of the colour scale, so that heatmaps shown side by side colour the same
    /// value alike: `a.scale_max(a.scale_top().max(b.scale_top()))`, and the same for `b`.
    /// Values above it get the darkest colour.
    pub fn scale_max(mut self, top: f64) -> Self {
        self.top = Some(top).filter(|t| t.is_finite() && *t > 0.0);
        self
    }

    /// The heatmap as a figure.
    pub fn figure(self) -> Figure<Self> {
        Figure::new(self)
    }

    /// Top-left pixel of cell `(true, predicted)`, in figure pixels.
    pub fn cell_origin(&self, t: usize, p: usize) -> (u32, u32) {
        (
            self.left() + p as u32 * self.cell,
            TOP + t as u32 * self.cell,
        )
    }

    /// Width in pixels of the widest class name, as set in the tick labels' font.
    fn longest_name(&self) -> u32 {
        let font = crate::drawing::fonts::font_for(&FontFamily::SansSerif);
        self.matrix
            .class_names()
            .iter()
            .map(|n| {
                crate::drawing::typeset::layout(font, TICK_SIZE as f32, n)
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
        40 + self.longest_name()
    }

    fn bottom(&self) -> u32 {
        44 + if self.rotate_x_labels() {
            self.longest_name()
        } else {
            16
        }
    }

    /// The largest share of a true class that went to one wrong class, at least 1 %.
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

    /// The colour map, the scale the colours follow, and the colour bar's label.
    fn scale(&self) -> (Colormap, ColourScale, &'static str) {
        let top = self.scale_top();
        match self.view {
            HeatmapView::Counts => (Colormap::Blues, ColourScale::Linear { top }, "examples"),
            HeatmapView::Shares => (
                Colormap::Blues,
                ColourScale::Linear { top },
                "% of true class",
            ),
            HeatmapView::Errors => (
                Colormap::Oranges,
                ColourScale::SquareRoot { top },
                "errors, % of true class (√ scale)",
            ),
        }
    }

    /// Each cell's colour and annotation.
    fn cells(&self) -> Vec<Vec<(RGBColor, String)>> {
        let (map, scale, _) = self.scale();
        let shares = self.matrix.row_shares();
        let counts = self.matrix.counts();
        let cell = |t: usize, p: usize| -> (RGBColor, String) {
            let s = shares[t][p];
            match self.view {
                HeatmapView::Counts => {
                    let c = counts[t][p];
                    (map.color(scale.position(c as f64)), c.to_string())
                }
                HeatmapView::Shares => (map.color(scale.position(s)), cell_percent(s)),
                HeatmapView::Errors if t == p => (DIAGONAL, cell_percent(s)),
                HeatmapView::Errors if s == 0.0 => (map.color(0.0), String::new()),
                HeatmapView::Errors => (map.color(scale.position(s)), cell_percent(s)),
            }
        };
        let k = self.matrix.num_classes();
        (0..k)
            .map(|t| (0..k).map(|p| cell(t, p)).collect())
            .collect()
    }

    /// An error unless the cells are big enough to read and small enough to draw.
    fn check(&self) -> Result<()> {
        let k = self.matrix.num_classes();
        if self.cell < 12 {
            return Err(Error::InvalidArgument(format!(
                "Heatmap: cells of {} pixels are too small to read; choose at least 12",
                self.cell
            )));
        }
        // Drawing works in `i32` coordinates: refuse cells that would overflow them.
        if (k as u64) * (self.cell as u64) + self.left() as u64 + TOP as u64
            > (i32::MAX / 64) as u64
        {
            return Err(Error::Plot(format!(
                "Heatmap: {k} cells of {} pixels are too large to draw; choose a smaller `cell`",
                self.cell
            )));
        }
        Ok(())
    }

    /// The cells, each with its annotation in black or white (whichever reads on its colour),
    /// and a frame around them.
    fn draw_cells<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let cell = self.cell as i32;
        let (left, top) = (self.left() as i32, TOP as i32);
        let size = (self.cell as f64 * 0.27).clamp(9.0, 15.0);
        let centre = Pos::new(HPos::Center, VPos::Center);
        for (t, row) in self.cells().iter().enumerate() {
            for (p, (color, label)) in row.iter().enumerate() {
                let (x, y) = (left + p as i32 * cell, top + t as i32 * cell);
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    color.filled(),
                ))
                .map_err(plot_err)?;
                let ink = if luminance(*color) < 0.5 { WHITE } else { INK };
                let text = style::text(size).color(&ink).pos(centre);
                root.draw_text(label, &text, (x + cell / 2, y + cell / 2))
                    .map_err(plot_err)?;
            }
        }
        let side = self.matrix.num_classes() as i32 * cell;
        root.draw(&Rectangle::new(
            [(left, top), (left + side, top + side)],
            INK.stroke_width(1),
        ))
        .map_err(plot_err)?;
        Ok(())
    }
}

/// A share as a percentage short enough for a cell: "0.4%", "3.1%", "12%"; "100%" only for
/// all of a class.
fn cell_percent(share: f64) -> String {
    let p = 100.0 * share;
    if share > 0.0 && p < 10.0 {
        format!("{p:.1}%")
    } else if share < 1.0 && p >= 99.5 {
        ">99%".into()
    } else {
        format!("{p:.0}%")
    }
}

impl Plot for Heatmap {
    crate::drawing::figure::compiled_here!();

    fn default_size(&self) -> (u32, u32) {
        let side = u32::try_from(self.matrix.num_classes())
            .unwrap_or(u32::MAX)
            .saturating_mul(self.cell);
        let right = GAP + (BAR_WIDTH + LABELS_WIDTH) as u32 + 26;
        (
            side.saturating_add(self.left() + right),
            side.saturating_add(TOP + self.bottom()),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        self.check()?;
        let (left, top) = (self.left() as i32, TOP as i32);
        let side = self.matrix.num_classes() as i32 * self.cell as i32;
        let centre = Pos::new(HPos::Center, VPos::Center);
        if let Some(title) = &self.title {
            let at = (left + side / 2, top / 2);
            root.draw_text(title, &style::text(TITLE_SIZE).pos(centre), at)
                .map_err(plot_err)?;
        }
        self.draw_cells(root)?;
        self.draw_class_names(root, left, top, side)?;
        let axis = style::text(LABEL_SIZE).pos(centre);
        let under = top + side + self.bottom() as i32 - 16;
        root.draw_text("predicted label", &axis, (left + side / 2, under))
            .map_err(plot_err)?;
        let upward = style::upward_text(LABEL_SIZE).pos(centre);
        root.draw_text("true label", &upward, (14, top + side / 2))
            .map_err(plot_err)?;
        let (map, scale, label) = self.scale();
        let ticks = match self.view {
            HeatmapView::Counts => scale.ticks(false),
            HeatmapView::Shares | HeatmapView::Errors => scale.ticks(true),
        };
        let bar = (left + side + GAP as i32, top, side);
        draw_colour_bar(root, (map, scale), &ticks, label, bar)
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
        let tick = style::text(TICK_SIZE);
        let under = if self.rotate_x_labels() {
            tick.transform(FontTransform::Rotate90)
                .pos(Pos::new(HPos::Center, VPos::Top))
        } else {
            tick.pos(Pos::new(HPos::Center, VPos::Top))
        };
        for (i, name) in self.matrix.class_names().iter().enumerate() {
            let c = i as i32 * cell + cell / 2;
            let beside = tick.pos(Pos::new(HPos::Right, VPos::Center));
            root.draw_text(name, &beside, (left - 8, top + c))
                .map_err(plot_err)?;
            root.draw_text(name, &under, (left + c, top + side + 8))
                .map_err(plot_err)?;
        }
        Ok(())
    }
}
