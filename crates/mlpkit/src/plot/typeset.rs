//! Setting text in the figures: each glyph at its own advance, side bearing and kerning.
//!
//! plotters 0.3.7 draws text through `ab_glyph` but places each glyph's outline at the pen
//! position *without its left side bearing*: a letter with a wide bearing (`o`, `b`, `0`)
//! moves left into its neighbour, one with a narrow bearing (`p`, `l`) keeps its place, and
//! the gaps come out uneven ("ep och", "truelabel", "Pull over"). [`Typeset`] wraps any
//! drawing backend and sets text itself, the way a text engine does:
//!
//! - the pen starts at 0 and moves by each glyph's advance width, plus the font's kerning
//!   between each pair of glyphs;
//! - each glyph is rasterised at the pen position *on the baseline*, so its outline keeps its
//!   side bearings (the outline's pixel bounds already include them);
//! - the text's box is the font's ascent to descent, as tall as the size asked for, with the
//!   baseline at the ascent, and the anchor (left/centre/right, top/centre/bottom) positions
//!   that box.
//!
//! Everything else is handed to the wrapped backend unchanged. The SVG backend writes text as
//! `<text>` elements that the viewer sets itself, so for SVG only the size estimate (used to
//! lay out axes) comes from here.

use std::sync::OnceLock;

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use plotters::prelude::DrawingBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontFamily,
};

/// The text font (Ubuntu Light) and the code font (Hack), parsed once per process.
fn fonts() -> &'static (FontRef<'static>, FontRef<'static>) {
    static FONTS: OnceLock<(FontRef<'static>, FontRef<'static>)> = OnceLock::new();
    FONTS.get_or_init(|| {
        // Both are font files compiled into `epaint_default_fonts`; they parse.
        let parse = |bytes: &'static [u8]| {
            FontRef::try_from_slice(bytes).expect("the embedded fonts are valid OpenType files")
        };
        (
            parse(epaint_default_fonts::UBUNTU_LIGHT),
            parse(epaint_default_fonts::HACK_REGULAR),
        )
    })
}

/// The font used for `family`: Hack for monospace, Ubuntu Light for everything else (the same
/// choice as the fonts registered with plotters in `fonts.rs`).
pub fn font_for(family: &FontFamily<'_>) -> &'static FontRef<'static> {
    let (sans, mono) = fonts();
    match family {
        FontFamily::Monospace => mono,
        FontFamily::Name(name) if *name == "monospace" => mono,
        _ => sans,
    }
}

/// One glyph of a line of text, placed.
#[derive(Debug, Clone, Copy)]
pub struct PlacedGlyph {
    /// The character.
    pub ch: char,
    /// The font it is drawn from: the line's own, or the code font for a character the text
    /// font lacks (Ubuntu has no arrows; Hack does).
    pub font: &'static FontRef<'static>,
    /// Pen position (left end of the glyph's advance) in pixels from the start of the line.
    pub pen_x: f32,
}

/// A line of text laid out at one size: where each glyph goes and the line's box.
#[derive(Debug, Clone)]
pub struct Line {
    /// Each character with its pen position.
    pub glyphs: Vec<PlacedGlyph>,
    /// The advance of the whole line in pixels (the box's width).
    pub width: f32,
    /// Ascent above the baseline in pixels.
    pub ascent: f32,
    /// Descent below the baseline in pixels (positive).
    pub descent: f32,
}

/// Lays out `text` in `font` at pixel height `size` (ascent to descent, as plotters' font
/// sizes mean): pen positions by advance width and pair kerning. A character `font` has no
/// glyph for is taken from the other embedded font when that one has it.
pub fn layout(font: &'static FontRef<'static>, size: f32, text: &str) -> Line {
    let scale = PxScale::from(size);
    let scaled = font.as_scaled(scale);
    let (sans, mono) = fonts();
    let other = if std::ptr::eq(font, sans) { mono } else { sans };
    let mut pen = 0.0f32;
    let mut previous = None;
    let mut glyphs = Vec::with_capacity(text.len());
    for ch in text.chars() {
        let id = scaled.glyph_id(ch);
        if id.0 == 0 && other.glyph_id(ch).0 != 0 {
            // Kerning does not apply across fonts.
            glyphs.push(PlacedGlyph {
                ch,
                font: other,
                pen_x: pen,
            });
            pen += other.as_scaled(scale).h_advance(other.glyph_id(ch));
            previous = None;
            continue;
        }
        if let Some(previous) = previous {
            pen += scaled.kern(previous, id);
        }
        glyphs.push(PlacedGlyph {
            ch,
            font,
            pen_x: pen,
        });
        pen += scaled.h_advance(id);
        previous = Some(id);
    }
    Line {
        glyphs,
        width: pen,
        ascent: scaled.ascent(),
        descent: -scaled.descent(),
    }
}

/// A drawing backend that sets text correctly (see the module's documentation) and passes
/// everything else to `inner`.
pub struct Typeset<B> {
    inner: B,
    /// Rasterise text here (bitmaps); when false, `draw_text` goes to `inner` (SVG).
    raster: bool,
}

impl<B> Typeset<B> {
    /// Wraps a bitmap backend: text is rasterised here.
    pub fn raster(inner: B) -> Self {
        Self {
            inner,
            raster: true,
        }
    }

    /// Wraps a vector backend that writes text itself: only size estimates come from here.
    pub fn vector(inner: B) -> Self {
        Self {
            inner,
            raster: false,
        }
    }
}

/// The text box's `(width, height)` in whole pixels.
fn box_size(line: &Line) -> (u32, u32) {
    (
        line.width.ceil().max(0.0) as u32,
        (line.ascent + line.descent).ceil().max(0.0) as u32,
    )
}

impl<B: DrawingBackend> DrawingBackend for Typeset<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
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
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if !self.raster {
            return self.inner.draw_text(text, style, pos);
        }
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let font = font_for(&style.family());
        let size = style.size() as f32;
        let line = layout(font, size, text);
        let (width, height) = box_size(&line);
        let (width, height) = (width as i32, height as i32);
        // Offsets from the anchor to the box's top-left corner, before any rotation.
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Center => -width / 2,
            HPos::Right => -width,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let transform = style.transform();
        let (canvas_w, canvas_h) = self.get_size();
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
                let (x, y) = transform.transform(left + x as i32 + dx, top + y as i32 + dy);
                let (x, y) = (pos.0 + x, pos.1 + y);
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
