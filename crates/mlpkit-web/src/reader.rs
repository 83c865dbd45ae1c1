//! "Read my digit": a drawing from the page's canvas, prepared as notebook 06 prepares a photo
//! of a digit, read by a model a notebook trained and saved.

use mlpkit::candle_core::{DType, Device, Tensor};
use mlpkit::data::picture;
use mlpkit::data::{PixelRange, flatten, scale};
use mlpkit::model::Sequential;
use wasm_bindgen::prelude::*;

use crate::js;

/// A model that reads drawings of digits.
#[wasm_bindgen]
pub struct Reader {
    model: Sequential,
}

/// What the model made of one drawing.
#[wasm_bindgen]
pub struct Reading {
    probabilities: Vec<f32>,
    picture: Vec<u8>,
}

#[wasm_bindgen]
impl Reader {
    /// The model in `model_file`, the bytes of a file `model.save` wrote. It must take the
    /// 784 pixels of an MNIST image (or the 28 × 28 image) scaled to 0–1, as the notebooks'
    /// MNIST networks do, and give ten probabilities.
    #[wasm_bindgen(constructor)]
    pub fn new(model_file: &[u8]) -> Result<Reader, JsError> {
        Self::from_file_bytes(model_file).map_err(js)
    }

    /// The layers, e.g. `784-256-128-10`.
    pub fn layers(&self) -> String {
        let arch = self.model.architecture();
        let mut sizes = vec![arch.input_shape.iter().product::<usize>()];
        sizes.extend(
            self.model
                .layers()
                .iter()
                .filter(|l| matches!(l.spec, mlpkit::model::LayerSpec::Dense(_)))
                .map(|l| l.output_shape.iter().product::<usize>()),
        );
        sizes
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("-")
    }

    /// Reads the digit drawn in `rgba` (`width × height` pixels, 4 bytes each, as a canvas's
    /// `getImageData` gives them; transparent pixels count as white paper). `undefined` while
    /// the drawing has no ink.
    pub fn read(&self, rgba: &[u8], width: u32, height: u32) -> Result<Option<Reading>, JsError> {
        let Some(digit) = prepare_drawing(rgba, width, height).map_err(js)? else {
            return Ok(None);
        };
        self.read_prepared(&digit).map(Some).map_err(js)
    }
}

impl Reader {
    /// As [`Reader::new`], with the crate's error.
    pub fn from_file_bytes(model_file: &[u8]) -> mlpkit::Result<Reader> {
        let model = Sequential::from_bytes(model_file, "the model file", &Device::Cpu)?;
        let inputs: usize = model.architecture().input_shape.iter().product();
        let outputs = model.architecture().output_shape()?;
        let softmax = matches!(
            model.layers().iter().rev().find_map(|l| match &l.spec {
                mlpkit::model::LayerSpec::Dense(d) => Some(d.activation),
                _ => None,
            }),
            Some(mlpkit::prelude::Activation::Softmax)
        );
        if inputs != 784 || outputs != [10] || !softmax {
            return Err(mlpkit::Error::InvalidArgument(format!(
                "this model takes {inputs} inputs and gives {outputs:?} outputs{}; reading a \
                 digit needs one that takes the 784 pixels of an MNIST image and gives 10 \
                 probabilities (a softmax output layer)",
                if softmax { "" } else { " without a softmax" }
            )));
        }
        Ok(Reader { model })
    }

    /// Reads an MNIST-style digit, a `u8` tensor `(28, 28)`.
    pub fn read_prepared(&self, digit: &Tensor) -> mlpkit::Result<Reading> {
        let input_shape = &self.model.architecture().input_shape;
        let x = flatten(&scale(&digit.unsqueeze(0)?, PixelRange::ZeroOne)?)?;
        let x = x.reshape([&[1], input_shape.as_slice()].concat())?;
        let probabilities = self.model.predict(&x)?.flatten_all()?.to_vec1::<f32>()?;
        Ok(Reading {
            probabilities,
            picture: digit.flatten_all()?.to_dtype(DType::U8)?.to_vec1::<u8>()?,
        })
    }
}

#[wasm_bindgen]
impl Reading {
    /// The probability of each digit, 0 to 9.
    #[wasm_bindgen(getter)]
    pub fn probabilities(&self) -> Vec<f32> {
        self.probabilities.clone()
    }

    /// The 28 × 28 picture the model saw, row by row, ink bright (0–255).
    #[wasm_bindgen(getter)]
    pub fn picture(&self) -> Vec<u8> {
        self.picture.clone()
    }

    /// The digit with the highest probability.
    #[wasm_bindgen(getter)]
    pub fn digit(&self) -> u32 {
        mlpkit::math::answers::argmax(&self.probabilities) as u32
    }
}

/// A canvas drawing (RGBA bytes) as an MNIST image, `u8` `(28, 28)`, made by
/// `mlpkit::data::picture::mnist_style`; `None` when it has no ink. Transparent pixels are
/// white paper.
pub fn prepare_drawing(rgba: &[u8], width: u32, height: u32) -> mlpkit::Result<Option<Tensor>> {
    // In u64: on wasm32 a usize has 32 bits, and a large width times height would wrap.
    let needed = u64::from(width) * u64::from(height) * 4;
    if rgba.len() as u64 != needed || needed == 0 {
        return Err(mlpkit::Error::InvalidArgument(format!(
            "a {width} × {height} drawing needs {needed} bytes of RGBA (4 per pixel), and {} were \
             given; pass the canvas's whole getImageData and its width and height",
            rgba.len()
        )));
    }
    // Paper under the drawing: each pixel over white, by its opacity.
    let on_white = image::RgbImage::from_fn(width, height, |x, y| {
        let i = 4 * (y as usize * width as usize + x as usize);
        let alpha = u16::from(rgba[i + 3]);
        let over = |c: u8| ((u16::from(c) * alpha + 255 * (255 - alpha)) / 255) as u8;
        image::Rgb([over(rgba[i]), over(rgba[i + 1]), over(rgba[i + 2])])
    });
    let grey = picture::to_grey(&image::DynamicImage::ImageRgb8(on_white))?;
    if !picture::has_ink(&grey) {
        return Ok(None);
    }
    Ok(Some(picture::to_tensor(&picture::mnist_style(&grey)?)?))
}
