//! A grid of small images with optional titles: samples of each class, predictions,
//! misclassified examples, and the first layer's weights seen as pictures.

use candle_core::{DType, Tensor};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::colormap::Colormap;
use super::colour_bar::{BAR_WIDTH, ColourScale, LABELS_WIDTH, draw_colour_bar};
use super::figure::{Figure, Plot, plot_err};
use super::style::{self, TICK_SIZE, TITLE_SIZE};
use crate::error::{Error, Result};

/// Images in rows and columns.
#[derive(Debug, Clone)]
pub struct ImageGrid {
    /// Each image's values, row-major, already mapped to the colour map's range.
    images: Vec<Vec<f32>>,
    height_px: usize,
    width_px: usize,
    rows: usize,
    cols: usize,
    titles: Vec<String>,
    title: Option<String>,
    colormap: Colormap,
    /// Pixels per image pixel: at most this, fewer when the grid would be wider than
    /// [`MAX_WIDTH`], unless set with [`ImageGrid::zoom`].
    zoom: u32,
    /// Whether `zoom` was asked for, and is kept however wide the grid becomes.
    zoom_set: bool,
    /// A colour bar beside the tiles for signed values (the weights), with its label.
    key: Option<String>,
}

const GAP: u32 = 16;
/// The widest a grid is drawn by default, in pixels: a notebook's column, where a wider figure
/// is scaled down and its text with it.
pub const MAX_WIDTH: u32 = 960;
/// Columns of a grid unless `shape` says otherwise: ten images make two rows of five, each
/// large enough to read when a notebook viewer scales the figure down.
const COLUMNS: usize = 5;
const TILE_TITLE: u32 = 22;
const TITLE: u32 = 34;

impl ImageGrid {
    /// A grid of `images`: `(n, h, w)`, or `(n, 784)` read as 28×28. Raw `u8` pixels are shown
    /// on the 0–255 scale; floating-point images are stretched from their minimum to their
    /// maximum (so scaled or standardised inputs show as they were). Five columns at most by
    /// default, in as many rows as needed.
    pub fn new(images: &Tensor) -> Result<Self> {
        let (n, h, w) = match images.dims() {
            &[n, h, w] => (n, h, w),
            &[n, 784] => (n, 28, 28),
            other => {
                return Err(Error::shape(
                    "ImageGrid",
                    "images (n, height, width) or (n, 784)",
                    other,
                ));
            }
        };
        if n == 0 {
            return Err(Error::InvalidArgument(
                "ImageGrid needs at least one image".into(),
            ));
        }
        let values = images
            .to_dtype(DType::F32)?
            .reshape((n, h * w))?
            .to_vec2::<f32>()?;
        let (lo, hi) = if images.dtype() == DType::U8 {
            (0.0, 255.0)
        } else {
            let lo = values
                .iter()
                .flatten()
                .fold(f32::INFINITY, |a, &b| a.min(b));
            let hi = values
                .iter()
                .flatten()
                .fold(f32::NEG_INFINITY, |a, &b| a.max(b));
            (lo, if hi > lo { hi } else { lo + 1.0 })
        };
        let images = values
            .into_iter()
            .map(|img| img.into_iter().map(|v| (v - lo) / (hi - lo)).collect())
            .collect();
        let cols = n.min(COLUMNS);
        Ok(Self {
            images,
            height_px: h,
            width_px: w,
            rows: n.div_ceil(cols),
            cols,
            titles: Vec::new(),
            title: None,
            colormap: Colormap::Grey,
            zoom: 4,
            zoom_set: false,
            key: None,
        })
    }

    /// Each column of a first-layer kernel `(784, units)` as a 28×28 picture of what that
    /// unit responds to: red where a bright pixel raises its input, blue where it lowers it.
    /// Each tile is scaled by its own largest absolute weight, as the colour bar beside the
    /// tiles says. Shows the first `max_units`.
    pub fn weights(kernel: &Tensor, max_units: usize) -> Result<Self> {
        let &[inputs, units] = kernel.dims() else {
            return Err(Error::shape(
                "ImageGrid::weights",
                "a kernel (784, units)",
                kernel.dims(),
            ));
        };
        if inputs != 784 {
            return Err(Error::shape(
                "ImageGrid::weights",
                "a first-layer kernel with 784 inputs",
                kernel.dims(),
            ));
        }
        if units == 0 {
            return Err(Error::shape(
                "ImageGrid::weights",
                "a kernel with at least one unit",
                kernel.dims(),
            ));
        }
        let shown = units.min(max_units.max(1));
        let columns = kernel
            .to_dtype(DType::F32)?
            .t()?
            .narrow(0, 0, shown)?
            .to_vec2::<f32>()?;
        let images: Vec<Vec<f32>> = columns
            .into_iter()
            .map(|w| {
                let m = w
                    .iter()
                    .fold(0f32, |a, &b| a.max(b.abs()))
                    .max(f32::MIN_POSITIVE);
                w.into_iter().map(|v| v / m).collect()
            })
            .collect();
        let cols = shown.min(8);
        Ok(Self {
            images,
            height_px: 28,
            width_px: 28,
            rows: shown.div_ceil(cols),
            cols,
            titles: (0..shown).map(|i| format!("unit {i}")).collect(),
            title: None,
            colormap: Colormap::Diverging,
            zoom: 4,
            zoom_set: false,
            key: Some("weight ÷ tile's largest".into()),
        })
    }

