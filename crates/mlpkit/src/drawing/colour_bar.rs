//! A colour bar: the key to a figure's colours, with labelled values and a label that reads
//! upwards, like a y-axis label. Heatmaps and the weight pictures draw one.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::colormap::Colormap;
use super::figure::plot_err;
use super::style::{self, INK, LABEL_SIZE, TICK_SIZE};
use super::ticks::Ticks;
use crate::error::Result;

/// How values are spread along a colour bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColourScale {
    /// From 0 to `top`, evenly.
    Linear {
        /// The value at the top of the bar.
        top: f64,
    },
    /// From 0 to `top`, by square root: a value `v` sits at `√(v / top)` of the way up, so
    /// that small values get a clearly visible colour beside large ones.
    SquareRoot {
        /// The value at the top of the bar.
        top: f64,
    },
    /// From `−top` to `top`, evenly, 0 in the middle (signed values such as weights).
    Symmetric {
        /// The value at each end of the bar.
        top: f64,
    },
}

impl ColourScale {
    /// Where `value` sits along the colour map: 0–1, or −1–1 for [`ColourScale::Symmetric`].
    pub fn position(self, value: f64) -> f32 {
        let share = |top: f64| if top > 0.0 { value / top } else { 0.0 };
        match self {
            ColourScale::Linear { top } => share(top).clamp(0.0, 1.0) as f32,
            ColourScale::SquareRoot { top } => share(top).clamp(0.0, 1.0).sqrt() as f32,
            ColourScale::Symmetric { top } => share(top).clamp(-1.0, 1.0) as f32,
        }
    }

    /// Where `value` sits along the bar, from 0 (bottom) to 1 (top).
    fn height(self, value: f64) -> f32 {
        match self {
            ColourScale::Symmetric { .. } => (self.position(value) + 1.0) / 2.0,
            _ => self.position(value),
        }
    }

    /// The values labelled on the bar: nice values, and the top itself when no nice value is
    /// near it. `percent` writes shares as percentages.
    pub fn ticks(self, percent: bool) -> Vec<(f64, String)> {
        let factor = if percent { 100.0 } else { 1.0 };
        let (lo, top) = match self {
            ColourScale::Linear { top } | ColourScale::SquareRoot { top } => (0.0, top),
            ColourScale::Symmetric { top } => (-top, top),
        };
        if !(top > 0.0 && top.is_finite()) {
            return vec![(0.0, "0".into())];
        }
        // A square-root bar gives small values more room: more ticks fit.
        let most = if matches!(self, ColourScale::SquareRoot { .. }) {
            7
        } else {
            6
        };
        let ticks = Ticks::nice(lo * factor, top * factor, most);
        let suffix = if percent { "%" } else { "" };
        ticks
            .values
            .iter()
            .map(|&v| (v / factor, format!("{}{suffix}", ticks.label(v))))
            .collect()
    }
}

/// Width of the bar itself, in pixels, and the room its labels take beside it.
pub const BAR_WIDTH: i32 = 16;
/// See [`BAR_WIDTH`].
pub const LABELS_WIDTH: i32 = 78;

/// Draws a colour bar for `scale` in `map` at `x`, from `top` down `height` pixels: the
/// colours, a frame, a tick and label for each of `ticks`, and `label` reading upwards
/// beside it.
pub fn draw_colour_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (map, scale): (Colormap, ColourScale),
    ticks: &[(f64, String)],
    label: &str,
    (x, top, height): (i32, i32, i32),
) -> Result<()> {
    for i in 0..height {
        // The colour at the middle of this row of the bar.
        let h = 1.0 - (i as f32 + 0.5) / height as f32;
        let v = match scale {
            ColourScale::Symmetric { .. } => 2.0 * h - 1.0,
            _ => h,
        };
        root.draw(&Rectangle::new(
            [(x, top + i), (x + BAR_WIDTH, top + i + 1)],
            map.color(v).filled(),
        ))
        .map_err(plot_err)?;
    }
    root.draw(&Rectangle::new(
        [(x, top), (x + BAR_WIDTH, top + height)],
        INK.stroke_width(1),
    ))
    .map_err(plot_err)?;
    let text = style::text(TICK_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    let mut widest = 0;
    for (value, name) in ticks {
        let y = top + height - (scale.height(*value) * height as f32).round() as i32;
        root.draw(&PathElement::new(
            vec![(x + BAR_WIDTH, y), (x + BAR_WIDTH + 4, y)],
            INK,
        ))
        .map_err(plot_err)?;
        root.draw_text(name, &text, (x + BAR_WIDTH + 7, y))
            .map_err(plot_err)?;
        let font = super::fonts::font_for(&FontFamily::SansSerif);
        widest = widest.max(
            super::typeset::layout(font, TICK_SIZE as f32, name)
                .width
                .ceil() as i32,
        );
    }
    let upward = style::upward_text(LABEL_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    root.draw_text(
        label,
        &upward,
        (x + BAR_WIDTH + 14 + widest, top + height / 2),
    )
    .map_err(plot_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_square_root_bar_places_values_by_their_root() {
        let s = ColourScale::SquareRoot { top: 0.64 };
        assert!((s.position(0.16) - 0.5).abs() < 1e-6);
        assert_eq!(s.position(1.0), 1.0);
        let labels: Vec<String> = s.ticks(true).into_iter().map(|t| t.1).collect();
        assert_eq!(labels, ["0%", "10%", "20%", "30%", "40%", "50%", "60%"]);
    }

    #[test]
    fn a_symmetric_bar_has_zero_in_the_middle() {
        let s = ColourScale::Symmetric { top: 2.0 };
        assert_eq!(
            (s.position(-2.0), s.position(0.0), s.position(1.0)),
            (-1.0, 0.0, 0.5)
        );
        assert_eq!(s.height(0.0), 0.5);
    }
}
