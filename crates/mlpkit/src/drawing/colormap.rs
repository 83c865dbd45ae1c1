//! Colour maps: numbers to colours.

use plotters::style::RGBColor;

/// How values become colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colormap {
    /// 0 → black, 1 → white (how digits are usually shown: white ink on black).
    Grey,
    /// 0 → white, 1 → black (dark ink on paper).
    InvertedGrey,
    /// −1 → blue, 0 → white, +1 → red (signed values such as weights).
    Diverging,
    /// 0 → near-white, 1 → dark blue (counts in a heatmap).
    Blues,
    /// 0 → near-white, 1 → dark orange-red (errors in a heatmap).
    Oranges,
}

impl Colormap {
    /// The colour of `v` (clamped to the map's range: [0, 1], or [−1, 1] for `Diverging`).
    pub fn color(self, v: f32) -> RGBColor {
        match self {
            Colormap::Grey => grey(v),
            Colormap::InvertedGrey => grey(1.0 - v),
            Colormap::Diverging => {
                let v = v.clamp(-1.0, 1.0);
                if v < 0.0 {
                    lerp(RGBColor(255, 255, 255), RGBColor(33, 102, 172), -v)
                } else {
                    lerp(RGBColor(255, 255, 255), RGBColor(178, 24, 43), v)
                }
            }
            Colormap::Blues => ramp(
                &[
                    RGBColor(247, 251, 255),
                    RGBColor(158, 202, 225),
                    RGBColor(66, 146, 198),
                    RGBColor(8, 48, 107),
                ],
                v,
            ),
            Colormap::Oranges => ramp(
                &[
                    RGBColor(255, 247, 236),
                    RGBColor(253, 190, 133),
                    RGBColor(241, 105, 19),
                    RGBColor(140, 45, 4),
                ],
                v,
            ),
        }
    }
}

/// `v` in [0, 1] along a ramp of evenly spaced colour stops.
fn ramp(stops: &[RGBColor], v: f32) -> RGBColor {
    let v = v.clamp(0.0, 1.0) * (stops.len() - 1) as f32;
    let i = (v.floor() as usize).min(stops.len() - 2);
    lerp(stops[i], stops[i + 1], v - i as f32)
}

fn grey(v: f32) -> RGBColor {
    let g = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    RGBColor(g, g, g)
}

fn lerp(a: RGBColor, b: RGBColor, t: f32) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let mix = |x: u8, y: u8| (x as f32 + (y as f32 - x as f32) * t).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Relative luminance of a colour in [0, 1] (for choosing legible text over it).
pub fn luminance(c: RGBColor) -> f32 {
    (0.2126 * c.0 as f32 + 0.7152 * c.1 as f32 + 0.0722 * c.2 as f32) / 255.0
}
