//! Axis ticks at "nice" values, all written with the same number of decimals.
//!
//! A value axis from `lo` to `hi` gets ticks at multiples of a step `m · 10^k` with `m` one
//! of 1, 2, 2.5 or 5 (the steps matplotlib's default locator uses), the smallest step that
//! gives at most the number of ticks asked for. Every label has the decimals the step needs,
//! and no more: steps of 0.05 are written `0.80, 0.85, 0.90`, steps of 2 are written `2, 4,
//! 6`, steps of 2.5 are written `2.5, 5.0, 7.5`.
//!
//! [`TickedAxis`] is that axis as a plotters coordinate: it maps values to pixels like a plain
//! `f64` axis, and gives plotters its ticks and their labels.

use std::ops::Range;

use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};

use super::style::MARGIN;

/// Tick positions and how to write them; see the module's documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticks {
    /// The ticks, from low to high.
    pub values: Vec<f64>,
    /// Decimals every label is written with.
    pub decimals: usize,
}

/// The mantissas of the steps, smallest first.
const MANTISSAS: [f64; 4] = [1.0, 2.0, 2.5, 5.0];

impl Ticks {
    /// Ticks inside `lo..=hi` (which must be finite, `lo < hi`), at most `most` of them (at
    /// least 2), at the smallest nice step that allows it.
    pub fn nice(lo: f64, hi: f64, most: usize) -> Ticks {
        let most = most.max(2);
        let span = hi - lo;
        if !(span.is_finite() && span > 0.0) {
            return Ticks {
                values: vec![lo],
                decimals: 0,
            };
        }
        let mut k = (span / most as f64).log10().floor() as i32 - 1;
        loop {
            for m in MANTISSAS {
                let step = m * 10f64.powi(k);
                let (first, last) = ((lo / step - 1e-9).ceil(), (hi / step + 1e-9).floor());
                if last - first + 1.0 <= most as f64 {
                    let values = (first as i64..=last as i64)
                        .map(|i| i as f64 * step)
                        .collect();
                    let decimals = (-k).max(0) as usize + usize::from(m == 2.5);
                    return Ticks { values, decimals };
                }
            }
            k += 1;
        }
    }

    /// `value` with the ticks' decimals, a negative one with a true minus sign (`−0.2`, as
    /// typeset text writes it, not a hyphen), and `-0` written `0`.
    pub fn label(&self, value: f64) -> String {
        let text = format!("{value:.*}", self.decimals);
        let digits = text.trim_start_matches('-');
        if digits.chars().all(|c| c == '0' || c == '.') {
            digits.to_string()
        } else if text.starts_with('-') {
            format!("\u{2212}{digits}")
        } else {
            text
        }
    }

    /// Every tick's label.
    pub fn labels(&self) -> Vec<String> {
        self.values.iter().map(|&v| self.label(v)).collect()
    }
}

/// An axis from `lo` to `hi` with its ticks and their labels (a plotters coordinate).
#[derive(Debug, Clone)]
pub struct TickedAxis {
    range: Range<f64>,
    values: Vec<f64>,
    labels: Vec<String>,
    /// Whether values map to pixels by their logarithm.
    log: bool,
}

/// `10` with `power` written as a superscript, the way a logarithmic axis labels a decade:
/// `10⁻³`, `10⁰`, `10²`.
pub fn power_of_ten(power: i32) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let sign = if power < 0 { "⁻" } else { "" };
    let digits: String = power
        .unsigned_abs()
        .to_string()
        .bytes()
        .map(|b| DIGITS[usize::from(b - b'0')])
        .collect();
    format!("10{sign}{digits}")
}

impl TickedAxis {
    /// `lo..hi` with at most `most` nice ticks.
    pub fn new(lo: f64, hi: f64, most: usize) -> Self {
        let ticks = Ticks::nice(lo, hi, most);
        let labels = ticks.labels();
        Self {
            range: lo..hi,
            values: ticks.values,
            labels,
            log: false,
        }
    }

