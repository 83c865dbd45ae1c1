//! Exercises that check themselves: a notebook's exercise asks for an answer (numbers and a
//! conclusion), the learner builds an [`Answer`] in a cell and calls [`exercise`], which says
//! right, or what is wrong with a hint, and never shows the solution.
//!
//! ```
//! use mlpkit::check::{self, Answer};
//! // Notebook 06, exercise 2: the gains of five seeds; with only the first three, the mean
//! // gain, its standard error, and whether the conclusion stays the same.
//! let gains = [10.47, 10.13, 3.67, 2.56, 8.46];
//! let answer = Answer::new()
//!     .numbers("gains", &gains)
//!     .number("mean of three", 8.09)
//!     .number("standard error of three", 2.21)
//!     .says("same conclusion", "yes");
//! let verdict = check::exercise("06.2", &answer)?;
//! assert!(verdict.to_string().starts_with("Right (06.2"));
//! // The standard deviation where the standard error belongs is caught, with a hint.
//! let wrong = answer.number("standard error of three", 3.83);
//! let e = check::exercise("06.2", &wrong).unwrap_err().to_string();
//! assert!(e.contains("not yet") && e.contains("standard deviation"));
//! # Ok::<(), mlpkit::Error>(())
//! ```
//!
//! Each notebook's checkers are in one file here (`ex06.rs` for notebook 06), each a function
//! that reads the parts of the answer it needs ([`Answer::number`], [`Answer::says`], …),
//! recomputes what it can from the data the answer carries, and compares. Their tests give
//! each checker a right answer and the wrong ones a learner is likely to give, so that a
//! checker that cannot fail is caught; `./lab test` runs every notebook's solutions through
//! them.

use std::fmt;

use crate::error::{Error, Result};

mod answer;
mod ex00;
mod ex00b;
mod ex01;
mod ex01b;
mod ex02;
mod ex03;
mod ex04;
mod ex05;
mod ex06;
mod ex07;

pub use answer::{Answer, Part};
use answer::{Exercise, Judge};

/// Every exercise of every notebook.
fn all() -> impl Iterator<Item = &'static Exercise> {
    [
        ex00::EXERCISES,
        ex00b::EXERCISES,
        ex01::EXERCISES,
        ex01b::EXERCISES,
        ex02::EXERCISES,
        ex03::EXERCISES,
        ex04::EXERCISES,
        ex05::EXERCISES,
        ex06::EXERCISES,
        ex07::EXERCISES,
    ]
    .into_iter()
    .flatten()
}

/// The ids of the exercises that have a checker, in order (`00.1`, `00.2`, …).
pub fn exercises() -> Vec<&'static str> {
    all().map(|e| e.id).collect()
}

/// Judges `answer` to exercise `id`: `Ok` with why it is right, shown as `Right: …`, or
/// an error that says what is wrong and gives a hint.
///
/// # Errors
/// [`Error::NotYet`] when the answer is wrong, incomplete or of the wrong kind;
/// [`Error::InvalidArgument`] when no exercise has that id.
pub fn exercise(id: &str, answer: &Answer) -> Result<Verdict> {
    let Some(found) = all().find(|e| e.id == id) else {
        return Err(Error::InvalidArgument(format!(
            "there is no exercise `{id}` to check; the exercises with checkers are {}",
            exercises().join(", ")
        )));
    };
    let why = (found.judge)(&Judge {
        id: found.id,
        answer,
    })?;
    Ok(Verdict {
        id: found.id,
        asks: found.asks,
        why,
    })
}

/// A right answer: which exercise, and why it is right.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The exercise.
    pub id: &'static str,
    /// What it asked.
    pub asks: &'static str,
    /// Why the answer is right.
    pub why: String,
}

/// `Right (06.2, would three seeds have done?): …`
impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Right ({}, {}): {}", self.id, self.asks, self.why)
    }
}

impl Verdict {
    /// Shows the verdict as the value of a notebook cell.
    pub fn evcxr_display(&self) {
        println!("{self}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(id: &str, answer: &Answer) -> std::result::Result<String, String> {
        exercise(id, answer)
            .map(|v| v.why)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn every_exercise_id_is_unique_and_well_formed() {
        let ids = exercises();
        let mut seen = std::collections::HashSet::new();
        for id in &ids {
            assert!(seen.insert(*id), "{id} twice");
            // "06.2", or "01b.3" for a notebook that follows another (01b after 01).
            let (nb, k) = id.split_once('.').expect("NN.k");
            let (digits, letter) = nb.split_at(2.min(nb.len()));
            assert!(
                digits.len() == 2
                    && digits.chars().all(|c| c.is_ascii_digit())
                    && letter.len() <= 1
                    && letter.chars().all(|c| c.is_ascii_lowercase())
                    && k.parse::<u32>().is_ok(),
                "{id}"
            );
        }
    }

    #[test]
    fn an_unknown_exercise_and_missing_parts_are_explained() {
        let e = judge("99.1", &Answer::new()).unwrap_err();
        assert!(e.contains("no exercise `99.1`"), "{e}");
    }

    #[test]
    fn answers_keep_the_last_value_of_a_part_and_judges_read_them() {
        let a = Answer::new()
            .number("x", 1.0)
            .number("x", 2.0)
            .says("y", " Yes ")
            .count("n", 3);
        assert_eq!(a.part("x"), Some(&Part::Number(2.0)));
        let j = Judge {
            id: "00.0",
            answer: &a,
        };
        assert_eq!(j.number("x").unwrap(), 2.0);
        assert_eq!(j.says("y", &["yes", "no"]).unwrap(), "yes");
        assert_eq!(j.count("n").unwrap(), 3);
        assert!(
            j.number("z")
                .unwrap_err()
                .to_string()
                .contains("no part named `z`")
        );
        assert!(
            j.says("x", &["yes"])
                .unwrap_err()
                .to_string()
                .contains("should be a conclusion")
        );
        assert!(
            j.says("y", &["maybe"])
                .unwrap_err()
                .to_string()
                .contains("not one of")
        );
        assert!(
            j.numbers("x")
                .unwrap_err()
                .to_string()
                .contains("list of numbers")
        );
    }
}
