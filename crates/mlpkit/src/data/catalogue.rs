//! What the datasets are: their names, classes, files and published digests, and the order
//! in which their folders are searched.
//!
//! The facts come from `crates/mlpkit/datasets.json`, compiled into the library. `./lab` reads
//! the same file (`tools/datasets.py`), so the workspace's set-up and the loader search the
//! same places in the same order and check the same SHA-256 digests.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Deserialize;

/// Image side in pixels.
pub const IMAGE_SIDE: usize = 28;
/// Pixels per image, the input size of every tutorial network.
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;
/// Number of classes in both datasets.
pub const NUM_CLASSES: usize = 10;

const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
const CLOTHES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// `datasets.json`, as read.
#[derive(Debug, Deserialize)]
pub(crate) struct Catalogue {
    pub(crate) local_search: Vec<Place>,
    pub(crate) system_dir: String,
    pub(crate) idx_datasets: Vec<IdxFacts>,
    pub(crate) uci_digits: UciFacts,
}

/// One local place the loader looks in, with why it is on the list.
#[derive(Debug, Deserialize)]
pub(crate) struct Place {
    pub(crate) place: PlaceKind,
    pub(crate) why: String,
}

/// The kinds of local places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PlaceKind {
    /// The folder named by the dataset's environment variable.
    Env,
    /// `data/<name>` in the workspace.
    Workspace,
    /// `<system_dir>/<name>` (Debian's dataset packages).
    System,
}

/// One IDX dataset's facts.
#[derive(Debug, Deserialize)]
pub(crate) struct IdxFacts {
    pub(crate) name: String,
    pub(crate) title: String,
    pub(crate) env_var: String,
    pub(crate) hub_repo: String,
    pub(crate) hub_prefix: String,
    pub(crate) sha256: std::collections::BTreeMap<String, String>,
}

/// The UCI digits' facts.
#[derive(Debug, Deserialize)]
pub(crate) struct UciFacts {
    pub(crate) name: String,
    pub(crate) file: String,
    pub(crate) env_var: String,
    pub(crate) sha256: String,
}

/// The catalogue compiled into the library (its tests read it once).
pub(crate) fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        serde_json::from_str(include_str!("../../datasets.json"))
            .expect("datasets.json is compiled in, and the crate's tests read it")
    })
}

/// The two datasets of the tutorials. Both have 60,000 training and 10,000 test
/// images of 28×28 grey pixels and ten classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatasetKind {
    /// Hand-written digits 0–9 (LeCun, Cortes, Burges).
    Mnist,
    /// Zalando's clothing images: T-shirt/top, Trouser, … (Xiao, Rasul, Vollgraf).
    FashionMnist,
}

/// One of the four files of a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdxPart {
    /// The training images (`train-images-idx3-ubyte`).
    TrainImages,
    /// The training labels (`train-labels-idx1-ubyte`).
    TrainLabels,
    /// The test images (`t10k-images-idx3-ubyte`).
    TestImages,
    /// The test labels (`t10k-labels-idx1-ubyte`).
    TestLabels,
}

impl IdxPart {
    /// The four parts, in the order the datasets publish them.
    pub const ALL: [IdxPart; 4] = [
        IdxPart::TrainImages,
        IdxPart::TrainLabels,
        IdxPart::TestImages,
        IdxPart::TestLabels,
    ];

    /// The original file name, without `.gz`.
    pub fn file_name(self) -> &'static str {
        match self {
            IdxPart::TrainImages => "train-images-idx3-ubyte",
            IdxPart::TrainLabels => "train-labels-idx1-ubyte",
            IdxPart::TestImages => "t10k-images-idx3-ubyte",
            IdxPart::TestLabels => "t10k-labels-idx1-ubyte",
        }
    }

    /// Dimensions of the file's array: 3 for images `(n, 28, 28)`, 1 for labels `(n,)`.
    pub fn dims(self) -> usize {
        match self {
            IdxPart::TrainImages | IdxPart::TestImages => 3,
            IdxPart::TrainLabels | IdxPart::TestLabels => 1,
        }
    }
}

