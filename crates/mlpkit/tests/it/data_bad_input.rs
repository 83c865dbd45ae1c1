//! Every kind of damaged or missing input gives its own clear error, never a panic.

use std::path::Path;

use crate::util::{images, labels, write_file, write_small_dataset};
use mlpkit::data::idx::{IdxArray, read_idx};
use mlpkit::prelude::*;

fn load_unverified(dir: &Path) -> Result<Dataset> {
    Loader::new(DatasetKind::Mnist)
        .verify_checksums(false)
        .load_dir(dir)
}

fn message(r: Result<impl std::fmt::Debug>) -> String {
    r.expect_err("this input must be rejected").to_string()
}

#[test]
fn a_small_well_formed_directory_loads_exactly() {
    let dir = tempfile::tempdir().unwrap();
    write_small_dataset(dir.path());
    let ds = load_unverified(dir.path()).unwrap();
    assert_eq!(ds.train.images().dims(), &[4, 28, 28]);
    assert_eq!(ds.train.label_vec().unwrap(), [3, 1, 4, 1]);
    assert_eq!(ds.test.label_vec().unwrap(), [5, 9]);
    // image i is filled with the value i, plain and gzip alike
    let px = ds
        .train
        .images()
        .flatten_from(1)
        .unwrap()
        .max(1)
        .unwrap()
        .to_vec1::<u8>()
        .unwrap();
    assert_eq!(px, [0, 1, 2, 3]);
}

#[test]
fn wrong_magic_number_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = images(2).to_bytes();
    bytes[2] = 0x0d; // float data, not unsigned bytes
    let path = write_file(dir.path(), "x-idx3-ubyte", &bytes);
    let msg = message(read_idx(&path, 3));
    assert!(
        msg.contains("wrong magic number") && msg.contains("2051"),
        "{msg}"
    );
    assert!(msg.contains("x-idx3-ubyte"), "{msg}");

    let not_idx = write_file(dir.path(), "page.html", b"<html>404 Not Found</html>");
    let msg = message(read_idx(&not_idx, 3));
    assert!(msg.contains("wrong magic number"), "{msg}");
}

#[test]
fn labels_file_where_images_are_expected() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "swapped", &labels(&[1, 2]).to_bytes());
    let msg = message(read_idx(&path, 3));
    assert!(
        msg.contains("says 1 dimension(s) but 3 were expected"),
        "{msg}"
    );
}

#[test]
fn truncated_body_plain_and_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = images(3).to_bytes();
    bytes.truncate(bytes.len() - 100);
    for name in ["cut-idx3-ubyte", "cut-idx3-ubyte.gz"] {
        let path = write_file(dir.path(), name, &bytes);
        let msg = message(read_idx(&path, 3));
        assert!(
            msg.contains("truncated") && msg.contains("2352 bytes") && msg.contains("2252"),
            "{msg}"
        );
    }
    let tiny = write_file(dir.path(), "tiny", &[0, 0]);
    assert!(message(read_idx(&tiny, 1)).contains("fewer than the 4-byte header"));
    let header_only = write_file(dir.path(), "hdr", &[0, 0, 8, 3, 0, 0]);
    assert!(message(read_idx(&header_only, 3)).contains("truncated header"));
}

#[test]
fn extra_bytes_after_the_data_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = labels(&[1, 2, 3]).to_bytes();
    bytes.push(7);
    let path = write_file(dir.path(), "long", &bytes);
    assert!(message(read_idx(&path, 1)).contains("extra bytes"));
}

#[test]
fn a_gzip_download_cut_short_or_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let good = write_file(dir.path(), "ok.gz", &images(50).to_bytes());
    let gz = std::fs::read(&good).unwrap();
    let cut = write_file(dir.path(), "cut", &gz[..gz.len() / 2]);
    let msg = message(read_idx(&cut, 3));
    assert!(
        msg.contains("gzip stream ends early") && msg.contains("truncated"),
        "{msg}"
    );
    let mut damaged = gz.clone();
    for b in &mut damaged[20..60] {
        *b ^= 0xa5;
    }
    let bad = write_file(dir.path(), "bad", &damaged);
    let msg = message(read_idx(&bad, 3));
    assert!(msg.contains("not a valid IDX file"), "{msg}");
}

#[test]
fn image_and_label_counts_must_agree() {
    let dir = tempfile::tempdir().unwrap();
    write_small_dataset(dir.path());
    write_file(
        dir.path(),
        "train-labels-idx1-ubyte.gz",
        &labels(&[1, 2, 3]).to_bytes(),
    );
    let msg = message(load_unverified(dir.path()));
    assert!(
        msg.contains("holds 4 images but") && msg.contains("holds 3 labels"),
        "{msg}"
    );
}

