//! The checkers of notebook 00b's exercises (Rust for Python users).

use super::answer::{Exercise, Judge};
use crate::error::Result;

/// Notebook 00b's exercises.
pub(crate) const EXERCISES: &[Exercise] = &[
    Exercise {
        id: "00b.1",
        asks: "what does a clone cost?",
        judge: what_a_clone_costs,
    },
    Exercise {
        id: "00b.2",
        asks: "texts to numbers",
        judge: texts_to_numbers,
    },
    Exercise {
        id: "00b.3",
        asks: "the spread of a truncated normal",
        judge: truncated_spread,
    },
];

/// The bytes of MNIST's training images: 60,000 pictures of 28 × 28 pixels, one byte each.
const MNIST_TRAIN_IMAGE_BYTES: f64 = 60_000.0 * 28.0 * 28.0;

/// A clone that takes less than this share of a full copy's time has not copied the numbers.
const SHARE_OF_A_COPY: f64 = 0.01;

/// 00b.1: the time to clone and to copy MNIST's training images as a tensor, and to clone
/// them as a `Vec<u8>`; the copy's speed; which clones copy the numbers.
fn what_a_clone_costs(j: &Judge<'_>) -> Result<String> {
    let bytes = j.number("bytes")?;
    if (bytes - MNIST_TRAIN_IMAGE_BYTES).abs() > 0.5 {
        return Err(j.wrong(
            format!("`bytes` is {bytes}, which is not the size of the training images"),
            "multiply the number of pixels (`elem_count()`) by the bytes each takes (`dtype().size_in_bytes()`)",
        ));
    }
    let mut times = Vec::new();
    for name in [
        "tensor clone seconds",
        "tensor copy seconds",
        "vec clone seconds",
    ] {
        let t = j.number(name)?;
        if t <= 0.0 || t > 60.0 {
            return Err(j.wrong(
                format!("`{name}` is {t}"),
                "time it with `Instant::now()` and `.elapsed().as_secs_f64()`: seconds, above zero",
            ));
        }
        times.push(t);
    }
    let (clone, copy, vec_clone) = (times[0], times[1], times[2]);
    let speed = bytes / copy / 1e9;
    let said = j.number("copy speed")?;
    if (said - speed * 1e3).abs() <= 0.01 * speed * 1e3 || (said - speed * 1e9).abs() <= 1.0 {
        return Err(j.wrong(
            "the copy speed is not in gigabytes per second",
            "a gigabyte is 10⁹ bytes: bytes / seconds / 1e9",
        ));
    }
    j.close(
        "the copy speed",
        said,
        speed,
        0.01 * speed,
        "the bytes copied divided by the copy's seconds, in gigabytes (10⁹ bytes) per second",
    )?;
    let copies = |t: f64| {
        if t > SHARE_OF_A_COPY * copy {
            "yes"
        } else {
            "no"
        }
    };
    let hint = "compare each clone's time with the copy's: copying the numbers takes about as long whatever does it";
    if j.says("tensor clone copies the numbers", &["yes", "no"])? != copies(clone) {
        return Err(j.wrong(
            "what you say about the tensor's clone does not follow from its time",
            hint,
        ));
    }
    if j.says("vec clone copies the numbers", &["yes", "no"])? != copies(vec_clone) {
        return Err(j.wrong(
            "what you say about the Vec's clone does not follow from its time",
            hint,
        ));
    }
    Ok(format!(
        "the tensor's copy moved {:.0} MB at {speed:.1} GB/s; its clone took {:.5} of that time and the Vec's clone {:.2}: {}",
        bytes / 1e6,
        clone / copy,
        vec_clone / copy,
        match (copies(clone), copies(vec_clone)) {
            ("no", "yes") => {
                "a tensor's clone is a second handle on the same numbers, a Vec's clone a copy of them"
            }
            _ => "these times do not show the usual difference between the two clones",
        }
    ))
}

/// The texts of exercise 00b.2, in order.
const TEXTS: [&str; 8] = ["12", "7", "300", "42", "-3", "255", "seven", "0"];