    /// Lays the images out in `rows` × `cols` (extra images are left out).
    pub fn shape(mut self, rows: usize, cols: usize) -> Self {
        self.rows = rows.max(1);
        self.cols = cols.max(1);
        self
    }

    /// One title per image, shown above it ("7", "Coat", "True: 7, Pred: 2").
    pub fn titles<S: ToString>(mut self, titles: impl IntoIterator<Item = S>) -> Self {
        self.titles = titles.into_iter().map(|s| s.to_string()).collect();
        self
    }

    /// A title over the whole grid.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Dark ink on white instead of white on black.
    pub fn inverted(mut self, inverted: bool) -> Self {
        self.colormap = if inverted {
            Colormap::InvertedGrey
        } else {
            Colormap::Grey
        };
        self
    }

    /// Sets the colour map.
    pub fn colormap(mut self, colormap: Colormap) -> Self {
        self.colormap = colormap;
        self
    }

    /// The label of the colour bar beside signed tiles (by default, for
    /// [`ImageGrid::weights`], "weight ÷ tile's largest"; say "change ÷ tile's largest" for a
    /// grid of changes in weight). Keep it short: it runs along the bar.
    pub fn key(mut self, label: impl Into<String>) -> Self {
        if self.key.is_some() {
            self.key = Some(label.into());
        }
        self
    }

    /// Screen pixels per image pixel (by default 4, a 28×28 digit drawn 112×112, or the
    /// largest whole number below that keeps the grid within [`MAX_WIDTH`]).
    pub fn zoom(mut self, zoom: u32) -> Self {
        self.zoom = zoom.max(1);
        self.zoom_set = true;
        self
    }

    /// The zoom the grid is drawn at: the one asked for, or the largest up to the default
    /// that fits [`MAX_WIDTH`] (whole numbers only, so that every image pixel stays a square
    /// of equal screen pixels).
    fn drawn_zoom(&self) -> u32 {
        if self.zoom_set {
            return self.zoom;
        }
        let key = if self.key.is_some() { KEY_WIDTH } else { 0 };
        let width = |z: u32| {
            sat(self.cols)
                .saturating_mul(sat(self.width_px).saturating_mul(z).saturating_add(GAP))
                .saturating_add(key)
        };
        (1..=self.zoom)
            .rev()
            .find(|&z| width(z) <= MAX_WIDTH)
            .unwrap_or(1)
    }

    /// The grid as a [`Figure`].
    pub fn figure(self) -> Figure<Self> {
        Figure::new(self)
    }

    fn tile_title_height(&self) -> u32 {
        if self.titles.is_empty() {
            0
        } else {
            TILE_TITLE
        }
    }

    fn title_height(&self) -> u32 {
        if self.title.is_some() { TITLE } else { 0 }
    }

    /// Top-left corner, in pixels, of the image in cell `(row, col)` (saturating at
    /// `u32::MAX` for sizes far beyond what can be drawn).
    pub fn tile_origin(&self, row: usize, col: usize) -> (u32, u32) {
        let (tile_w, tile_h) = self.tile_size();
        let x = sat(col)
            .saturating_mul(tile_w.saturating_add(GAP))
            .saturating_add(GAP / 2);
        let y = sat(row)
            .saturating_mul(tile_h.saturating_add(GAP + self.tile_title_height()))
            .saturating_add(self.title_height() + self.tile_title_height() + GAP / 2);
        (x, y)
    }

    fn tile_size(&self) -> (u32, u32) {
        (
            sat(self.width_px).saturating_mul(self.drawn_zoom()),
            sat(self.height_px).saturating_mul(self.drawn_zoom()),
        )
    }
}

