//! The checkers of notebook 07's exercises.

use super::answer::Exercise;

/// Notebook 07's exercises (none has a checker yet).
pub(crate) const EXERCISES: &[Exercise] = &[];
