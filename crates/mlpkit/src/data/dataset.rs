//! MNIST and Fashion-MNIST: what they are, where their files live, and one call to load them.
//!
//! ```
//! use mlpkit::prelude::*;
//! let mnist = Dataset::load(DatasetKind::Mnist)?;        // searches every known place
//! println!("{}", mnist);                                  // sizes and where it came from
//! # Ok::<(), mlpkit::Error>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};

use super::idx::{read_idx, IdxArray, IdxFile};
use super::split::Split;
use crate::error::{Error, Result};

/// The two datasets of the tutorials. Both have 60,000 training and 10,000 test
/// images of 28×28 grey pixels and ten classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatasetKind {
    /// Hand-written digits 0–9 (LeCun, Cortes, Burges).
    Mnist,
    /// Zalando's clothing images: T-shirt/top, Trouser, … (Xiao, Rasul, Vollgraf).
    FashionMnist,
}

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

    fn dims(self) -> usize {
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

    /// Display name: `MNIST`, `Fashion-MNIST`.
    pub fn title(self) -> &'static str {
        match self {
            DatasetKind::Mnist => "MNIST",
            DatasetKind::FashionMnist => "Fashion-MNIST",
        }
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
        match self {
            DatasetKind::Mnist => "MNIST_DIR",
            DatasetKind::FashionMnist => "FASHION_MNIST_DIR",
        }
    }

    /// Where Debian-style packages put the files (`apt-get install dataset-fashion-mnist`).
    pub fn system_dir(self) -> PathBuf {
        PathBuf::from("/usr/share/datasets").join(self.name())
    }

    /// The workspace's own `data/<name>/` folder.
    pub fn workspace_dir(self) -> PathBuf {
        workspace_data_dir().join(self.name())
    }

    /// Dataset repository on the Hugging Face hub.
    pub fn hub_repo(self) -> &'static str {
        match self {
            DatasetKind::Mnist => "ylecun/mnist",
            DatasetKind::FashionMnist => "zalando-datasets/fashion_mnist",
        }
    }

    /// SHA-256 of the original, uncompressed file.
    pub fn sha256(self, part: IdxPart) -> &'static str {
        use IdxPart::*;
        match (self, part) {
            (DatasetKind::Mnist, TrainImages) => {
                "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
            }
            (DatasetKind::Mnist, TrainLabels) => {
                "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
            }
            (DatasetKind::Mnist, TestImages) => {
                "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
            }
            (DatasetKind::Mnist, TestLabels) => {
                "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
            }
            (DatasetKind::FashionMnist, TrainImages) => {
                "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"
            }
            (DatasetKind::FashionMnist, TrainLabels) => {
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"
            }
            (DatasetKind::FashionMnist, TestImages) => {
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"
            }
            (DatasetKind::FashionMnist, TestLabels) => {
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"
            }
        }
    }
}

impl fmt::Display for DatasetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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

/// Where a loaded dataset came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// IDX files in this directory.
    Dir(PathBuf),
    /// Parquet files from the Hugging Face hub, in this cache directory.
    Hub {
        /// The hub repository.
        repo: &'static str,
        /// The local cache directory.
        cache: PathBuf,
    },
}

/// Shows a source the way a person would write it down: a folder relative to the current
/// directory when the two share a folder below the file system's root (`../data/mnist`,
/// `../../shared/datasets/mnist`), so that a notebook's saved output does not carry the
/// path of the machine it ran on; system folders such as `/usr/share/datasets/…` stay
/// absolute.
impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Dir(d) => write!(f, "{}", shown_path(d).display()),
            Source::Hub { repo, cache } => {
                write!(
                    f,
                    "Hugging Face hub {repo} (cache {})",
                    shown_path(cache).display()
                )
            }
        }
    }
}

/// `path` relative to the current directory if they share an ancestor other than the root
/// (see [`Source`]'s `Display`), else `path` itself.
pub fn shown_path(path: &Path) -> PathBuf {
    let (Ok(target), Ok(here)) = (
        path.canonicalize(),
        std::env::current_dir().and_then(|d| d.canonicalize()),
    ) else {
        return path.to_path_buf();
    };
    let common = target
        .components()
        .zip(here.components())
        .take_while(|(a, b)| a == b)
        .count();
    // Only the root in common (`/usr/share/…` seen from `/home/…`): keep it absolute.
    if common <= 1 {
        return target;
    }
    let mut relative = PathBuf::new();
    for _ in here.components().skip(common) {
        relative.push("..");
    }
    for part in target.components().skip(common) {
        relative.push(part);
    }
    if relative.as_os_str().is_empty() {
        relative.push(".");
    }
    relative
}