impl DatasetKind {
    /// Short name, also the folder name under `data/`: `mnist`, `fashion-mnist`.
    pub fn name(self) -> &'static str {
        match self {
            DatasetKind::Mnist => "mnist",
            DatasetKind::FashionMnist => "fashion-mnist",
        }
    }

    fn facts(self) -> &'static IdxFacts {
        catalogue()
            .idx_datasets
            .iter()
            .find(|d| d.name == self.name())
            .expect("datasets.json lists both datasets, and the crate's tests check it")
    }

    /// Display name: `MNIST`, `Fashion-MNIST`.
    pub fn title(self) -> &'static str {
        &self.facts().title
    }

    /// The ten class names, indexed by label.
    pub fn class_names(self) -> [&'static str; 10] {
        match self {
            DatasetKind::Mnist => DIGITS,
            DatasetKind::FashionMnist => CLOTHES,
        }
    }

    /// Environment variable that may name a directory holding the files.
    pub fn env_var(self) -> &'static str {
        &self.facts().env_var
    }

    /// Where Debian-style packages put the files (`apt-get install dataset-fashion-mnist`).
    pub fn system_dir(self) -> PathBuf {
        PathBuf::from(&catalogue().system_dir).join(self.name())
    }

    /// The workspace's own `data/<name>/` folder.
    pub fn workspace_dir(self) -> PathBuf {
        workspace_data_dir().join(self.name())
    }

    /// Dataset repository on the Hugging Face hub.
    pub fn hub_repo(self) -> &'static str {
        &self.facts().hub_repo
    }

    /// The folder of the dataset's Parquet files in its hub repository (`mnist`, `fashion_mnist`).
    pub fn hub_prefix(self) -> &'static str {
        &self.facts().hub_prefix
    }

    /// SHA-256 of the original, uncompressed file.
    pub fn sha256(self, part: IdxPart) -> &'static str {
        self.facts()
            .sha256
            .get(part.file_name())
            .map(String::as_str)
            .expect("datasets.json has a digest for every file, and the crate's tests check it")
    }

    /// The local folders searched for the files, in order, each with the reason it is on
    /// the list (the order of `datasets.json`).
    pub fn local_places(self) -> Vec<(String, PathBuf)> {
        let mut places = Vec::new();
        for place in &catalogue().local_search {
            let why = place
                .why
                .replace("ENV_VAR", self.env_var())
                .replace("NAME", self.name());
            match place.place {
                PlaceKind::Env => {
                    if let Some(d) = std::env::var_os(self.env_var()).filter(|v| !v.is_empty()) {
                        places.push((why, PathBuf::from(d)));
                    }
                }
                PlaceKind::Workspace => places.push((why, self.workspace_dir())),
                PlaceKind::System => places.push((why, self.system_dir())),
            }
        }
        places
    }
}

impl std::fmt::Display for DatasetKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.title())
    }
}

/// The workspace's `data/` folder (found from this crate's location, so it is the
/// same whatever the current directory of a notebook or test is).
pub fn workspace_data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("..")
        .join("data")
}

/// An error unless every label names one of the ten classes (`origin` names where they came
/// from, for the message).
pub(crate) fn check_labels(labels: &[u8], origin: &str) -> crate::Result<()> {
    if let Some((i, &l)) = labels
        .iter()
        .enumerate()
        .find(|&(_, &l)| l as usize >= NUM_CLASSES)
    {
        return Err(crate::Error::Mismatch(format!(
            "label {l} at position {i} of {origin} is not a class: labels must be 0..{}",
            NUM_CLASSES - 1
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_has_every_fact_the_loader_asks_for() {
        for kind in [DatasetKind::Mnist, DatasetKind::FashionMnist] {
            for part in IdxPart::ALL {
                assert_eq!(kind.sha256(part).len(), 64, "{kind} {part:?}");
            }
            assert!(!kind.title().is_empty() && !kind.hub_repo().is_empty());
        }
        let uci = &catalogue().uci_digits;
        assert_eq!(uci.sha256.len(), 64);
        assert_eq!(uci.name, "uci-digits");
        let kinds: Vec<PlaceKind> = catalogue().local_search.iter().map(|p| p.place).collect();
        assert_eq!(
            kinds,
            [PlaceKind::Env, PlaceKind::Workspace, PlaceKind::System]
        );
    }
}
