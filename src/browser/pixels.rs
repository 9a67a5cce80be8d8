//! Pixel maths for rendered pages: PNG pictures decoded to RGB, crops, and the colour behind text.

/// Decoded RGB pixels.
pub(super) struct Image {
    pub(super) width: usize,
    pub(super) height: usize,
    pub(super) rgb: Vec<[u8; 3]>,
}

impl Image {
    /// The pixels of a rectangle (in px from the top left, clamped to the picture).
    pub(super) fn crop(&self, x: f64, y: f64, width: f64, height: f64) -> Image {
        let clamp = |v: f64, most: usize| (v.max(0.0) as usize).min(most);
        let (left, top) = (clamp(x.floor(), self.width), clamp(y.floor(), self.height));
        let (right, bottom) = (clamp((x + width).ceil(), self.width), clamp((y + height).ceil(), self.height));
        let rgb = (top..bottom).flat_map(|row| {
            self.rgb.get(row * self.width + left..row * self.width + right).into_iter().flatten().copied()
        });
        Image { width: right - left, height: bottom - top, rgb: rgb.collect() }
    }
}

pub(super) fn decode_png(bytes: &[u8]) -> Option<Image> {
    let mut decoder =
        png::Decoder::new_with_limits(std::io::Cursor::new(bytes), png::Limits { bytes: 32 * 1024 * 1024 });
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().ok()?;
    let mut buffer = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buffer).ok()?;
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        _ => return None,
    };
    let (width, height) = (info.width as usize, info.height as usize);
    let rgb = (0..height)
        .flat_map(|row| (0..width).map(move |column| row * info.line_size + column * channels))
        .filter_map(|at| buffer.get(at..at + 3).map(|p| [p[0], p[1], p[2]]))
        .collect();
    Some(Image { width, height, rgb })
}

/// The colour behind the glyphs: among the pixels where the picture with text differs from the one
/// without, the median (by luminance) of the picture without. `None` when the glyphs left no mark.
pub(super) fn backdrop_colour(with_text: &Image, without_text: &Image) -> Option<String> {
    if with_text.width != without_text.width || with_text.height != without_text.height {
        return None;
    }
    let mut behind: Vec<[u8; 3]> = with_text
        .rgb
        .iter()
        .zip(&without_text.rgb)
        .filter(|(a, b)| a.iter().zip(b.iter()).map(|(x, y)| x.abs_diff(*y) as u32).sum::<u32>() > 48)
        .map(|(_, b)| *b)
        .collect();
    if behind.len() < 4 {
        return None;
    }
    let luminance = |p: &[u8; 3]| 299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2]);
    behind.sort_unstable_by_key(luminance);
    let [r, g, b] = behind[behind.len() / 2];
    Some(format!("rgb({r}, {g}, {b})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crop_keeps_the_pixels_of_its_rectangle() {
        let picture = Image { width: 3, height: 2, rgb: (0..6).map(|v| [v, v, v]).collect() };
        let crop = picture.crop(0.5, 0.2, 1.0, 0.9);
        assert_eq!((crop.width, crop.height), (2, 2));
        assert_eq!(crop.rgb, vec![[0; 3], [1; 3], [3; 3], [4; 3]]);
        let outside = picture.crop(5.0, 5.0, 4.0, 4.0);
        assert_eq!((outside.width, outside.height, outside.rgb.len()), (0, 0, 0));
    }

    #[test]
    fn the_backdrop_is_read_where_the_glyphs_were() {
        let grey = [0x73, 0x73, 0x73];
        let mut with_text = Image { width: 4, height: 2, rgb: vec![grey; 8] };
        let mut without_text = Image { width: 4, height: 2, rgb: vec![grey; 8] };
        // Black glyph pixels over a white halo at three places; the rest is the plain grey box.
        for at in [1, 2, 5] {
            with_text.rgb[at] = [0, 0, 0];
            without_text.rgb[at] = [250, 250, 250];
        }
        with_text.rgb[6] = [10, 10, 10];
        without_text.rgb[6] = [240, 240, 240];
        assert_eq!(backdrop_colour(&with_text, &without_text).as_deref(), Some("rgb(250, 250, 250)"));
        let blank = Image { width: 4, height: 2, rgb: vec![grey; 8] };
        assert_eq!(backdrop_colour(&blank, &blank), None, "no glyphs, no backdrop");
    }
}
