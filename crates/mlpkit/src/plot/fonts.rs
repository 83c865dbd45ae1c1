//! The font every figure uses, compiled into the library so that labels render on a
//! machine with no system fonts and no fontconfig.

/// Family name to use in text styles.
pub const SANS: &str = "sans-serif";

/// Registers the embedded fonts with plotters, once per process.
pub(crate) fn ensure_registered() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use plotters::style::FontStyle;
        // Ubuntu Light (Ubuntu Font Licence) for text, Hack (MIT/Bitstream Vera) for code.
        let sans = epaint_default_fonts::UBUNTU_LIGHT;
        for style in [FontStyle::Normal, FontStyle::Bold] {
            let _ = plotters::style::register_font(SANS, style, sans);
        }
        let _ = plotters::style::register_font("serif", FontStyle::Normal, sans);
        let _ = plotters::style::register_font(
            "monospace",
            FontStyle::Normal,
            epaint_default_fonts::HACK_REGULAR,
        );
    });
}
