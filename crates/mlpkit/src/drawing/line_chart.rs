//! A line chart of named series: any quantity against any other, on a plain or a
//! logarithmic value axis (gradient sizes layer by layer, seconds per epoch against the batch
//! size). [`super::LearningCurves`] is the special case for a training history.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axes::{X_LABEL_AREA, value_mesh, value_range, y_label_area};
use super::figure::{Figure, Plot, plot_err};
use super::style::{self, GRID, LINE_WIDTH, MAX_MARKERS, TICK_SIZE, TITLE_SIZE, with_margins};
use super::ticks::TickedAxis;
use crate::error::{Error, Result};

/// The colours series take in turn (matplotlib's first five).
pub const SERIES_COLORS: [RGBColor; 5] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
];

/// One named line: its points, in the order they are joined.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The name in the legend.
    pub name: String,
    /// The points `(x, y)`.
    pub points: Vec<(f64, f64)>,
}

/// Lines on shared axes, each with a legend entry.
#[derive(Debug, Clone)]
pub struct LineChart {
    /// The lines, drawn in [`SERIES_COLORS`] in turn.
    pub series: Vec<Series>,
    /// The horizontal axis's label.
    pub x_label: String,
    /// The vertical axis's label.
    pub y_label: String,
    /// Whether the horizontal axis is logarithmic.
    pub log_x: bool,
    /// Whether the vertical axis is logarithmic.
    pub log_y: bool,
    /// Title above the chart.
    pub title: Option<String>,
}

impl LineChart {
    /// An empty chart with its axes' labels; add lines with [`LineChart::line`].
    pub fn new(x_label: impl Into<String>, y_label: impl Into<String>) -> Self {
        Self {
            series: Vec::new(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            log_x: false,
            log_y: false,
            title: None,
        }
    }

    /// Adds a line through `(x[i], y[i])`; the two must have the same length, and every value
    /// must be finite.
    pub fn line(mut self, name: impl Into<String>, x: &[f64], y: &[f64]) -> Result<Self> {
        let name = name.into();
        if x.len() != y.len() || x.is_empty() {
            return Err(Error::Mismatch(format!(
                "LineChart: the line `{name}` has {} x values and {} y values; give one y per x",
                x.len(),
                y.len()
            )));
        }
        if let Some(i) = (0..x.len()).find(|&i| !(x[i].is_finite() && y[i].is_finite())) {
            return Err(Error::InvalidArgument(format!(
                "LineChart: point {i} of `{name}` is ({}, {}); every point needs finite numbers",
                x[i], y[i]
            )));
        }
        if self.series.len() == SERIES_COLORS.len() {
            return Err(Error::InvalidArgument(format!(
                "LineChart: at most {} lines fit one chart; draw the others in a second one",
                SERIES_COLORS.len()
            )));
        }
        let points = x.iter().copied().zip(y.iter().copied()).collect();
        self.series.push(Series { name, points });
        Ok(self)
    }

    /// Makes the vertical axis logarithmic: equal steps are equal ratios, so that values from
    /// 10⁻⁸ to 1 can be read on one chart. Every y value must then be above 0.
    pub fn log_y(mut self) -> Self {
        self.log_y = true;
        self
    }

    /// Makes the horizontal axis logarithmic (see [`LineChart::log_y`]); every x value must
    /// then be above 0.
    pub fn log_x(mut self) -> Self {
        self.log_x = true;
        self
    }

    /// Sets the title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// The chart as a figure.
    pub fn figure(self) -> Figure<Self> {
        Figure::new(self)
    }

    fn points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.series.iter().flat_map(|s| s.points.iter().copied())
    }

    /// The horizontal axis: the points' range with margins, whole-number ticks when every x
    /// is a whole number (layers, epochs); whole decades on a log axis.
    fn x_axis(&self) -> Result<TickedAxis> {
        let (lo, hi) = span(self.points().map(|p| p.0));
        if self.log_x {
            return log_axis(lo, hi, "x", "log_x");
        }
        let (lo, hi) = with_margins(lo, hi);
        value_range(lo, hi, "LineChart (x)")?;
        Ok(if self.points().all(|p| p.0.fract() == 0.0) {
            TickedAxis::whole(lo, hi, 10)
        } else {
            TickedAxis::new(lo, hi, 8)
        })
    }

