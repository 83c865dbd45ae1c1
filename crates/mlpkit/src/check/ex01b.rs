//! The checkers of notebook 01b's exercises.

use super::answer::Exercise;

/// Notebook 01b's exercises (none has a checker yet).
pub(crate) const EXERCISES: &[Exercise] = &[];