/// `n` as a `u32`, or `u32::MAX` if it does not fit.
fn sat(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl ImageGrid {
    /// An error unless the fields agree with each other and every tile fits on the canvas.
    fn check(&self) -> Result<()> {
        let pixels = self.height_px.checked_mul(self.width_px);
        if let Some(i) = self.images.iter().position(|img| Some(img.len()) != pixels) {
            return Err(Error::Mismatch(format!(
                "ImageGrid: image {i} has {} values, but images are {} × {} pixels",
                self.images[i].len(),
                self.height_px,
                self.width_px
            )));
        }
        let shown = self.images.len().min(self.rows.saturating_mul(self.cols));
        if shown > 0 {
            let last = shown - 1;
            let (x, y) = self.tile_origin(last / self.cols, last % self.cols);
            let (tile_w, tile_h) = self.tile_size();
            // Drawing works in `i32` coordinates; tiles past the canvas are clipped.
            if x.saturating_add(tile_w) > i32::MAX as u32
                || y.saturating_add(tile_h) > i32::MAX as u32
            {
                return Err(Error::Plot(format!(
                    "ImageGrid: tiles of {tile_w} × {tile_h} pixels (zoom {}) are too large to draw",
                    self.zoom
                )));
            }
        }
        Ok(())
    }
}

/// Room for the colour bar of signed values, right of the tiles.
const KEY_WIDTH: u32 = 16 + BAR_WIDTH as u32 + LABELS_WIDTH as u32 + 30;

impl ImageGrid {
    /// The colour bar of signed values, right of the tiles, as tall as the tiles' rows.
    fn draw_key<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let Some(label) = &self.key else {
            return Ok(());
        };
        let (tile_w, _) = self.tile_size();
        let x = sat(self.cols).saturating_mul(tile_w.saturating_add(GAP)) as i32 + 8;
        let shown = self.images.len().min(self.rows * self.cols);
        let rows = shown.div_ceil(self.cols.max(1)).max(1);
        let (_, top) = self.tile_origin(0, 0);
        let (_, last) = self.tile_origin(rows - 1, 0);
        let bottom = last as i32 + self.tile_size().1 as i32;
        let scale = ColourScale::Symmetric { top: 1.0 };
        let ticks = scale.ticks(false);
        draw_colour_bar(
            root,
            (self.colormap, scale),
            &ticks,
            label,
            (x, top as i32, bottom - top as i32),
        )
    }
}

impl Plot for ImageGrid {
    super::figure::compiled_here!();

    fn default_size(&self) -> (u32, u32) {
        let (tile_w, tile_h) = self.tile_size();
        let key = if self.key.is_some() { KEY_WIDTH } else { 0 };
        let w = sat(self.cols)
            .saturating_mul(tile_w.saturating_add(GAP))
            .saturating_add(key);
        let h = sat(self.rows)
            .saturating_mul(tile_h.saturating_add(GAP + self.tile_title_height()))
            .saturating_add(self.title_height());
        (w, h)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (width, _) = root.dim_in_pixel();
        self.check()?;
        if let Some(title) = &self.title {
            let style = style::text(TITLE_SIZE).pos(Pos::new(HPos::Center, VPos::Center));
            root.draw_text(title, &style, ((width / 2) as i32, (TITLE / 2) as i32))
                .map_err(plot_err)?;
        }
        self.draw_key(root)?;
        let z = self.drawn_zoom() as i32;
        let title_style = style::text(TICK_SIZE).pos(Pos::new(HPos::Center, VPos::Bottom));
        for (i, image) in self.images.iter().take(self.rows * self.cols).enumerate() {
            let (row, col) = (i / self.cols, i % self.cols);
            let (x0, y0) = self.tile_origin(row, col);
            let (x0, y0) = (x0 as i32, y0 as i32);
            // One rectangle per run of equal colour in a row keeps SVG output small.
            for r in 0..self.height_px {
                let line = &image[r * self.width_px..(r + 1) * self.width_px];
                let mut c = 0;
                while c < self.width_px {
                    let color = self.colormap.color(line[c]);
                    let mut end = c + 1;
                    while end < self.width_px && self.colormap.color(line[end]) == color {
                        end += 1;
                    }
                    let (xa, ya) = (x0 + c as i32 * z, y0 + r as i32 * z);
                    let (xb, yb) = (x0 + end as i32 * z, y0 + (r as i32 + 1) * z);
                    root.draw(&Rectangle::new([(xa, ya), (xb, yb)], color.filled()))
                        .map_err(plot_err)?;
                    c = end;
                }
            }
            if let Some(t) = self.titles.get(i) {
                let cx = x0 + (self.width_px as i32 * z) / 2;
                root.draw_text(t, &title_style, (cx, y0 - 4))
                    .map_err(plot_err)?;
            }
        }
        Ok(())
    }
}
