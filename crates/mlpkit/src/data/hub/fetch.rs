//! The hub itself: its client, its cache, and its Parquet files read into a [`Split`]
//! (compiled with the crate's `hub` feature only; see the module above).

use std::path::Path;
use std::time::Duration;

use candle_core::{Device, Tensor};
use hf_hub::{HFClient, HFError};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

use super::{HubMiss, HubOptions, PARQUET_REVISION, parquet_files};
use crate::data::catalogue::{DatasetKind, IMAGE_PIXELS, IMAGE_SIDE, check_labels};
use crate::data::split::Split;
use crate::error::{Error, Result};

/// How long to wait for a connection before calling the hub unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Loads a dataset's training and test splits through the hub cache, downloading into it if
/// allowed.
pub(crate) fn load(
    kind: DatasetKind,
    opts: &HubOptions,
    device: &Device,
) -> std::result::Result<(Split, Split), HubMiss> {
    let repo_err = |reason: String| {
        HubMiss::Failed(Error::Hub {
            dataset: kind.title(),
            repo: kind.hub_repo(),
            reason,
        })
    };
    let http = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!("mlpkit/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| repo_err(format!("cannot set up an HTTP client: {e}")))?;
    let client = HFClient::builder()
        .endpoint(opts.endpoint.clone())
        .cache_dir(opts.cache_dir.clone())
        .client(http)
        .retry_max_attempts(1)
        .build_sync()
        .map_err(|e| repo_err(format!("cannot set up the hub client: {e}")))?;
    let (owner, name) = hf_hub::split_id(kind.hub_repo());
    let repo = client.dataset(owner, name);

    let mut paths = Vec::new();
    for file in parquet_files(kind) {
        let request = repo
            .download_file()
            .filename(file.clone())
            .revision(PARQUET_REVISION);
        let path = match request.clone().local_files_only(true).send() {
            Ok(path) => path,
            Err(HFError::LocalEntryNotFound { .. }) if opts.offline => {
                return Err(HubMiss::NotThere(format!(
                    "{file} is not in the cache {} and the hub is offline (HF_HUB_OFFLINE or Loader::offline)",
                    opts.cache_dir.display()
                )));
            }
            Err(HFError::LocalEntryNotFound { .. }) => request.send().map_err(|e| {
                HubMiss::NotThere(format!(
                    "{file} is not in the cache {} and downloading it from {} failed: {}",
                    opts.cache_dir.display(),
                    opts.endpoint,
                    describe(&e)
                ))
            })?,
            Err(e) => {
                return Err(repo_err(format!(
                    "cannot read the hub cache: {}",
                    describe(&e)
                )));
            }
        };
        paths.push(path);
    }
    let train = read_parquet_split(&paths[0], device).map_err(HubMiss::Failed)?;
    let test = read_parquet_split(&paths[1], device).map_err(HubMiss::Failed)?;
    Ok((train, test))
}

/// The error and its causes on one line (connection errors hide the useful part in the chain).
fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        cause = c.source();
    }
    text
}

/// Reads one hub Parquet file: rows of `image: {bytes: PNG, path}` and `label: int`.
pub fn read_parquet_split(path: &Path, device: &Device) -> Result<Split> {
    let bad = |reason: String| Error::bad_file(path, format!("in this hub Parquet file {reason}"));
    let file = std::fs::File::open(path).map_err(|e| Error::io("open", path, e))?;
    let reader = SerializedFileReader::new(file)
        .map_err(|e| Error::bad_file(path, format!("it is not a readable Parquet file ({e})")))?;
    // The row count in the file's metadata is only a claim: reserve for it only as far as
    // the file could hold that many rows (a row's PNG and label take well over 100 bytes),
    // so the reservation is at most about 8 times the file's size; the vectors grow with
    // the rows actually read.
    let file_len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) as usize;
    let rows = (reader.metadata().file_metadata().num_rows().max(0) as usize).min(file_len / 100);
    let mut pixels: Vec<u8> = Vec::with_capacity(rows.saturating_mul(IMAGE_PIXELS));
    let mut labels: Vec<u8> = Vec::with_capacity(rows);
    let iter = reader
        .get_row_iter(None)
        .map_err(|e| bad(format!("cannot read its rows ({e})")))?;
    for (i, row) in iter.enumerate() {
        let row = row.map_err(|e| bad(format!("row {i} is damaged ({e})")))?;
        let (mut png, mut label) = (None, None);
        for (name, field) in row.get_column_iter() {
            match (name.as_str(), field) {
                ("image", Field::Group(image)) => {
                    for (inner, value) in image.get_column_iter() {
                        if let ("bytes", Field::Bytes(b)) = (inner.as_str(), value) {
                            png = Some(b.data().to_vec());
                        }
                    }
                }
                ("label", Field::Long(l)) => label = Some(*l),
                ("label", Field::Int(l)) => label = Some(*l as i64),
                _ => {}
            }
        }
        let (png, label) = match (png, label) {
            (Some(p), Some(l)) => (p, l),
            _ => {
                return Err(bad(format!(
                    "row {i} lacks an `image.bytes` or a `label` column"
                )));
            }
        };
        let img = image::load_from_memory(&png)
            .map_err(|e| bad(format!("the image in row {i} is not a valid picture ({e})")))?;
        let grey = img.to_luma8();
        if grey.width() as usize != IMAGE_SIDE || grey.height() as usize != IMAGE_SIDE {
            return Err(bad(format!(
                "the image in row {i} is {}x{}, not {IMAGE_SIDE}x{IMAGE_SIDE}",
                grey.width(),
                grey.height()
            )));
        }
        pixels.extend_from_slice(grey.as_raw());
        labels.push(u8::try_from(label).map_err(|_| bad(format!("row {i} has label {label}")))?);
    }
    check_labels(&labels, &path.display().to_string())?;
    let n = labels.len();
    Split::new(
        Tensor::from_vec(pixels, (n, IMAGE_SIDE, IMAGE_SIDE), device)?,
        Tensor::from_vec(
            labels.into_iter().map(u32::from).collect::<Vec<u32>>(),
            n,
            device,
        )?,
    )
}