    /// The vertical axis: from the data with margins, or whole decades on a log axis.
    fn y_axis(&self) -> Result<TickedAxis> {
        let (lo, hi) = span(self.points().map(|p| p.1));
        if self.log_y {
            return log_axis(lo, hi, "y", "log_y");
        }
        let (lo, hi) = with_margins(lo, hi);
        value_range(lo, hi, "LineChart (y)")?;
        Ok(TickedAxis::new(lo, hi, 7))
    }
}

/// Where the legend can go, in the order tried when several are equally empty.
const CORNERS: [SeriesLabelPosition; 4] = [
    SeriesLabelPosition::UpperRight,
    SeriesLabelPosition::LowerRight,
    SeriesLabelPosition::UpperLeft,
    SeriesLabelPosition::LowerLeft,
];

impl LineChart {
    /// The corner of the plot the lines cross least, for the legend: each line is followed
    /// in small steps, and every step inside a corner's box (a third of the width, a quarter
    /// of the height) counts against that corner.
    fn emptiest_corner(&self, x: &TickedAxis, y: &TickedAxis) -> SeriesLabelPosition {
        let share = |axis: &TickedAxis, v: f64| f64::from(axis.map(&v, (0, 1000))) / 1000.0;
        let mut crowd = [0usize; 4];
        for series in &self.series {
            let points: Vec<(f64, f64)> = series
                .points
                .iter()
                .map(|&(a, b)| (share(x, a), share(y, b)))
                .collect();
            let steps = points.windows(2).flat_map(|w| {
                (0..20).map(move |k| {
                    let t = f64::from(k) / 20.0;
                    (
                        w[0].0 + t * (w[1].0 - w[0].0),
                        w[0].1 + t * (w[1].1 - w[0].1),
                    )
                })
            });
            for (px, py) in steps.chain(points.last().copied()) {
                let (right, left, top, bottom) = (px > 0.66, px < 0.34, py > 0.75, py < 0.25);
                for (count, inside) in crowd.iter_mut().zip([
                    right && top,
                    right && bottom,
                    left && top,
                    left && bottom,
                ]) {
                    *count += usize::from(inside);
                }
            }
        }
        let best = (0..4).min_by_key(|&i| crowd[i]).unwrap_or(0);
        CORNERS[best].clone()
    }
}

/// A logarithmic axis from `lo` to `hi`, or the error that says why there cannot be one.
fn log_axis(lo: f64, hi: f64, axis: &str, call: &str) -> Result<TickedAxis> {
    if lo <= 0.0 {
        return Err(Error::InvalidArgument(format!(
            "LineChart: a logarithmic axis cannot show {lo}; every {axis} value must be above 0 \
             (leave out .{call}() to draw zeros and negative values)"
        )));
    }
    Ok(TickedAxis::log(lo, hi, 9))
}

/// The smallest and largest of `values` (0 to 1 for none).
fn span(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) }
}

impl Plot for LineChart {
    super::figure::compiled_here!();

