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
use crate::files::{hex, write_bytes};

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
    /// The file that was read.
    pub path: PathBuf,
    /// Its content: the dimensions and the values.
    pub array: IdxArray,
    /// Lower-case hex SHA-256 of the uncompressed file, as published for MNIST.
    pub sha256: String,
}

/// The most a deflate stream can expand: 1032 output bytes per input byte (one 258-byte
/// match per two bits, at best). A gzip file whose header promises more than this many
/// bytes per compressed byte is cut short, whatever it says.
const MAX_DEFLATE_RATIO: u64 = 1032;

/// Reads an IDX file, plain or gzip-compressed, and checks its header against its length.
///
/// `expected_dims` is the number of dimensions the caller needs (3 for images,
/// 1 for labels); a file with another number is an error that says so.
///
/// Memory is bounded by what the header promises, and the header by the file: a plain
/// file's header must match its length before anything is read, a gzip file's header must
/// be reachable from its compressed size, and decompression stops one byte past the
/// promised length. A gzip file may hold several members (as `cat a.gz b.gz` makes);
/// anything after the last member that is not gzip is an error.
///
/// # Errors
/// - [`Error::Io`] when the file cannot be opened or read;
/// - [`Error::BadIdx`] when it is not a well-formed IDX file: fewer than 4 bytes, a wrong
///   magic number (not unsigned bytes, or not `expected_dims` dimensions), a header that
///   promises more or fewer bytes than follow, or damaged gzip data;
/// - [`Error::OutOfMemory`] when the data the header promises does not fit in memory.
///
/// ```
/// use mlpkit::data::idx::{IdxArray, read_idx, write_idx_gz};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("labels.gz");
/// let labels = IdxArray { dims: vec![4], data: vec![5, 0, 4, 1] };
/// write_idx_gz(&path, &labels)?;
/// let file = read_idx(&path, 1)?;                 // labels have one dimension
/// assert_eq!(file.array, labels);
/// assert_eq!(file.sha256.len(), 64);
/// assert!(read_idx(&path, 3).is_err());           // not images: magic 2049, not 2051
/// # Ok::<(), mlpkit::Error>(())
/// ```
pub fn read_idx(path: &Path, expected_dims: usize) -> Result<IdxFile> {
    let file = std::fs::File::open(path).map_err(|e| Error::io("open", path, e))?;
    let file_len = file
        .metadata()
        .map_err(|e| Error::io("read", path, e))?
        .len();
    let mut reader = std::io::BufReader::new(file);
    let (array, sha256) = if is_gzip(path, &mut reader)? {
        let decoder = flate2::bufread::MultiGzDecoder::new(reader);
        read_stream(
            path,
            decoder,
            expected_dims,
            Limit::AtMost(file_len.saturating_mul(MAX_DEFLATE_RATIO)),
        )?
    } else {
        read_stream(path, reader, expected_dims, Limit::Exactly(file_len))?
    };
    Ok(IdxFile {
        path: path.to_path_buf(),
        array,
        sha256,
    })
}

/// The first `n` bytes of the file at `path` (all of it when it is shorter), decompressed
/// first when the file is gzip-compressed (recognised by its first two bytes, as in
/// [`read_idx`]): for looking at an IDX header by hand.
///
/// # Errors
/// [`Error::Io`] when the file cannot be opened or read; [`Error::BadIdx`] when it starts
/// like gzip but its compressed data is damaged.
///
/// (This example reads MNIST's training images, so it is compiled but not run.)
///
/// ```no_run
/// # use mlpkit::data::idx::first_bytes;
/// let head = first_bytes("data/mnist/train-images-idx3-ubyte.gz".as_ref(), 16)?;
/// assert_eq!(u32::from_be_bytes([head[0], head[1], head[2], head[3]]), 2051);
/// # Ok::<(), mlpkit::Error>(())
/// ```
pub fn first_bytes(path: &Path, n: usize) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io("open", path, e))?;
    let mut reader = std::io::BufReader::new(file);
    if is_gzip(path, &mut reader)? {
        let mut decoder = flate2::bufread::MultiGzDecoder::new(reader);
        read_at_most(path, &mut decoder, n)
    } else {
        read_at_most(path, &mut reader, n)
    }
}