/// A whole dataset: its training and test splits, as raw pixels.
///
/// Images are `u8` tensors of shape `(n, 28, 28)` with values 0–255 and labels
/// `u32` of shape `(n,)`, exactly as stored (Keras's `load_data()` returns the
/// same). Preprocessing ([`scale`](super::scale), [`flatten`](super::flatten), …) is a
/// separate, visible step.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Which dataset this is.
    pub kind: DatasetKind,
    /// The training split (60,000 examples for both datasets).
    pub train: Split,
    /// The test split (10,000 examples).
    pub test: Split,
    /// Where the files were found.
    pub source: Source,
}

impl Dataset {
    /// Loads `kind` from the first place that has it; see [`Loader`] for the search order.
    pub fn load(kind: DatasetKind) -> Result<Self> {
        Loader::new(kind).load()
    }

    /// Loads `kind` from the IDX files in `dir` only.
    pub fn from_dir(kind: DatasetKind, dir: impl AsRef<Path>) -> Result<Self> {
        Loader::new(kind).load_dir(dir.as_ref())
    }

    /// Class names, indexed by label.
    pub fn class_names(&self) -> [&'static str; 10] {
        self.kind.class_names()
    }

    /// Writes the dataset as the four original gzip-compressed IDX files into `dir` (each
    /// atomically), so that a copy fetched from the hub can be found there next time.
    pub fn save_idx(&self, dir: impl AsRef<Path>) -> Result<()> {
        use std::io::Write;
        let dir = dir.as_ref();
        for part in IdxPart::ALL {
            let split = match part {
                IdxPart::TrainImages | IdxPart::TrainLabels => &self.train,
                IdxPart::TestImages | IdxPart::TestLabels => &self.test,
            };
            let array = match part {
                IdxPart::TrainImages | IdxPart::TestImages => IdxArray {
                    dims: split.images.dims().to_vec(),
                    data: split
                        .images
                        .to_dtype(DType::U8)?
                        .flatten_all()?
                        .to_vec1::<u8>()?,
                },
                IdxPart::TrainLabels | IdxPart::TestLabels => IdxArray {
                    dims: vec![split.len()],
                    data: split.labels.to_dtype(DType::U8)?.to_vec1::<u8>()?,
                },
            };
            let path = dir.join(format!("{}.gz", part.file_name()));
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(&array.to_bytes())
                .and_then(|_| gz.try_finish())
                .map_err(|e| Error::io("compress", &path, e))?;
            crate::atomic::write_bytes(&path, &gz.get_ref()[..])?;
        }
        Ok(())
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} from {}", self.kind.title(), self.source)?;
        writeln!(
            f,
            "  train: images {:?} {:?}, labels {:?}",
            self.train.images.dims(),
            self.train.images.dtype(),
            self.train.labels.dims()
        )?;
        write!(
            f,
            "  test:  images {:?} {:?}, labels {:?}",
            self.test.images.dims(),
            self.test.images.dtype(),
            self.test.labels.dims()
        )
    }
}

/// Finds and loads a dataset, with options.
///
/// Search order (the first place that holds all four files wins):
/// 1. the directory given with [`Loader::dir`];
/// 2. the directory in the environment variable ([`DatasetKind::env_var`]: `MNIST_DIR`, `FASHION_MNIST_DIR`);
/// 3. the workspace's `data/<name>/`;
/// 4. `/usr/share/datasets/<name>/` (Debian's `dataset-fashion-mnist` package);
/// 5. the Hugging Face hub: first its local cache, then the network (unless offline).
///
/// Files may be plain or `.gz`. A place that holds the files but whose files are
/// damaged is an error, never silently skipped.
#[derive(Debug, Clone)]
pub struct Loader {
    kind: DatasetKind,
    dir: Option<PathBuf>,
    hub: super::hub::HubOptions,
    use_hub: bool,
    default_dirs: bool,
    verify: bool,
    device: Device,
}

