//! Where every random stream of the crate starts: a seed in, a generator out.
//!
//! Weights ([`crate::model::Architecture::build`]), the order of examples
//! ([`crate::train::Fit::seed`], [`crate::data::Batches::shuffle`]), dropout masks and random
//! hold-outs ([`crate::data::Split::random_split`]) all draw from [`stream`], so one function
//! decides what a seed means.
//!
//! # Another seed for everything, from outside
//!
//! The same seed gives the same weights only on the same kind of processor: the matrix
//! kernel sums in blocks sized from the processor's caches, so another machine rounds a
//! little differently, and training amplifies it. To see how far a notebook's numbers move
//! for that reason, `./lab spread` runs it again with [`SEED_SHIFT_VAR`] set: every seed the
//! notebook gives is then replaced by another one, derived from it and from the shift, so
//! each run is what another machine (or another choice of seeds) could show. The notebook's
//! first cell says so (`mlpkit::device::describe`). Unset or `0`, seeds mean what they say.

use std::sync::OnceLock;

use rand::SeedableRng;
use rand::rngs::StdRng;

/// The environment variable that shifts every seed: `MLPKIT_SEED_SHIFT=3`.
pub const SEED_SHIFT_VAR: &str = "MLPKIT_SEED_SHIFT";

/// The shift this process runs with: [`SEED_SHIFT_VAR`] when it holds a whole number, else 0.
/// Read once, so that it cannot change while a program runs.
pub fn seed_shift() -> u64 {
    static SHIFT: OnceLock<u64> = OnceLock::new();
    *SHIFT.get_or_init(|| {
        let Ok(text) = std::env::var(SEED_SHIFT_VAR) else {
            return 0;
        };
        text.trim().parse().unwrap_or_else(|_| {
            eprintln!(
                "mlpkit: ignoring {SEED_SHIFT_VAR}={text:?}, which is not a whole number; \
                 seeds are used as given"
            );
            0
        })
    })
}

/// The generator for `seed`: the same seed gives the same stream (after the process's
/// [`seed_shift`], 0 unless set from outside).
pub fn stream(seed: u64) -> StdRng {
    StdRng::seed_from_u64(shifted(seed, seed_shift()))
}

/// `seed` itself when `shift` is 0; otherwise a seed mixed from both, so that neighbouring
/// seeds and shifts give unrelated streams (SplitMix64's finaliser).
fn shifted(seed: u64, shift: u64) -> u64 {
    if shift == 0 {
        return seed;
    }
    let mut z = seed ^ shift.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn no_shift_keeps_the_seed_and_a_shift_changes_every_seed() {
        assert_eq!(shifted(42, 0), 42);
        let seeds: Vec<u64> = (0..100).collect();
        for shift in 1..5 {
            for &s in &seeds {
                assert_ne!(shifted(s, shift), s);
            }
            let mut moved: Vec<u64> = seeds.iter().map(|&s| shifted(s, shift)).collect();
            moved.sort_unstable();
            moved.dedup();
            assert_eq!(
                moved.len(),
                seeds.len(),
                "two seeds met under shift {shift}"
            );
        }
        assert_ne!(shifted(42, 1), shifted(42, 2));
    }

    #[test]
    fn the_same_seed_gives_the_same_stream() {
        let draw = |seed| -> Vec<u32> {
            let mut r = stream(seed);
            (0..5).map(|_| r.random()).collect()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }
}
