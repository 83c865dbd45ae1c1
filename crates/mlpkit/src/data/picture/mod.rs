//! Digits from any picture: turning a photo, a scan or a drawing of one handwritten digit into
//! the 28×28 input an MNIST network expects, the way MNIST itself was made.
//!
//! MNIST's digits were not just shrunk to 28×28. Each was (LeCun et al.):
//!
//! 1. a grey picture with the **ink bright on a dark background**;
//! 2. **cropped** to the ink's bounding box;
//! 3. **scaled** so that its longer side is **20 pixels**, keeping its aspect ratio, with
//!    anti-aliasing (which is why MNIST has grey levels at the strokes' edges);
//! 4. placed in a **28×28** frame so that its **centre of mass** is at the frame's centre.
//!
//! A network trained on MNIST has learned digits of that size, thickness and position. A
//! picture prepared any other way is, to it, a different kind of image. [`mnist_digit`] runs
//! the four steps; each is also a function of its own, so that a notebook can show them one
//! by one:
//!
//! ```
//! use mlpkit::data::picture::{center_by_mass, crop_to_ink, fit_longer_side, ink_bright, to_grey};
//! # fn main() -> mlpkit::Result<()> {
//! // A 60 × 40 white picture with a dark vertical bar: a "1" drawn with a marker.
//! let picture = image::DynamicImage::ImageLuma8(image::GrayImage::from_fn(60, 40, |x, y| {
//!     image::Luma([if (28..33).contains(&x) && (5..35).contains(&y) { 20 } else { 240 }])
//! }));
//! let ink = ink_bright(&to_grey(&picture)?);          // the bar is now bright, the paper dark
//! let cropped = crop_to_ink(&ink, 0.1)?;               // 5 × 30: just the bar
//! let scaled = fit_longer_side(&cropped, 20)?;         // 3 × 20 (or 4 × 20), same shape
//! let framed = center_by_mass(&scaled, 28)?;           // 28 × 28, the bar in the middle
//! assert_eq!(cropped.dimensions(), (5, 30));
//! assert_eq!(scaled.height(), 20);
//! assert_eq!(framed.dimensions(), (28, 28));
//! # Ok(())
//! # }
//! ```

use std::path::Path;

use candle_core::{Device, Tensor};
use image::imageops::FilterType;
use image::{DynamicImage, ImageBuffer, Luma};

use crate::error::{Error, Result};

mod folder;
pub use folder::{
    DigitPictures, PICTURE_EXTENSIONS, THUMBNAIL, digits_in_folder, mnist_digit_file, thumbnail,
};

/// A grey picture with one `f32` per pixel in [0, 1].
pub type Grey = ImageBuffer<Luma<f32>, Vec<f32>>;

/// The side of MNIST's frame, and of the box its digits were scaled into.
pub const FRAME: u32 = 28;
/// See [`FRAME`].
pub const BOX: u32 = 20;
/// How much brighter than the paper the brightest pixel must be (on the 0–1 scale, about five
/// grey levels of 255) for [`ink_bright`] to find any ink.
pub const MIN_CONTRAST: f32 = 0.02;
/// How bright a pixel must be (after [`ink_bright`], on its 0–1 scale) to count as ink when
/// cropping. MNIST's digits crop to exactly their 20-pixel box at any threshold up to 0.1.
pub const INK_THRESHOLD: f32 = 0.1;

/// Reads a picture file (PNG, JPEG or BMP), any size, colour or grey.
///
/// # Errors
/// [`Error::Io`] when the file cannot be opened or read; [`Error::BadFile`] when it is not
/// a PNG, JPEG or BMP picture (or a damaged one). Example: [`save_png`].
pub fn read_picture(path: impl AsRef<Path>) -> Result<DynamicImage> {
    let path = path.as_ref();
    let reader = image::ImageReader::open(path).map_err(|e| Error::io("open", path, e))?;
    let reader = reader
        .with_guessed_format()
        .map_err(|e| Error::io("read", path, e))?;
    reader.decode().map_err(|e| Error::BadFile {
        path: path.to_path_buf(),
        reason: format!("it is not a picture this library can read (PNG, JPEG or BMP): {e}"),
    })
}