impl Loader {
    /// A loader for `kind` that searches every place, verifies checksums and may use the hub.
    pub fn new(kind: DatasetKind) -> Self {
        Self {
            kind,
            dir: None,
            hub: super::hub::HubOptions::from_env(),
            use_hub: true,
            default_dirs: true,
            verify: true,
            device: Device::Cpu,
        }
    }

    /// Look in `dir` first.
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// Whether to try the Hugging Face hub when no local copy exists (default: yes).
    pub fn hub(mut self, enabled: bool) -> Self {
        self.use_hub = enabled;
        self
    }

    /// Whether to search the usual folders (environment variable, `data/`, system folder)
    /// after the one given with [`Loader::dir`] (default: yes).
    pub fn default_dirs(mut self, enabled: bool) -> Self {
        self.default_dirs = enabled;
        self
    }

    /// Use only the hub's local cache, never the network (also set by `HF_HUB_OFFLINE=1`).
    pub fn offline(mut self, offline: bool) -> Self {
        self.hub.offline = offline;
        self
    }

    /// Hub cache directory (default: where the `hf-hub` crate puts it, see [`super::hub::HubOptions::from_env`]).
    pub fn hub_cache(mut self, dir: impl Into<PathBuf>) -> Self {
        self.hub.cache_dir = dir.into();
        self
    }

    /// Hub address (default `https://huggingface.co`, or `HF_ENDPOINT`).
    pub fn hub_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.hub.endpoint = endpoint.into();
        self
    }

    /// Check files read from disk against the originals' SHA-256 (default: yes).
    pub fn verify_checksums(mut self, verify: bool) -> Self {
        self.verify = verify;
        self
    }

    /// Device for the tensors (default: CPU).
    pub fn device(mut self, device: &Device) -> Self {
        self.device = device.clone();
        self
    }

    /// The local directories searched, in order, each with the reason it is on the list.
    pub fn local_candidates(&self) -> Vec<(String, PathBuf)> {
        let mut places = Vec::new();
        if let Some(d) = &self.dir {
            places.push(("the directory you named".to_string(), d.clone()));
        }
        if !self.default_dirs {
            return places;
        }
        if let Some(d) = std::env::var_os(self.kind.env_var()).filter(|v| !v.is_empty()) {
            places.push((format!("${}", self.kind.env_var()), PathBuf::from(d)));
        }
        places.push((
            "the workspace's data folder".to_string(),
            self.kind.workspace_dir(),
        ));
        places.push((
            "the system dataset folder".to_string(),
            self.kind.system_dir(),
        ));
        places
    }

    /// Searches every place in order and loads the first complete copy.
    pub fn load(&self) -> Result<Dataset> {
        let mut tried = Vec::new();
        for (why, dir) in self.local_candidates() {
            match find_files(&dir) {
                Ok(_) => return self.load_dir(&dir),
                Err(missing) => tried.push(format!("  - {} ({why}): {missing}", dir.display())),
            }
        }
        if self.use_hub {
            match super::hub::load(self.kind, &self.hub, &self.device) {
                Ok(ds) => return Ok(ds),
                Err(super::hub::HubMiss::NotThere(why)) => tried.push(format!(
                    "  - Hugging Face hub {}: {why}",
                    self.kind.hub_repo()
                )),
                Err(super::hub::HubMiss::Failed(e)) => return Err(e),
            }
        } else {
            tried.push(
                "  - Hugging Face hub: not tried (turned off with Loader::hub(false))".to_string(),
            );
        }
        Err(self.not_found(tried.join("\n")))
    }

    fn not_found(&self, tried: String) -> Error {
        Error::DatasetNotFound {
            dataset: self.kind.title(),
            tried,
            workspace_dir: self.kind.workspace_dir().display().to_string(),
            env_var: self.kind.env_var(),
        }
    }

    /// Loads the four IDX files from `dir`, checking headers, sizes, labels and (by default) digests.
    pub fn load_dir(&self, dir: &Path) -> Result<Dataset> {
        let paths = find_files(dir)
            .map_err(|missing| self.not_found(format!("  - {}: {missing}", dir.display())))?;
        // Decompressing and hashing dominate: do the four files on parallel threads.
        let files: Vec<Result<IdxFile>> = std::thread::scope(|s| {
            let handles: Vec<_> = IdxPart::ALL
                .iter()
                .zip(&paths)
                .map(|(&part, path)| s.spawn(move || read_idx(path, part.dims())))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("IDX reader thread panicked"))
                .collect()
        });
        let mut files = files.into_iter().collect::<Result<Vec<_>>>()?;
        if self.verify {
            for (&part, file) in IdxPart::ALL.iter().zip(&files) {
                let expected = self.kind.sha256(part);
                if file.sha256 != expected {
                    return Err(Error::ChecksumMismatch {
                        path: file.path.clone(),
                        dataset: self.kind.title(),
                        expected,
                        actual: file.sha256.clone(),
                    });
                }
            }
        }
        let test_labels = files.pop().unwrap();
        let test_images = files.pop().unwrap();
        let train_labels = files.pop().unwrap();
        let train_images = files.pop().unwrap();
        Ok(Dataset {
            kind: self.kind,
            train: split_from_idx(train_images, train_labels, &self.device)?,
            test: split_from_idx(test_images, test_labels, &self.device)?,
            source: Source::Dir(dir.to_path_buf()),
        })
    }
}

