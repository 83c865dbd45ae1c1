//! The IDX file format of the original MNIST distribution.
//!
//! An IDX file is a tiny header followed by raw array data:
//!
//! | offset | bytes | meaning |
//! |---|---|---|
//! | 0 | 2 | always zero |
//! | 2 | 1 | element type: `0x08` unsigned byte (the only one MNIST uses) |
//! | 3 | 1 | number of dimensions *d* |
//! | 4 | 4 *d* | each dimension as a big-endian `u32` |
//! | 4 + 4 *d* | Π dims | the data, row-major |
//!
//! So the training images start with `00 00 08 03`, then 60000, 28, 28
//! (magic number 2051), and the training labels with `00 00 08 01`, then
//! 60000 (magic number 2049). Files are often gzip-compressed (`.gz`); the
//! reader recognises gzip by its first two bytes, whatever the file is called.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Type code of unsigned-byte data, the only element type MNIST files use.
const UNSIGNED_BYTE: u8 = 0x08;

/// An array read from an IDX file: its dimensions and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxArray {
    /// Dimensions from the header, e.g. `[60000, 28, 28]`.
    pub dims: Vec<usize>,
    /// Row-major element data, `dims.iter().product()` bytes.
    pub data: Vec<u8>,
}

impl IdxArray {
    /// The magic number of the header (`2051` for images, `2049` for labels).
    pub fn magic(&self) -> u32 {
        ((UNSIGNED_BYTE as u32) << 8) | self.dims.len() as u32
    }

    /// Encodes the array as IDX bytes (uncompressed). Handy to write test files.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + 4 * self.dims.len() + self.data.len());
        out.extend_from_slice(&[0, 0, UNSIGNED_BYTE, self.dims.len() as u8]);
        for &d in &self.dims {
            out.extend_from_slice(&(d as u32).to_be_bytes());
        }
        out.extend_from_slice(&self.data);
        out
    }
}

/// The decoded content of one IDX file plus its SHA-256 (of the uncompressed bytes).
#[derive(Debug, Clone)]
pub struct IdxFile {
    pub path: PathBuf,
    pub array: IdxArray,
    /// Lower-case hex SHA-256 of the uncompressed file, as published for MNIST.
    pub sha256: String,
}

/// Reads an IDX file, plain or gzip-compressed, and checks its header against its length.
///
/// `expected_dims` is the number of dimensions the caller needs (3 for images,
/// 1 for labels); a file with another number is an error that says so.
pub fn read_idx(path: &Path, expected_dims: usize) -> Result<IdxFile> {
    let raw = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        gunzip(path, &raw)?
    } else {
        raw
    };
    let sha256 = hex(&Sha256::digest(&bytes));
    let array = parse_idx(path, bytes, expected_dims)?;
    Ok(IdxFile {
        path: path.to_path_buf(),
        array,
        sha256,
    })
}

/// Decompresses a whole gzip file, reporting a damaged or cut-off stream clearly.
fn gunzip(path: &Path, raw: &[u8]) -> Result<Vec<u8>> {
    // The gzip trailer stores the uncompressed size (mod 2^32): a good capacity hint.
    let hint = raw
        .len()
        .checked_sub(4)
        .map(|i| u32::from_le_bytes(raw[i..].try_into().unwrap()) as usize)
        .unwrap_or(0)
        .min(1 << 30);
    let mut out = Vec::with_capacity(hint);
    let mut decoder = flate2::read::GzDecoder::new(raw);
    decoder.read_to_end(&mut out).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::UnexpectedEof => {
                "the gzip stream ends early, so the file is truncated (an interrupted download?)"
                    .to_string()
            }
            _ => format!("the gzip data is damaged ({e})"),
        };
        Error::bad_idx(path, reason)
    })?;
    Ok(out)
}

/// Parses IDX bytes (already decompressed) into dimensions and data.
pub fn parse_idx(path: &Path, mut bytes: Vec<u8>, expected_dims: usize) -> Result<IdxArray> {
    if bytes.len() < 4 {
        return Err(Error::bad_idx(
            path,
            format!("it has {} bytes, fewer than the 4-byte header", bytes.len()),
        ));
    }
    let expected_magic = ((UNSIGNED_BYTE as u32) << 8) | expected_dims as u32;
    let magic = u32::from_be_bytes(bytes[0..4].try_into().unwrap());
    if bytes[0] != 0 || bytes[1] != 0 || bytes[2] != UNSIGNED_BYTE {
        return Err(Error::bad_idx(
            path,
            format!(
                "wrong magic number {magic} (bytes {:02x} {:02x} {:02x} {:02x}); an IDX file of unsigned bytes \
                 with {expected_dims} dimension(s) starts with magic number {expected_magic}",
                bytes[0], bytes[1], bytes[2], bytes[3]
            ),
        ));
    }
    let ndims = bytes[3] as usize;
    if ndims != expected_dims {
        return Err(Error::bad_idx(
            path,
            format!(
                "magic number {magic} says {ndims} dimension(s) but {expected_dims} were expected \
                 (magic {expected_magic}); are image and label files swapped?"
            ),
        ));
    }
    let header_len = 4 + 4 * ndims;
    if bytes.len() < header_len {
        return Err(Error::bad_idx(
            path,
            format!(
                "truncated header: {} bytes, but {ndims} dimensions need {header_len}",
                bytes.len()
            ),
        ));
    }
    let dims: Vec<usize> = (0..ndims)
        .map(|i| u32::from_be_bytes(bytes[4 + 4 * i..8 + 4 * i].try_into().unwrap()) as usize)
        .collect();
    let expected_len = dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    let body_len = bytes.len() - header_len;
    match expected_len {
        Some(n) if n == body_len => {}
        Some(n) if n > body_len => {
            return Err(Error::bad_idx(
                path,
                format!("truncated: the header promises {dims:?} = {n} bytes of data but only {body_len} follow"),
            ))
        }
        Some(n) => {
            return Err(Error::bad_idx(
                path,
                format!("the header promises {dims:?} = {n} bytes of data but {body_len} follow (extra bytes at the end)"),
            ))
        }
        None => return Err(Error::bad_idx(path, format!("impossible dimensions {dims:?}"))),
    }
    bytes.drain(..header_len);
    Ok(IdxArray { dims, data: bytes })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip() {
        let a = IdxArray {
            dims: vec![2, 2, 3],
            data: (0..12).collect(),
        };
        assert_eq!(a.magic(), 2051);
        let parsed = parse_idx(Path::new("x"), a.to_bytes(), 3).unwrap();
        assert_eq!(parsed, a);
        let labels = IdxArray {
            dims: vec![4],
            data: vec![1, 2, 3, 4],
        };
        assert_eq!(labels.magic(), 2049);
    }
}
