//! [`Canvas`]: a drawing backend on which figures draw in their own units ("figure pixels")
//! while the picture is rendered at several device pixels per figure pixel, with text set by
//! [`super::typeset`].
//!
//! Every figure's layout (margins, cell sizes, font sizes, line widths) is written in figure
//! pixels, the size the figure is shown at. The canvas multiplies every coordinate, width,
//! radius and font size by its scale, so the same drawing code makes a 1× picture for SVG and
//! a 6× one that [`super::figure`] averages down to the 2× PNG: sharp on high-resolution
//! screens, and with smooth (anti-aliased) edges on every screen.
//!
//! Text may be turned (`FontTransform::Rotate90` reads downwards, `Rotate270` upwards); its
//! anchor places the box the text takes on screen, after turning, so `(Center, Top)` under
//! a tick hangs a turned label straight down from it.

use ab_glyph::{Font, PxScale, point};
use plotters::prelude::DrawingBackend;
use plotters_backend::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontTransform,
};

use super::fonts::font_for;
use super::typeset::{Line, layout};

/// A backend that draws on `inner` at `scale` device pixels per figure pixel; see the
/// module's documentation.
pub struct Canvas<B> {
    inner: B,
    scale: i32,
    /// Rasterise text here (bitmaps); when false, `draw_text` goes to `inner` (SVG).
    raster: bool,
}

impl<B: DrawingBackend> Canvas<B> {
    /// A bitmap backend, `scale` device pixels per figure pixel (at least 1): shapes and
    /// text are drawn here at that scale.
    pub fn raster(inner: B, scale: u32) -> Self {
        Self {
            inner,
            scale: scale.max(1) as i32,
            raster: true,
        }
    }

    /// A vector backend that writes text itself, at one unit per figure pixel.
    pub fn vector(inner: B) -> Self {
        Self {
            inner,
            scale: 1,
            raster: false,
        }
    }

    /// The device pixel at the centre of figure pixel `p`.
    fn centre(&self, p: BackendCoord) -> BackendCoord {
        (
            p.0 * self.scale + self.scale / 2,
            p.1 * self.scale + self.scale / 2,
        )
    }

    fn style<S: BackendStyle>(&self, style: &S) -> Scaled {
        Scaled {
            color: style.color(),
            width: style.stroke_width() * self.scale as u32,
        }
    }
}

/// A style with its stroke width in device pixels.
struct Scaled {
    color: BackendColor,
    width: u32,
}

impl BackendStyle for Scaled {
    fn color(&self) -> BackendColor {
        self.color
    }
    fn stroke_width(&self) -> u32 {
        self.width
    }
}

/// The text box's `(width, height)` in whole pixels.
fn box_size(line: &Line) -> (u32, u32) {
    (
        line.width.ceil().max(0.0) as u32,
        (line.ascent + line.descent).ceil().max(0.0) as u32,
    )
}

type Drawn<B> = Result<(), DrawingErrorKind<<B as DrawingBackend>::ErrorType>>;

