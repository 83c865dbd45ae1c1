//! The checkers of notebook 01's exercises.

use super::answer::Exercise;

/// Notebook 01's exercises (none has a checker yet).
pub(crate) const EXERCISES: &[Exercise] = &[];
