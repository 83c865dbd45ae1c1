//! Setting text in the figures: each glyph at its own advance, side bearing and kerning.
//!
//! plotters 0.3.7 draws text through `ab_glyph` but places each glyph's outline at the pen
//! position *without its left side bearing*: a letter with a wide bearing (`o`, `b`, `0`)
//! moves left into its neighbour, one with a narrow bearing (`p`, `l`) keeps its place, and
//! the gaps come out uneven ("ep och", "truelabel", "Pull over"). The figures set text
//! themselves, the way a text engine does:
//!
//! - the pen starts at 0 and moves by each glyph's advance width, plus the font's kerning
//!   between each pair of glyphs;
//! - each glyph is rasterised at the pen position *on the baseline*, so its outline keeps its
//!   side bearings (the outline's pixel bounds already include them);
//! - the text's box is the font's ascent to descent, as tall as the size asked for, with the
//!   baseline at the ascent, and the anchor (left/centre/right, top/centre/bottom) positions
//!   that box.
//!
//! `Canvas` (`canvas.rs`) draws the glyphs this module places. The SVG backend
//! writes text as `<text>` elements that the viewer sets itself, so for SVG only the size
//! estimate (used to lay out axes) comes from here.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};

use super::fonts::fonts;

/// One glyph of a line of text, placed.
#[derive(Debug, Clone, Copy)]
pub struct PlacedGlyph {
    /// The character.
    pub ch: char,
    /// The font it is drawn from: the line's own, or the code font for a character the text
    /// font lacks.
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