    /// A logarithmic axis from `lo` to `hi` (both above 0) with a tick at powers of ten
    /// (every second or third one when there are more than `most`, at multiples of that
    /// step: 10⁻⁴, 10⁻², 10⁰). The axis reaches [`MARGIN`] of its span past the data on each
    /// side, and at least from the decade below `lo` to the decade above `hi` when the data
    /// spans less than one. Equal steps on the axis are equal ratios: 0.001 to 0.01 takes as
    /// much room as 1 to 10.
    pub fn log(lo: f64, hi: f64, most: usize) -> Self {
        let (mut low, mut high) = (lo.log10(), hi.log10());
        if high - low < 1.0 {
            (low, high) = (low.floor(), high.ceil().max(low.floor() + 1.0));
        } else {
            let pad = (high - low) * MARGIN;
            (low, high) = (low - pad, high + pad);
        }
        let (first, last) = (low.ceil() as i32, high.floor() as i32);
        let most = most.max(2) as i32;
        let every = ((last - first + 1 + most - 1) / most).max(1);
        let powers: Vec<i32> = (first..=last).filter(|p| p % every == 0).collect();
        Self {
            range: 10f64.powf(low)..10f64.powf(high),
            values: powers.iter().map(|&p| 10f64.powi(p)).collect(),
            labels: powers.iter().map(|&p| power_of_ten(p)).collect(),
            log: true,
        }
    }

    /// `lo..hi` with ticks at whole numbers only (epochs, counts).
    pub fn whole(lo: f64, hi: f64, most: usize) -> Self {
        let mut ticks = Ticks::nice(lo, hi, most);
        let mut wider = most;
        while ticks.decimals > 0 && wider > 2 {
            wider -= 1;
            ticks = Ticks::nice(lo, hi, wider);
        }
        if ticks.decimals > 0 {
            ticks.values = vec![lo.ceil()];
            ticks.decimals = 0;
        }
        let labels = ticks.labels();
        Self {
            range: lo..hi,
            values: ticks.values,
            labels,
            log: false,
        }
    }

    /// Shares from `lo` to `hi`, labelled as percentages at nice percentages.
    pub fn percent(lo: f64, hi: f64, most: usize) -> Self {
        let ticks = Ticks::nice(100.0 * lo, 100.0 * hi, most);
        let labels = ticks.labels();
        Self {
            range: lo..hi,
            values: ticks.values.iter().map(|v| v / 100.0).collect(),
            labels,
            log: false,
        }
    }

    /// One tick per name, at 0, 1, 2, …, with half a step of room on each side.
    pub fn categories(names: &[String]) -> Self {
        Self {
            range: -0.5..names.len() as f64 - 0.5,
            values: (0..names.len()).map(|i| i as f64).collect(),
            labels: names.to_vec(),
            log: false,
        }
    }

    /// The ticks' positions.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The ticks' labels.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The label of the tick at `value` (empty for a value that is not a tick).
    pub fn label(&self, value: f64) -> String {
        let near = |v: f64| {
            if self.log {
                (v.log10() - value.log10()).abs() <= 1e-9
            } else {
                (v - value).abs() <= (self.range.end - self.range.start).abs() * 1e-9
            }
        };
        self.values
            .iter()
            .position(|&v| near(v))
            .map(|i| self.labels[i].clone())
            .unwrap_or_default()
    }
}

impl Ranged for TickedAxis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let share = if self.log {
            let (lo, hi) = (self.range.start.log10(), self.range.end.log10());
            (value.log10() - lo) / (hi - lo)
        } else {
            (value - self.range.start) / (self.range.end - self.range.start)
        };
        let length = limit.1 - limit.0;
        if length == 0 {
            return limit.1;
        }
        limit.0 + (f64::from(length) * share + 1e-3).floor() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        self.values.clone()
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

