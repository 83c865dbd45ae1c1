//! The UCI "optical recognition of handwritten digits" set: 1,797 digits written by 13 people
//! who are not in MNIST, as 8×8 pictures with 17 grey levels (0–16).
//!
//! Each digit was scanned at 32×32 black-and-white pixels and each 4×4 block counted: a pixel
//! here is how many of its 16 scanned pixels were ink. The file is the one scikit-learn ships
//! (`sklearn/datasets/data/digits.csv.gz`, one digit per line: 64 pixel values then the label);
//! `./lab` takes it from scikit-learn's wheel on the package registry and checks its SHA-256.
//! Source and licence: `data/README.md`.
//!
//! It is not a [`DatasetKind`](super::DatasetKind): it has no training and test parts and its
//! pictures are 8×8, so it loads as one [`Split`] with the same checks as the others (the
//! published SHA-256, every value in range, errors that say what to do).

use std::io::Read;
use std::path::{Path, PathBuf};

use candle_core::{Device, Tensor};

use super::catalogue::{catalogue, workspace_data_dir};
use super::split::Split;
use crate::error::{Error, Result};
use crate::files::{sha256_hex, shown_path};

/// The file's name, `digits.csv.gz` (from `datasets.json`).
pub fn file_name() -> &'static str {
    &catalogue().uci_digits.file
}

/// SHA-256 of the file as scikit-learn ships it (the same in its 1.5 and 1.6 wheels).
pub fn sha256() -> &'static str {
    &catalogue().uci_digits.sha256
}

/// The environment variable that may name a folder holding the file, `UCI_DIGITS_DIR`.
pub fn env_var() -> &'static str {
    &catalogue().uci_digits.env_var
}

/// Side of the pictures, in pixels.
pub const SIDE: usize = 8;
/// The largest pixel value: a 4×4 block fully inked.
pub const MAX_VALUE: u8 = 16;

/// The workspace's folder for the file, `data/uci-digits/`.
pub fn workspace_dir() -> PathBuf {
    workspace_data_dir().join(&catalogue().uci_digits.name)
}

/// Loads the digits from the first place that has the file: the folder in `UCI_DIGITS_DIR`,
/// then `data/uci-digits/`. Images are `u8` `(1797, 8, 8)` with values 0–16, labels `u32`.
///
/// # Errors
/// - [`Error::FileNotFound`] when neither folder holds `digits.csv.gz` (the message says how
///   to get it: `./lab setup`);
/// - the errors of [`load_file`] for the file found.
///
/// (The example needs the file on disk, so it is compiled but not run.)
///
/// ```no_run
/// use mlpkit::data::uci_digits;
/// let digits = uci_digits::load()?;
/// assert_eq!(digits.images().dims(), &[1797, 8, 8]);
/// # Ok::<(), mlpkit::Error>(())
/// ```
pub fn load() -> Result<Split> {
    let mut tried = Vec::new();
    let env = std::env::var_os(env_var()).map(PathBuf::from);
    for (why, dir) in env
        .map(|d| (env_var(), d))
        .into_iter()
        .chain(std::iter::once((
            "the workspace's data folder",
            workspace_dir(),
        )))
    {
        let path = dir.join(file_name());
        if path.is_file() {
            return load_file(&path);
        }
        tried.push(format!("  - {} ({why})", shown_path(&dir).display()));
    }
    Err(Error::FileNotFound {
        what: "The UCI handwritten digits",
        tried: tried.join("\n"),
        fix: format!(
            "run `./lab setup` (it takes `{file}` from scikit-learn's wheel on PyPI and checks it), \
             or put `{file}` from any scikit-learn into `{}`",
            shown_path(&workspace_dir()).display(),
            file = file_name()
        ),
    })
}

/// Loads the digits from `path`, checking its SHA-256 and every value.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::ChecksumMismatch`] when it is not
/// the file scikit-learn ships (damaged, or another version: fetch it again); the errors of
/// [`parse`].
pub fn load_file(path: impl AsRef<Path>) -> Result<Split> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    let actual = sha256_hex(&bytes);
    if actual != sha256() {
        return Err(Error::ChecksumMismatch {
            path: path.to_path_buf(),
            dataset: "UCI digits",
            expected: sha256(),
            actual,
        });
    }
    parse(path, &bytes)
}

/// Reads the gzip-compressed CSV: one digit per line, 64 pixel values in 0–16 and a label
/// in 0–9. `path` only names the data in errors; the SHA-256 is not checked here.
///
/// # Errors
/// [`Error::BadFile`] when the bytes are not gzip-compressed text, a line does not hold 65
/// values, a value is not a whole number in range (pixels 0–16, the label 0–9), or there is
/// no line at all.
///
/// ```
/// use std::io::Write;
/// use mlpkit::data::uci_digits;
/// let gzip = |text: &str| {
///     let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
///     gz.write_all(text.as_bytes()).unwrap();
///     gz.finish().unwrap()
/// };
/// let line = format!("{}7\n", "16,".repeat(64));          // an all-ink 7
/// let digits = uci_digits::parse("digits.csv.gz".as_ref(), &gzip(&line))?;
/// assert_eq!((digits.images().dims(), digits.label_vec()?), (&[1, 8, 8][..], vec![7]));
/// let bad = format!("{}7\n", "17,".repeat(64));           // 17 is not a grey level
/// assert!(uci_digits::parse("digits.csv.gz".as_ref(), &gzip(&bad)).is_err());
/// # Ok::<(), mlpkit::Error>(())
/// ```
pub fn parse(path: &Path, gz: &[u8]) -> Result<Split> {
    let bad = |reason: String| Error::BadFile {
        path: path.to_path_buf(),
        reason,
    };
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_string(&mut text)
        .map_err(|e| bad(format!("it is not gzip-compressed text: {e}")))?;
    let (mut pixels, mut labels) = (Vec::new(), Vec::new());
    for (number, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let values: Vec<&str> = line.split(',').collect();
        if values.len() != SIDE * SIDE + 1 {
            return Err(bad(format!(
                "line {} has {} values; each digit needs {} pixels and a label",
                number + 1,
                values.len(),
                SIDE * SIDE
            )));
        }
        for (column, value) in values.iter().enumerate() {
            let limit = if column < SIDE * SIDE { MAX_VALUE } else { 9 };
            let v: u8 = value
                .trim()
                .parse()
                .ok()
                .filter(|&v| v <= limit)
                .ok_or_else(|| {
                    bad(format!(
                        "line {}, value {}: `{value}` is not a whole number from 0 to {limit}",
                        number + 1,
                        column + 1
                    ))
                })?;
            if column < SIDE * SIDE {
                pixels.push(v);
            } else {
                labels.push(v as u32);
            }
        }
    }
    if labels.is_empty() {
        return Err(bad("it holds no digit".into()));
    }
    let n = labels.len();
    Split::new(
        Tensor::from_vec(pixels, (n, SIDE, SIDE), &Device::Cpu)?,
        Tensor::from_vec(labels, n, &Device::Cpu)?,
    )
}
