//! The checkers of notebook 00b's exercises.

use super::answer::Exercise;

/// Notebook 00b's exercises (none has a checker yet).
pub(crate) const EXERCISES: &[Exercise] = &[];