impl<B: DrawingBackend> DrawingBackend for Canvas<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        let (w, h) = self.inner.get_size();
        let s = self.scale as u32;
        (w / s, h / s)
    }

    fn ensure_prepared(&mut self) -> Drawn<B> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Drawn<B> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, p: BackendCoord, color: BackendColor) -> Drawn<B> {
        let s = self.scale;
        let (x, y) = (p.0 * s, p.1 * s);
        self.inner
            .draw_rect((x, y), (x + s - 1, y + s - 1), &color, true)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Drawn<B> {
        let style = self.style(style);
        let (from, to) = (self.centre(from), self.centre(to));
        self.inner.draw_line(from, to, &style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Drawn<B> {
        let s = self.scale;
        if fill {
            // As plotters' bitmaps fill them: from the upper-left corner up to, not including,
            // the bottom-right one, so that rectangles side by side tile without a gap.
            let ul = (upper_left.0 * s, upper_left.1 * s);
            let br = (bottom_right.0 * s, bottom_right.1 * s);
            return self.inner.draw_rect(ul, br, &self.style(style), true);
        }
        let (ul, br) = (self.centre(upper_left), self.centre(bottom_right));
        let style = self.style(style);
        if style.width <= 1 {
            return self.inner.draw_rect(ul, br, &style, false);
        }
        // A wide outline as four lines, each as wide as asked.
        let corners = [ul, (br.0, ul.1), br, (ul.0, br.1), ul];
        self.inner.draw_path(corners, &style)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn<B> {
        let style = self.style(style);
        let points: Vec<BackendCoord> = path.into_iter().map(|p| self.centre(p)).collect();
        self.inner.draw_path(points, &style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Drawn<B> {
        let style = self.style(style);
        let center = self.centre(center);
        self.inner
            .draw_circle(center, radius * self.scale as u32, &style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Drawn<B> {
        let style = self.style(style);
        let points: Vec<BackendCoord> = vert.into_iter().map(|p| self.centre(p)).collect();
        self.inner.fill_polygon(points, &style)
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, (w, h): (u32, u32), src: &[u8]) -> Drawn<B> {
        // Each source pixel becomes a block of scale × scale device pixels.
        let s = self.scale as u32;
        let mut big = vec![0u8; (w * s * h * s * 3) as usize];
        for y in 0..h * s {
            for x in 0..w * s {
                let from = (((y / s) * w + x / s) * 3) as usize;
                let to = ((y * w * s + x) * 3) as usize;
                big[to..to + 3].copy_from_slice(&src[from..from + 3]);
            }
        }
        let pos = (pos.0 * self.scale, pos.1 * self.scale);
        self.inner.blit_bitmap(pos, (w * s, h * s), &big)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let font = font_for(&style.family());
        Ok(box_size(&layout(font, style.size() as f32, text)))
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Drawn<B> {
        if !self.raster {
            return self.inner.draw_text(text, style, pos);
        }
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let font = font_for(&style.family());
        let size = style.size() as f32 * self.scale as f32;
        let line = layout(font, size, text);
        let (width, height) = box_size(&line);
        let (width, height) = (width as i32, height as i32);
        let transform = style.transform();
        let (dx, dy) = box_offset(&transform, style.anchor(), width, height);
        // A point `(x, y)` of the upright box, where it appears in the box as drawn.
        let turn = |x: i32, y: i32| match transform {
            FontTransform::None => (x, y),
            FontTransform::Rotate90 => (height - 1 - y, x),
            FontTransform::Rotate180 => (width - 1 - x, height - 1 - y),
            FontTransform::Rotate270 => (y, width - 1 - x),
        };
        let (canvas_w, canvas_h) = self.inner.get_size();
        let pos = (pos.0 * self.scale, pos.1 * self.scale);
        let scale = PxScale::from(size);
        let mut result = Ok(());
        for placed in &line.glyphs {
            let glyph = placed
                .font
                .glyph_id(placed.ch)
                .with_scale_and_position(scale, point(placed.pen_x, line.ascent));
            let Some(outline) = placed.font.outline_glyph(glyph) else {
                continue; // a space, or a character the font has no outline for
            };
            let bounds = outline.px_bounds();
            let (left, top) = (bounds.min.x as i32, bounds.min.y as i32);
            outline.draw(|x, y, coverage| {
                if result.is_err() || coverage <= 0.0 {
                    return;
                }
                let (x, y) = turn(left + x as i32, top + y as i32);
                let (x, y) = (pos.0 + dx + x, pos.1 + dy + y);
                if x >= 0 && y >= 0 && x < canvas_w as i32 && y < canvas_h as i32 {
                    let ink = BackendColor {
                        alpha: color.alpha * f64::from(coverage.min(1.0)),
                        rgb: color.rgb,
                    };
                    result = self.inner.draw_pixel((x, y), ink);
                }
            });
            if result.is_err() {
                break;
            }
        }
        result
    }
}

/// Where the top-left corner of a `width × height` text box goes relative to its anchor point,
/// once turned by `transform`: the anchor places the box as it appears on screen.
///
/// plotters hangs a y-axis description (turned to read upwards) from the middle of the axis
/// with the anchor (Center, Top) meant along the text: centred on the axis, its top (facing
/// left once turned) at the point. On screen that is (Left, Center).
fn box_offset(transform: &FontTransform, anchor: Pos, width: i32, height: i32) -> (i32, i32) {
    let (seen_w, seen_h) = match transform {
        FontTransform::Rotate90 | FontTransform::Rotate270 => (height, width),
        FontTransform::None | FontTransform::Rotate180 => (width, height),
    };
    let (h_pos, v_pos) = match (transform, anchor.h_pos, anchor.v_pos) {
        (FontTransform::Rotate270, HPos::Center, VPos::Top) => (HPos::Left, VPos::Center),
        (_, h, v) => (h, v),
    };
    let dx = match h_pos {
        HPos::Left => 0,
        HPos::Center => -seen_w / 2,
        HPos::Right => -seen_w,
    };
    let dy = match v_pos {
        VPos::Top => 0,
        VPos::Center => -seen_h / 2,
        VPos::Bottom => -seen_h,
    };
    (dx, dy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upward_axis_label_is_centred_on_its_point_and_hangs_right_of_it() {
        // A 100 × 20 label turned to read upwards takes 20 × 100 on screen.
        let axis_desc = Pos::new(HPos::Center, VPos::Top);
        assert_eq!(
            box_offset(&FontTransform::Rotate270, axis_desc, 100, 20),
            (0, -50)
        );
        // Other anchors place the box as seen: a label hung downwards from a tick.
        let tick = Pos::new(HPos::Center, VPos::Top);
        assert_eq!(
            box_offset(&FontTransform::Rotate90, tick, 100, 20),
            (-10, 0)
        );
        let centre = Pos::new(HPos::Center, VPos::Center);
        assert_eq!(
            box_offset(&FontTransform::None, centre, 100, 20),
            (-50, -10)
        );
    }
}
