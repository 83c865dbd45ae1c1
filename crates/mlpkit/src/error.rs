//! The crate's one error type.
//!
//! Every message says what went wrong *and* what to do about it: these errors
//! are read by learners in a notebook cell, not by a program.

use std::path::PathBuf;

/// Everything that can go wrong in `mlpkit`.
///
/// New kinds of error may be added in later versions: match with a `_` arm.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("could not {action} `{path}`: {source}")]
    Io {
        /// What was being done, e.g. `read`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// None of the places the loader searches held the dataset.
    #[error(
        "{dataset} was not found. Looked in, in this order:\n{tried}\n\
         To fix it, do one of:\n\
         - put the four files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], \
           t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]) into `{workspace_dir}`;\n\
         - set {env_var} to a directory that holds them;\n\
         - on Debian, `apt-get install dataset-fashion-mnist` (Fashion-MNIST only);\n\
         - connect to the internet once so the files can be fetched from the Hugging Face hub \
           (they are cached afterwards)."
    )]
    DatasetNotFound {
        /// The dataset's name.
        dataset: &'static str,
        /// The places searched, one per line.
        tried: String,
        /// The workspace's `data/` folder, where files can be dropped.
        workspace_dir: String,
        /// The environment variable that points at a folder of files.
        env_var: &'static str,
    },

    /// A data file other than the IDX datasets' is in none of the places searched.
    #[error("{what} were not found. Looked in, in this order:\n{tried}\nTo fix it, {fix}.")]
    FileNotFound {
        /// What was looked for, as the start of a sentence.
        what: &'static str,
        /// The places searched, one per line.
        tried: String,
        /// What to do.
        fix: String,
    },

    /// A file is not a well-formed IDX file (wrong magic, truncated, bad gzip…).
    #[error("`{path}` is not a valid IDX file: {reason}. Delete it and download it again.")]
    BadIdx {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// A data or weights file exists but its content is unusable.
    #[error("`{path}` cannot be used: {reason}. Delete it and fetch or save it again.")]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// A file's SHA-256 digest differs from the published original's.
    #[error(
        "`{path}` is not the original {dataset} file: its SHA-256 is {actual}, expected {expected}. \
         The file is damaged or comes from another dataset; delete it and download it again \
         (or turn the check off with `Loader::verify_checksums(false)` if you changed it on purpose)."
    )]
    ChecksumMismatch {
        /// The file.
        path: PathBuf,
        /// The dataset it should belong to.
        dataset: &'static str,
        /// The published digest.
        expected: &'static str,
        /// The file's digest.
        actual: String,
    },

    /// Images and labels that must belong together do not.
    #[error("{0}")]
    Mismatch(String),

    /// The Hugging Face hub could not deliver the dataset.
    #[error("could not get {dataset} from the Hugging Face hub ({repo}): {reason}")]
    Hub {
        /// The dataset's name.
        dataset: &'static str,
        /// The hub repository asked.
        repo: &'static str,
        /// What went wrong.
        reason: String,
    },

    /// A tensor has a shape an operation cannot work with.
    #[error("{op}: expected {expected}, got shape {got:?}")]
    Shape {
        /// The operation.
        op: &'static str,
        /// The shapes it accepts, in words.
        expected: String,
        /// The shape it got.
        got: Vec<usize>,
    },

    /// Training produced a loss that is not a finite number.
    #[error(
        "training diverged: the loss became {loss} in epoch {epoch} at batch {batch} of {batches}. \
         Training stopped there (the epochs before it are in model.history()). Lower the learning rate, \
         check that the inputs are scaled (e.g. to [0, 1]), and rebuild the model before trying again."
    )]
    Diverged {
        /// The epoch (1-based, counting earlier `fit` calls).
        epoch: usize,
        /// The batch within it (1-based).
        batch: usize,
        /// Batches per epoch.
        batches: usize,
        /// The loss that was not finite.
        loss: f64,
    },

    /// The user interrupted a long loop (the notebook's stop button, Ctrl-C); what was
    /// done until then is kept.
    #[error(
        "interrupted {during}. The model keeps the weights it had at that moment and every \
         variable is still there{kept}; run the cell again to go on."
    )]
    Interrupted {
        /// Where the work stopped, e.g. `in epoch 3, before batch 12 of 1875`.
        during: String,
        /// What was kept, beyond the variables, e.g. the completed epochs.
        kept: String,
    },

    /// Data or weights hold NaN or infinite values where numbers are needed.
    #[error("{0}")]
    NotFinite(String),

    /// There was not enough memory for something the input legitimately asks for.
    #[error(
        "not enough memory for {what} ({bytes} bytes); free some memory or use a smaller input"
    )]
    OutOfMemory {
        /// What needed the memory.
        what: String,
        /// How much it needed.
        bytes: usize,
    },

    /// Variables made in one notebook cell met tensors made in another, where their gradients
    /// could be mixed up (see `cells.rs`).
    #[error("{0}")]
    MadeInAnotherCell(String),

    /// An answer to a notebook's exercise is not right yet ([`crate::check::exercise`]): what
    /// is wrong, and a hint, never the solution.
    #[error("exercise {exercise}, not yet: {what}\nHint: {hint}")]
    NotYet {
        /// The exercise, `06.2`.
        exercise: String,
        /// What is wrong with the answer.
        what: String,
        /// What to look at next.
        hint: String,
    },

    /// A figure could not be drawn.
    #[error("could not draw the figure: {0}")]
    Plot(String),

    /// An argument is out of its valid range.
    #[error("{0}")]
    InvalidArgument(String),

    /// An error raised inside Candle.
    #[error(transparent)]
    Candle(#[from] candle_core::Error),
}

impl Error {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn bad_idx(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::BadIdx {
            path: path.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn bad_file(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::BadFile {
            path: path.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn shape(op: &'static str, expected: impl Into<String>, got: &[usize]) -> Self {
        Error::Shape {
            op,
            expected: expected.into(),
            got: got.to_vec(),
        }
    }
}

/// Shows the message itself, so that `fn main() -> Result<()>`, `unwrap()` and notebook
/// cells print what went wrong in words rather than as a data structure.
impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
