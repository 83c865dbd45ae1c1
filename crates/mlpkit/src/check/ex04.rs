//! The checkers of notebook 04's exercises.

use super::answer::Exercise;

/// Notebook 04's exercises (none has a checker yet).
pub(crate) const EXERCISES: &[Exercise] = &[];
