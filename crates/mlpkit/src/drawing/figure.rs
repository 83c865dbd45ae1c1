//! [`Figure`]: a picture that renders to PNG or SVG, saves itself, and shows itself inline
//! in a notebook.
//!
//! A figure has a size in figure pixels, the size it is shown at. Its PNG has
//! [`Figure::resolution`] pixels per figure pixel (2 by default, so it is sharp on a
//! high-resolution screen), each the average of 3 × 3 drawn pixels (so lines, markers and
//! text have smooth edges); in a notebook the PNG is shown at the figure's size. SVG is drawn
//! at the figure's size, in vectors.

use std::io::Cursor;
use std::path::Path;

use base64::Engine as _;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::Canvas;
use crate::error::{Error, Result};
use crate::files;

/// Something that can be drawn on a plotters drawing area of its preferred size.
///
/// Only `default_size` and `draw` are needed. `render_rgb` and `render_svg` draw through
/// `draw` by default; this crate's own plots override them with `compiled_here!` so that
/// their drawing code is compiled once, into this crate. Generic code is otherwise compiled
/// again by every crate that uses it, and in a notebook every cell is such a crate: a cell
/// showing a figure would spend a second or more compiling plotters' drawing code.
pub trait Plot {
    /// Default size in pixels, `(width, height)`.
    fn default_size(&self) -> (u32, u32);
    /// Draws onto `root`, which has the figure's size.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>;
    /// Draws onto a white RGB image of a `width` × `height` figure, `scale` pixels per figure
    /// pixel.
    fn render_rgb(&self, width: u32, height: u32, scale: u32) -> Result<image::RgbImage>
    where
        Self: Sized,
    {
        render_rgb(self, width, height, scale)
    }
    /// Draws into an SVG document of `width` × `height` pixels.
    fn render_svg(&self, width: u32, height: u32) -> Result<String>
    where
        Self: Sized,
    {
        render_svg(self, width, height)
    }
}

/// Overrides [`Plot::render_rgb`] and [`Plot::render_svg`] inside an `impl Plot` block with
/// non-generic methods, so that they are compiled in this crate (see [`Plot`]).
macro_rules! compiled_here {
    () => {
        fn render_rgb(
            &self,
            width: u32,
            height: u32,
            scale: u32,
        ) -> $crate::Result<image::RgbImage> {
            $crate::drawing::figure::render_rgb(self, width, height, scale)
        }
        fn render_svg(&self, width: u32, height: u32) -> $crate::Result<String> {
            $crate::drawing::figure::render_svg(self, width, height)
        }
    };
}
pub(crate) use compiled_here;

/// The largest figure side, in figure pixels, and the most pixels a rendered image may have
/// (an image of 20,000 × 20,000 takes 1.2 GB; anything larger is a mistake, not a figure).
pub const MAX_SIDE: u32 = 20_000;
/// See [`MAX_SIDE`].
pub const MAX_PIXELS: u64 = 400_000_000;

/// PNG pixels per figure pixel, unless a figure says otherwise ([`Figure::resolution`]).
pub const RESOLUTION: u32 = 2;
/// Each PNG pixel is the average of `SUPERSAMPLE × SUPERSAMPLE` drawn pixels: the
/// anti-aliasing of every line, marker and edge.
const SUPERSAMPLE: u32 = 3;

/// An error unless a `width` × `height` figure drawn at `scale` pixels per figure pixel is
/// a size a figure can be rendered at; the number of pixels drawn otherwise.
fn check_size(width: u32, height: u32, scale: u32) -> Result<usize> {
    let pixels = width as u64 * height as u64 * (scale as u64).pow(2);
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE || pixels > MAX_PIXELS {
        return Err(Error::Plot(format!(
            "a figure of {width} × {height} pixels cannot be drawn: each side must be between 1 \
             and {MAX_SIDE} pixels and the image at most {MAX_PIXELS} pixels; choose a smaller \
             `size`, `zoom` or `resolution`"
        )));
    }
    Ok(pixels as usize)
}