/// 00b.2: how many of `TEXTS` parse as a byte, their sum, what collecting all of them into one
/// `Result` gives, and the position of the text that decides it.
fn texts_to_numbers(j: &Judge<'_>) -> Result<String> {
    let bytes: Vec<u8> = TEXTS.iter().filter_map(|t| t.parse::<u8>().ok()).collect();
    let parsed = j.count("parsed")?;
    let as_whole = TEXTS.iter().filter(|t| t.parse::<i64>().is_ok()).count();
    if parsed == as_whole && parsed != bytes.len() {
        return Err(j.wrong(
            format!("{parsed} texts are whole numbers, but not all of them fit in a byte"),
            "parse each as a `u8` (0 to 255): `t.parse::<u8>()`",
        ));
    }
    if parsed != bytes.len() {
        return Err(j.wrong(
            format!("{parsed} is not how many of the texts parse as a byte"),
            "keep the `Ok`s only: `.filter_map(|t| t.parse::<u8>().ok())`, then count",
        ));
    }
    let sum: u32 = bytes.iter().map(|&b| b as u32).sum();
    let said = j.count("sum")?;
    if said as u32 == sum % 256 && said as u32 != sum {
        return Err(j.wrong(
            "that sum went round past 255: it was added up in bytes",
            "a `u8` holds 0 to 255; convert each with `as u32` before adding",
        ));
    }
    if said as u32 != sum {
        return Err(j.wrong(
            format!("{said} is not the sum of the texts that parse as a byte"),
            "add the numbers that parsed, as `u32`",
        ));
    }
    let all: std::result::Result<Vec<u8>, _> = TEXTS.iter().map(|t| t.parse::<u8>()).collect();
    let outcome = if all.is_ok() { "ok" } else { "err" };
    if j.says("collecting all gives", &["ok", "err"])? != outcome {
        return Err(j.wrong(
            "that is not what collecting every text into a `Result<Vec<u8>, _>` gives",
            "collect `.map(|t| t.parse::<u8>())` into `Result<Vec<u8>, _>` and print it with {:?}",
        ));
    }
    let first = TEXTS
        .iter()
        .position(|t| t.parse::<u8>().is_err())
        .unwrap_or(TEXTS.len());
    let position = j.count("decided by position")?;
    if position != first {
        return Err(j.wrong(
            format!("the text at position {position} is not the one that decides it"),
            "collecting into a `Result` stops at the first `Err`; positions count from 0",
        ));
    }
    Ok(format!(
        "{parsed} of the {} texts are bytes, summing to {sum} (more than a byte holds); collecting all stops at \"{}\", position {first}, and gives that one error",
        TEXTS.len(),
        TEXTS[first]
    ))
}

/// The standard deviation of a standard normal truncated to ±2 (as `Init`'s truncated
/// normals are).
const TRUNCATED_SHARE: f64 = 0.879_625_661_034_239_8;

/// 00b.3: the standard deviation `Init::TruncatedNormal { std }` was asked for, the one its
/// sampled values have, and whether they are the same.
fn truncated_spread(j: &Judge<'_>) -> Result<String> {
    let asked = j.number("asked")?;
    if asked <= 0.0 {
        return Err(j.wrong(
            "`asked` should be the standard deviation given to `Init::TruncatedNormal`",
            "the exercise asks for `Init::TruncatedNormal { std: 0.05 }`",
        ));
    }
    let values = j.count("values")?;
    if values < 10_000 {
        return Err(j.wrong(
            format!("{values} values measure a spread too roughly"),
            "sample 100,000 values, as the exercise says",
        ));
    }
    let measured = j.number("measured")?;
    let want = asked * TRUNCATED_SHARE;
    if (measured - asked).abs() < 0.005 * asked {
        return Err(j.wrong(
            "`measured` is the standard deviation you asked for, not the one the values have",
            "compute the standard deviation of the sampled values (`Spread::of(&values)?.std`)",
        ));
    }
    if (measured - want * want).abs() < 0.02 * want * want {
        return Err(j.wrong(
            "that is a variance, not a standard deviation",
            "take its square root",
        ));
    }
    j.close(
        "the measured standard deviation",
        measured,
        want,
        0.02 * want,
        "convert the sampled `f32`s to `f64` and take `Spread::of(…)?.std`",
    )?;
    let same = if (measured / asked - 1.0).abs() < 0.02 {
        "yes"
    } else {
        "no"
    };
    if j.says("same as asked", &["yes", "no"])? != same {
        return Err(j.wrong(
            "the conclusion does not follow from the numbers",
            "compare the measured standard deviation with the one asked for",
        ));
    }
    Ok(format!(
        "the values spread {:.3} × the std asked for ({measured:.4} for {asked}): drawing again every value beyond two standard deviations takes away the tails, which held part of the spread",
        measured / asked
    ))
}

