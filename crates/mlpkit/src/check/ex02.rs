//! The checkers of notebook 02's exercises.

use super::answer::Exercise;

/// Notebook 02's exercises (none has a checker yet).
pub(crate) const EXERCISES: &[Exercise] = &[];
