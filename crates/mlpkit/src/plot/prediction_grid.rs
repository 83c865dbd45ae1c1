//! Examples side by side with what the network thought of them: each image next to its
//! class probabilities, captioned the way a person would say it ("true 3 → 5, 38 %").

use candle_core::Tensor;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::probability_bars::{CAPTION, LEGEND, ProbabilityBars, draw_legend};
use crate::drawing::figure::{Figure, Plot};
use crate::drawing::image_grid::ImageGrid;
use crate::error::{Error, Result};
use crate::predictions::Predictions;

/// A grid of examples, two per row by default: the image, and its probability bars under a
/// caption naming the answer, its probability and (when wrong) the true class, coloured and
/// explained by a legend; the classes by name under the bars. A last row that is not full is
/// centred. Made for the examples [`Predictions::misclassified`] and
/// [`Predictions::hesitant`] pick.
#[derive(Debug, Clone)]
pub struct PredictionGrid {
    examples: Vec<(ImageGrid, ProbabilityBars)>,
    cols: usize,
    /// Height of each cell: taller when the class names are written downwards.
    cell_h: u32,
}

/// One example's cell: the image's part and the bars' part, in pixels.
const IMAGE_W: u32 = 150;
const BARS_W: u32 = 330; // two examples side by side make 960, a notebook column
const CELL_H: u32 = 250;

impl PredictionGrid {
    /// Examples `indices` of `images` (the images the predictions were made on, in any shape
    /// [`ImageGrid::new`] takes), with their probabilities from `predictions`.
    pub fn new<S: ToString>(
        images: &Tensor,
        predictions: &Predictions,
        indices: &[usize],
        class_names: &[S],
    ) -> Result<Self> {
        if indices.is_empty() {
            return Err(Error::InvalidArgument(
                "PredictionGrid: no example to show (the list of indices is empty)".into(),
            ));
        }
        let n = images.dims().first().copied().unwrap_or(0);
        if n != predictions.len() {
            return Err(Error::Mismatch(format!(
                "PredictionGrid: {n} images but {} predictions; pass the images the predictions \
                 were made on",
                predictions.len()
            )));
        }
        let names: Vec<String> = class_names.iter().map(|s| s.to_string()).collect();
        let mut examples = Vec::with_capacity(indices.len());
        for &i in indices {
            let mut bars = ProbabilityBars::of(predictions, i, &names)?;
            bars.show_legend = false; // the grid draws one legend for all its examples
            let image = ImageGrid::new(&images.narrow(0, i, 1)?)?.zoom(4);
            examples.push((image, bars));
        }
        let font = crate::drawing::fonts::font_for(&FontFamily::SansSerif);
        let widest = names
            .iter()
            .map(|n| {
                crate::drawing::typeset::layout(font, crate::drawing::style::TICK_SIZE as f32, n)
                    .width
            })
            .fold(0.0f32, f32::max);
        // Names wider than a bar's room (about 30 pixels) are written downwards under it.
        let cell_h = CELL_H + if widest > 26.0 { widest as u32 } else { 0 };
        Ok(Self {
            examples,
            cols: 2,
            cell_h,
        })
    }

    /// Dark ink on white for every image (Fashion-MNIST reads better so).
    pub fn inverted(mut self, inverted: bool) -> Self {
        for (image, _) in &mut self.examples {
            *image = image.clone().inverted(inverted);
        }
        self
    }

    /// Examples per row (2 by default).
    pub fn cols(mut self, cols: usize) -> Self {
        self.cols = cols.clamp(1, 8);
        self
    }

    /// The grid as a figure.
    pub fn figure(self) -> Figure<Self> {
        Figure::new(self)
    }
}

impl Plot for PredictionGrid {
    crate::drawing::figure::compiled_here!();

    fn default_size(&self) -> (u32, u32) {
        let rows = self.examples.len().div_ceil(self.cols) as u32;
        (
            self.cols as u32 * (IMAGE_W + BARS_W),
            LEGEND as u32 + 8 + rows * self.cell_h,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        // One legend for the whole grid, with every entry some example needs, in order.
        let mut entries = Vec::new();
        for (_, bars) in &self.examples {
            for entry in bars.legend() {
                if !entries.contains(&entry) {
                    entries.push(entry);
                }
            }
        }
        draw_legend(root, &entries, LEGEND / 2 + 4)?;
        let root = root.margin(LEGEND as u32 + 8, 0, 0, 0);
        let (cell_w, cell_h) = ((IMAGE_W + BARS_W) as i32, self.cell_h as i32);
        let n = self.examples.len();
        for (k, (image, bars)) in self.examples.iter().enumerate() {
            let (row, col) = (k / self.cols, k % self.cols);
            // The last row, when not full, is centred.
            let in_row = self.cols.min(n - row * self.cols) as i32;
            let indent = (self.cols as i32 - in_row) * cell_w / 2;
            let (x, y) = (indent + col as i32 * cell_w, row as i32 * cell_h);
            let cell = root.clone().shrink((x, y), (cell_w as u32, cell_h as u32));
            let (left, right) = cell.split_horizontally(IMAGE_W as i32);
            // The image's tile is 112 pixels wide: centre it in its part, level with the bars.
            let (tile_w, _) = image.default_size();
            let pad = ((IMAGE_W as i32 - tile_w as i32) / 2).max(0);
            image.draw(&left.margin(CAPTION as u32 + 4, 0, pad as u32, 0))?;
            bars.draw(&right)?;
        }
        Ok(())
    }
}