#[cfg(test)]
mod tests {
    use super::super::answer::{Answer, testing};

    fn judge(id: &str, answer: &Answer) -> Result<String, String> {
        testing::judge(super::EXERCISES, id, answer)
    }

    fn refused(id: &str, answer: &Answer, says: &str) {
        testing::refused(super::EXERCISES, id, answer, says)
    }

    fn timings() -> Answer {
        Answer::new()
            .number("bytes", 47_040_000.0)
            .number("tensor clone seconds", 1e-7)
            .number("tensor copy seconds", 0.01)
            .number("vec clone seconds", 0.008)
            .number("copy speed", 4.704)
    }

    #[test]
    fn a_tensor_clone_shares_and_a_vec_clone_copies() {
        let right = timings()
            .says("tensor clone copies the numbers", "no")
            .says("vec clone copies the numbers", "yes");
        assert!(judge("00b.1", &right).unwrap().contains("second handle"));
        refused(
            "00b.1",
            &right.clone().says("tensor clone copies the numbers", "yes"),
            "tensor's clone does not follow",
        );
        refused(
            "00b.1",
            &right.clone().says("vec clone copies the numbers", "no"),
            "Vec's clone does not follow",
        );
        refused(
            "00b.1",
            &right.clone().number("copy speed", 4704.0),
            "not in gigabytes",
        );
        refused(
            "00b.1",
            &right.clone().number("copy speed", 3.0),
            "the copy speed",
        );
        refused(
            "00b.1",
            &right.clone().number("bytes", 188_160_000.0),
            "not the size",
        );
        refused(
            "00b.1",
            &right.number("tensor clone seconds", 0.0),
            "above zero",
        );
    }

    fn parsed() -> Answer {
        Answer::new().count("parsed", 5).count("sum", 316)
    }

    #[test]
    fn texts_parse_as_bytes_and_collecting_stops_at_the_first_error() {
        let right = parsed()
            .says("collecting all gives", "err")
            .count("decided by position", 2);
        assert!(judge("00b.2", &right).unwrap().contains("position 2"));
        refused(
            "00b.2",
            &right.clone().count("parsed", 7),
            "not all of them fit",
        );
        refused(
            "00b.2",
            &right.clone().count("parsed", 4),
            "parse as a byte",
        );
        refused("00b.2", &right.clone().count("sum", 60), "went round");
        refused("00b.2", &right.clone().count("sum", 313), "not the sum");
        refused(
            "00b.2",
            &right.clone().says("collecting all gives", "ok"),
            "not what collecting",
        );
        refused(
            "00b.2",
            &right.clone().count("decided by position", 6),
            "position 6",
        );
        refused(
            "00b.2",
            &right.count("decided by position", 3),
            "first `Err`",
        );
    }

    #[test]
    fn a_truncated_normal_spreads_less_than_asked() {
        let right = Answer::new()
            .number("asked", 0.05)
            .count("values", 100_000)
            .number("measured", 0.04395)
            .says("same as asked", "no");
        assert!(judge("00b.3", &right).unwrap().contains("0.879"));
        refused(
            "00b.3",
            &right.clone().says("same as asked", "yes"),
            "does not follow",
        );
        refused(
            "00b.3",
            &right.clone().number("measured", 0.05),
            "the one the values have",
        );
        refused(
            "00b.3",
            &right.clone().number("measured", 0.001932),
            "a variance",
        );
        refused(
            "00b.3",
            &right.clone().number("measured", 0.030),
            "measured standard deviation",
        );
        refused("00b.3", &right.count("values", 100), "too roughly");
    }
}
