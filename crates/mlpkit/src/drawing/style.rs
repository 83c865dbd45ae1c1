//! The figures' look, in one place: text sizes and colour, lines, grid, and when curves get
//! markers. Sizes are in figure pixels, the pixels a notebook shows the figure at.
//!
//! The text sizes are matplotlib's defaults at 100 dpi (ticks, axis labels and legends 10
//! points, titles 12) in plotters' measure: plotters takes a font's size as the height from
//! its ascent to its descent, which for DejaVu Sans is [`EM_TO_SIZE`] times the em that a
//! point size names. A 10-point em at 100 dpi is 13.9 pixels, so a 10-point label is
//! 13.9 × 1.164 ≈ 16 here.

use plotters::style::{FontTransform, IntoFont, RGBColor, TextStyle};

use super::fonts::SANS;

/// Text, axis lines and tick marks: near-black.
pub const INK: RGBColor = RGBColor(34, 34, 34);
/// Secondary text (notes under a figure, the count of hidden units): dark grey.
pub const MUTED: RGBColor = RGBColor(90, 90, 90);
/// One light line per labelled value, so that the grid guides the eye without competing with
/// the data.
pub const GRID: RGBColor = RGBColor(228, 228, 228);

/// DejaVu Sans's ascent-to-descent height in ems (its `hhea` ascent 0.928 and descent
/// 0.236): what plotters calls a font's size, per em.
pub const EM_TO_SIZE: f64 = 1.164;

/// plotters' size of text of `points` points at 100 dpi.
const fn points(points: f64) -> f64 {
    points * 100.0 / 72.0 * EM_TO_SIZE
}

/// Tick labels and legends: 10 points, as matplotlib's.
pub const TICK_SIZE: f64 = points(10.0);
/// Axis labels: 10 points.
pub const LABEL_SIZE: f64 = points(10.0);
/// Titles of a panel or a figure: 12 points.
pub const TITLE_SIZE: f64 = points(12.0);
/// Small print (notes, numbers inside a matrix's cells): 9 points.
pub const NOTE_SIZE: f64 = points(9.0);

/// Width of data lines.
pub const LINE_WIDTH: u32 = 2;
/// A curve gets a marker on each point only when it has at most this many points; with more,
/// the markers would crowd into a thick band.
pub const MAX_MARKERS: usize = 15;
/// The share of a data range left empty on each side of it, so that the first and last points
/// do not sit on the axes.
pub const MARGIN: f64 = 0.04;

/// Text of `size` in [`INK`].
pub fn text(size: f64) -> TextStyle<'static> {
    TextStyle::from((SANS, size).into_font()).color(&INK)
}

/// Text of `size` in [`INK`], turned to read from bottom to top, like a y-axis label.
pub fn upward_text(size: f64) -> TextStyle<'static> {
    TextStyle::from((SANS, size).into_font().transform(FontTransform::Rotate270)).color(&INK)
}

/// `lo..hi` widened by [`MARGIN`] of its span on each side (by 0.5 when the span is 0).
pub fn with_margins(lo: f64, hi: f64) -> (f64, f64) {
    let pad = if hi > lo { (hi - lo) * MARGIN } else { 0.5 };
    (lo - pad, hi + pad)
}

/// A share as a percentage a reader can trust: whole percents from 1 % up, one decimal
/// below, and never 100 % (or 0 %) for a value that is not exactly 1 (or 0): 0.9996 is
/// "99.9 %" (and anything closer to 1 "> 99.9 %").
pub fn percent(share: f64) -> String {
    if share >= 1.0 {
        return "100 %".into();
    }
    if share <= 0.0 {
        return "0 %".into();
    }
    let p = 100.0 * share;
    let text = if (1.0..99.5).contains(&p) {
        format!("{p:.0}")
    } else {
        format!("{p:.1}")
    };
    match text.as_str() {
        "100.0" => "> 99.9 %".into(),
        "0.0" => "< 0.1 %".into(),
        _ => format!("{text} %"),
    }
}

/// A model's probability as a percentage: as [`percent`], except that it never says
/// "100 %". A softmax of finite numbers never gives exactly 1; when `f32` rounds one to 1,
/// it is written "> 99.9 %".
pub fn probability(p: f64) -> String {
    if p >= 0.9995 {
        "> 99.9 %".into()
    } else {
        percent(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_never_round_to_a_certainty() {
        assert_eq!(percent(0.38), "38 %");
        assert_eq!(percent(0.994), "99 %");
        assert_eq!(percent(0.996), "99.6 %");
        assert_eq!(percent(0.99996), "> 99.9 %");
        assert_eq!(percent(1.0), "100 %");
        assert_eq!(percent(0.004), "0.4 %");
        assert_eq!(percent(0.0002), "< 0.1 %");
        assert_eq!(percent(0.0), "0 %");
        assert_eq!(probability(1.0), "> 99.9 %");
        assert_eq!(probability(0.38), "38 %");
    }

    #[test]
    fn margins_keep_the_ends_off_the_axes() {
        let (lo, hi) = with_margins(1.0, 51.0);
        assert!((lo - -1.0).abs() < 1e-9 && (hi - 53.0).abs() < 1e-9);
        assert_eq!(with_margins(3.0, 3.0), (2.5, 3.5));
    }
}
