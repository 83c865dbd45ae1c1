//! The real datasets, when this machine has them; a test that needs one it lacks skips and
//! says what to fetch.
//!
//! A clone without data (`cargo test` on a machine that never ran `./lab`) passes, with a
//! line on stderr for each skipped test. `./lab test` sets `MLPKIT_REQUIRE_DATA=1`, under
//! which a missing dataset fails the test instead, so that CI never passes by skipping.

use std::io::Write;
use std::path::{Path, PathBuf};

use mlpkit::data::uci_digits;
use mlpkit::prelude::*;

/// Set to make a missing dataset fail a test rather than skip it.
pub const REQUIRE_DATA_VAR: &str = "MLPKIT_REQUIRE_DATA";

/// The workspace's root folder (two above the crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..")
}

/// Skips the calling test (returns `None`) or, under [`REQUIRE_DATA_VAR`], fails it.
///
/// The line goes straight to the process's stderr: the test harness keeps a passing test's
/// `eprintln!` to itself, and a skip should be seen.
fn missing<T>(what: &str, how: &str) -> Option<T> {
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    if std::env::var_os(REQUIRE_DATA_VAR).is_some_and(|v| !v.is_empty() && v != "0") {
        panic!(
            "{test} needs {what}, which is not on this machine ({REQUIRE_DATA_VAR} is set): {how}"
        );
    }
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: needs {what}, not on this machine. {how}"
    );
    None
}

fn has_mnist_files(d: &Path) -> bool {
    d.join("train-images-idx3-ubyte.gz").is_file() || d.join("train-images-idx3-ubyte").is_file()
}

/// The real MNIST files: `$MNIST_DIR`, else the workspace's `data/mnist`, else the
/// development machines' `../shared/datasets/mnist` beside the checkout.
pub fn mnist_dir() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("MNIST_DIR").map(PathBuf::from),
        Some(DatasetKind::Mnist.workspace_dir()),
        Some(
            workspace_root()
                .join("..")
                .join("shared")
                .join("datasets")
                .join("mnist"),
        ),
    ];
    candidates.into_iter().flatten().find(|d| has_mnist_files(d)).or_else(|| {
        missing(
            "MNIST",
            "Run `./lab setup` (it fetches MNIST from the Hugging Face hub into data/mnist), or put \
             its four IDX files in data/mnist/ or a folder named by MNIST_DIR.",
        )
    })
}

/// The real Fashion-MNIST files (`$FASHION_MNIST_DIR`, `data/fashion-mnist`, Debian's package).
pub fn fashion_dir() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("FASHION_MNIST_DIR").map(PathBuf::from),
        Some(DatasetKind::FashionMnist.workspace_dir()),
        Some(DatasetKind::FashionMnist.system_dir()),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|d| has_mnist_files(d))
        .or_else(|| {
            missing(
            "Fashion-MNIST",
            "Run `./lab setup` (it installs Debian's dataset-fashion-mnist as root, or fetches it \
             from the hub), or put its four IDX files in data/fashion-mnist/ or FASHION_MNIST_DIR.",
        )
        })
}

/// The real MNIST dataset, from [`mnist_dir`].
pub fn mnist() -> Option<Dataset> {
    Some(Dataset::from_dir(DatasetKind::Mnist, mnist_dir()?).expect("loading the real MNIST files"))
}

/// The file of the UCI handwritten digits (notebook 06), when `./lab` has fetched it.
pub fn uci_file() -> Option<PathBuf> {
    let file = std::env::var_os(uci_digits::env_var())
        .map(PathBuf::from)
        .unwrap_or_else(uci_digits::workspace_dir)
        .join(uci_digits::file_name());
    if file.is_file() {
        return Some(file);
    }
    missing(
        "the UCI handwritten digits",
        "Run `./lab setup`: it takes them from scikit-learn's package on PyPI into data/uci-digits/.",
    )
}
