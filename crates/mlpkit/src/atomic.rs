//! Writing files so that a crash never leaves a half-written file where a good one was.
//!
//! The new content goes to a temporary file in the same directory, is flushed to disk,
//! and then renamed over the target: on POSIX file systems a rename is atomic, so a reader
//! sees either the old file or the new one, never a mixture.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A temporary path beside `path` (same directory, so the final rename stays on one file system).
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let unique = format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    );
    path.with_file_name(unique)
}

/// Lets `write` fill a temporary file, then moves it to `path` atomically. On any error the
/// temporary file is removed and `path` is untouched.
pub fn replace_with(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create the folder", dir, e))?;
    }
    let tmp = temp_path(path);
    let result = write(&tmp).and_then(|()| {
        let f = std::fs::File::open(&tmp).map_err(|e| Error::io("reopen", &tmp, e))?;
        f.sync_all()
            .map_err(|e| Error::io("flush to disk", &tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io("move into place", path, e))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes `bytes` to `path` atomically.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    replace_with(path, |tmp| {
        let mut f = std::fs::File::create(tmp).map_err(|e| Error::io("create", tmp, e))?;
        f.write_all(bytes).map_err(|e| Error::io("write", tmp, e))
    })
}
