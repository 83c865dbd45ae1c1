//! Saving and loading models: one safetensors file holds the weights and, in its metadata,
//! the architecture and the training history.
//!
//! `model.save("mlp.safetensors")` writes exactly that one file, atomically: a temporary
//! file beside it is filled, flushed and renamed over it, so a crash, a kill or a full disk
//! during the save leaves the previous file as it was. (A name without an extension gets
//! `.safetensors` added; any other name is used as given.)
//!
//! - the tensors are named `dense.kernel`, `dense.bias`, `dense_1.kernel`, … (any
//!   safetensors reader, e.g. Python's `safetensors.numpy.load_file`, can open them);
//! - the metadata key `mlpkit` holds a [`SavedModel`] as JSON: format, version,
//!   [`Architecture`] and [`History`].
//!
//! `Sequential::load("mlp.safetensors")` rebuilds the model from that file;
//! `model.load_weights("mlp.safetensors")` fills an existing model and checks that every
//! tensor is there with the right shape. Before anything is allocated, the architecture's
//! tensor shapes are compared with those in the file, so a damaged or edited file gives an
//! error, never an attempt to allocate whatever sizes it claims.
//!
//! Files saved by mlpkit 0.1's first format (weights in `x.safetensors`, a JSON file `x.json`
//! beside them) still load; saving such a model again writes the new single file.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use safetensors::SafeTensors;
use serde::{Deserialize, Serialize};

use super::layer::Architecture;
use super::sequential::{Sequential, check_same_tensors, shapes_of};
use crate::error::{Error, Result};
use crate::files;
use crate::history::History;

const FORMAT: &str = "mlpkit.sequential";
/// 1: weights and a JSON file beside them; 2: one safetensors file with metadata.
const VERSION: u32 = 2;
/// The metadata key of the safetensors file that holds the [`SavedModel`] JSON.
const METADATA_KEY: &str = "mlpkit";

/// What a model file holds besides its weights (the metadata entry `mlpkit`, as JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedModel {
    /// Always `mlpkit.sequential`.
    pub format: String,
    /// The file format's version (2: one safetensors file with this record in its metadata).
    pub version: u32,
    /// The layers, so that the model can be rebuilt before its weights are read.
    pub architecture: Architecture,
    /// The training history up to the save.
    pub history: History,
}

/// The file a model is saved to: `path` as given, with `.safetensors` added when it has
/// no extension.
pub fn model_path(path: &Path) -> PathBuf {
    if path.extension().is_some() {
        path.to_path_buf()
    } else {
        path.with_extension("safetensors")
    }
}

