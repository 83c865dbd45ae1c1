//! [`Figure`]: a picture that renders to PNG or SVG, saves itself, and shows itself inline
//! in a notebook.

use std::io::Cursor;
use std::path::Path;

use base64::Engine as _;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::typeset::Typeset;
use crate::error::{Error, Result};
use crate::files;

/// Something that can be drawn on a plotters drawing area of its preferred size.
///
/// Only `default_size` and `draw` are needed. `render_rgb` and `render_svg` draw through
/// `draw` by default; this crate's own plots override them with [`compiled_here!`] so that
/// their drawing code is compiled once, into this crate. Generic code is otherwise compiled
/// again by every crate that uses it, and in a notebook every cell is such a crate: a cell
/// showing a figure would spend a second or more compiling plotters' drawing code.
pub trait Plot {
    /// Default size in pixels, `(width, height)`.
    fn default_size(&self) -> (u32, u32);
    /// Draws onto `root`, which has the figure's size.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>;
    /// Draws onto a white RGB image of `width` × `height` pixels.
    fn render_rgb(&self, width: u32, height: u32) -> Result<image::RgbImage>
    where
        Self: Sized,
    {
        render_rgb(self, width, height)
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
        fn render_rgb(&self, width: u32, height: u32) -> $crate::Result<image::RgbImage> {
            $crate::plot::figure::render_rgb(self, width, height)
        }
        fn render_svg(&self, width: u32, height: u32) -> $crate::Result<String> {
            $crate::plot::figure::render_svg(self, width, height)
        }
    };
}
pub(crate) use compiled_here;

/// The largest figure side, in pixels, and the most pixels a figure may have (an image of
/// 20,000 × 20,000 takes 1.2 GB; anything larger is a mistake, not a figure).
pub const MAX_SIDE: u32 = 20_000;
pub const MAX_PIXELS: u64 = 400_000_000;

/// An error unless `width` × `height` is a size a figure can be rendered at.
fn check_size(width: u32, height: u32) -> Result<usize> {
    let pixels = width as u64 * height as u64;
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE || pixels > MAX_PIXELS {
        return Err(Error::Plot(format!(
            "a figure of {width} × {height} pixels cannot be drawn: each side must be between 1 \
             and {MAX_SIDE} pixels and the whole at most {MAX_PIXELS} pixels; choose a smaller \
             `size` or `zoom`"
        )));
    }
    Ok(pixels as usize)
}

/// Draws `plot` onto a white RGB image.
pub fn render_rgb<P: Plot>(plot: &P, width: u32, height: u32) -> Result<image::RgbImage> {
    let pixels = check_size(width, height)?;
    super::fonts::ensure_registered();
    let mut buffer = Vec::new();
    buffer
        .try_reserve_exact(pixels * 3)
        .map_err(|_| Error::OutOfMemory {
            what: format!("a {width} × {height} figure"),
            bytes: pixels * 3,
        })?;
    buffer.resize(pixels * 3, 0u8);
    {
        let root = Typeset::raster(BitMapBackend::with_buffer(&mut buffer, (width, height)))
            .into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        plot.draw(&root)?;
        root.present().map_err(plot_err)?;
    }
    image::RgbImage::from_raw(width, height, buffer)
        .ok_or_else(|| Error::Plot("the rendered buffer has the wrong size".into()))
}

/// Draws `plot` into an SVG document on a white background.
pub fn render_svg<P: Plot>(plot: &P, width: u32, height: u32) -> Result<String> {
    check_size(width, height)?;
    super::fonts::ensure_registered();
    let mut out = String::new();
    {
        let root =
            Typeset::vector(SVGBackend::with_string(&mut out, (width, height))).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        plot.draw(&root)?;
        root.present().map_err(plot_err)?;
    }
    Ok(out)
}

/// PNG bytes of an image.
pub fn encode_png(image: &image::RgbImage) -> Result<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| Error::Plot(format!("cannot encode the PNG: {e}")))?;
    Ok(out.into_inner())
}

/// Prints PNG bytes in the form evcxr shows as an image, or the error in words.
pub fn show_png(png: Result<Vec<u8>>) {
    match png {
        Ok(png) => println!(
            "EVCXR_BEGIN_CONTENT image/png\n{}\nEVCXR_END_CONTENT",
            base64::engine::general_purpose::STANDARD.encode(png)
        ),
        Err(e) => println!("could not draw the figure: {e}"),
    }
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
}

impl<P: Plot> Figure<P> {
    /// A figure of `plot` at its own default size.
    pub fn new(plot: P) -> Self {
        let (width, height) = plot.default_size();
        Self {
            plot,
            width,
            height,
        }
    }

    /// Changes the size in pixels (at least 50 on each side; rendering fails with an error
    /// above [`MAX_SIDE`]).
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width.max(50);
        self.height = height.max(50);
        self
    }

    /// Renders to an RGB image.
    pub fn to_rgb(&self) -> Result<image::RgbImage> {
        self.plot.render_rgb(self.width, self.height)
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
                )))
            }
        };
        files::write_bytes(path, &bytes)
    }

    /// Shows the figure as a PNG image when it is the value of a notebook cell (evcxr).
    pub fn evcxr_display(&self) {
        show_png(self.png())
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
