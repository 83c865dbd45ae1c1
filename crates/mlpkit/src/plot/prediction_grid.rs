//! Examples side by side with what the network thought of them: each image, titled
//! "true → predicted", next to its class probabilities.

use candle_core::Tensor;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::figure::{Figure, Plot};
use super::image_grid::ImageGrid;
use super::probability_bars::ProbabilityBars;
use crate::error::{Error, Result};
use crate::predictions::Predictions;

/// A grid of examples, two per row by default: the image, titled with its true class and
/// (when wrong) the predicted one, and its probability bars coloured and explained by a
/// legend. Made for the examples [`Predictions::misclassified`] and
/// [`Predictions::hesitant`] pick.
#[derive(Debug, Clone)]
pub struct PredictionGrid {
    examples: Vec<(ImageGrid, ProbabilityBars)>,
    cols: usize,
}

/// One example's cell: the image's part and the bars' part, in pixels.
const IMAGE_W: u32 = 150;
const BARS_W: u32 = 340;
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
            let bars = ProbabilityBars::of(predictions, i, &names)?.numbered(true);
            let (truth, predicted) = (predictions.truth(i)? as usize, bars.predicted());
            let name = |c: usize| names.get(c).cloned().unwrap_or_else(|| c.to_string());
            let title = if truth == predicted {
                name(truth)
            } else {
                format!("{} → {}", name(truth), name(predicted))
            };
            let caption = format!(
                "{:.0}% {}{}",
                100.0 * bars.probabilities[predicted],
                name(predicted),
                if truth == predicted { "" } else { " (wrong)" }
            );
            let image = ImageGrid::new(&images.narrow(0, i, 1)?)?
                .titles([title])
                .zoom(4);
            examples.push((image, bars.title(caption)));
        }
        Ok(Self { examples, cols: 2 })
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
    super::figure::compiled_here!();

    fn default_size(&self) -> (u32, u32) {
        let rows = self.examples.len().div_ceil(self.cols) as u32;
        (self.cols as u32 * (IMAGE_W + BARS_W), rows * CELL_H)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let rows = self.examples.len().div_ceil(self.cols);
        let cells = root.split_evenly((rows, self.cols));
        for ((image, bars), cell) in self.examples.iter().zip(&cells) {
            let (width, _) = cell.dim_in_pixel();
            let image_w = (width * IMAGE_W / (IMAGE_W + BARS_W)) as i32;
            let (left, right) = cell.split_horizontally(image_w);
            // The image's tile is 112 pixels wide: centre it in its part, a little down.
            let (tile_w, _) = image.default_size();
            let pad = ((image_w - tile_w as i32) / 2).max(0);
            image.draw(&left.margin(20, 0, pad, 0))?;
            bars.draw(&right)?;
        }
        Ok(())
    }
}