impl Sequential {
    /// Saves the model to one safetensors file: the weights, and in the file's metadata the
    /// architecture and the history. The file is replaced atomically: on any error the
    /// previous file at `path` is unchanged and no temporary file is left.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be written: `path` is a folder, its folder cannot
    /// be made (missing folders are created), no permission, a full disk. The previous file is
    /// then unchanged. [`Error::InvalidArgument`] in the unlikely case that the weights or the
    /// description cannot be encoded.
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("mlp"); // becomes mlp.safetensors
    /// let model = Architecture::new(&[28, 28])
    ///     .add(Flatten)
    ///     .add(Dense::new(8, Activation::Relu))
    ///     .add(Dense::new(10, Activation::Softmax))
    ///     .build(3)?;
    /// model.save(&path)?;
    /// assert!(dir.path().join("mlp.safetensors").is_file());
    /// let back = Sequential::load(&path, &Device::Cpu)?;
    /// assert_eq!(back.architecture(), model.architecture());
    /// let x = Tensor::ones((1, 784), DType::F32, &Device::Cpu)?;
    /// assert_eq!(back.predict(&x)?.to_vec2::<f32>()?, model.predict(&x)?.to_vec2::<f32>()?);
    /// // A file where a folder should be:
    /// assert!(model.save(dir.path().join("mlp.safetensors").join("mlp")).is_err());
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = model_path(path.as_ref());
        let saved = SavedModel {
            format: FORMAT.into(),
            version: VERSION,
            architecture: self.architecture().clone(),
            history: self.history().clone(),
        };
        let json = serde_json::to_string(&saved)
            .map_err(|e| Error::InvalidArgument(format!("cannot describe the model: {e}")))?;
        let tensors: Vec<(String, Tensor)> = self
            .named_vars()
            .into_iter()
            .map(|(n, v)| (n, v.as_tensor().clone()))
            .collect();
        let metadata = std::collections::HashMap::from([(METADATA_KEY.to_string(), json)]);
        let bytes = safetensors::serialize(tensors, Some(metadata))
            .map_err(|e| Error::InvalidArgument(format!("cannot encode the weights: {e}")))?;
        files::write_bytes(&path, &bytes)
    }

    /// Rebuilds a saved model on `device`: architecture, weights and history. Compile it
    /// again before training further.
    ///
    /// # Errors
    /// - [`Error::Io`] when there is no file at `path` (save the model first) or it cannot be
    ///   read;
    /// - [`Error::BadFile`] when the file is not a complete safetensors file (truncated,
    ///   another format, the old `.json` description given instead), holds no architecture
    ///   (weights saved by another program: build the architecture and use
    ///   [`Sequential::load_weights`]), was saved by a newer mlpkit, or its tensors do not
    ///   match its architecture.
    ///
    /// Example: [`Sequential::save`].
    pub fn load(path: impl AsRef<Path>, device: &Device) -> Result<Self> {
        let path = model_path(path.as_ref());
        let bytes = read_model_file(&path)?;
        parse(&path, &bytes)?;
        let saved = match saved_model(&path, &bytes)? {
            Some(saved) => saved,
            None => legacy_description(&path)?,
        };
        Self::rebuild(&path, &bytes, saved, device)
    }

    /// Rebuilds a model from the bytes of a file [`Sequential::save`] wrote, already in
    /// memory (a web page fetches them); `name` says where they came from, in errors.
    ///
    /// # Errors
    /// [`Error::BadFile`] as for [`Sequential::load`]: not a safetensors file, no
    /// architecture in it, or tensors that do not match it.
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("tiny.safetensors");
    /// Architecture::new(&[2]).add(Dense::new(1, Activation::Sigmoid)).build(0)?.save(&path)?;
    /// let bytes = std::fs::read(&path).unwrap();
    /// let model = Sequential::from_bytes(&bytes, "tiny.safetensors", &Device::Cpu)?;
    /// assert_eq!(model.param_count(), 3);
    /// let cut = &bytes[..bytes.len() - 4];                  // a truncated download
    /// assert!(Sequential::from_bytes(cut, "tiny.safetensors", &Device::Cpu).is_err());
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn from_bytes(bytes: &[u8], name: &str, device: &Device) -> Result<Self> {
        let path = Path::new(name);
        parse(path, bytes)?;
        let saved = saved_model(path, bytes)?.ok_or_else(|| {
            Error::bad_file(
                path,
                "it holds weights but no architecture (it was not saved by `model.save`)",
            )
        })?;
        Self::rebuild(path, bytes, saved, device)
    }

    /// The model `saved` describes, with the weights in `bytes`.
    fn rebuild(path: &Path, bytes: &[u8], saved: SavedModel, device: &Device) -> Result<Self> {
        let file = parse(path, bytes)?;
        let expected = saved
            .architecture
            .weight_shapes()
            .map_err(|e| Error::bad_file(path, format!("its architecture cannot be built: {e}")))?;
        let weights = matching_tensors(path, &file, &expected, device)?;
        let mut model = Sequential::new(&saved.architecture, 0, device)?;
        model.set_weights(&weights)?;
        *model.history_mut() = saved.history;
        Ok(model)
    }

    /// Replaces this model's weights with those in a saved model file. Fails, changing
    /// nothing, if the file is missing or damaged or its tensors do not match this
    /// architecture. The history in the file is not read.
    ///
    /// # Errors
    /// - [`Error::Io`] when there is no file at `path` or it cannot be read;
    /// - [`Error::BadFile`] when it is not a complete safetensors file, or its tensors'
    ///   names or shapes are not this model's (it was saved from another architecture), or
    ///   they do not hold floating-point values.
    ///
    /// ```
    /// use mlpkit::prelude::*;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("w.safetensors");
    /// let arch = Architecture::new(&[3]).add(Dense::new(2, Activation::Softmax));
    /// arch.build(1)?.save(&path)?;
    /// let model = arch.build(2)?;                          // other weights …
    /// model.load_weights(&path)?;                          // … replaced by seed 1's
    /// let first = arch.build(1)?.weights()?[0].1.to_vec2::<f32>()?;
    /// assert_eq!(model.weights()?[0].1.to_vec2::<f32>()?, first);
    /// let wider = Architecture::new(&[3]).add(Dense::new(4, Activation::Softmax)).build(0)?;
    /// assert!(wider.load_weights(&path).is_err());         // (3, 4) is not (3, 2)
    /// # Ok::<(), mlpkit::Error>(())
    /// ```
    pub fn load_weights(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = model_path(path.as_ref());
        let bytes = read_model_file(&path)?;
        let file = parse(&path, &bytes)?;
        let weights =
            matching_tensors(&path, &file, &shapes_of(&self.named_vars()), self.device())?;
        self.set_weights(&weights)
    }
}