/// Draws `plot` onto a white RGB image of `width × scale` by `height × scale` pixels: drawn
/// at `SUPERSAMPLE` times that, then averaged down.
pub fn render_rgb<P: Plot>(
    plot: &P,
    width: u32,
    height: u32,
    scale: u32,
) -> Result<image::RgbImage> {
    let drawn = scale.max(1) * SUPERSAMPLE;
    let pixels = check_size(width, height, drawn)?;
    super::fonts::ensure_registered();
    let mut buffer = Vec::new();
    buffer
        .try_reserve_exact(pixels * 3)
        .map_err(|_| Error::OutOfMemory {
            what: format!("a {width} × {height} figure"),
            bytes: pixels * 3,
        })?;
    buffer.resize(pixels * 3, 0u8);
    let (w, h) = (width * drawn, height * drawn);
    {
        let root = Canvas::raster(BitMapBackend::with_buffer(&mut buffer, (w, h)), drawn)
            .into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        plot.draw(&root)?;
        root.present().map_err(plot_err)?;
    }
    let big = image::RgbImage::from_raw(w, h, buffer)
        .ok_or_else(|| Error::Plot("the rendered buffer has the wrong size".into()))?;
    Ok(average_down(&big, SUPERSAMPLE))
}

/// Each `n` × `n` block of `image` averaged into one pixel.
fn average_down(image: &image::RgbImage, n: u32) -> image::RgbImage {
    let (w, h) = (image.width() / n, image.height() / n);
    let src = image.as_raw();
    let stride = image.width() as usize * 3;
    let mut out = vec![0u8; (w * h * 3) as usize];
    let n = n as usize;
    for (y, row) in out.chunks_exact_mut(w as usize * 3).enumerate() {
        for (x, px) in row.chunks_exact_mut(3).enumerate() {
            let mut sum = [0u32; 3];
            for dy in 0..n {
                let at = (y * n + dy) * stride + x * n * 3;
                for p in src[at..at + n * 3].chunks_exact(3) {
                    sum.iter_mut().zip(p).for_each(|(s, &v)| *s += u32::from(v));
                }
            }
            let area = (n * n) as u32;
            px.iter_mut()
                .zip(sum)
                .for_each(|(p, s)| *p = ((s + area / 2) / area) as u8);
        }
    }
    image::RgbImage::from_raw(w, h, out).expect("w × h pixels of 3 bytes")
}

/// Draws `plot` into an SVG document on a white background.
pub fn render_svg<P: Plot>(plot: &P, width: u32, height: u32) -> Result<String> {
    check_size(width, height, 1)?;
    super::fonts::ensure_registered();
    let mut out = String::new();
    {
        let root =
            Canvas::vector(SVGBackend::with_string(&mut out, (width, height))).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        plot.draw(&root)?;
        root.present().map_err(plot_err)?;
    }
    Ok(out)
}

/// PNG bytes of an image.
pub fn encode_png(image: &image::RgbImage) -> Result<Vec<u8>> {
    use image::codecs::png::{FilterType, PngEncoder};
    let mut out = Cursor::new(Vec::new());
    // The best compression: figures are saved in notebooks and shown in pages. Measured with
    // `examples/figures.rs`, it makes the files 35-75 % smaller than the default for 50-150 ms
    // more per figure.
    let encoder = PngEncoder::new_with_quality(&mut out, COMPRESSION, FilterType::Adaptive);
    image
        .write_with_encoder(encoder)
        .map_err(|e| Error::Plot(format!("cannot encode the PNG: {e}")))?;
    Ok(out.into_inner())
}

/// How hard PNG encoding compresses.
const COMPRESSION: image::codecs::png::CompressionType = image::codecs::png::CompressionType::Best;

/// The MIME type under which the workspace's kernel takes a cell's output metadata (it is
/// not shown; `kernel/README.md`).
pub const METADATA_MIME: &str = "application/x-evcxr-metadata+json";

/// What a notebook is told about a PNG: the size, in screen pixels, to show it at.
pub fn png_metadata(width: u32, height: u32) -> String {
    format!("{{\"image/png\": {{\"width\": {width}, \"height\": {height}}}}}")
}