/// Brightness of every pixel in [0, 1] (0 black, 1 white), from any colour picture (the
/// standard luma weights).
///
/// # Errors
/// [`Error::InvalidArgument`] for a picture with no pixel (0 wide or 0 high).
pub fn to_grey(picture: &DynamicImage) -> Result<Grey> {
    if picture.width() == 0 || picture.height() == 0 {
        return Err(Error::InvalidArgument(format!(
            "the picture is {} × {} pixels: there is nothing to read",
            picture.width(),
            picture.height()
        )));
    }
    let luma = picture.to_luma32f();
    Ok(Grey::from_raw(luma.width(), luma.height(), luma.into_raw())
        .expect("a luma image has one value per pixel"))
}

/// The picture with its ink bright and its paper dark, as in MNIST, at full contrast. Dark
/// ink on light paper (a pen on a page, a drawing in a paint program) is inverted; light ink
/// on dark is kept. Which one a picture is, is read from its border: paper surrounds a digit.
/// Then the paper's level (the border's mean) becomes 0 and the brightest ink 1, so that grey
/// paper and faint pencil give the same input as black and white.
pub fn ink_bright(grey: &Grey) -> Grey {
    let (w, h) = grey.dimensions();
    let border_mean = |g: &Grey| {
        let border: Vec<f32> = g
            .enumerate_pixels()
            .filter(|(x, y, _)| *x == 0 || *y == 0 || *x + 1 == w || *y + 1 == h)
            .map(|(_, _, p)| p.0[0])
            .collect();
        border.iter().sum::<f32>() / border.len().max(1) as f32
    };
    let mut ink = grey.clone();
    if border_mean(grey) > 0.5 {
        ink.pixels_mut().for_each(|p| p.0[0] = 1.0 - p.0[0]);
    }
    let paper = border_mean(&ink);
    let brightest = ink.pixels().map(|p| p.0[0]).fold(0.0, f32::max);
    if brightest > paper + MIN_CONTRAST {
        let span = brightest - paper;
        ink.pixels_mut()
            .for_each(|p| p.0[0] = ((p.0[0] - paper) / span).clamp(0.0, 1.0));
    } else {
        // Nothing stands out from the paper (a blank page, an even grey): no ink at all.
        ink.pixels_mut().for_each(|p| p.0[0] = 0.0);
    }
    ink
}

/// Whether a grey picture shows any ink: after [`ink_bright`], some pixel is brighter than
/// [`INK_THRESHOLD`] (what [`mnist_style`] crops to). A blank page, or an even grey, has none.
pub fn has_ink(grey: &Grey) -> bool {
    ink_bright(grey).pixels().any(|p| p.0[0] > INK_THRESHOLD)
}

