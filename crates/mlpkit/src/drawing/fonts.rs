//! The fonts every figure uses, compiled into the library so that labels render on a
//! machine with no system fonts and no fontconfig: DejaVu Sans (matplotlib's default font) for
//! text, DejaVu Sans Mono for code, both from the `dejavu` crate (licence:
//! `licenses/dejavu-fonts-licence.txt`).

use std::sync::OnceLock;

use ab_glyph::FontRef;
use plotters_backend::FontFamily;

/// Family name to use in text styles.
pub const SANS: &str = "sans-serif";

fn sans_bytes() -> &'static [u8] {
    dejavu::sans::regular()
}

fn mono_bytes() -> &'static [u8] {
    dejavu::sans_mono::regular()
}

/// Registers the embedded fonts with plotters, once per process (its SVG backend and its own
/// text estimates look fonts up by family).
pub(crate) fn ensure_registered() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use plotters::style::FontStyle;
        for style in [FontStyle::Normal, FontStyle::Bold] {
            let _ = plotters::style::register_font(SANS, style, sans_bytes());
        }
        let _ = plotters::style::register_font("serif", FontStyle::Normal, sans_bytes());
        let _ = plotters::style::register_font("monospace", FontStyle::Normal, mono_bytes());
    });
}

/// The text font (DejaVu Sans) and the code font (DejaVu Sans Mono), parsed once per process.
pub(crate) fn fonts() -> &'static (FontRef<'static>, FontRef<'static>) {
    static FONTS: OnceLock<(FontRef<'static>, FontRef<'static>)> = OnceLock::new();
    FONTS.get_or_init(|| {
        // Both are font files compiled into the `dejavu` crate; they parse.
        let parse = |bytes: &'static [u8]| {
            FontRef::try_from_slice(bytes).expect("the embedded fonts are valid OpenType files")
        };
        (parse(sans_bytes()), parse(mono_bytes()))
    })
}

/// The font used for `family`: DejaVu Sans Mono for monospace, DejaVu Sans for everything
/// else (the same choice as the fonts registered with plotters).
pub fn font_for(family: &FontFamily<'_>) -> &'static FontRef<'static> {
    let (sans, mono) = fonts();
    match family {
        FontFamily::Monospace => mono,
        FontFamily::Name(name) if *name == "monospace" => mono,
        _ => sans,
    }
}
