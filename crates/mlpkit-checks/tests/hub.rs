//! The Hugging Face hub path, as far as it can be tested without internet: the cache layout
//! the hub client uses, the Parquet-with-PNG format of the files, and fast, clear failures.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mlpkit::data::hub::{PARQUET_REVISION, cache_repo_dir, parquet_files};
use mlpkit::prelude::*;
use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;

/// A PNG of a 28x28 grey image filled with `value`.
fn png(value: u8) -> Vec<u8> {
    let img = image::GrayImage::from_raw(28, 28, vec![value; 784]).unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Writes a Parquet file laid out as the hub's conversion of MNIST: `image {bytes, path}`, `label`.
fn write_hub_parquet(path: &Path, pixels_and_labels: &[(u8, i64)]) {
    let schema = Arc::new(
        parquet::schema::parser::parse_message_type(
            "message schema {
                optional group image { optional binary bytes; optional binary path (STRING); }
                optional int64 label;
            }",
        )
        .unwrap(),
    );
    let props = Arc::new(WriterProperties::builder().build());
    let file = std::fs::File::create(path).unwrap();
    let mut writer = SerializedFileWriter::new(file, schema, props).unwrap();
    let mut group = writer.next_row_group().unwrap();
    let n = pixels_and_labels.len();
    // image.bytes
    let mut col = group.next_column().unwrap().unwrap();
    let bytes: Vec<ByteArray> = pixels_and_labels
        .iter()
        .map(|(p, _)| ByteArray::from(png(*p)))
        .collect();
    col.typed::<ByteArrayType>()
        .write_batch(&bytes, Some(&vec![2; n]), None)
        .unwrap();
    col.close().unwrap();
    // image.path: null (the group is present, the path is not)
    let mut col = group.next_column().unwrap().unwrap();
    col.typed::<ByteArrayType>()
        .write_batch(&[], Some(&vec![1; n]), None)
        .unwrap();
    col.close().unwrap();
    // label
    let mut col = group.next_column().unwrap().unwrap();
    let labels: Vec<i64> = pixels_and_labels.iter().map(|(_, l)| *l).collect();
    col.typed::<Int64Type>()
        .write_batch(&labels, Some(&vec![1; n]), None)
        .unwrap();
    col.close().unwrap();
    group.close().unwrap();
    writer.close().unwrap();
}

/// Lays out a hub cache holding MNIST's two Parquet files, as the hub client would.
fn fake_cache(cache: &Path, train: &[(u8, i64)], test: &[(u8, i64)]) {
    let repo = cache_repo_dir(cache, DatasetKind::Mnist);
    let commit = "0123456789abcdef0123456789abcdef01234567";
    let refs = repo.join("refs").join(PARQUET_REVISION);
    std::fs::create_dir_all(refs.parent().unwrap()).unwrap();
    std::fs::write(refs, commit).unwrap();
    for (file, rows) in parquet_files(DatasetKind::Mnist).iter().zip([train, test]) {
        let path = repo.join("snapshots").join(commit).join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        write_hub_parquet(&path, rows);
    }
}

fn offline_loader(cache: &Path) -> Loader {
    Loader::new(DatasetKind::Mnist)
        .dir(cache.join("no-idx-files-here"))
        .default_dirs(false)
        .hub_cache(cache)
        .offline(true)
}

#[test]
fn the_cache_layout_is_the_hub_clients() {
    let cache = Path::new("/c");
    assert_eq!(
        cache_repo_dir(cache, DatasetKind::Mnist),
        Path::new("/c/datasets--ylecun--mnist")
    );
    assert_eq!(
        cache_repo_dir(cache, DatasetKind::FashionMnist),
        Path::new("/c/datasets--zalando-datasets--fashion_mnist")
    );
    assert_eq!(
        parquet_files(DatasetKind::Mnist),
        ["mnist/train/0000.parquet", "mnist/test/0000.parquet"]
    );
    assert_eq!(
        parquet_files(DatasetKind::FashionMnist),
        [
            "fashion_mnist/train/0000.parquet",
            "fashion_mnist/test/0000.parquet"
        ]
    );
}

#[test]
fn a_cached_hub_copy_loads_offline() {
    let cache = tempfile::tempdir().unwrap();
    fake_cache(
        cache.path(),
        &[(0, 5), (128, 0), (255, 4)],
        &[(7, 7), (9, 2)],
    );
    let ds = offline_loader(cache.path()).load().unwrap();
    assert!(
        matches!(
            ds.source,
            mlpkit::data::Source::Hub {
                repo: "ylecun/mnist",
                ..
            }
        ),
        "{:?}",
        ds.source
    );
    assert_eq!(ds.train.images().dims(), &[3, 28, 28]);
    assert_eq!(ds.train.label_vec().unwrap(), [5, 0, 4]);
    assert_eq!(ds.test.label_vec().unwrap(), [7, 2]);
    let px = ds
        .train
        .images()
        .flatten_from(1)
        .unwrap()
        .min(1)
        .unwrap()
        .to_vec1::<u8>()
        .unwrap();
    assert_eq!(px, [0, 128, 255]);
}

#[test]
fn a_damaged_cached_file_is_reported() {
    let cache = tempfile::tempdir().unwrap();
    fake_cache(cache.path(), &[(0, 5)], &[(7, 7)]);
    let train = cache_repo_dir(cache.path(), DatasetKind::Mnist)
        .join("snapshots/0123456789abcdef0123456789abcdef01234567")
        .join(&parquet_files(DatasetKind::Mnist)[0]);
    std::fs::write(&train, b"PAR1 not really").unwrap();
    let msg = offline_loader(cache.path()).load().unwrap_err().to_string();
    assert!(
        msg.contains("not a readable Parquet file") && msg.contains("0000.parquet"),
        "{msg}"
    );

    fake_cache(cache.path(), &[(0, 11)], &[(7, 7)]);
    let msg = offline_loader(cache.path()).load().unwrap_err().to_string();
    assert!(msg.contains("label 11"), "{msg}");
}

#[test]
fn offline_without_a_cached_copy_fails_at_once_and_says_why() {
    let cache = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let msg = offline_loader(cache.path()).load().unwrap_err().to_string();
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "took {:?}",
        start.elapsed()
    );
    assert!(msg.contains("MNIST was not found"), "{msg}");
    assert!(msg.contains("Hugging Face hub ylecun/mnist"), "{msg}");
    assert!(
        msg.contains("not in the cache") && msg.contains("offline"),
        "{msg}"
    );
}

#[test]
fn an_unreachable_hub_fails_fast() {
    // Nothing listens on this port: the connection is refused, as on a machine without internet.
    let cache = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let msg = offline_loader(cache.path())
        .offline(false)
        .hub_endpoint("http://127.0.0.1:9")
        .load()
        .unwrap_err()
        .to_string();
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "took {:?}",
        start.elapsed()
    );
    assert!(
        msg.contains("downloading it from http://127.0.0.1:9 failed"),
        "{msg}"
    );
    assert!(msg.contains("To fix it"), "{msg}");
}
