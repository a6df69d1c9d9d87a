//! PNG charts: plotters' bitmap backend draws the shapes, and the text is
//! drawn here with a [`Font`] through ab_glyph.
//!
//! plotters can draw text on a bitmap itself only with its `ab_glyph` (or
//! font-kit) feature, and that feature replaces the text layout of every
//! backend: SVG charts would then fail unless a font were registered, and
//! their layout would depend on which one. So the bitmap backend is
//! wrapped in [`TextBitmap`], which forwards every shape to it and draws
//! text, and measures it, with the font it was given. The SVG backend keeps
//! plotters' font-free layout, byte for byte.
//!
//! Text sits on its anchor as in the SVG, where the browser places it: the
//! baseline 0.76 em below a top anchor, 0.27 em (half an x-height) below a
//! centred one and above a bottom one; rotations are quarter turns about
//! the anchor, as the SVG's `rotate()`.

use ab_glyph::{Font as _, PxScale, ScaleFont, point};
use plotters::backend::BitMapBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

use crate::font::Font;

/// plotters' text size is the SVG `font-size` × 1.24.
const SIZE_PER_EM: f64 = 1.24;

/// A bitmap backend that draws and measures its text with a font file.
pub(crate) struct TextBitmap<'a, 'f> {
    inner: BitMapBackend<'a>,
    font: &'f Font,
}

impl<'a, 'f> TextBitmap<'a, 'f> {
    /// Draws into `rgb`, 3 bytes per pixel, `size` pixels wide and high.
    pub fn new(rgb: &'a mut [u8], size: (u32, u32), font: &'f Font) -> Self {
        TextBitmap {
            inner: BitMapBackend::with_buffer(rgb, size),
            font,
        }
    }
}

/// One line of text, laid out from x = 0 on the baseline y = 0.
struct Line {
    glyphs: Vec<ab_glyph::Glyph>,
    /// Advance width \[px\].
    width: f32,
    /// The em \[px\].
    em: f32,
}

impl Line {
    fn of(font: &Font, size: f64, text: &str) -> Line {
        let face = &font.face;
        let em = (size / SIZE_PER_EM) as f32;
        let units_per_em = face.units_per_em().unwrap_or(1000.0);
        let scale = PxScale::from(em * face.height_unscaled() / units_per_em);
        let scaled = face.as_scaled(scale);
        let mut glyphs = Vec::with_capacity(text.len());
        let mut caret = 0.0;
        let mut previous = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(previous) = previous {
                caret += scaled.kern(previous, id);
            }
            glyphs.push(id.with_scale_and_position(scale, point(caret, 0.0)));
            caret += scaled.h_advance(id);
            previous = Some(id);
        }
        Line {
            glyphs,
            width: caret,
            em,
        }
    }
}

type Result<T, E> = std::result::Result<T, DrawingErrorKind<E>>;
type BitmapError = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

impl DrawingBackend for TextBitmap<'_, '_> {
    type ErrorType = BitmapError;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), BitmapError> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), BitmapError> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), BitmapError> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), BitmapError> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), BitmapError> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), BitmapError> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), BitmapError> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), BitmapError> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), BitmapError> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), BitmapError> {
        let color = style.color();
        if color.alpha == 0.0 || text.is_empty() {
            return Ok(());
        }
        let line = Line::of(self.font, style.size(), text);
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -line.width / 2.0,
            HPos::Right => -line.width,
        };
        let baseline = line.em
            * match anchor.v_pos {
                VPos::Top => 0.76,
                VPos::Center => 0.27,
                VPos::Bottom => -0.27,
            };
        let mut pixels = Vec::new();
        for mut glyph in line.glyphs {
            glyph.position = point(glyph.position.x + dx, baseline);
            let Some(outline) = self.font.face.outline_glyph(glyph) else {
                continue;
            };
            let at = outline.px_bounds().min;
            outline.draw(|x, y, coverage| {
                if coverage > 0.0 {
                    let (u, v) = (at.x as i32 + x as i32, at.y as i32 + y as i32);
                    pixels.push((u, v, coverage.min(1.0)));
                }
            });
        }
        let transform = style.transform();
        for (u, v, coverage) in pixels {
            let (x, y) = transform.transform(u, v);
            let shade = BackendColor {
                alpha: color.alpha * f64::from(coverage),
                rgb: color.rgb,
            };
            self.inner.draw_pixel((pos.0 + x, pos.1 + y), shade)?;
        }
        Ok(())
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), BitmapError> {
        let line = Line::of(self.font, style.size(), text);
        Ok((line.width.ceil() as u32, line.em.ceil() as u32))
    }
}

/// PNG resolution: 240 dpi, at which a 1600-pixel chart spans 169 mm, the
/// text width of an A4 page with 2 cm margins \[px/m\].
const PIXELS_PER_METRE: u32 = 9449;

/// `rgb` (3 bytes per pixel, row by row) as a PNG file.
pub(crate) fn encode_png(rgb: &[u8], (width, height): (u32, u32)) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_pixel_dims(Some(png::PixelDimensions {
        xppu: PIXELS_PER_METRE,
        yppu: PIXELS_PER_METRE,
        unit: png::Unit::Meter,
    }));
    // Encoding into memory fails only on a bug (a buffer of the wrong size).
    let mut writer = encoder
        .write_header()
        .expect("a PNG header in memory cannot fail");
    writer
        .write_image_data(rgb)
        .expect("the bitmap has width × height RGB pixels");
    writer
        .finish()
        .expect("finishing a PNG in memory cannot fail");
    out
}
