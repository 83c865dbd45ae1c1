//! Reads drawings the way the "Read my digit" page does, natively, for the browser checks
//! (`tests/book_browser.py`) to compare the page's answers with.
//!
//!     cargo run --release -p mlpkit-web --example read_drawings -- MODEL DRAWINGS WIDTH HEIGHT
//!
//! DRAWINGS holds RGBA drawings of WIDTH × HEIGHT pixels one after another, as a canvas's
//! `getImageData` gives them. Prints, per drawing, one line: the ten probabilities separated
//! by spaces, or `none` for a drawing without ink.

use mlpkit_web::Reader;

fn main() {
    if let Err(message) = run() {
        eprintln!("read_drawings: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, drawings, width, height] = args.as_slice() else {
        return Err("usage: read_drawings MODEL DRAWINGS WIDTH HEIGHT".into());
    };
    let number = |s: &str| s.parse::<u32>().map_err(|e| format!("{s}: {e}"));
    let (width, height) = (number(width)?, number(height)?);
    let model = std::fs::read(model).map_err(|e| format!("{model}: {e}"))?;
    let reader = Reader::from_file_bytes(&model).map_err(|e| e.to_string())?;
    let bytes = std::fs::read(drawings).map_err(|e| format!("{drawings}: {e}"))?;
    let size = 4 * width as usize * height as usize;
    if size == 0 || bytes.len() % size != 0 {
        return Err(format!(
            "{drawings} holds {} bytes, not a whole number of {size}-byte drawings",
            bytes.len()
        ));
    }
    for drawing in bytes.chunks(size) {
        match mlpkit_web::prepare_drawing(drawing, width, height).map_err(|e| e.to_string())? {
            None => println!("none"),
            Some(digit) => {
                let reading = reader.read_prepared(&digit).map_err(|e| e.to_string())?;
                let line: Vec<String> = reading
                    .probabilities()
                    .iter()
                    .map(|p| format!("{p:.7e}"))
                    .collect();
                println!("{}", line.join(" "));
            }
        }
    }
    Ok(())
}
