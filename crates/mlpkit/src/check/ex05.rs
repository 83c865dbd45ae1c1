//! The checkers of notebook 05's exercises.

use super::answer::Exercise;

/// Notebook 05's exercises (none has a checker yet).
pub(crate) const EXERCISES: &[Exercise] = &[];
