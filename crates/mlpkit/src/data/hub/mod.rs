//! Fetching MNIST and Fashion-MNIST from the Hugging Face hub.
//!
//! The hub keeps each dataset as Parquet files (one row per example: the image
//! as PNG bytes and the label as an integer) under the revision
//! `refs/convert/parquet`. Downloads go to the usual hub cache, laid out as
//!
//! ```text
//! <cache>/datasets--ylecun--mnist/refs/refs/convert/parquet      (holds a commit hash)
//! <cache>/datasets--ylecun--mnist/snapshots/<commit>/mnist/train/0000.parquet
//! ```
//!
//! so a copy fetched by Python's `huggingface_hub` is found too. The cache is
//! looked at first; the network is used only when the files are not cached and
//! the loader is not offline (`HF_HUB_OFFLINE=1`). Connections time out after a
//! few seconds, so a machine without internet gets a clear answer, not a hang.

//!
//! Everything that needs the network or Parquet is in `fetch.rs`, compiled only with the
//! crate's `hub` feature (off by default: the notebooks and `./lab` build without it, and
//! `./lab` fetches a missing dataset into `data/` with the `fetch_data` example, which turns
//! it on). This file holds what the rest of the crate needs either way: where the hub and its
//! cache are, and the answer "not tried" when the feature is off.

use std::path::{Path, PathBuf};

#[cfg(not(feature = "hub"))]
use candle_core::Device;

use super::catalogue::DatasetKind;
#[cfg(not(feature = "hub"))]
use super::split::Split;
use crate::error::Error;

#[cfg(feature = "hub")]
mod fetch;
#[cfg(feature = "hub")]
pub(crate) use fetch::load;
#[cfg(feature = "hub")]
pub use fetch::read_parquet_split;

/// The revision under which the hub publishes its Parquet conversion of a dataset.
pub const PARQUET_REVISION: &str = "refs/convert/parquet";

/// Where and how to reach the hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubOptions {
    /// The hub's address (`HF_ENDPOINT`, else `https://huggingface.co`).
    pub endpoint: String,
    /// Where downloaded files are cached.
    pub cache_dir: PathBuf,
    /// Use only the cache, never the network (`HF_HUB_OFFLINE=1`).
    pub offline: bool,
}

impl HubOptions {
    /// Defaults as the Python client reads them: `HF_ENDPOINT`, `HF_HUB_OFFLINE`, and the
    /// cache directory as the `hf-hub` crate itself resolves it (`HF_HUB_CACHE`, else
    /// `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else
    /// `~/.cache/huggingface/hub`). Without the `hub` feature there is no cache to use, and
    /// `cache_dir` is empty.
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        #[cfg(feature = "hub")]
        let cache_dir = hf_hub::resolve_cache_dir();
        #[cfg(not(feature = "hub"))]
        let cache_dir = PathBuf::new();
        let offline = var("HF_HUB_OFFLINE").is_some_and(|v| {
            matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")
        });
        Self {
            endpoint: var("HF_ENDPOINT").unwrap_or_else(|| "https://huggingface.co".to_string()),
            cache_dir,
            offline,
        }
    }
}

/// The two Parquet files of a dataset, relative to the repository root.
pub fn parquet_files(kind: DatasetKind) -> [String; 2] {
    let prefix = kind.hub_prefix();
    [
        format!("{prefix}/train/0000.parquet"),
        format!("{prefix}/test/0000.parquet"),
    ]
}

/// The cache folder the hub client uses for a dataset repository (`datasets--owner--name`).
pub fn cache_repo_dir(cache_dir: &Path, kind: DatasetKind) -> PathBuf {
    cache_dir.join(format!("datasets--{}", kind.hub_repo().replace('/', "--")))
}

/// Why the hub did not give a dataset.
#[derive(Debug)]
#[cfg_attr(not(feature = "hub"), allow(dead_code))]
pub(crate) enum HubMiss {
    /// Not cached and not downloadable now (offline, no network): keep searching, report it.
    NotThere(String),
    /// The files were there but could not be read: a real error.
    Failed(Error),
}

/// Without the `hub` feature there is no hub to ask.
#[cfg(not(feature = "hub"))]
pub(crate) fn load(
    _kind: DatasetKind,
    _opts: &HubOptions,
    _device: &Device,
) -> std::result::Result<(Split, Split), HubMiss> {
    Err(HubMiss::NotThere(
        "not tried: this build of mlpkit has no hub support (its `hub` feature is off); `./lab open` \
         fetches missing datasets into data/"
            .to_string(),
    ))
}
