//! The checkers of notebook 03's exercises.

use super::answer::Exercise;

/// Notebook 03's exercises (none has a checker yet).
pub(crate) const EXERCISES: &[Exercise] = &[];
