//! Axes shared by the bar figures: one category per bar along the bottom, values up the side.

use std::ops::Range;

use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::{RangedCoordf64, RangedCoordusize};
use plotters::coord::Shift;
use plotters::prelude::*;

use super::figure::plot_err;
use super::fonts::SANS;
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

/// The colour of the grid: one light line per labelled value, and no minor lines, so that
/// the grid guides the eye without competing with the data.
pub(crate) const GRID: RGBColor = RGBColor(228, 228, 228);

/// A chart whose x axis has one segment per category.
pub(crate) type CategoryChart<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<SegmentedCoord<RangedCoordusize>, RangedCoordf64>>;

/// Draws the caption, the category names under their segments and a value axis labelled
/// `y_desc`, and returns the chart to draw bars on.
pub(crate) fn category_axes<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    caption: Option<&str>,
    names: &[String],
    y: Range<f64>,
    y_desc: &str,
) -> Result<CategoryChart<'a, DB>> {
    let k = names.len().max(1);
    let mut builder = ChartBuilder::on(root);
    if let Some(caption) = caption {
        builder.caption(caption, (SANS, 20));
    }
    let mut chart = builder
        .margin(12)
        .x_label_area_size(56)
        .y_label_area_size(58)
        .build_cartesian_2d((0..k - 1).into_segmented(), y)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .y_desc(y_desc)
        .label_style((SANS, 13))
        .axis_desc_style((SANS, 15))
        .x_labels(k)
        .y_labels(6)
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => names.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .draw()
        .map_err(plot_err)?;
    Ok(chart)
}