impl ValueFormatter<f64> for TickedAxis {
    fn format_ext(&self, value: &f64) -> String {
        self.label(*value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(lo: f64, hi: f64, most: usize) -> Vec<String> {
        Ticks::nice(lo, hi, most).labels()
    }

    #[test]
    fn ticks_are_nice_and_share_their_decimals() {
        assert_eq!(
            labels(0.78, 1.0, 6),
            ["0.80", "0.85", "0.90", "0.95", "1.00"]
        );
        assert_eq!(labels(0.0, 10.4, 6), ["0", "2", "4", "6", "8", "10"]);
        assert_eq!(labels(0.0, 0.72, 6), ["0.0", "0.2", "0.4", "0.6"]);
        assert_eq!(labels(0.0, 10.0, 5), ["0.0", "2.5", "5.0", "7.5", "10.0"]);
        assert_eq!(labels(1.0, 50.0, 6), ["10", "20", "30", "40", "50"]);
        assert_eq!(
            labels(-0.3, 0.3, 7),
            [
                "\u{2212}0.3",
                "\u{2212}0.2",
                "\u{2212}0.1",
                "0.0",
                "0.1",
                "0.2",
                "0.3"
            ]
        );
        assert_eq!(
            labels(2.0e-4, 9.0e-4, 4),
            ["0.0002", "0.0004", "0.0006", "0.0008"]
        );
    }

    #[test]
    fn no_more_ticks_than_asked_and_all_inside() {
        for (lo, hi) in [
            (0.0, 1.0),
            (0.013, 0.987),
            (3.0, 1e6),
            (-7.5, 2.25),
            (0.9, 0.9001),
        ] {
            for most in 2..12 {
                let t = Ticks::nice(lo, hi, most);
                assert!(
                    t.values.len() <= most && !t.values.is_empty(),
                    "{lo} {hi} {most}: {t:?}"
                );
                assert!(
                    t.values.iter().all(|&v| v >= lo - 1e-12 && v <= hi + 1e-12),
                    "{t:?}"
                );
            }
        }
    }

    #[test]
    fn percent_axes_label_shares_as_whole_percentages() {
        let axis = TickedAxis::percent(0.0, 0.104, 6);
        let labels: Vec<String> = axis.values().iter().map(|&v| axis.label(v)).collect();
        assert_eq!(labels, ["0", "2", "4", "6", "8", "10"]);
    }

    #[test]
    fn epoch_axes_tick_whole_epochs() {
        assert_eq!(
            TickedAxis::whole(0.8, 5.2, 10).labels(),
            ["1", "2", "3", "4", "5"]
        );
        assert_eq!(
            TickedAxis::whole(0.0, 3.0, 12).labels(),
            ["0", "1", "2", "3"]
        );
        assert_eq!(
            TickedAxis::whole(-1.0, 52.0, 10).labels(),
            ["0", "10", "20", "30", "40", "50"]
        );
    }

    #[test]
    fn a_log_axis_ticks_whole_decades_and_maps_ratios_evenly() {
        // Within one decade: the decades around it, so that two ticks show.
        let axis = TickedAxis::log(2.0, 3.0, 8);
        assert_eq!(axis.labels(), ["10⁰", "10¹"]);
        assert_eq!(axis.range(), 1.0..10.0);
        // Each decade takes the same room.
        assert_eq!(axis.map(&1.0, (0, 400)), 0);
        assert_eq!(axis.map(&10f64.sqrt(), (0, 400)), 200);
        // Four decades: one tick each, and a margin past the data on both sides.
        let axis = TickedAxis::log(1e-4, 1.0, 8);
        assert_eq!(axis.labels(), ["10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "10⁰"]);
        assert!(axis.range().start < 1e-4 && axis.range().end > 1.0);
        let (a, b) = (axis.map(&1e-4, (0, 400)), axis.map(&1e-3, (0, 400)));
        let (c, d) = (axis.map(&1e-1, (0, 400)), axis.map(&1.0, (0, 400)));
        assert!(
            a > 0 && d < 400 && (b - a - (d - c)).abs() <= 1,
            "{a} {b} {c} {d}"
        );
        assert_eq!(axis.label(1e-2), "10⁻²");
        // Eleven decades with at most nine ticks: every second power, 10⁰ among them.
        let wide = TickedAxis::log(1e-11, 1.0, 9);
        assert_eq!(wide.labels().last().map(String::as_str), Some("10⁰"));
        assert_eq!(wide.labels()[0], "10⁻¹⁰");
        assert!(wide.values().len() <= 9);
        // Twenty decades with at most five ticks.
        let wide = TickedAxis::log(1e-12, 1e8, 5);
        assert!(wide.values().len() <= 5, "{:?}", wide.labels());
        assert_eq!(power_of_ten(12), "10¹²");
    }
}
