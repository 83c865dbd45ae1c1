//! Draws the sample pictures of `notebooks/my-digits/`: the digits 0 to 9 as if written with
//! a felt pen on a sheet of paper and photographed, from strokes written out below for this
//! workspace (no dataset contains them).
//!
//!     cargo run --release -p mlpkit --example draw_sample_digits -- notebooks/my-digits
//!
//! Each picture is 320 × 240 pixels: off-white paper lit unevenly, with a little grain, the
//! digit off-centre, turned a few degrees, in dark blue-black ink whose width varies along the
//! stroke. That is what notebook 06's preparation has to cope with in a real photo: a digit
//! that is not centred, not square, not on pure white, and not the width of MNIST's pen.

use image::{Rgb, RgbImage};
use rand::{Rng, SeedableRng};

/// A stroke: points in a unit box (x to the right, y down), joined smoothly (a Catmull-Rom
/// curve through them) or by straight lines (for the corners of a 4 or a 7).
struct Stroke {
    points: &'static [(f64, f64)],
    smooth: bool,
}

const fn smooth(points: &'static [(f64, f64)]) -> Stroke {
    Stroke {
        points,
        smooth: true,
    }
}

const fn straight(points: &'static [(f64, f64)]) -> Stroke {
    Stroke {
        points,
        smooth: false,
    }
}

/// The strokes of each digit, 0 to 9, written out by hand.
const DIGITS: [&[Stroke]; 10] = [
    &[smooth(&[
        (0.52, 0.08),
        (0.3, 0.2),
        (0.24, 0.5),
        (0.32, 0.82),
        (0.52, 0.93),
        (0.72, 0.8),
        (0.77, 0.48),
        (0.7, 0.18),
        (0.5, 0.07),
        (0.42, 0.12),
    ])],
    &[straight(&[
        (0.36, 0.25),
        (0.56, 0.07),
        (0.54, 0.5),
        (0.52, 0.93),
    ])],
    &[
        smooth(&[
            (0.22, 0.27),
            (0.38, 0.09),
            (0.62, 0.08),
            (0.75, 0.28),
            (0.62, 0.54),
            (0.24, 0.9),
        ]),
        straight(&[(0.24, 0.9), (0.8, 0.87)]),
    ],
    &[
        smooth(&[
            (0.25, 0.16),
            (0.48, 0.06),
            (0.71, 0.17),
            (0.66, 0.37),
            (0.44, 0.47),
        ]),
        smooth(&[
            (0.44, 0.47),
            (0.71, 0.57),
            (0.75, 0.78),
            (0.52, 0.93),
            (0.24, 0.84),
        ]),
    ],
    &[
        straight(&[(0.58, 0.08), (0.2, 0.62), (0.82, 0.61)]),
        straight(&[(0.64, 0.3), (0.62, 0.95)]),
    ],
    &[
        straight(&[(0.76, 0.08), (0.33, 0.1), (0.28, 0.45)]),
        smooth(&[
            (0.28, 0.45),
            (0.54, 0.39),
            (0.75, 0.58),
            (0.66, 0.87),
            (0.4, 0.93),
            (0.21, 0.81),
        ]),
    ],
    &[smooth(&[
        (0.68, 0.08),
        (0.42, 0.24),
        (0.27, 0.55),
        (0.32, 0.85),
        (0.55, 0.93),
        (0.72, 0.75),
        (0.6, 0.55),
        (0.38, 0.58),
        (0.29, 0.7),
    ])],
    &[straight(&[(0.2, 0.1), (0.8, 0.1), (0.45, 0.93)])],
    &[smooth(&[
        (0.62, 0.13),
        (0.45, 0.06),
        (0.28, 0.18),
        (0.35, 0.38),
        (0.65, 0.58),
        (0.72, 0.8),
        (0.5, 0.94),
        (0.28, 0.8),
        (0.35, 0.58),
        (0.65, 0.38),
        (0.7, 0.18),
        (0.55, 0.07),
    ])],
    &[
        smooth(&[
            (0.7, 0.3),
            (0.55, 0.09),
            (0.32, 0.14),
            (0.28, 0.36),
            (0.46, 0.48),
            (0.68, 0.38),
            (0.7, 0.26),
        ]),
        straight(&[(0.7, 0.26), (0.66, 0.93)]),
    ],
];

/// The point at `t` in `0..1` of the Catmull-Rom curve from `p1` to `p2`.
fn catmull_rom(
    p0: (f64, f64),
    p1: (f64, f64),
    p2: (f64, f64),
    p3: (f64, f64),
    t: f64,
) -> (f64, f64) {
    let at = |a: f64, b: f64, c: f64, d: f64| {
        0.5 * (2.0 * b
            + (c - a) * t
            + (2.0 * a - 5.0 * b + 4.0 * c - d) * t * t
            + (3.0 * b - a - 3.0 * c + d) * t * t * t)
    };
    (at(p0.0, p1.0, p2.0, p3.0), at(p0.1, p1.1, p2.1, p3.1))
}