/// Up to `n` bytes from `source`, in pieces, so that a large `n` asks for no more memory
/// than the source has bytes.
fn read_at_most(path: &Path, source: &mut impl Read, n: usize) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut piece = vec![0u8; n.min(1 << 16)];
    while out.len() < n {
        let want = piece.len().min(n - out.len());
        let got = read_up_to(path, source, &mut piece[..want])?;
        out.extend_from_slice(&piece[..got]);
        if got < want {
            break;
        }
    }
    Ok(out)
}

/// Whether the file behind `reader` starts with gzip's two magic bytes (nothing is consumed).
fn is_gzip(path: &Path, reader: &mut impl std::io::BufRead) -> Result<bool> {
    let head = reader.fill_buf().map_err(|e| Error::io("read", path, e))?;
    Ok(head.starts_with(&[0x1f, 0x8b]))
}

/// What is known in advance about the length of the uncompressed bytes.
#[derive(Debug, Clone, Copy)]
enum Limit {
    /// A plain file: exactly this many bytes.
    Exactly(u64),
    /// A compressed file: no more than this many.
    AtMost(u64),
}

/// Parses IDX bytes (already decompressed) into dimensions and data; `path` only names
/// them in errors.
///
/// # Errors
/// [`Error::BadIdx`] as in [`read_idx`]: a wrong magic number, or a header whose sizes do
/// not match the number of bytes.
///
/// ```
/// use mlpkit::data::idx::{IdxArray, parse_idx};
/// let images = IdxArray { dims: vec![1, 2, 2], data: vec![0, 64, 128, 255] };
/// let bytes = images.to_bytes();
/// assert_eq!(&bytes[..4], &[0, 0, 8, 3]);        // unsigned bytes, 3 dimensions
/// assert_eq!(parse_idx("x".as_ref(), bytes.clone(), 3)?, images);
/// let cut = bytes[..bytes.len() - 1].to_vec();    // one byte short
/// assert!(parse_idx("x".as_ref(), cut, 3).is_err());
/// # Ok::<(), mlpkit::Error>(())
/// ```
pub fn parse_idx(path: &Path, bytes: Vec<u8>, expected_dims: usize) -> Result<IdxArray> {
    let len = bytes.len() as u64;
    Ok(read_stream(
        path,
        std::io::Cursor::new(bytes),
        expected_dims,
        Limit::Exactly(len),
    )?
    .0)
}

/// Reads header and data from `source`, checking each against the other and against
/// `limit`, and hashes the bytes as they pass.
fn read_stream(
    path: &Path,
    mut source: impl Read,
    expected_dims: usize,
    limit: Limit,
) -> Result<(IdxArray, String)> {
    let mut hasher = Sha256::new();
    let dims = read_header(path, &mut source, expected_dims, &mut hasher)?;
    let Some(body_len) = dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d)) else {
        return Err(Error::bad_idx(
            path,
            format!("impossible dimensions {dims:?}"),
        ));
    };
    check_promise(path, &dims, body_len, limit)?;
    let mut data = Vec::new();
    data.try_reserve_exact(body_len)
        .map_err(|_| Error::OutOfMemory {
            what: format!("the data of `{}` ({dims:?})", path.display()),
            bytes: body_len,
        })?;
    data.resize(body_len, 0);
    let got = read_up_to(path, &mut source, &mut data)?;
    if got < body_len {
        return Err(Error::bad_idx(
            path,
            format!(
                "truncated: the header promises {dims:?} = {body_len} bytes of data but only {got} follow"
            ),
        ));
    }
    let mut extra = [0u8; 1];
    if read_up_to(path, &mut source, &mut extra)? > 0 {
        return Err(Error::bad_idx(
            path,
            format!(
                "the header promises {dims:?} = {body_len} bytes of data but more follow (extra bytes at the end)"
            ),
        ));
    }
    hasher.update(&data);
    Ok((IdxArray { dims, data }, hex(&hasher.finalize())))
}

