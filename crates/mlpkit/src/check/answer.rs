//! An answer and how a checker reads it: [`Answer`], its [`Part`]s, and `Judge`, which reads
//! the parts a checker needs with messages a learner can act on.

use crate::error::{Error, Result};

/// One exercise's checker: the exercise's id (`06.2`), what it asks in a few words, and the
/// function that judges an answer (the reason it is right, or an error that says why not).
pub(crate) struct Exercise {
    pub(crate) id: &'static str,
    pub(crate) asks: &'static str,
    pub(crate) judge: fn(&Judge<'_>) -> Result<String>,
}

/// One part of an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// A number.
    Number(f64),
    /// A list of numbers (data the exercise is about, or several results).
    Numbers(Vec<f64>),
    /// A whole number (a count).
    Count(usize),
    /// A conclusion: one of the words the exercise offers (`"yes"`, `"no"`, a class name…).
    Says(String),
}

impl Part {
    fn kind(&self) -> &'static str {
        match self {
            Part::Number(_) => "a number (`.number`)",
            Part::Numbers(_) => "a list of numbers (`.numbers`)",
            Part::Count(_) => "a count (`.count`)",
            Part::Says(_) => "a conclusion (`.says`)",
        }
    }
}

/// An answer to an exercise: named parts, built one after another.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answer {
    parts: Vec<(String, Part)>,
}

impl Answer {
    /// An empty answer.
    pub fn new() -> Self {
        Self::default()
    }

    fn with(mut self, name: &str, part: Part) -> Self {
        self.parts.retain(|(n, _)| n != name);
        self.parts.push((name.to_string(), part));
        self
    }

    /// Adds the number `value` as the part `name`.
    pub fn number(self, name: &str, value: f64) -> Self {
        self.with(name, Part::Number(value))
    }

    /// Adds the numbers `values` as the part `name`.
    pub fn numbers(self, name: &str, values: &[f64]) -> Self {
        self.with(name, Part::Numbers(values.to_vec()))
    }

    /// Adds the count `value` as the part `name`.
    pub fn count(self, name: &str, value: usize) -> Self {
        self.with(name, Part::Count(value))
    }

    /// Adds the conclusion `words` as the part `name`.
    pub fn says(self, name: &str, words: &str) -> Self {
        self.with(name, Part::Says(words.trim().to_lowercase()))
    }

    /// The part `name`, if there is one.
    pub fn part(&self, name: &str) -> Option<&Part> {
        self.parts.iter().find(|(n, _)| n == name).map(|(_, p)| p)
    }

    fn names(&self) -> String {
        if self.parts.is_empty() {
            return "nothing".into();
        }
        self.parts
            .iter()
            .map(|(n, _)| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What a checker works with: the exercise's id and the answer, with ways to read its parts
/// that fail with a message a learner can act on.
pub(crate) struct Judge<'a> {
    pub(crate) id: &'static str,
    pub(crate) answer: &'a Answer,
}

impl Judge<'_> {
    /// An answer that is not right: what is wrong and a hint.
    pub(crate) fn wrong(&self, what: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::NotYet {
            exercise: self.id.to_string(),
            what: what.into(),
            hint: hint.into(),
        }
    }

    fn part(&self, name: &str, kind: &str) -> Result<&Part> {
        self.answer.part(name).ok_or_else(|| {
            self.wrong(
                format!(
                    "the answer has no part named `{name}` (it has {})",
                    self.answer.names()
                ),
                format!("add it with `{kind}(\"{name}\", …)`"),
            )
        })
    }

    fn mismatch(&self, name: &str, part: &Part, want: &str) -> Error {
        self.wrong(
            format!("`{name}` should be {want}, but it is {}", part.kind()),
            format!(
                "build it with `{}`",
                want.split('`').nth(1).unwrap_or(".number")
            ),
        )
    }

    /// The number `name`; a count is taken as a number too. It must be finite.
    pub(crate) fn number(&self, name: &str) -> Result<f64> {
        let value = match self.part(name, ".number")? {
            Part::Number(v) => *v,
            Part::Count(c) => *c as f64,
            other => return Err(self.mismatch(name, other, "a number (`.number`)")),
        };
        if !value.is_finite() {
            return Err(self.wrong(
                format!("`{name}` is {value}"),
                "compute it from finite numbers",
            ));
        }
        Ok(value)
    }

    /// The numbers `name` (at least one).
    pub(crate) fn numbers(&self, name: &str) -> Result<&[f64]> {
        match self.part(name, ".numbers")? {
            Part::Numbers(v) if !v.is_empty() => Ok(v),
            Part::Numbers(_) => Err(self.wrong(
                format!("`{name}` is an empty list"),
                "give the list the exercise is about",
            )),
            other => Err(self.mismatch(name, other, "a list of numbers (`.numbers`)")),
        }
    }

    /// The count `name` (a whole number given as `.number` is taken too).
    pub(crate) fn count(&self, name: &str) -> Result<usize> {
        match self.part(name, ".count")? {
            Part::Count(c) => Ok(*c),
            Part::Number(v) if *v >= 0.0 && v.fract() == 0.0 => Ok(*v as usize),
            other => Err(self.mismatch(name, other, "a count (`.count`)")),
        }
    }

    /// The conclusion `name`, which must be one of `choices`.
    pub(crate) fn says(&self, name: &str, choices: &[&str]) -> Result<String> {
        let options = choices
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        match self.part(name, ".says")? {
            Part::Says(words) if choices.contains(&words.as_str()) => Ok(words.clone()),
            Part::Says(words) => Err(self.wrong(
                format!("`{name}` says \"{words}\", which is not one of {options}"),
                format!("answer with one of {options}"),
            )),
            other => Err(self.mismatch(name, other, "a conclusion (`.says`)")),
        }
    }

    /// An error unless `got` is within `tolerance` of `want`: `what` names the quantity in the
    /// message, `hint` says what to look at.
    pub(crate) fn close(
        &self,
        what: &str,
        got: f64,
        want: f64,
        tolerance: f64,
        hint: &str,
    ) -> Result<()> {
        if (got - want).abs() <= tolerance {
            Ok(())
        } else {
            Err(self.wrong(
                format!("{what} is {got}, which is not what the data gives"),
                hint,
            ))
        }
    }
}

/// How many standard errors a difference must be to count as more than chance, in every
/// exercise that judges one (about 95 % of differences that are only chance fall within it).
pub(crate) const BEYOND_CHANCE: f64 = 2.0;

#[cfg(test)]
pub(crate) mod testing {
    //! What the checkers' tests share: judge an answer with one notebook's checkers, and say
    //! whether it was taken.
    use super::{Answer, Exercise, Judge};

    /// The verdict of `exercises`' checker `id` on `answer`: `Ok(why)` or the error's text.
    pub(crate) fn judge(
        exercises: &[Exercise],
        id: &str,
        answer: &Answer,
    ) -> Result<String, String> {
        let e = exercises
            .iter()
            .find(|e| e.id == id)
            .unwrap_or_else(|| panic!("no checker {id}"));
        (e.judge)(&Judge { id: e.id, answer }).map_err(|e| e.to_string())
    }

    /// Fails unless `answer` is judged wrong with a message containing `says`.
    pub(crate) fn refused(exercises: &[Exercise], id: &str, answer: &Answer, says: &str) {
        match judge(exercises, id, answer) {
            Ok(why) => panic!("{id}: a wrong answer was taken as right: {why}"),
            Err(e) => assert!(
                e.contains(says),
                "{id}: expected the message to say {says:?}, got: {e}"
            ),
        }
    }
}
