//! Files: writing them so that a crash never leaves a half-written file where a good one
//! was, their SHA-256 digests, and paths shown the way a person would write them.
//!
//! ## Atomic writes
//! The new content goes to a temporary file in the same directory (made by the `tempfile`
//! crate, with a short name of its own, so any legal target name works), is flushed to disk,
//! and then renamed over the target: on POSIX file systems a rename is atomic, so a reader
//! sees either the old file or the new one, never a mixture. The directory is flushed too,
//! so that the rename itself survives a power cut.
//!
//! A process killed between creating the temporary file and renaming it cannot delete it;
//! the next save into the same directory removes such leftovers when the process that
//! made them no longer runs (their names carry its process id).

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Every temporary file this crate makes starts with this, followed by the process id.
const TEMP_PREFIX: &str = ".mlpkit-";
const TEMP_SUFFIX: &str = ".tmp";

/// Writes `bytes` to `path` atomically: afterwards `path` holds either its old content
/// (on any error, including a full disk) or exactly `bytes`. No temporary file is left
/// behind on error. Missing folders above `path` are created.
///
/// # Errors
/// [`Error::Io`] when `path` is a folder, a folder above it cannot be created (a file
/// stands where a folder should be, no permission), or the bytes cannot be written or
/// moved into place (a full disk).
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("notes/run.txt");
/// mlpkit::files::write_bytes(&path, b"97.8 %")?;
/// assert_eq!(std::fs::read(&path).unwrap(), b"97.8 %");
/// assert!(mlpkit::files::write_bytes(dir.path(), b"x").is_err()); // a folder
/// # Ok::<(), mlpkit::Error>(())
/// ```
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io("create the folder", dir, e))?;
            dir
        }
        None => Path::new("."),
    };
    if path.is_dir() {
        return Err(Error::io(
            "write",
            path,
            std::io::Error::other("it is a folder; give a file name"),
        ));
    }
    remove_stale_temporaries(dir);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(|e| Error::io("create a temporary file in", dir, e))?;
    // On any early return `tmp` is dropped, which deletes the temporary file.
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io("write", path, e))?;
    tmp.persist(path)
        .map_err(|e| Error::io("move into place", path, e.error))?;
    sync_dir(dir);
    Ok(())
}

/// Flushes a directory's entries (the rename) to disk. Best effort: not every file system
/// lets a directory be opened for that, and the file itself is already safe.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Deletes temporary files that an earlier, killed process of this crate left in `dir`.
/// Only on Linux, where `/proc` tells whether that process still runs; elsewhere the
/// leftovers stay (they are hidden files and harmless).
fn remove_stale_temporaries(dir: &Path) {
    if !cfg!(target_os = "linux") || !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(TEMP_PREFIX))
            .filter(|n| n.ends_with(TEMP_SUFFIX))
            .and_then(|n| n.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Lower-case hexadecimal of `bytes` (how digests are published).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 digest of `data` in lower-case hexadecimal.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// `path` the way a person would write it down: relative to the current directory when the
/// two share a folder below the file system's root (`../data/mnist`), so that a notebook's
/// saved output does not carry the path of the machine it ran on; absolute when they share
/// only the root (`/usr/share/datasets/fashion-mnist` seen from `/home/…`).
///
/// The path is made absolute and cleaned of `.` and `..` by its text, without following
/// symbolic links: a dataset linked into `data/mnist` is shown as `data/mnist`, where the
/// user put it, not where the link points.
pub fn shown_path(path: &Path) -> PathBuf {
    let (Ok(target), Ok(here)) = (std::path::absolute(path), std::env::current_dir()) else {
        return path.to_path_buf();
    };
    let (target, here) = (lexically_clean(&target), lexically_clean(&here));
    let common = target
        .components()
        .zip(here.components())
        .take_while(|(a, b)| a == b)
        .count();
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

/// An absolute path without `.` components, each `..` removing the component before it.
fn lexically_clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.bin");
        write_bytes(&path, b"one").unwrap();
        write_bytes(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_long_legal_name_works() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("{}.safetensors", "m".repeat(230)));
        write_bytes(&path, b"x").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"x");
    }

    #[test]
    fn leftovers_of_dead_processes_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // Process ids are below 2^22 on Linux, so this one cannot be running.
        let dead = dir
            .path()
            .join(format!("{TEMP_PREFIX}4294967294-abc{TEMP_SUFFIX}"));
        let mine = dir.path().join(format!(
            "{TEMP_PREFIX}{}-abc{TEMP_SUFFIX}",
            std::process::id()
        ));
        std::fs::write(&dead, b"").unwrap();
        std::fs::write(&mine, b"").unwrap();
        write_bytes(&dir.path().join("f"), b"x").unwrap();
        if cfg!(target_os = "linux") {
            assert!(!dead.exists());
        }
        assert!(mine.exists());
    }

    #[test]
    fn digests_are_lower_case_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn shown_paths_are_relative_and_clean() {
        let here = std::env::current_dir().unwrap();
        let inside = here.join("a").join(".").join("b").join("..").join("c");
        assert_eq!(shown_path(&inside), PathBuf::from("a/c"));
        assert_eq!(shown_path(&here), PathBuf::from("."));
        assert_eq!(shown_path(Path::new("/")), PathBuf::from("/"));
    }

    #[test]
    fn a_folder_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_bytes(dir.path(), b"x").unwrap_err().to_string();
        assert!(err.contains("folder"), "{err}");
    }
}
