//! The checkers of notebook 00's exercises.

use super::answer::Exercise;

/// Notebook 00's exercises (none has a checker yet).
pub(crate) const EXERCISES: &[Exercise] = &[];