/// The four file paths in `dir` (each plain or `.gz`), or a description of what is missing.
/// When both forms of a file are there, the one modified last is taken (so that files just
/// written by [`Dataset::save_idx`] win over older copies).
fn find_files(dir: &Path) -> std::result::Result<Vec<PathBuf>, String> {
    if !dir.is_dir() {
        return Err("no such directory".to_string());
    }
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for part in IdxPart::ALL {
        let plain = dir.join(part.file_name());
        let gz = dir.join(format!("{}.gz", part.file_name()));
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        match (plain.is_file(), gz.is_file()) {
            (true, true) if modified(&gz) > modified(&plain) => found.push(gz),
            (true, _) => found.push(plain),
            (false, true) => found.push(gz),
            (false, false) => missing.push(part.file_name()),
        }
    }
    if missing.is_empty() {
        Ok(found)
    } else {
        Err(format!("missing {}", missing.join(", ")))
    }
}

/// Checks an images file and a labels file against each other and makes a [`Split`].
fn split_from_idx(images: IdxFile, labels: IdxFile, device: &Device) -> Result<Split> {
    let dims = &images.array.dims;
    if dims[1] != IMAGE_SIDE || dims[2] != IMAGE_SIDE {
        return Err(Error::bad_idx(
            &images.path,
            format!(
                "images are {}x{}, but MNIST-style images are {IMAGE_SIDE}x{IMAGE_SIDE}",
                dims[1], dims[2]
            ),
        ));
    }
    let (n_images, n_labels) = (dims[0], labels.array.dims[0]);
    if n_images == 0 {
        return Err(Error::bad_idx(
            &images.path,
            "its header says it holds 0 images; a dataset needs at least one example",
        ));
    }
    if n_images != n_labels {
        return Err(Error::Mismatch(format!(
            "`{}` holds {n_images} images but `{}` holds {n_labels} labels; the two files must come from the same split",
            images.path.display(),
            labels.path.display()
        )));
    }
    labels_in_range(&labels.array.data, &labels.path.display().to_string())?;
    let images_t = Tensor::from_vec(
        images.array.data,
        (n_images, IMAGE_SIDE, IMAGE_SIDE),
        device,
    )?;
    let labels_t = Tensor::from_vec(
        labels
            .array
            .data
            .iter()
            .map(|&l| l as u32)
            .collect::<Vec<u32>>(),
        n_labels,
        device,
    )?;
    Split::new(images_t, labels_t)
}

/// Every label must name one of the ten classes.
pub(crate) fn labels_in_range(labels: &[u8], origin: &str) -> Result<()> {
    if let Some((i, &l)) = labels
        .iter()
        .enumerate()
        .find(|(_, &l)| l as usize >= NUM_CLASSES)
    {
        return Err(Error::Mismatch(format!(
            "label {l} at position {i} of {origin} is not a class: labels must be 0..{}",
            NUM_CLASSES - 1
        )));
    }
    Ok(())
}