/// What a notebook cell prints to show PNG bytes as an image of `width` × `height` screen
/// pixels: evcxr's content blocks for the image and for its size (which the workspace's
/// kernel passes on as the output's metadata). For an error, the error in words.
pub fn notebook_output(png: Result<Vec<u8>>, width: u32, height: u32) -> String {
    match png {
        Ok(png) => format!(
            "EVCXR_BEGIN_CONTENT image/png\n{}\nEVCXR_END_CONTENT\n\
             EVCXR_BEGIN_CONTENT {METADATA_MIME}\n{}\nEVCXR_END_CONTENT",
            base64::engine::general_purpose::STANDARD.encode(png),
            png_metadata(width, height)
        ),
        Err(e) => format!("could not draw the figure: {e}"),
    }
}

/// Prints [`notebook_output`].
pub fn show_png(png: Result<Vec<u8>>, width: u32, height: u32) {
    println!("{}", notebook_output(png, width, height));
}

/// A figure: one of the crate's plots with its size.
///
/// - `figure.png()` / `figure.svg()` render it;
/// - `figure.save("curves.png")` or `.svg` writes it (atomically);
/// - as the value of a notebook cell, it shows as a PNG image.
#[derive(Clone)]
pub struct Figure<P: Plot> {
    /// What is drawn.
    pub plot: P,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// PNG pixels per figure pixel (see [`Figure::resolution`]).
    pub resolution: u32,
}

impl<P: Plot> Figure<P> {
    /// A figure of `plot` at its own default size.
    pub fn new(plot: P) -> Self {
        let (width, height) = plot.default_size();
        Self {
            plot,
            width,
            height,
            resolution: RESOLUTION,
        }
    }

    /// PNG pixels per figure pixel, from 1 to 4 (2 by default: sharp on high-resolution
    /// screens; a notebook shows the PNG at the figure's size whatever its resolution).
    pub fn resolution(mut self, pixels: u32) -> Self {
        self.resolution = pixels.clamp(1, 4);
        self
    }

    /// Changes the size in pixels (at least 50 on each side; rendering fails with an error
    /// above `MAX_SIDE`).
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width.max(50);
        self.height = height.max(50);
        self
    }

    /// Renders to an RGB image of `resolution` pixels per figure pixel.
    pub fn to_rgb(&self) -> Result<image::RgbImage> {
        self.plot
            .render_rgb(self.width, self.height, self.resolution)
    }

    /// Renders to PNG bytes.
    pub fn png(&self) -> Result<Vec<u8>> {
        encode_png(&self.to_rgb()?)
    }

    /// Renders to an SVG document.
    pub fn svg(&self) -> Result<String> {
        self.plot.render_svg(self.width, self.height)
    }

    /// Writes the figure as PNG or SVG, chosen by the file's extension. The file is replaced
    /// atomically: an interrupted save never leaves a damaged picture.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let bytes = match ext.as_deref() {
            Some("png") => self.png()?,
            Some("svg") => self.svg()?.into_bytes(),
            _ => {
                return Err(Error::InvalidArgument(format!(
                    "cannot save `{}`: give the file a .png or .svg extension",
                    path.display()
                )));
            }
        };
        files::write_bytes(path, &bytes)
    }

    /// Shows the figure as a PNG image when it is the value of a notebook cell (evcxr), at
    /// its size in figure pixels.
    pub fn evcxr_display(&self) {
        show_png(self.png(), self.width, self.height)
    }

    /// What [`Figure::evcxr_display`] prints.
    pub fn notebook_output(&self) -> String {
        notebook_output(self.png(), self.width, self.height)
    }
}

/// A short description (the plot's data can be large): `Figure<ImageGrid> 780x356`.
impl<P: Plot> std::fmt::Debug for Figure<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = std::any::type_name::<P>()
            .rsplit("::")
            .next()
            .unwrap_or("plot");
        write!(f, "Figure<{name}> {}x{}", self.width, self.height)
    }
}

/// Converts a plotters drawing error.
pub(crate) fn plot_err<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> Error {
    Error::Plot(e.to_string())
}
