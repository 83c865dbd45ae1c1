//! Digits from files: one picture file, or a folder of your own digits, made into MNIST images.

use std::path::Path;

use candle_core::Tensor;
use image::Luma;

use super::{Grey, mnist_digit, mnist_style, read_picture, stretch, to_grey, to_tensor};
use crate::data::Split;
use crate::error::{Error, Result};

/// [`mnist_digit`] of a picture file (PNG, JPEG or BMP): a `u8` tensor `(28, 28)`.
///
/// # Errors
/// [`Error::Io`] when the file cannot be opened or read; [`Error::BadFile`] when it is not
/// a PNG, JPEG or BMP picture; [`Error::InvalidArgument`] when it shows no ink (the message
/// names the file). Example: [`digits_in_folder`].
pub fn mnist_digit_file(path: impl AsRef<Path>) -> Result<Tensor> {
    let path = path.as_ref();
    mnist_digit(&read_picture(path)?).map_err(|e| match e {
        Error::InvalidArgument(why) => Error::InvalidArgument(format!(
            "`{}`: {why}",
            crate::files::shown_path(path).display()
        )),
        other => other,
    })
}

/// Pictures of digits read from a folder by [`digits_in_folder`]: each made into an MNIST image,
/// with the digit its file name starts with.
#[derive(Debug, Clone)]
pub struct DigitPictures {
    /// The pictures as MNIST images, `u8` `(n, 28, 28)`.
    pub images: Tensor,
    /// The digit each file's name starts with.
    pub labels: Vec<u32>,
    /// The files read, in order.
    pub files: Vec<String>,
    /// The files left out, each with why.
    pub skipped: Vec<String>,
    /// The pictures as they were found, in grey: each file scaled into a square of
    /// [`THUMBNAIL`] pixels by [`thumbnail`], `u8` `(n, 64, 64)` (dark ink stays dark), to show
    /// beside what the network receives.
    pub originals: Tensor,
}

impl DigitPictures {
    /// The pictures and their digits as a [`Split`], ready for `evaluate` or
    /// [`crate::predictions::Predictions::of_model`] (after the same preparation as the
    /// training images).
    ///
    /// # Errors
    /// Never for a `DigitPictures` made by [`digits_in_folder`]; the `Result` is
    /// [`Split::new`]'s.
    pub fn split(&self) -> Result<Split> {
        let labels = Tensor::new(self.labels.as_slice(), self.images.device())?;
        Split::new(self.images.clone(), labels)
    }
}

/// The side of [`DigitPictures::originals`], in pixels.
pub const THUMBNAIL: u32 = 64;

/// The picture file types [`digits_in_folder`] reads.
pub const PICTURE_EXTENSIONS: [&str; 4] = ["png", "jpg", "jpeg", "bmp"];

