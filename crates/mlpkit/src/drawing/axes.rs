//! Axes as every figure draws them: a left and a bottom axis in near-black, ticks at nice
//! values ([`super::ticks`]), one light grid line per labelled value, text readable at the
//! size the figure is shown.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::figure::plot_err;
use super::style::{self, GRID, INK, LABEL_SIZE, TICK_SIZE, TITLE_SIZE};
use super::ticks::TickedAxis;
use crate::error::{Error, Result};

/// `lo..hi` if it is a range a value axis can show: both ends finite, `lo < hi`, and the
/// span itself finite. plotters searches for tick positions without bound on other ranges
/// (a cell that never returns), so every figure's value range passes through here.
pub(crate) fn value_range(lo: f64, hi: f64, what: &str) -> Result<Range<f64>> {
    if lo.is_finite() && hi.is_finite() && lo < hi && (hi - lo).is_finite() {
        Ok(lo..hi)
    } else {
        Err(Error::Plot(format!(
            "{what}: cannot draw an axis from {lo} to {hi}; the limits must be finite numbers \
             with the lower one first"
        )))
    }
}

/// The tick marks' length, in pixels.
const TICK_MARK: u32 = 4;

/// The width of the area left of a y axis so that its label sits where matplotlib puts it:
/// the axis label (turned to read upwards) at the area's left edge, a gap of 6 pixels, the
/// widest tick label, then the distance plotters leaves between a label and the axis (twice
/// the tick mark). A fixed width would leave short labels floating far from their axis
/// label, and clip long ones.
pub(crate) fn y_label_area(axis: &TickedAxis) -> u32 {
    let font = super::fonts::font_for(&FontFamily::SansSerif);
    let widest = axis
        .labels()
        .iter()
        .map(|l| super::typeset::layout(font, TICK_SIZE as f32, l).width)
        .fold(0.0f32, f32::max);
    (LABEL_SIZE as f32 + 6.0 + widest).ceil() as u32 + 2 * TICK_MARK
}

/// The height of the area under an x axis: the tick labels hang 8 pixels below the axis,
/// then a gap and the axis label.
pub(crate) const X_LABEL_AREA: u32 =
    (2 * TICK_MARK) + (TICK_SIZE as u32 + 2) + 6 + (LABEL_SIZE as u32 + 4);

/// A chart with ticked axes on both sides.
pub(crate) type TickedChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<TickedAxis, TickedAxis>>;

/// Draws the axes of `chart` the crate's way, with `x_desc` under the x axis and `y_desc`
/// beside the y axis (reading upwards); the grid runs across the y values only.
pub(crate) fn value_mesh<DB: DrawingBackend>(
    chart: &mut TickedChart<'_, DB>,
    x_desc: &str,
    y_desc: &str,
) -> Result<()> {
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(INK)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(style::text(TICK_SIZE))
        .axis_desc_style(style::text(LABEL_SIZE))
        .set_all_tick_mark_size(TICK_MARK)
        .draw()
        .map_err(plot_err)?;
    Ok(())
}

/// Draws a title, one category per tick along the bottom (names written downwards when they
/// would not fit side by side), a value axis `y` labelled `y_desc`, and returns the
/// chart to draw bars on. `percent` labels the values as percentages of 1.
pub(crate) fn category_axes<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    caption: Option<&str>,
    names: &[String],
    y: Range<f64>,
    y_desc: &str,
    percent: bool,
) -> Result<TickedChart<'a, DB>> {
    let (width, _) = root.dim_in_pixel();
    let font = super::fonts::font_for(&FontFamily::SansSerif);
    let widest = names
        .iter()
        .map(|n| super::typeset::layout(font, TICK_SIZE as f32, n).width)
        .fold(0.0f32, f32::max);
    // Room per category, in pixels (the y axis and the margins take about 80).
    let room = (width as f32 - 80.0) / names.len().max(1) as f32;
    let slanted = widest > room - 6.0;
    let label_area = if slanted {
        widest.ceil() as u32 + 16
    } else {
        30
    };
    let mut builder = ChartBuilder::on(root);
    if let Some(caption) = caption.filter(|c| !c.is_empty()) {
        builder.caption(caption, style::text(TITLE_SIZE));
    }
    let axis = if percent {
        TickedAxis::percent(y.start, y.end, 7)
    } else {
        TickedAxis::new(y.start, y.end, 7)
    };
    let y_area = y_label_area(&axis);
    let mut chart = builder
        .margin(10)
        .x_label_area_size(label_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(TickedAxis::categories(names), axis)
        .map_err(plot_err)?;
    let tick_text = if slanted {
        // plotters hangs each label from its tick (centred, top); turned, it reads downwards.
        style::text(TICK_SIZE).transform(FontTransform::Rotate90)
    } else {
        style::text(TICK_SIZE)
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(INK)
        .y_desc(y_desc)
        .x_label_style(tick_text)
        .y_label_style(style::text(TICK_SIZE))
        .axis_desc_style(style::text(LABEL_SIZE))
        .set_all_tick_mark_size(TICK_MARK)
        .draw()
        .map_err(plot_err)?;
    Ok(chart)
}
