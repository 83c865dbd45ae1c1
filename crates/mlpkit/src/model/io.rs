//! Saving and loading models: weights as safetensors, architecture and history as JSON.
//!
//! `model.save("mlp.safetensors")` writes two files, each atomically:
//!
//! - `mlp.safetensors`: one tensor per weight, named `dense.kernel`, `dense.bias`, …;
//! - `mlp.json`: the [`Architecture`] and the training [`History`].
//!
//! `Sequential::load("mlp.safetensors")` rebuilds the model from both;
//! `model.load_weights("mlp.safetensors")` fills an existing model and checks that every
//! tensor is there with the right shape.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use serde::{Deserialize, Serialize};

use super::layer::Architecture;
use super::sequential::{check_same_tensors, Sequential};
use crate::atomic;
use crate::error::{Error, Result};
use crate::train::History;

const FORMAT: &str = "mlpkit.sequential";
const VERSION: u32 = 1;

/// What the JSON file beside the weights holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedModel {
    pub format: String,
    pub version: u32,
    pub architecture: Architecture,
    pub history: History,
}

/// `x.safetensors` for `x`, `x.safetensors`, or `x.anything`.
fn weights_path(path: &Path) -> PathBuf {
    if path.extension().is_some() {
        path.to_path_buf()
    } else {
        path.with_extension("safetensors")
    }
}

/// The JSON file beside a weights file.
pub fn sidecar_path(path: &Path) -> PathBuf {
    weights_path(path).with_extension("json")
}

impl Sequential {
    /// Saves the weights (safetensors) and, beside them, the architecture and history (JSON).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let weights = weights_path(path.as_ref());
        let tensors: HashMap<String, Tensor> = self
            .named_vars()
            .into_iter()
            .map(|(n, v)| (n, v.as_tensor().clone()))
            .collect();
        atomic::replace_with(&weights, |tmp| {
            Ok(candle_core::safetensors::save(&tensors, tmp)?)
        })?;
        let saved = SavedModel {
            format: FORMAT.into(),
            version: VERSION,
            architecture: self.architecture().clone(),
            history: self.history().clone(),
        };
        let json =
            serde_json::to_vec_pretty(&saved).map_err(|e| Error::InvalidArgument(e.to_string()))?;
        atomic::write_bytes(&sidecar_path(&weights), &json)
    }

    /// Rebuilds a saved model on `device`: architecture and history from the JSON file,
    /// weights from the safetensors file. Compile it again before training further.
    pub fn load(path: impl AsRef<Path>, device: &Device) -> Result<Self> {
        let weights = weights_path(path.as_ref());
        let json_path = sidecar_path(&weights);
        let text = std::fs::read(&json_path).map_err(|e| Error::io("read", &json_path, e))?;
        let saved: SavedModel = serde_json::from_slice(&text).map_err(|e| {
            Error::bad_file(
                &json_path,
                format!("it is not a model description saved by mlpkit ({e})"),
            )
        })?;
        if saved.format != FORMAT || saved.version > VERSION {
            return Err(Error::bad_file(
                &json_path,
                format!("its format is {} version {}, this library reads {FORMAT} up to version {VERSION}", saved.format, saved.version),
            ));
        }
        let mut model = Sequential::new(&saved.architecture, 0, device)?;
        model.load_weights(&weights)?;
        model.history = saved.history;
        Ok(model)
    }

    /// Replaces this model's weights with those in a safetensors file. Fails, changing nothing,
    /// if the file is missing or damaged or its tensors do not match this architecture.
    pub fn load_weights(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = weights_path(path.as_ref());
        if !path.is_file() {
            return Err(Error::io(
                "open",
                &path,
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such file; save the model first with model.save(path)",
                ),
            ));
        }
        let tensors = candle_core::safetensors::load(&path, self.device()).map_err(|e| {
            Error::bad_file(&path, format!("it is not a complete safetensors file ({e}); it may be truncated or of another format"))
        })?;
        let mut found: Vec<(&str, Vec<usize>)> = tensors
            .iter()
            .map(|(n, t)| (n.as_str(), t.dims().to_vec()))
            .collect();
        found.sort();
        let vars = self.named_vars();
        check_same_tensors(&vars, found)?;
        let ordered: Vec<(String, Tensor)> = vars
            .iter()
            .map(|(n, _)| -> Result<(String, Tensor)> {
                Ok((n.clone(), tensors[n].to_dtype(DType::F32)?))
            })
            .collect::<Result<_>>()?;
        self.set_weights(&ordered)
    }
}