#[test]
fn labels_outside_the_ten_classes() {
    let dir = tempfile::tempdir().unwrap();
    write_small_dataset(dir.path());
    write_file(
        dir.path(),
        "t10k-labels-idx1-ubyte",
        &labels(&[5, 12]).to_bytes(),
    );
    let msg = message(load_unverified(dir.path()));
    assert!(msg.contains("label 12 at position 1"), "{msg}");
}

#[test]
fn images_of_another_size() {
    let dir = tempfile::tempdir().unwrap();
    write_small_dataset(dir.path());
    let small = IdxArray {
        dims: vec![2, 8, 8],
        data: vec![0; 128],
    };
    write_file(dir.path(), "t10k-images-idx3-ubyte", &small.to_bytes());
    let msg = message(load_unverified(dir.path()));
    assert!(msg.contains("8x8") && msg.contains("28x28"), "{msg}");
}

#[test]
fn files_that_are_not_the_originals_fail_the_checksum() {
    let dir = tempfile::tempdir().unwrap();
    write_small_dataset(dir.path());
    let msg = message(Dataset::from_dir(DatasetKind::Mnist, dir.path()));
    assert!(msg.contains("is not the original MNIST file"), "{msg}");
    assert!(
        msg.contains("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        "{msg}"
    );
    assert!(msg.contains("verify_checksums(false)"), "{msg}");
}

#[test]
fn a_missing_dataset_says_where_it_looked_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("train-images-idx3-ubyte.gz"), b"").unwrap();
    let msg = message(
        Loader::new(DatasetKind::Mnist)
            .dir(dir.path())
            .default_dirs(false)
            .hub(false)
            .load(),
    );
    assert!(msg.contains("MNIST was not found"), "{msg}");
    assert!(msg.contains(&dir.path().display().to_string()), "{msg}");
    assert!(
        msg.contains(
            "missing train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte"
        ),
        "{msg}"
    );
    assert!(msg.contains("Hugging Face hub: not tried"), "{msg}");
    assert!(msg.contains("set MNIST_DIR"), "{msg}");
    assert!(
        msg.contains(&DatasetKind::Mnist.workspace_dir().display().to_string()),
        "{msg}"
    );
}

#[test]
fn the_search_order_is_named_dir_env_workspace_system() {
    let places = Loader::new(DatasetKind::FashionMnist)
        .dir("/somewhere")
        .local_candidates();
    let dirs: Vec<_> = places.iter().map(|(_, d)| d.clone()).collect();
    assert_eq!(dirs.first().unwrap(), Path::new("/somewhere"));
    let n = dirs.len();
    assert_eq!(dirs[n - 2], DatasetKind::FashionMnist.workspace_dir());
    assert_eq!(dirs[n - 1], Path::new("/usr/share/datasets/fashion-mnist"));
    if let Some(env) = std::env::var_os("FASHION_MNIST_DIR").filter(|v| !v.is_empty()) {
        assert_eq!(n, 4);
        assert_eq!(dirs[1], Path::new(&env));
    } else {
        assert_eq!(n, 3);
    }
    assert!(
        DatasetKind::FashionMnist
            .workspace_dir()
            .ends_with("data/fashion-mnist")
    );
}

#[test]
fn a_damaged_file_in_the_first_place_is_an_error_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write_small_dataset(dir.path());
    write_file(dir.path(), "t10k-labels-idx1-ubyte", &[0, 0, 8]);
    let msg = message(
        Loader::new(DatasetKind::Mnist)
            .dir(dir.path())
            .hub(false)
            .load(),
    );
    assert!(
        msg.contains("t10k-labels-idx1-ubyte") && msg.contains("header"),
        "{msg}"
    );
}

#[test]
fn load_dir_on_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let msg = message(Dataset::from_dir(DatasetKind::FashionMnist, dir.path()));
    assert!(
        msg.contains("Fashion-MNIST") && msg.contains("missing train-images-idx3-ubyte"),
        "{msg}"
    );
}

#[test]
fn a_dataset_saved_as_idx_loads_back_identically() {
    let dir = tempfile::tempdir().unwrap();
    write_small_dataset(dir.path());
    let ds = load_unverified(dir.path()).unwrap();
    let copy = tempfile::tempdir().unwrap();
    ds.save_idx(copy.path().join("mnist")).unwrap();
    let back = load_unverified(&copy.path().join("mnist")).unwrap();
    assert_eq!(
        back.train
            .images()
            .flatten_all()
            .unwrap()
            .to_vec1::<u8>()
            .unwrap(),
        ds.train
            .images()
            .flatten_all()
            .unwrap()
            .to_vec1::<u8>()
            .unwrap()
    );
    assert_eq!(back.test.label_vec().unwrap(), ds.test.label_vec().unwrap());
    assert!(
        copy.path()
            .join("mnist/t10k-labels-idx1-ubyte.gz")
            .is_file()
    );
}