/// The stroke as a dense polyline, 24 points per segment.
fn polyline(stroke: &Stroke) -> Vec<(f64, f64)> {
    let p = stroke.points;
    let mut out = Vec::new();
    for i in 0..p.len() - 1 {
        let (a, d) = (p[i.saturating_sub(1)], p[(i + 2).min(p.len() - 1)]);
        for k in 0..24 {
            let t = f64::from(k) / 24.0;
            out.push(if stroke.smooth {
                catmull_rom(a, p[i], p[i + 1], d, t)
            } else {
                (
                    p[i].0 + t * (p[i + 1].0 - p[i].0),
                    p[i].1 + t * (p[i + 1].1 - p[i].1),
                )
            });
        }
    }
    out.extend(p.last().copied());
    out
}

/// How much ink covers the pixel at distance `d` from the pen's centre line, for a pen of
/// radius `r`: all of it inside, none outside, a one-pixel soft edge between.
fn coverage(d: f64, r: f64) -> f64 {
    (r + 0.5 - d).clamp(0.0, 1.0)
}

/// The distance from `p` to the segment `a`–`b`.
fn to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length = dx * dx + dy * dy;
    let t = if length == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / length).clamp(0.0, 1.0)
    };
    ((p.0 - a.0 - t * dx).powi(2) + (p.1 - a.1 - t * dy).powi(2)).sqrt()
}

/// Paper: off-white, lit more on one side, with grain.
fn paper(rng: &mut rand::rngs::StdRng, width: u32, height: u32) -> RgbImage {
    let light = rng.random_range(-1.0..1.0);
    RgbImage::from_fn(width, height, |x, y| {
        let across = f64::from(x) / f64::from(width) - 0.5;
        let down = f64::from(y) / f64::from(height) - 0.5;
        let shade = 232.0 + 14.0 * light * across - 10.0 * down * down;
        let grain: f64 = rng_grain(x, y);
        let v = |tint: f64| (shade + tint + grain).clamp(0.0, 255.0) as u8;
        Rgb([v(2.0), v(0.0), v(-8.0)])
    })
}

/// A fixed grain pattern (a hash of the pixel's position), -3 to 3.
fn rng_grain(x: u32, y: u32) -> f64 {
    let mut h = u64::from(x).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ u64::from(y).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    h ^= h >> 29;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 32;
    (h % 7) as f64 - 3.0
}

/// One digit on paper: placed off-centre, turned a little, in a pen whose width varies.
fn draw(digit: usize, seed: u64) -> RgbImage {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let (width, height) = (320u32, 240u32);
    let mut image = paper(&mut rng, width, height);
    let size = rng.random_range(130.0..175.0);
    let centre = (
        rng.random_range(120.0..200.0),
        rng.random_range(105.0..135.0),
    );
    let (sin, cos) = rng.random_range(-0.14f64..0.14).sin_cos();
    let pen = rng.random_range(5.0..8.0);
    let place = |(u, v): (f64, f64)| {
        let (x, y) = ((u - 0.5) * size * 0.8, (v - 0.5) * size);
        (centre.0 + x * cos - y * sin, centre.1 + x * sin + y * cos)
    };
    let lines: Vec<Vec<(f64, f64)>> = DIGITS[digit]
        .iter()
        .map(|s| polyline(s).into_iter().map(place).collect())
        .collect();
    for (x, y, pixel) in image.enumerate_pixels_mut() {
        let p = (f64::from(x), f64::from(y));
        let mut ink: f64 = 0.0;
        for line in &lines {
            for (k, w) in line.windows(2).enumerate() {
                let r = pen * (0.85 + 0.15 * (k as f64 * 0.07).sin());
                ink = ink.max(coverage(to_segment(p, w[0], w[1]), r));
            }
        }
        let mix =
            |paper: u8, ink_colour: f64| (f64::from(paper) * (1.0 - ink) + ink_colour * ink) as u8;
        *pixel = Rgb([
            mix(pixel[0], 28.0),
            mix(pixel[1], 32.0),
            mix(pixel[2], 58.0),
        ]);
    }
    image
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or("my-digits".into()));
    std::fs::create_dir_all(&out)?;
    for digit in 0..10 {
        let path = out.join(format!("{digit}-drawn.png"));
        draw(digit, 100 + digit as u64).save(&path)?;
        println!("{}", path.display());
    }
    Ok(())
}