/// The smallest rectangle holding every pixel brighter than `threshold` (after
/// [`ink_bright`], the ink).
///
/// # Errors
/// [`Error::InvalidArgument`] when no pixel is brighter than `threshold`: a blank page, or
/// dark ink that was not made bright with [`ink_bright`] first.
pub fn crop_to_ink(ink: &Grey, threshold: f32) -> Result<Grey> {
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    for (x, y, p) in ink.enumerate_pixels() {
        if p.0[0] > threshold {
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
    }
    if x0 == u32::MAX {
        let brightest = ink.pixels().map(|p| p.0[0]).fold(0.0, f32::max);
        return Err(Error::InvalidArgument(format!(
            "the picture has no ink: no pixel stands out from the paper by more than {threshold} \
             (the brightest, after making the ink bright, is {brightest:.2}). Use a picture of \
             one digit written darker (or lighter) than its background"
        )));
    }
    Ok(image::imageops::crop_imm(ink, x0, y0, x1 - x0 + 1, y1 - y0 + 1).to_image())
}

/// Scales the picture so that its longer side is `side` pixels, keeping its aspect ratio
/// (the shorter side is rounded, at least 1). Shrinking averages the pixels each new pixel
/// covers (anti-aliasing); enlarging interpolates between neighbours.
///
/// # Errors
/// [`Error::InvalidArgument`] when the picture has no pixel or `side` is 0.
pub fn fit_longer_side(picture: &Grey, side: u32) -> Result<Grey> {
    let (w, h) = picture.dimensions();
    if w == 0 || h == 0 || side == 0 {
        return Err(Error::InvalidArgument(format!(
            "cannot scale a {w} × {h} picture to a longer side of {side} pixels"
        )));
    }
    let scale = side as f64 / w.max(h) as f64;
    let (nw, nh) = (
        ((w as f64 * scale).round() as u32).clamp(1, side),
        ((h as f64 * scale).round() as u32).clamp(1, side),
    );
    Ok(image::imageops::resize(
        picture,
        nw,
        nh,
        FilterType::Triangle,
    ))
}

/// The centre of mass of the picture's brightness, `(x, y)` in pixels from its top-left
/// corner (pixel `i` spans `i..i+1`, so its centre is `i + 0.5`); `None` when it is all dark.
pub fn center_of_mass(picture: &Grey) -> Option<(f32, f32)> {
    let (mut mass, mut mx, mut my) = (0.0f64, 0.0f64, 0.0f64);
    for (x, y, p) in picture.enumerate_pixels() {
        let v = p.0[0] as f64;
        mass += v;
        mx += v * (x as f64 + 0.5);
        my += v * (y as f64 + 0.5);
    }
    (mass > 0.0).then(|| ((mx / mass) as f32, (my / mass) as f32))
}

/// Places the picture in a dark `frame` × `frame` square so that its centre of mass falls on
/// pixel `frame / 2` (pixel 14 of 0–27; to the nearest pixel); what would fall outside is cut
/// off.
///
/// # Errors
/// [`Error::InvalidArgument`] when every pixel is dark (0): with no ink there is no centre
/// of mass.
///
/// That is MNIST's own convention, measured: with it, MNIST's test digits pass through
/// [`mnist_digit`] unchanged (with the centre of mass on the point between pixels 13 and 14,
/// 39 of the first 50 would move by a pixel).
pub fn center_by_mass(picture: &Grey, frame: u32) -> Result<Grey> {
    let Some((cx, cy)) = center_of_mass(picture) else {
        return Err(Error::InvalidArgument(
            "cannot centre a picture without ink (every pixel is dark)".into(),
        ));
    };
    // The centre of pixel `frame / 2` (pixel i spans i..i+1).
    let target = (frame / 2) as f32 + 0.5;
    let (dx, dy) = ((target - cx).round() as i64, (target - cy).round() as i64);
    let mut out = Grey::new(frame, frame);
    for (x, y, p) in picture.enumerate_pixels() {
        let (tx, ty) = (x as i64 + dx, y as i64 + dy);
        if (0..frame as i64).contains(&tx) && (0..frame as i64).contains(&ty) {
            out.put_pixel(tx as u32, ty as u32, *p);
        }
    }
    Ok(out)
}

/// The picture's values as MNIST's bytes (0–255) in a `u8` tensor of its shape
/// `(height, width)`, ready for the same preprocessing as the dataset's images.
///
/// # Errors
/// Only [`Error::Candle`], which a picture held in memory does not cause.
pub fn to_tensor(picture: &Grey) -> Result<Tensor> {
    let (w, h) = picture.dimensions();
    Ok(Tensor::from_vec(
        bytes(picture),
        (h as usize, w as usize),
        &Device::Cpu,
    )?)
}

/// The picture's values as bytes, row by row: 0–1 to 0–255, rounded (the one conversion
/// every function here uses).
fn bytes(picture: &Grey) -> Vec<u8> {
    picture
        .pixels()
        .map(|p| (p.0[0].clamp(0.0, 1.0) * 255.0).round() as u8)
        .collect()
}

/// An error unless `max`, the value that stands for full ink, is a positive number.
fn check_max(op: &str, max: f32) -> Result<()> {
    if max.is_nan() || max <= 0.0 {
        return Err(Error::InvalidArgument(format!(
            "{op}: the largest value must be positive, got {max}"
        )));
    }
    Ok(())
}

/// The MNIST steps on a grey picture: [`ink_bright`], [`crop_to_ink`], [`fit_longer_side`]
/// (20 pixels) and [`center_by_mass`] (28 × 28).
///
/// # Errors
/// [`Error::InvalidArgument`] when the picture shows no ink (nothing stands out from the
/// paper): see [`crop_to_ink`].
pub fn mnist_style(grey: &Grey) -> Result<Grey> {
    let cropped = crop_to_ink(&ink_bright(grey), INK_THRESHOLD)?;
    center_by_mass(&fit_longer_side(&cropped, BOX)?, FRAME)
}

/// One picture of one digit as an MNIST image: a `u8` tensor `(28, 28)` made by [`to_grey`]
/// and [`mnist_style`].
///
/// # Errors
/// [`Error::InvalidArgument`] when the picture has no pixel or shows no ink.
///
/// ```
/// use mlpkit::data::picture::mnist_digit;
/// // A 40 × 40 white page with a dark square a quarter of the way in.
/// let page = image::DynamicImage::ImageLuma8(image::GrayImage::from_fn(40, 40, |x, y| {
///     image::Luma([if (5..15).contains(&x) && (5..15).contains(&y) { 0 } else { 255 }])
/// }));
/// let digit = mnist_digit(&page)?;
/// assert_eq!(digit.dims(), &[28, 28]);
/// let rows = digit.to_vec2::<u8>()?;
/// assert_eq!((rows[0][0], rows[14][14]), (0, 255));    // dark frame, bright ink in the middle
/// let blank = image::DynamicImage::ImageLuma8(image::GrayImage::new(40, 40));
/// assert!(mnist_digit(&blank).is_err());               // no ink
/// # Ok::<(), mlpkit::Error>(())
/// ```
pub fn mnist_digit(picture: &DynamicImage) -> Result<Tensor> {
    to_tensor(&mnist_style(&to_grey(picture)?)?)
}

/// Resizes the whole picture to `width` × `height`, without cropping or centring: what
/// "just make it 28×28" does.
pub fn stretch(picture: &Grey, width: u32, height: u32) -> Grey {
    image::imageops::resize(picture, width.max(1), height.max(1), FilterType::Triangle)
}

/// Dark on light instead of light on dark (or the reverse): every value `v` becomes `1 − v`.
pub fn inverted(picture: &Grey) -> Grey {
    let mut out = picture.clone();
    out.pixels_mut().for_each(|p| p.0[0] = 1.0 - p.0[0]);
    out
}

/// Writes the picture as an 8-bit grey PNG file (0 black, 1 white), atomically.
///
/// # Errors
/// [`Error::Io`] when the file cannot be written (`path` is a folder, its folder cannot be
/// made, a full disk; the previous file is then unchanged); [`Error::InvalidArgument`] if
/// the picture cannot be encoded.
///
/// ```
/// use mlpkit::data::picture::{Grey, read_picture, save_png, to_grey};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("grey.png");
/// save_png(&Grey::from_pixel(3, 2, image::Luma([1.0])), &path)?;
/// let back = to_grey(&read_picture(&path)?)?;
/// assert_eq!((back.dimensions(), back.get_pixel(0, 0).0[0]), ((3, 2), 1.0));
/// assert!(read_picture(dir.path().join("missing.png")).is_err());
/// # Ok::<(), mlpkit::Error>(())
/// ```
pub fn save_png(picture: &Grey, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let grey = image::GrayImage::from_raw(picture.width(), picture.height(), bytes(picture))
        .expect("one byte per pixel");
    let mut png = std::io::Cursor::new(Vec::new());
    grey.write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| {
            Error::InvalidArgument(format!("cannot encode `{}` as PNG: {e}", path.display()))
        })?;
    crate::files::write_bytes(path, &png.into_inner())
}

