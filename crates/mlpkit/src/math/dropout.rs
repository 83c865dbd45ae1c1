//! Dropout's masks: which units a training step silences, drawn from a seeded stream.
//!
//! Inverted dropout of rate `r` keeps each unit with probability `1 − r` and scales it by
//! `1 / (1 − r)`, so that the expected sum of a layer's inputs is the same in training as in
//! inference (when nothing is dropped). Both training paths draw their masks here, one
//! uniform number per unit in order, so the same seed drops the same units on both.

use rand::Rng;
use rand::rngs::StdRng;

/// Multiplies `mask` by an inverted-dropout mask of rate `rate` drawn from `rng`: each
/// element is kept with probability `1 − rate` and scaled by `1 / (1 − rate)`, or set to 0.
pub fn dropout_mask(rate: f64, rng: &mut StdRng, mask: &mut [f32]) {
    let keep = 1.0 - rate;
    let scale = (1.0 / keep) as f32;
    for m in mask.iter_mut() {
        if rng.random::<f64>() < keep {
            *m *= scale;
        } else {
            *m = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_mask_keeps_about_the_right_share_scaled_up() {
        let mut mask = vec![1f32; 10_000];
        dropout_mask(0.25, &mut StdRng::seed_from_u64(1), &mut mask);
        let kept = mask.iter().filter(|&&m| m > 0.0).count();
        assert!((7_200..7_800).contains(&kept), "{kept}");
        assert!(
            mask.iter()
                .all(|&m| m == 0.0 || (m - 4.0 / 3.0).abs() < 1e-6)
        );
    }
}
