//! [`Dataset`]: MNIST or Fashion-MNIST as loaded, and the [`Loader`] that finds it.
//!
//! (The example needs the dataset on disk, so it is compiled but not run by `cargo test`.)
//!
//! ```no_run
//! use mlpkit::prelude::*;
//! let mnist = Dataset::load(DatasetKind::Mnist)?;        // searches every known place
//! println!("{}", mnist);                                  // sizes and where it came from
//! # Ok::<(), mlpkit::Error>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};

use super::catalogue::{DatasetKind, IMAGE_SIDE, IdxPart, check_labels};
use super::hub::{self, HubMiss, HubOptions};
use super::idx::{IdxArray, IdxFile, read_idx, write_idx_gz};
use super::split::Split;
use crate::error::{Error, Result};
use crate::files::shown_path;

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
    ///
    /// # Errors
    /// Those of [`Loader::load`]: most often [`Error::DatasetNotFound`] (the message lists
    /// every place searched and how to put the files in one of them). The example needs the
    /// dataset on disk, so it is compiled but not run; the one of [`Dataset::save_idx`] runs.
    ///
    /// ```no_run
    /// use mlpkit::prelude::*;
    /// let fashion = Dataset::load(DatasetKind::FashionMnist)?;
    /// assert_eq!(fashion.train.images().dims(), &[60_000, 28, 28]);
    /// assert_eq!(fashion.class_names()[9], "Ankle boot");
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn load(kind: DatasetKind) -> Result<Self> {
        Loader::new(kind).load()
    }

    /// Loads `kind` from the IDX files in `dir` only, checking their SHA-256.
    ///
    /// # Errors
    /// Those of [`Loader::load_dir`]: [`Error::DatasetNotFound`] when a file is missing from
    /// `dir`, [`Error::ChecksumMismatch`] when one is not the published original.
    pub fn from_dir(kind: DatasetKind, dir: impl AsRef<Path>) -> Result<Self> {
        Loader::new(kind).load_dir(dir.as_ref())
    }

    /// Class names, indexed by label.
    pub fn class_names(&self) -> [&'static str; 10] {
        self.kind.class_names()
    }

    /// Writes the dataset as the four original gzip-compressed IDX files into `dir` (each
    /// atomically), so that a copy fetched from the hub can be found there next time.
    ///
    /// # Errors
    /// [`Error::Io`] when `dir` cannot be made or written to (a missing folder is created;
    /// each file is written whole or not at all); [`Error::Candle`] if the tensors cannot be
    /// read as bytes.
    ///
    /// ```
    /// use mlpkit::data::Source;
    /// use mlpkit::prelude::*;
    /// // A made-up dataset of three training and two test images (all black).
    /// let split = |n: u32| -> mlpkit::Result<Split> {
    ///     let images = Tensor::zeros((n as usize, 28, 28), DType::U8, &Device::Cpu)?;
    ///     Split::new(images, Tensor::arange(0u32, n, &Device::Cpu)?)
    /// };
    /// let dir = tempfile::tempdir().unwrap();
    /// let tiny = Dataset {
    ///     kind: DatasetKind::Mnist,
    ///     train: split(3)?,
    ///     test: split(2)?,
    ///     source: Source::Dir(dir.path().into()),
    /// };
    /// tiny.save_idx(dir.path())?;
    /// // They are not MNIST's published files: the SHA-256 check refuses them …
    /// let refused = Dataset::from_dir(DatasetKind::Mnist, dir.path());
    /// assert!(matches!(refused, Err(Error::ChecksumMismatch { .. })));
    /// // … unless it is turned off.
    /// let back = Loader::new(DatasetKind::Mnist).verify_checksums(false).load_dir(dir.path())?;
    /// assert_eq!(back.train.label_vec()?, [0, 1, 2]);
    /// assert_eq!(back.test.len(), 2);
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn save_idx(&self, dir: impl AsRef<Path>) -> Result<()> {
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
            write_idx_gz(&dir.join(format!("{}.gz", part.file_name())), &array)?;
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
    check_labels(&labels.array.data, &labels.path.display().to_string())?;
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

/// Shows a source the way a person would write it down ([`shown_path`]): a folder relative
/// to the current directory (`../data/mnist`), so that a notebook's saved output does not
/// carry the path of the machine it ran on; system folders such as `/usr/share/datasets/…`
/// stay absolute.
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
    hub: HubOptions,
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
            hub: HubOptions::from_env(),
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

    /// Hub cache directory (default: where the `hf-hub` crate puts it, see [`HubOptions::from_env`]).
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

    /// The local directories searched, in order, each with the reason it is on the list:
    /// the one named with [`Loader::dir`], then [`DatasetKind::local_places`].
    pub fn local_candidates(&self) -> Vec<(String, PathBuf)> {
        let mut places = Vec::new();
        if let Some(d) = &self.dir {
            places.push(("the directory you named".to_string(), d.clone()));
        }
        if self.default_dirs {
            places.extend(self.kind.local_places());
        }
        places
    }

    /// Searches every place in order and loads the first complete copy.
    ///
    /// # Errors
    /// - [`Error::DatasetNotFound`] when no place holds all four files and the hub did not
    ///   give them (without the crate's `hub` feature, the hub is never tried); the message
    ///   lists each place and what it lacked;
    /// - the errors of [`Loader::load_dir`] for the first place that holds all four files:
    ///   a damaged file there is reported, not skipped;
    /// - [`Error::Hub`] or [`Error::BadFile`] when the hub's copy was found but could not be
    ///   read.
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let empty = tempfile::tempdir().unwrap();
    /// let result = Loader::new(DatasetKind::Mnist)
    ///     .dir(empty.path())
    ///     .default_dirs(false) // only the folder named here …
    ///     .hub(false)          // … and not the hub
    ///     .load();
    /// let e = result.unwrap_err();
    /// assert!(matches!(e, Error::DatasetNotFound { .. }));
    /// assert!(e.to_string().contains("missing train-images-idx3-ubyte"));
    /// ```
    pub fn load(&self) -> Result<Dataset> {
        let mut tried = Vec::new();
        for (why, dir) in self.local_candidates() {
            match find_files(&dir) {
                Ok(_) => return self.load_dir(&dir),
                Err(missing) => tried.push(format!("  - {} ({why}): {missing}", dir.display())),
            }
        }
        if self.use_hub {
            match hub::load(self.kind, &self.hub, &self.device) {
                Ok((train, test)) => {
                    return Ok(Dataset {
                        kind: self.kind,
                        train,
                        test,
                        source: Source::Hub {
                            repo: self.kind.hub_repo(),
                            cache: self.hub.cache_dir.clone(),
                        },
                    });
                }
                Err(HubMiss::NotThere(why)) => tried.push(format!(
                    "  - Hugging Face hub {}: {why}",
                    self.kind.hub_repo()
                )),
                Err(HubMiss::Failed(e)) => return Err(e),
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
    ///
    /// # Errors
    /// - [`Error::DatasetNotFound`] when `dir` lacks one of the four files (plain or `.gz`);
    /// - [`Error::Io`] when a file cannot be read;
    /// - [`Error::BadIdx`] when a file is not a well-formed IDX file (truncated, bad gzip,
    ///   wrong magic number, images that are not 28 × 28, no image at all);
    /// - [`Error::ChecksumMismatch`] when checksums are verified (the default) and a file is
    ///   not the published original: delete it and download it again;
    /// - [`Error::Mismatch`] when the images and labels of a split are not as many, or a
    ///   label is not a class 0–9.
    ///
    /// Example: [`Dataset::save_idx`].
    pub fn load_dir(&self, dir: &Path) -> Result<Dataset> {
        let paths = find_files(dir)
            .map_err(|missing| self.not_found(format!("  - {}: {missing}", dir.display())))?;
        // Decompressing and hashing dominate: the four files share the cores (rayon).
        use rayon::prelude::*;
        let files: Vec<Result<IdxFile>> = IdxPart::ALL
            .par_iter()
            .zip(paths.par_iter())
            .map(|(&part, path)| read_idx(path, part.dims()))
            .collect();
        let files = files.into_iter().collect::<Result<Vec<_>>>()?;
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
        let [train_images, train_labels, test_images, test_labels]: [IdxFile; 4] = files
            .try_into()
            .map_err(|_| Error::Mismatch("expected four IDX files".into()))?;
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