/// Every picture in `dir` (PNG, JPEG or BMP) whose file name starts with the digit it shows
/// (`3-mine.png`), made into an MNIST image by [`mnist_digit_file`], in file-name order.
///
/// Files that look meant for it but cannot be used (a picture whose name starts with no digit,
/// a file named for a digit that is not a PNG, JPEG or BMP, a picture with no ink) are left
/// out and listed in [`DigitPictures::skipped`] with the reason; other files (a `README.md`,
/// hidden files) are passed over without a word.
///
/// # Errors
/// [`Error::Io`] when the folder cannot be read (it does not exist, say);
/// [`Error::InvalidArgument`] when it holds no usable picture (the message says what to put
/// there, and why each file it saw was left out).
///
/// ```
/// use mlpkit::data::picture::{Grey, digits_in_folder, save_png};
/// let dir = tempfile::tempdir().unwrap();
/// // A "1": a dark bar on white paper, and a picture whose name does not say its digit.
/// let ink = |x: u32| if (13..17).contains(&x) { 0.0 } else { 1.0 };
/// let one = Grey::from_fn(30, 30, |x, _| image::Luma([ink(x)]));
/// save_png(&one, dir.path().join("1-bar.png"))?;
/// save_png(&one, dir.path().join("bar.png"))?;
/// let found = digits_in_folder(dir.path())?;
/// assert_eq!((found.labels.clone(), found.images.dims()), (vec![1], &[1, 28, 28][..]));
/// assert_eq!(found.skipped.len(), 1);                  // bar.png, with why
/// assert!(digits_in_folder(dir.path().join("none")).is_err());
/// # Ok::<(), mlpkit::Error>(())
/// ```
pub fn digits_in_folder(dir: impl AsRef<Path>) -> Result<DigitPictures> {
    let dir = dir.as_ref();
    let shown = crate::files::shown_path(dir);
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io("read the folder", dir, e))?;
    let mut paths: Vec<std::path::PathBuf> = entries
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .map_err(|e| Error::io("read the folder", dir, e))?;
    paths.sort();
    let (mut images, mut originals, mut labels, mut files, mut skipped) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for path in paths.iter().filter(|p| p.is_file()) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let is_picture = extension.is_some_and(|e| PICTURE_EXTENSIONS.contains(&e.as_str()));
        let digit = name.chars().next().and_then(|c| c.to_digit(10));
        match (is_picture, digit) {
            (false, None) => continue, // not meant as a digit: README.md, .DS_Store, …
            (false, Some(_)) => {
                skipped.push(format!("{name}: not a PNG, JPEG or BMP picture"));
                continue;
            }
            (true, None) => {
                skipped.push(format!(
                    "{name}: its name must start with the digit it shows"
                ));
                continue;
            }
            (true, Some(_)) => {}
        }
        let prepared = read_picture(path).and_then(|p| {
            let grey = to_grey(&p)?;
            Ok((
                to_tensor(&mnist_style(&grey)?)?,
                to_tensor(&thumbnail(&grey, THUMBNAIL))?,
            ))
        });
        match prepared {
            Ok((image, original)) => {
                images.push(image);
                originals.push(original);
                labels.push(digit.unwrap_or_default());
                files.push(name);
            }
            Err(e) => skipped.push(format!("{name}: {}", without_path(e))),
        }
    }
    if images.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "`{}` holds no picture of a digit this can read: put PNG, JPEG or BMP files there \
             whose names start with the digit they show, like `3-mine.png`{}",
            shown.display(),
            if skipped.is_empty() {
                String::new()
            } else {
                format!(" (left out: {})", skipped.join("; "))
            }
        )));
    }
    Ok(DigitPictures {
        images: Tensor::stack(&images, 0)?,
        labels,
        files,
        skipped,
        originals: Tensor::stack(&originals, 0)?,
    })
}

/// The reason in an error about one picture, for a list that already names the file.
fn without_path(e: Error) -> String {
    match e {
        Error::InvalidArgument(why) => why,
        other => other.to_string(),
    }
}

/// The whole picture scaled so that its longer side is `side` pixels, keeping its shape, and
/// centred in a `side` × `side` square filled with the mean of its border (its paper): a
/// small picture of a file as it is, to show beside what the network receives.
pub fn thumbnail(picture: &Grey, side: u32) -> Grey {
    let side = side.max(1);
    let (w, h) = picture.dimensions();
    if w == 0 || h == 0 {
        return Grey::new(side, side);
    }
    let border: Vec<f32> = picture
        .enumerate_pixels()
        .filter(|(x, y, _)| *x == 0 || *y == 0 || *x + 1 == w || *y + 1 == h)
        .map(|(_, _, p)| p.0[0])
        .collect();
    let paper = border.iter().sum::<f32>() / border.len().max(1) as f32;
    let scale = side as f64 / w.max(h) as f64;
    let (nw, nh) = (
        ((w as f64 * scale).round() as u32).clamp(1, side),
        ((h as f64 * scale).round() as u32).clamp(1, side),
    );
    let small = stretch(picture, nw, nh);
    let mut out = Grey::from_pixel(side, side, Luma([paper]));
    image::imageops::overlay(
        &mut out,
        &small,
        i64::from((side - nw) / 2),
        i64::from((side - nh) / 2),
    );
    out
}