/// A tensor `(height, width)` of values from 0 to `max` (bytes 0–255, or the UCI digits'
/// 0–16) as a grey picture with values in [0, 1] (each value divided by `max`).
///
/// # Errors
/// [`Error::Shape`] when `image` is not one image `(height, width)` (a batch: take one
/// with `images.get(i)?`); [`Error::InvalidArgument`] when `max` is not positive.
///
/// ```
/// use mlpkit::data::picture::from_tensor;
/// use mlpkit::prelude::*;
/// let uci = Tensor::new(&[[0u8, 8], [16, 4]], &Device::Cpu)?; // the UCI digits' 0–16
/// let grey = from_tensor(&uci, 16.0)?;
/// assert_eq!((grey.get_pixel(1, 0).0[0], grey.get_pixel(0, 1).0[0]), (0.5, 1.0));
/// assert!(from_tensor(&uci.unsqueeze(0)?, 16.0).is_err());  // a batch of one
/// assert!(from_tensor(&uci, 0.0).is_err());
/// # Ok::<(), mlpkit::Error>(())
/// ```
pub fn from_tensor(image: &Tensor, max: f32) -> Result<Grey> {
    let &[h, w] = image.dims() else {
        return Err(Error::shape(
            "picture::from_tensor",
            "one image (height, width)",
            image.dims(),
        ));
    };
    check_max("picture::from_tensor", max)?;
    let values = image
        .to_dtype(candle_core::DType::F32)?
        .flatten_all()?
        .to_vec1::<f32>()?;
    Grey::from_raw(
        w as u32,
        h as u32,
        values.into_iter().map(|v| v / max).collect(),
    )
    .ok_or_else(|| Error::InvalidArgument("picture::from_tensor: the image is too large".into()))
}

