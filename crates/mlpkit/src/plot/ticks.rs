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

    /// `value` with the ticks' decimals (`-0` written `0`).
    pub fn label(&self, value: f64) -> String {
        let text = format!("{value:.*}", self.decimals);
        if text
            .trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            text.trim_start_matches('-').to_string()
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
        }
    }

    /// One tick per name, at 0, 1, 2, …, with half a step of room on each side.
    pub fn categories(names: &[String]) -> Self {
        Self {
            range: -0.5..names.len() as f64 - 0.5,
            values: (0..names.len()).map(|i| i as f64).collect(),
            labels: names.to_vec(),
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
        let near = (self.range.end - self.range.start).abs() * 1e-9;
        self.values
            .iter()
            .position(|v| (v - value).abs() <= near)
            .map(|i| self.labels[i].clone())
            .unwrap_or_default()
    }
}

impl Ranged for TickedAxis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let share = (value - self.range.start) / (self.range.end - self.range.start);
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
            ["-0.3", "-0.2", "-0.1", "0.0", "0.1", "0.2", "0.3"]
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
}