/// Reads and checks the header: the magic number (unsigned bytes, `expected_dims`
/// dimensions), then the dimensions.
fn read_header(
    path: &Path,
    source: &mut impl Read,
    expected_dims: usize,
    hasher: &mut Sha256,
) -> Result<Vec<usize>> {
    let mut head = [0u8; 4];
    let got = read_up_to(path, source, &mut head)?;
    if got < 4 {
        return Err(Error::bad_idx(
            path,
            format!("it has {got} bytes, fewer than the 4-byte header"),
        ));
    }
    hasher.update(head);
    let expected_magic = ((UNSIGNED_BYTE as u32) << 8) | expected_dims as u32;
    let magic = u32::from_be_bytes(head);
    if head[0] != 0 || head[1] != 0 || head[2] != UNSIGNED_BYTE {
        return Err(Error::bad_idx(
            path,
            format!(
                "wrong magic number {magic} (bytes {:02x} {:02x} {:02x} {:02x}); an IDX file of unsigned bytes \
                 with {expected_dims} dimension(s) starts with magic number {expected_magic}",
                head[0], head[1], head[2], head[3]
            ),
        ));
    }
    let ndims = head[3] as usize;
    if ndims != expected_dims {
        return Err(Error::bad_idx(
            path,
            format!(
                "magic number {magic} says {ndims} dimension(s) but {expected_dims} were expected \
                 (magic {expected_magic}); are image and label files swapped?"
            ),
        ));
    }
    let mut dims_bytes = vec![0u8; 4 * ndims];
    let got = read_up_to(path, source, &mut dims_bytes)?;
    if got < dims_bytes.len() {
        return Err(Error::bad_idx(
            path,
            format!(
                "truncated header: {} bytes, but {ndims} dimensions need {}",
                4 + got,
                4 + 4 * ndims
            ),
        ));
    }
    hasher.update(&dims_bytes);
    Ok(dims_bytes
        .chunks_exact(4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .collect())
}

/// An error unless a file of `limit` bytes can hold the header and the `body_len` bytes of
/// data it promises.
fn check_promise(path: &Path, dims: &[usize], body_len: usize, limit: Limit) -> Result<()> {
    let header_len = 4 + 4 * dims.len() as u64;
    let promised = header_len + body_len as u64;
    let problem = match limit {
        Limit::Exactly(len) if len < promised => format!(
            "truncated: the header promises {dims:?} = {body_len} bytes of data but only {} follow",
            len.saturating_sub(header_len)
        ),
        Limit::Exactly(len) if len > promised => format!(
            "the header promises {dims:?} = {body_len} bytes of data but {} follow (extra bytes at the end)",
            len - header_len
        ),
        Limit::AtMost(most) if most < promised => format!(
            "truncated: the header promises {dims:?} = {body_len} bytes of data, more than \
             a gzip file of this size can hold"
        ),
        _ => return Ok(()),
    };
    Err(Error::bad_idx(path, problem))
}

/// Fills as much of `buf` as `source` has; returns how many bytes that was. Decompression
/// errors become a message about the gzip data.
fn read_up_to(path: &Path, source: &mut impl Read, buf: &mut [u8]) -> Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match source.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let reason = match e.kind() {
                    std::io::ErrorKind::UnexpectedEof => {
                        "the gzip stream ends early, so the file is truncated (an interrupted download?)"
                            .to_string()
                    }
                    std::io::ErrorKind::OutOfMemory => {
                        return Err(Error::OutOfMemory {
                            what: format!("decompressing `{}`", path.display()),
                            bytes: buf.len(),
                        })
                    }
                    _ => format!(
                        "the gzip data is damaged, or followed by bytes that are not gzip ({e})"
                    ),
                };
                return Err(Error::bad_idx(path, reason));
            }
        }
    }
    Ok(filled)
}

/// Writes `array` as a gzip-compressed IDX file at `path`, atomically.
///
/// # Errors
/// [`Error::Io`] when the file cannot be written (`path` is a folder, its folder cannot be
/// made, the disk is full); the previous file at `path`, if any, is then unchanged.
/// Example: [`read_idx`].
pub fn write_idx_gz(path: &Path, array: &IdxArray) -> Result<()> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&array.to_bytes())
        .and_then(|_| gz.try_finish())
        .map_err(|e| Error::io("compress", path, e))?;
    write_bytes(path, &gz.get_ref()[..])
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
