//! Digits from pictures (`mlpkit::data::picture`) and the UCI digits file
//! (`mlpkit::data::uci_digits`), on pictures these tests draw themselves and on real MNIST
//! digits.

use image::{DynamicImage, GrayImage, Luma, Rgb, RgbImage};
use mlpkit::data::picture::{
    Grey, center_by_mass, center_of_mass, crop_to_ink, fit_longer_side, ink_bright, mnist_digit,
    mnist_digit_file, to_grey,
};
use mlpkit::data::uci_digits;
use mlpkit::prelude::*;

use crate::util;

/// Ink coverage of the point `(x, y)` for a stroke along `points` (in units of `scale`
/// pixels, shifted by `offset`) of half-width `radius`: 1 inside, fading over one pixel.
fn coverage(
    x: f32,
    y: f32,
    points: &[(f32, f32)],
    scale: f32,
    offset: (f32, f32),
    radius: f32,
) -> f32 {
    let mut best = f32::MAX;
    for w in points.windows(2) {
        let (ax, ay) = (w[0].0 * scale + offset.0, w[0].1 * scale + offset.1);
        let (bx, by) = (w[1].0 * scale + offset.0, w[1].1 * scale + offset.1);
        let (dx, dy) = (bx - ax, by - ay);
        let t = (((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
        best = best.min((x - ax - t * dx).hypot(y - ay - t * dy));
    }
    (radius + 0.5 - best).clamp(0.0, 1.0)
}

/// A "7" with a bar across: a stroke of a few segments.
const SEVEN: [(f32, f32); 5] = [(0.0, 0.0), (10.0, 0.0), (4.0, 16.0), (6.5, 8.0), (3.0, 8.0)];

/// The seven drawn dark on light paper on a `w` × `h` canvas, `scale` pixels per unit, its
/// top-left corner at `offset`.
fn drawn(w: u32, h: u32, scale: f32, offset: (f32, f32), inverted: bool) -> DynamicImage {
    let img = GrayImage::from_fn(w, h, |x, y| {
        let ink = coverage(
            x as f32 + 0.5,
            y as f32 + 0.5,
            &SEVEN,
            scale,
            offset,
            scale * 0.9,
        );
        let paper_light = 235.0 * (1.0 - ink) + 15.0 * ink;
        Luma([if inverted {
            255.0 - paper_light
        } else {
            paper_light
        } as u8])
    });
    DynamicImage::ImageLuma8(img)
}

fn values(t: &Tensor) -> Vec<f32> {
    t.to_dtype(DType::F32)
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1::<f32>()
        .unwrap()
}

/// Mean absolute difference of two 28×28 byte images, as a share of full scale.
fn difference(a: &Tensor, b: &Tensor) -> f32 {
    let (a, b) = (values(a), values(b));
    a.iter().zip(&b).map(|(x, y)| (x - y).abs()).sum::<f32>() / a.len() as f32 / 255.0
}

#[test]
fn the_same_stroke_gives_the_same_input_however_it_was_drawn() {
    let base = mnist_digit(&drawn(100, 100, 4.0, (30.0, 20.0), false)).unwrap();
    assert_eq!(base.dims(), &[28, 28]);
    let ink: f32 = values(&base).iter().sum::<f32>() / 255.0;
    assert!(ink > 30.0, "the digit has ink: {ink}");
    for (what, picture) in [
        ("shifted", drawn(100, 100, 4.0, (5.0, 30.0), false)),
        ("twice as large", drawn(200, 200, 8.0, (60.0, 40.0), false)),
        (
            "inverted (light ink on dark)",
            drawn(100, 100, 4.0, (30.0, 20.0), true),
        ),
        (
            "on a larger canvas",
            drawn(400, 260, 4.0, (250.0, 150.0), false),
        ),
    ] {
        let d = difference(&mnist_digit(&picture).unwrap(), &base);
        assert!(
            d < 0.02,
            "{what}: differs by {:.1}% of full scale on average",
            100.0 * d
        );
    }
    // A different digit is far from it: the comparison can tell.
    let one = GrayImage::from_fn(100, 100, |x, y| {
        Luma([if (48..53).contains(&x) && (20..80).contains(&y) {
            10
        } else {
            240
        }])
    });
    let d = difference(&mnist_digit(&DynamicImage::ImageLuma8(one)).unwrap(), &base);
    assert!(d > 0.08, "a one and a seven differ by {d}");
}

#[test]
fn colour_pictures_and_files_work_too() {
    let grey = drawn(100, 100, 4.0, (30.0, 20.0), false).to_luma8();
    // Blue ink on yellow paper.
    let colour = RgbImage::from_fn(100, 100, |x, y| {
        let v = grey.get_pixel(x, y).0[0] as f32 / 255.0;
        Rgb([
            (250.0 * v) as u8,
            (240.0 * v) as u8,
            (60.0 + 60.0 * v) as u8,
        ])
    });
    let from_colour = mnist_digit(&DynamicImage::ImageRgb8(colour.clone())).unwrap();
    let base = mnist_digit(&DynamicImage::ImageLuma8(grey)).unwrap();
    assert!(difference(&from_colour, &base) < 0.03);
    let dir = tempfile::tempdir().unwrap();
    for ext in ["png", "jpg", "bmp"] {
        let path = dir.path().join(format!("seven.{ext}"));
        DynamicImage::ImageRgb8(colour.clone()).save(&path).unwrap();
        let from_file = mnist_digit_file(&path).unwrap();
        assert!(difference(&from_file, &from_colour) < 0.03, "{ext}");
    }
}

#[test]
fn an_mnist_digit_passes_through_nearly_unchanged() {
    let Some(mnist) = util::mnist() else { return };
    let digits = mnist.test.head(50).unwrap();
    let mut worst = 0.0f32;
    for i in 0..50 {
        let original = digits.images().get(i).unwrap();
        let bytes: Vec<u8> = original.flatten_all().unwrap().to_vec1::<u8>().unwrap();
        let picture = DynamicImage::ImageLuma8(GrayImage::from_raw(28, 28, bytes).unwrap());
        let again = mnist_digit(&picture).unwrap();
        worst = worst.max(difference(&again, &original));
    }
    // MNIST's digits already are 20-pixel, centred, bright-on-dark pictures: they come out
    // as they went in, to within rounding.
    assert!(
        worst < 0.002,
        "an MNIST digit changed by {:.2}% on average",
        100.0 * worst
    );
}

#[test]
fn each_step_does_what_it_says() {
    let paper = to_grey(&drawn(60, 80, 2.0, (20.0, 25.0), false)).unwrap();
    let ink = ink_bright(&paper);
    assert!(ink.get_pixel(0, 0).0[0] < 0.1, "paper becomes dark");
    let cropped = crop_to_ink(&ink, 0.25).unwrap();
    let (w, h) = cropped.dimensions();
    assert!(
        (19..=25).contains(&w) && (33..=38).contains(&h),
        "{w} × {h}"
    );
    let scaled = fit_longer_side(&cropped, 20).unwrap();
    assert_eq!(scaled.height(), 20);
    let aspect = |g: &Grey| g.width() as f32 / g.height() as f32;
    assert!((aspect(&scaled) - aspect(&cropped)).abs() < 0.05);
    let framed = center_by_mass(&scaled, 28).unwrap();
    let (cx, cy) = center_of_mass(&framed).unwrap();
    assert!(
        (cx - 14.0).abs() <= 0.5 && (cy - 14.0).abs() <= 0.5,
        "({cx}, {cy})"
    );
    // Light ink on dark paper is left as it is.
    let dark = ink_bright(&ink);
    assert_eq!(dark.get_pixel(0, 0), ink.get_pixel(0, 0));
}

#[test]
fn pictures_without_a_digit_are_refused_with_a_reason() {
    let blank = DynamicImage::ImageLuma8(GrayImage::from_pixel(50, 50, Luma([230])));
    let e = mnist_digit(&blank).unwrap_err().to_string();
    assert!(e.contains("no ink"), "{e}");
    let empty = DynamicImage::ImageLuma8(GrayImage::new(0, 0));
    assert!(
        mnist_digit(&empty)
            .unwrap_err()
            .to_string()
            .contains("0 × 0")
    );
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("digit.png");
    std::fs::write(&fake, b"this is not a picture").unwrap();
    let e = mnist_digit_file(&fake).unwrap_err().to_string();
    assert!(
        e.contains("digit.png") && e.contains("not a picture"),
        "{e}"
    );
    // A picture saved dark on white by `save_png` reads back as the same digit.
    let seven = mlpkit::data::picture::mnist_style(
        &to_grey(&drawn(100, 100, 4.0, (30.0, 20.0), true)).unwrap(),
    )
    .unwrap();
    let file = dir.path().join("seven-saved.png");
    let big = mlpkit::data::picture::stretch(&mlpkit::data::picture::inverted(&seven), 140, 140);
    mlpkit::data::picture::save_png(&big, &file).unwrap();
    let back = mnist_digit_file(&file).unwrap();
    assert!(difference(&back, &mlpkit::data::picture::to_tensor(&seven).unwrap()) < 0.03);
    let e = mnist_digit_file(dir.path().join("missing.png"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing.png"), "{e}");
}

use crate::util::data::uci_file;

#[test]
fn the_uci_digits_load_with_their_checks() {
    let Some(file) = uci_file() else { return };
    let digits = uci_digits::load_file(file).unwrap();
    assert_eq!(digits.images().dims(), &[1797, 8, 8]);
    assert_eq!(digits.images().dtype(), DType::U8);
    let labels = digits.label_vec().unwrap();
    let mut counts = [0usize; 10];
    labels.iter().for_each(|&l| counts[l as usize] += 1);
    assert!(
        counts.iter().all(|&c| (170..=185).contains(&c)),
        "{counts:?}"
    );
    let max = values(digits.images()).into_iter().fold(0.0, f32::max);
    assert_eq!(max, 16.0);
    // The first digit is a 0 (the file's first line ends with its label).
    assert_eq!(labels[0], 0);
}

#[test]
fn a_damaged_uci_file_is_refused_with_a_reason() {
    let Some(file) = uci_file() else { return };
    let good = std::fs::read(file).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(uci_digits::file_name());
    let mut damaged = good.clone();
    let last = damaged.len() - 20;
    damaged[last] ^= 0x55;
    std::fs::write(&path, &damaged).unwrap();
    let e = uci_digits::load_file(&path).unwrap_err().to_string();
    assert!(e.contains("SHA-256"), "{e}");
    // The parser itself, on text that is not the real file.
    let gz = |text: &str| {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(text.as_bytes()).unwrap();
        enc.finish().unwrap()
    };
    let row = |pixel: &str, label: &str| {
        let mut v = vec![pixel.to_string(); 64];
        v.push(label.into());
        v.join(",")
    };
    let ok = uci_digits::parse(
        &path,
        &gz(&format!("{}\n{}\n", row("3", "1"), row("16", "9"))),
    )
    .unwrap();
    assert_eq!(ok.label_vec().unwrap(), vec![1, 9]);
    for (text, says) in [
        (row("17", "1"), "from 0 to 16"),
        (row("3", "10"), "from 0 to 9"),
        (row("x", "1"), "`x`"),
        ("1,2,3".to_string(), "has 3 values"),
        (String::new(), "no digit"),
    ] {
        let e = uci_digits::parse(&path, &gz(&text))
            .unwrap_err()
            .to_string();
        assert!(e.contains(says), "{says}: {e}");
    }
    assert!(
        uci_digits::parse(&path, b"not gzip")
            .unwrap_err()
            .to_string()
            .contains("gzip")
    );
}

#[test]
fn map_pictures_applies_a_step_to_every_image_in_order() {
    let Some(mnist) = util::mnist() else { return };
    let some = mnist.test.head(40).unwrap();
    let styled = mlpkit::data::picture::map_pictures(
        some.images(),
        255.0,
        mlpkit::data::picture::mnist_style,
    )
    .unwrap();
    assert_eq!(styled.dims(), &[40, 28, 28]);
    // Each result is what the step makes of that image on its own.
    for i in [0, 17, 39] {
        let one =
            mlpkit::data::picture::from_tensor(&some.images().get(i).unwrap(), 255.0).unwrap();
        let alone =
            mlpkit::data::picture::to_tensor(&mlpkit::data::picture::mnist_style(&one).unwrap())
                .unwrap();
        assert_eq!(values(&styled.get(i).unwrap()), values(&alone), "image {i}");
    }
    let small = mlpkit::data::picture::map_pictures(some.images(), 255.0, |g| {
        Ok(mlpkit::data::picture::stretch(g, 8, 8))
    })
    .unwrap();
    assert_eq!(small.dims(), &[40, 8, 8]);
    // A step that fails names the image; sizes that differ are refused.
    let e = mlpkit::data::picture::map_pictures(some.images(), 255.0, |g| {
        if g.get_pixel(0, 0).0[0] >= 0.0 {
            Err(Error::InvalidArgument("no".into()))
        } else {
            Ok(g.clone())
        }
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("image 0"), "{e}");
    let uneven = mlpkit::data::picture::map_pictures(some.images(), 255.0, |g| crop_to_ink(g, 0.1));
    assert!(uneven.is_err());
}

#[test]
fn a_folder_of_pictures_reads_its_digits_by_name() {
    let dir = tempfile::tempdir().unwrap();
    drawn(60, 80, 3.0, (10.0, 8.0), false)
        .save(dir.path().join("7-pen.png"))
        .unwrap();
    drawn(90, 90, 4.0, (20.0, 10.0), true)
        .save(dir.path().join("7-chalk.bmp"))
        .unwrap();
    drawn(60, 80, 3.0, (10.0, 8.0), false)
        .save(dir.path().join("seven.png"))
        .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a picture").unwrap();
    std::fs::write(
        dir.path().join("3-scan.heic"),
        "a picture of a kind it cannot read",
    )
    .unwrap();
    let blank = DynamicImage::ImageLuma8(GrayImage::from_pixel(30, 30, Luma([200])));
    blank.save(dir.path().join("1-blank.png")).unwrap();
    let found = mlpkit::data::picture::digits_in_folder(dir.path()).unwrap();
    assert_eq!(found.files, ["7-chalk.bmp", "7-pen.png"]);
    assert_eq!(found.labels, [7, 7]);
    assert_eq!(found.images.dims(), &[2, 28, 28]);
    // As found: grey, dark ink on the light paper, in a square.
    assert_eq!(found.originals.dims(), &[2, 64, 64]);
    let corner = found
        .originals
        .get(1)
        .unwrap()
        .get(0)
        .unwrap()
        .get(0)
        .unwrap();
    assert!(
        corner.to_scalar::<u8>().unwrap() > 128,
        "the paper stays light"
    );
    // The same stroke, drawn two ways, makes nearly the same MNIST image.
    let (a, b) = (found.images.get(0).unwrap(), found.images.get(1).unwrap());
    assert!(difference(&a, &b) < 0.03);
    let skipped = found.skipped.join("\n");
    for why in [
        "1-blank.png: ",
        "3-scan.heic: not a PNG",
        "seven.png: its name must start with the digit",
    ] {
        assert!(skipped.contains(why), "{why}: {skipped}");
    }
    assert!(
        !skipped.contains("notes.txt"),
        "a file not named for a digit is passed over: {skipped}"
    );
    let empty = tempfile::tempdir().unwrap();
    let e = mlpkit::data::picture::digits_in_folder(empty.path())
        .unwrap_err()
        .to_string();
    assert!(e.contains("names start with the digit"), "{e}");
    assert!(mlpkit::data::picture::digits_in_folder(empty.path().join("none")).is_err());
}

#[test]
fn map_pictures_refuses_images_without_pixels() {
    for shape in [(2usize, 0usize, 5usize), (2, 5, 0)] {
        let empty = Tensor::zeros(shape, DType::F32, &Device::Cpu).unwrap();
        let e = mlpkit::data::picture::map_pictures(&empty, 1.0, |g| Ok(g.clone()))
            .unwrap_err()
            .to_string();
        assert!(e.contains("hold no pixel"), "{shape:?}: {e}");
    }
}