/// Applies `f` to every image of `images` `(n, height, width)` with values from 0 to `max`,
/// and stacks the results (all the same size) as MNIST bytes: a `u8` tensor
/// `(n, height', width')`. For instance `map_pictures(uci.images(), 16.0, mnist_style)`.
/// The images are shared out over the CPU's cores (rayon); the result is the same as one
/// at a time.
///
/// # Errors
/// - [`Error::Shape`] when `images` is not `(n, height, width)`;
/// - [`Error::InvalidArgument`] when `max` is not positive, there is no image, or `f`
///   fails on one (the message says which: `image 3: …`);
/// - [`Error::Mismatch`] when `f` makes pictures of different sizes.
///
/// ```
/// use mlpkit::data::picture::{inverted, map_pictures, stretch};
/// use mlpkit::prelude::*;
/// let images = Tensor::zeros((2, 8, 8), DType::U8, &Device::Cpu)?;
/// let big = map_pictures(&images, 16.0, |g| Ok(inverted(&stretch(g, 28, 28))))?;
/// assert_eq!(big.dims(), &[2, 28, 28]);
/// assert_eq!(big.max_all()?.to_scalar::<u8>()?, 255);      // black became white
/// assert!(map_pictures(&images.get(0)?, 16.0, |g| Ok(g.clone())).is_err());
/// # Ok::<(), mlpkit::Error>(())
/// ```
pub fn map_pictures(
    images: &Tensor,
    max: f32,
    f: impl Fn(&Grey) -> Result<Grey> + Sync,
) -> Result<Tensor> {
    // The work is in a function that is not generic, compiled once into this library: in a
    // notebook, where each cell is a crate of its own, the parallel loop would otherwise be
    // compiled again in every cell that calls this (seconds each time).
    map_pictures_with(images, max, &f)
}

fn map_pictures_with(
    images: &Tensor,
    max: f32,
    f: &(dyn Fn(&Grey) -> Result<Grey> + Sync),
) -> Result<Tensor> {
    use rayon::prelude::*;
    let &[n, h, w] = images.dims() else {
        return Err(Error::shape(
            "picture::map_pictures",
            "images (n, height, width)",
            images.dims(),
        ));
    };
    check_max("picture::map_pictures", max)?;
    if n == 0 || h == 0 || w == 0 {
        return Err(Error::InvalidArgument(format!(
            "picture::map_pictures: images of shape {:?} hold no pixel; give images (n, height, width) with n, height and width above 0",
            images.dims()
        )));
    }
    // One copy of all the values, then plain slices: no tensor per image.
    let values = images
        .to_dtype(candle_core::DType::F32)?
        .flatten_all()?
        .to_vec1::<f32>()?;
    let done: Vec<(u32, u32, Vec<u8>)> = values
        .par_chunks(h * w)
        .enumerate()
        .map(|(i, pixels)| {
            let grey = Grey::from_raw(w as u32, h as u32, pixels.iter().map(|v| v / max).collect())
                .expect("h × w values per image");
            let out = f(&grey).map_err(|e| Error::InvalidArgument(format!("image {i}: {e}")))?;
            Ok((out.width(), out.height(), bytes(&out)))
        })
        .collect::<Result<_>>()?;
    let (ow, oh) = (done[0].0, done[0].1);
    if let Some(i) = done.iter().position(|d| (d.0, d.1) != (ow, oh)) {
        return Err(Error::Mismatch(format!(
            "picture::map_pictures: image 0 became {ow} × {oh} pixels but image {i} {} × {}; \
             the function must make every picture the same size",
            done[i].0, done[i].1
        )));
    }
    let bytes: Vec<u8> = done.into_iter().flat_map(|d| d.2).collect();
    Ok(Tensor::from_vec(
        bytes,
        (n, oh as usize, ow as usize),
        &Device::Cpu,
    )?)
}
