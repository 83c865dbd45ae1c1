//! `idx::first_bytes`: the start of a file as it is stored, decompressed when it is gzip,
//! so that a notebook can decode an IDX header by hand.

use crate::util::{images, labels, mnist_dir, write_file};
use mlpkit::data::idx::first_bytes;

#[test]
fn the_same_bytes_from_a_plain_and_a_gzip_file() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = images(3).to_bytes();
    let plain = write_file(dir.path(), "train-images-idx3-ubyte", &bytes);
    let gz = write_file(dir.path(), "train-images-idx3-ubyte.gz", &bytes);
    for path in [&plain, &gz] {
        let head = first_bytes(path, 16).unwrap();
        assert_eq!(head, bytes[..16], "{}", path.display());
        assert_eq!(head[..4], [0, 0, 8, 3]);
        assert_eq!(u32::from_be_bytes([head[4], head[5], head[6], head[7]]), 3);
    }
    // gzip is recognised by its content, whatever the file is called
    let disguised = dir.path().join("gzip-without-its-suffix");
    std::fs::copy(&gz, &disguised).unwrap();
    assert_eq!(first_bytes(&disguised, 16).unwrap(), bytes[..16]);
}

#[test]
fn a_short_file_gives_what_it_has() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = labels(&[7, 2]).to_bytes();
    for name in ["short", "short.gz"] {
        let path = write_file(dir.path(), name, &bytes);
        assert_eq!(first_bytes(&path, 1_000_000).unwrap(), bytes, "{name}");
        assert_eq!(first_bytes(&path, usize::MAX).unwrap(), bytes, "{name}");
        assert!(first_bytes(&path, 0).unwrap().is_empty(), "{name}");
    }
}

#[test]
fn a_missing_or_damaged_file_is_an_error_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere.gz");
    let err = first_bytes(&missing, 4).unwrap_err().to_string();
    assert!(err.contains("nowhere.gz"), "{err}");
    // gzip's magic bytes followed by garbage
    let damaged = dir.path().join("damaged.gz");
    std::fs::write(&damaged, [0x1f, 0x8b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).unwrap();
    let err = first_bytes(&damaged, 4).unwrap_err().to_string();
    assert!(err.contains("damaged.gz") && err.contains("gzip"), "{err}");
}

#[test]
fn the_real_mnist_headers() {
    let Some(dir) = mnist_dir() else { return };
    let file = |name: &str| {
        let gz = dir.join(format!("{name}.gz"));
        if gz.is_file() { gz } else { dir.join(name) }
    };
    let be = |b: &[u8], at: usize| u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
    let images = first_bytes(&file("train-images-idx3-ubyte"), 16).unwrap();
    assert_eq!(
        [
            be(&images, 0),
            be(&images, 4),
            be(&images, 8),
            be(&images, 12)
        ],
        [2051, 60000, 28, 28]
    );
    let labels = first_bytes(&file("train-labels-idx1-ubyte"), 8).unwrap();
    assert_eq!([be(&labels, 0), be(&labels, 4)], [2049, 60000]);
    // asking for more than there is gives the whole file: the header and one byte per label
    let whole = first_bytes(&file("train-labels-idx1-ubyte"), usize::MAX).unwrap();
    assert_eq!(whole.len(), 8 + 60000);
}