fn read_model_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::io(
                "open",
                path,
                std::io::Error::new(
                    e.kind(),
                    "no such file; save the model first with model.save(path)",
                ),
            )
        } else {
            Error::io("read", path, e)
        }
    })
}

/// Reads the safetensors header (and checks that it covers the file exactly).
fn parse<'a>(path: &Path, bytes: &'a [u8]) -> Result<SafeTensors<'a>> {
    SafeTensors::deserialize(bytes).map_err(|e| {
        if bytes.first() == Some(&b'{') {
            Error::bad_file(
                path,
                "it is JSON, not a model: older versions of mlpkit saved the architecture in a \
                 `.json` file beside the weights; load the `.safetensors` file instead",
            )
        } else {
            Error::bad_file(
                path,
                format!("it is not a complete safetensors file ({e}); it may be truncated or of another format"),
            )
        }
    })
}

/// The model description in the metadata of a file that [`parse`] accepted, if it has one.
fn saved_model(path: &Path, bytes: &[u8]) -> Result<Option<SavedModel>> {
    let (_, header) = SafeTensors::read_metadata(bytes)
        .map_err(|e| Error::bad_file(path, format!("its header cannot be read ({e})")))?;
    let Some(json) = header.metadata().as_ref().and_then(|m| m.get(METADATA_KEY)) else {
        return Ok(None);
    };
    let saved = describe(path, json.as_bytes())?;
    Ok(Some(saved))
}

fn describe(path: &Path, json: &[u8]) -> Result<SavedModel> {
    let saved: SavedModel = serde_json::from_slice(json).map_err(|e| {
        Error::bad_file(
            path,
            format!("its model description is not one mlpkit saved ({e})"),
        )
    })?;
    if saved.format != FORMAT || saved.version > VERSION {
        return Err(Error::bad_file(
            path,
            format!(
                "its format is {} version {}, this library reads {FORMAT} up to version {VERSION}; \
                 update mlpkit",
                saved.format, saved.version
            ),
        ));
    }
    Ok(saved)
}

/// A model saved in format 1: the description is in the JSON file beside the weights.
fn legacy_description(path: &Path) -> Result<SavedModel> {
    let json_path = path.with_extension("json");
    if json_path == path || !json_path.is_file() {
        return Err(Error::bad_file(
            path,
            "it holds weights but no architecture (it was not saved by `model.save`); build the \
             same architecture and call `model.load_weights(path)`",
        ));
    }
    let text = std::fs::read(&json_path).map_err(|e| Error::io("read", &json_path, e))?;
    describe(&json_path, &text)
}

/// The file's tensors as `f32` on `device`, after checking that their names and shapes are
/// exactly `expected` (so nothing is allocated from sizes the file merely claims).
fn matching_tensors(
    path: &Path,
    file: &SafeTensors<'_>,
    expected: &[(String, Vec<usize>)],
    device: &Device,
) -> Result<Vec<(String, Tensor)>> {
    let mut found: Vec<(String, safetensors::tensor::TensorView<'_>)> = file.tensors();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    check_same_tensors(
        expected,
        found.iter().map(|(n, v)| (n.as_str(), v.shape().to_vec())),
    )
    .map_err(|e| Error::bad_file(path, e.to_string()))?;
    found
        .into_iter()
        .map(|(name, view)| {
            let dtype = DType::try_from(view.dtype())
                .ok()
                .filter(|d| matches!(d, DType::F16 | DType::BF16 | DType::F32 | DType::F64));
            let Some(dtype) = dtype else {
                return Err(Error::bad_file(
                    path,
                    format!(
                        "tensor `{name}` holds {:?} values; weights must be floating-point",
                        view.dtype()
                    ),
                ));
            };
            let t = Tensor::from_raw_buffer(view.data(), dtype, view.shape(), device)?
                .to_dtype(DType::F32)?;
            Ok((name, t))
        })
        .collect()
}
