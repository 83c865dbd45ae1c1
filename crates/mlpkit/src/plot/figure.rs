//! [`Figure`]: a picture that renders to PNG or SVG, saves itself, and shows itself inline
//! in a notebook.

use std::io::Cursor;
use std::path::Path;

use base64::Engine as _;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::atomic;
use crate::error::{Error, Result};

/// Something that can be drawn on a plotters drawing area of its preferred size.
pub trait Plot {
    /// Default size in pixels, `(width, height)`.
    fn default_size(&self) -> (u32, u32);
    /// Draws onto `root`, which has the figure's size.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>;
}

/// A figure: one of the crate's plots with its size.
///
/// - `figure.png()` / `figure.svg()` render it;
/// - `figure.save("curves.png")` or `.svg` writes it (atomically);
/// - as the value of a notebook cell, it shows as a PNG image.
#[derive(Clone)]
pub struct Figure<P: Plot> {
    pub plot: P,
    pub width: u32,
    pub height: u32,
}

impl<P: Plot> Figure<P> {
    pub fn new(plot: P) -> Self {
        let (width, height) = plot.default_size();
        Self {
            plot,
            width,
            height,
        }
    }

    /// Changes the size in pixels.
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width.max(50);
        self.height = height.max(50);
        self
    }

    /// Renders to an RGB image.
    pub fn to_rgb(&self) -> Result<image::RgbImage> {
        super::fonts::ensure_registered();
        let mut buffer = vec![0u8; (self.width * self.height * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut buffer, (self.width, self.height))
                .into_drawing_area();
            root.fill(&WHITE).map_err(plot_err)?;
            self.plot.draw(&root)?;
            root.present().map_err(plot_err)?;
        }
        image::RgbImage::from_raw(self.width, self.height, buffer)
            .ok_or_else(|| Error::Plot("the rendered buffer has the wrong size".into()))
    }

    /// Renders to PNG bytes.
    pub fn png(&self) -> Result<Vec<u8>> {
        let mut out = Cursor::new(Vec::new());
        self.to_rgb()?
            .write_to(&mut out, image::ImageFormat::Png)
            .map_err(|e| Error::Plot(format!("cannot encode the PNG: {e}")))?;
        Ok(out.into_inner())
    }

    /// Renders to an SVG document.
    pub fn svg(&self) -> Result<String> {
        super::fonts::ensure_registered();
        let mut out = String::new();
        {
            let root =
                SVGBackend::with_string(&mut out, (self.width, self.height)).into_drawing_area();
            root.fill(&WHITE).map_err(plot_err)?;
            self.plot.draw(&root)?;
            root.present().map_err(plot_err)?;
        }
        Ok(out)
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
        atomic::write_bytes(path, &bytes)
    }

    /// Shows the figure as a PNG image when it is the value of a notebook cell (evcxr).
    pub fn evcxr_display(&self) {
        match self.png() {
            Ok(png) => println!(
                "EVCXR_BEGIN_CONTENT image/png\n{}\nEVCXR_END_CONTENT",
                base64::engine::general_purpose::STANDARD.encode(png)
            ),
            Err(e) => println!("could not draw the figure: {e}"),
        }
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