    fn default_size(&self) -> (u32, u32) {
        (560, 380 + if self.title.is_some() { 30 } else { 0 })
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        if self.series.is_empty() {
            return Err(Error::InvalidArgument(
                "LineChart: no lines to draw; add one with .line(name, &x, &y)?".into(),
            ));
        }
        let mut builder = ChartBuilder::on(root);
        if let Some(title) = &self.title {
            builder.caption(title, style::text(TITLE_SIZE));
        }
        let (x_axis, y_axis) = (self.x_axis()?, self.y_axis()?);
        let corner = self.emptiest_corner(&x_axis, &y_axis);
        let mut chart = builder
            .margin(10)
            .x_label_area_size(X_LABEL_AREA)
            .y_label_area_size(y_label_area(&y_axis))
            .build_cartesian_2d(x_axis, y_axis)
            .map_err(plot_err)?;
        value_mesh(&mut chart, &self.x_label, &self.y_label)?;
        for (series, &color) in self.series.iter().zip(&SERIES_COLORS) {
            let markers = series.points.len() <= MAX_MARKERS;
            chart
                .draw_series(LineSeries::new(
                    series.points.clone(),
                    color.stroke_width(LINE_WIDTH),
                ))
                .map_err(plot_err)?
                .label(series.name.as_str())
                .legend(move |(x, y)| {
                    // The key's line carries the line's marker when the line has markers.
                    let dot = if markers {
                        color.filled()
                    } else {
                        TRANSPARENT.filled()
                    };
                    EmptyElement::at((x, y))
                        + PathElement::new(vec![(0, 0), (20, 0)], color.stroke_width(LINE_WIDTH))
                        + Circle::new((10, 0), 3, dot)
                });
            if markers {
                chart
                    .draw_series(
                        series
                            .points
                            .iter()
                            .map(|&p| Circle::new(p, 3, color.filled())),
                    )
                    .map_err(plot_err)?;
            }
        }
        chart
            .configure_series_labels()
            .label_font(style::text(TICK_SIZE))
            .background_style(WHITE.mix(0.9))
            .border_style(GRID)
            .position(corner)
            .draw()
            .map_err(plot_err)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_must_pair_their_values_and_a_log_axis_needs_positive_ones() {
        let chart = LineChart::new("layer", "size");
        assert!(matches!(
            chart.clone().line("a", &[1.0, 2.0], &[1.0]),
            Err(Error::Mismatch(_))
        ));
        assert!(chart.clone().line("a", &[1.0], &[f64::NAN]).is_err());
        let zero = chart
            .clone()
            .line("a", &[1.0, 2.0], &[0.0, 1.0])
            .unwrap()
            .log_y();
        let message = zero.y_axis().unwrap_err().to_string();
        assert!(message.contains("above 0"), "{message}");
        let empty = chart.figure().png().unwrap_err().to_string();
        assert!(empty.contains("no lines"), "{empty}");
    }

    #[test]
    fn whole_numbers_along_x_get_whole_ticks() {
        let chart = LineChart::new("layer", "size")
            .line("a", &[1.0, 2.0, 3.0], &[1e-6, 1e-3, 1.0])
            .unwrap()
            .log_y();
        let x = chart.x_axis().unwrap();
        assert!(
            x.labels().iter().all(|l| !l.contains('.')),
            "{:?}",
            x.labels()
        );
        let y = chart.y_axis().unwrap();
        assert_eq!(y.labels().first().map(String::as_str), Some("10⁻⁶"));
        assert_eq!(y.labels().last().map(String::as_str), Some("10⁰"));
    }

    #[test]
    fn the_legend_goes_where_the_lines_are_not() {
        let rising = LineChart::new("x", "y")
            .line("a", &[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0])
            .unwrap();
        let (x, y) = (rising.x_axis().unwrap(), rising.y_axis().unwrap());
        // A line from lower left to upper right leaves the other two corners free.
        assert!(matches!(
            rising.emptiest_corner(&x, &y),
            SeriesLabelPosition::LowerRight
        ));
        let falling = LineChart::new("x", "y")
            .line("a", &[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0])
            .unwrap();
        let (x, y) = (falling.x_axis().unwrap(), falling.y_axis().unwrap());
        assert!(matches!(
            falling.emptiest_corner(&x, &y),
            SeriesLabelPosition::UpperRight
        ));
    }

    #[test]
    fn both_axes_can_be_logarithmic() {
        let chart = LineChart::new("step", "error")
            .line("f64", &[1e-9, 1e-5, 1e-1], &[1e-3, 1e-9, 1e-2])
            .unwrap()
            .log_x()
            .log_y();
        assert_eq!(chart.x_axis().unwrap().labels()[0], "10⁻⁹");
        assert!(chart.figure().png().is_ok());
        let negative = LineChart::new("step", "error")
            .line("a", &[-1.0, 1.0], &[1.0, 2.0])
            .unwrap()
            .log_x();
        let message = negative.x_axis().unwrap_err().to_string();
        assert!(
            message.contains("every x value") && message.contains(".log_x()"),
            "{message}"
        );
    }
}
