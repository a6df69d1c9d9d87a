//! One chart as an SVG string, drawn with plotters' SVG backend, or as a
//! PNG image twice the size, drawn with its bitmap backend and a font
//! ([`crate::raster`]).
//!
//! A chart is a list of series, each a name and the shapes it draws. Every
//! series ends up in its own `<g class="series" data-series="NAME">`
//! group, so tests and stylesheets can find it: plotters cannot add
//! attributes, so a marker text is drawn before and after each series and
//! [`group_series`] turns the markers into the group's tags.
//!
//! Text stays text (`<text font-family="Noto Sans CJK SC, …">`): the
//! browser picks a CJK font, and no font is needed here. Without font-kit
//! plotters estimates text widths roughly, which only affects how much room
//! the axis labels get. A PNG is the same drawing with every pixel size
//! (fonts, margins, strokes, markers) times [`PNG_SCALE`]; it has no
//! series markers, and its text is drawn with the font it is given.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::font::Font;
use crate::format::escape;
use crate::raster::{TextBitmap, encode_png};

/// Font families for every text, CJK first.
pub(crate) const FONT: &str =
    "Noto Sans CJK SC, Noto Sans SC, WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, sans-serif";
/// Chart width \[px\]: about the text width of A4 at 96 dpi with margins.
pub(crate) const WIDTH: u32 = 800;
/// Height of a full chart \[px\].
pub(crate) const HEIGHT: u32 = 420;
/// Height of a small chart (one of several alike) \[px\].
pub(crate) const SHORT: u32 = 320;
/// PNG charts are this many times the SVG's pixel size: 1600 pixels wide,
/// sharp across the text width of an A4 page.
pub(crate) const PNG_SCALE: u32 = 2;

/// Starts a series marker; private-use characters never occur in labels.
const MARK: &str = "\u{E000}series\u{E001}";
/// The marker that opens the legend's group.
const LEGEND: &str = "legend";

/// Colours that stay apart in print and for colour-blind readers
/// (Okabe–Ito, then darker fills).
pub(crate) const PALETTE: [RGBColor; 12] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(230, 159, 0),
    RGBColor(120, 94, 240),
    RGBColor(100, 100, 100),
    RGBColor(160, 40, 40),
    RGBColor(40, 100, 40),
    RGBColor(150, 120, 30),
    RGBColor(20, 20, 120),
];

/// What a series draws.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Shape {
    /// A polyline through points.
    Line {
        points: Vec<(f64, f64)>,
        color: RGBColor,
        width: u32,
        dashed: bool,
    },
    /// The area between two lines over the same x values, filled with
    /// `color` at `opacity` \[0–1\].
    Band {
        low: Vec<(f64, f64)>,
        high: Vec<(f64, f64)>,
        color: RGBColor,
        opacity: f64,
    },
    /// Bars `(x from, x to, height)` from zero.
    Bars {
        bars: Vec<(f64, f64, f64)>,
        color: RGBColor,
    },
    /// Vertical intervals `(x, low, high)` with short caps.
    Whiskers {
        items: Vec<(f64, f64, f64)>,
        color: RGBColor,
    },
    /// Dots.
    Dots {
        points: Vec<(f64, f64)>,
        color: RGBColor,
        size: u32,
    },
    /// Rings around points.
    Rings {
        points: Vec<(f64, f64)>,
        color: RGBColor,
        size: u32,
    },
}

/// A named series.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Series {
    pub name: String,
    pub shapes: Vec<Shape>,
}

/// Tick labels of the x axis.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum XTicks {
    /// Numbers, about this many.
    Numbers(usize),
    /// Names at x = 0, 1, 2, ...
    Names(Vec<String>),
}

/// A chart to draw.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Plot {
    pub title: String,
    pub x_desc: String,
    pub y_desc: String,
    pub x: Range<f64>,
    pub y: Range<f64>,
    pub x_ticks: XTicks,
    pub height: u32,
    pub series: Vec<Series>,
    /// Whether the chart has a legend. It goes below the plot area, in
    /// rows of its own, so it never covers data or a limit line.
    pub legend: bool,
}

impl Plot {
    /// Every text the chart draws but the numbers of its ticks: the
    /// title, the axis descriptions, named ticks, and the series names if
    /// there is a legend.
    pub(crate) fn texts(&self) -> Vec<&str> {
        let mut texts = vec![
            self.title.as_str(),
            self.x_desc.as_str(),
            self.y_desc.as_str(),
        ];
        if let XTicks::Names(names) = &self.x_ticks {
            texts.extend(names.iter().map(String::as_str));
        }
        if self.legend {
            texts.extend(self.series.iter().map(|s| s.name.as_str()));
        }
        texts
    }
}

/// Height of a row of the legend \[px\].
const LEGEND_ROW: u32 = 24;
/// Font size of the legend \[px\].
const LEGEND_FONT: u32 = 15;
/// Room above and below the legend's rows \[px\].
const LEGEND_PAD: u32 = 10;
/// Room before the first entry of a row (the y axis' label area) \[px\].
const LEGEND_INDENT: u32 = 76;
/// Room after the last entry of a row \[px\].
const LEGEND_END: u32 = 14;
/// Width of an entry's glyph and the gap to its text \[px\].
const LEGEND_GLYPH: u32 = 30;
/// Gap between entries of a row \[px\].
const LEGEND_GAP: u32 = 18;

/// The legend's entries, row by row, each `(series index, x offset in
/// the row [px])`: as many per row as fit the chart's width at an
/// estimated text width, so that rows never run off the chart.
fn legend_rows(plot: &Plot) -> Vec<Vec<(usize, u32)>> {
    if !plot.legend {
        return Vec::new();
    }
    let room = WIDTH - LEGEND_INDENT - LEGEND_END;
    let mut rows: Vec<Vec<(usize, u32)>> = Vec::new();
    let mut x = 0;
    for (i, series) in plot.series.iter().enumerate() {
        if Glyph::of_series(series).is_none() {
            continue;
        }
        let width = LEGEND_GLYPH + text_width(&series.name, LEGEND_FONT);
        if rows.is_empty() || (x > 0 && x + width > room) {
            rows.push(Vec::new());
            x = 0;
        }
        rows.last_mut().expect("a row").push((i, x));
        x += width + LEGEND_GAP;
    }
    rows
}

/// A generous estimate of the width of `text` at `size` \[px\]: CJK and
/// full-width characters are a square, others at most 0.6 of it.
fn text_width(text: &str, size: u32) -> u32 {
    let tenths: u32 = text
        .chars()
        .map(|c| if c >= '\u{2E80}' { 10 } else { 6 })
        .sum();
    (tenths * size).div_ceil(10)
}

/// The height of `plot`'s legend below its plot area \[px\]; 0 without one.
fn legend_height(plot: &Plot) -> u32 {
    match legend_rows(plot).len() as u32 {
        0 => 0,
        rows => rows * LEGEND_ROW + 2 * LEGEND_PAD,
    }
}

/// The whole height of `plot`'s SVG: the chart and its legend \[px\].
pub(crate) fn full_height(plot: &Plot) -> u32 {
    plot.height + legend_height(plot)
}

/// The SVG of `plot` and the number of series in it. The root `<svg>`
/// carries the plot area's pixel box as `data-plot-area="x0 y0 x1 y1"`,
/// and the legend is a `<g class="legend">` below it.
pub(crate) fn draw(plot: &Plot) -> (String, usize) {
    let mut svg = String::new();
    let height = full_height(plot);
    let area;
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        // Drawing into a String fails only on a bug (the naive text layout
        // never fails, and writing to memory cannot).
        area = draw_on(&root, plot, 1, true).expect("drawing an SVG into memory cannot fail");
        root.present()
            .expect("presenting an SVG in memory cannot fail");
    }
    let names: Vec<&str> = plot.series.iter().map(|s| s.name.as_str()).collect();
    (
        finish(&group_series(&svg, &names), height, area),
        names.len(),
    )
}

/// The PNG of `plot`, [`PNG_SCALE`] times the SVG's size, its text drawn
/// with `font` (which the caller checked has every glyph).
pub(crate) fn draw_png(plot: &Plot, font: &Font) -> Vec<u8> {
    let size = (WIDTH * PNG_SCALE, full_height(plot) * PNG_SCALE);
    let mut rgb = vec![0; size.0 as usize * size.1 as usize * 3];
    {
        let root = TextBitmap::new(&mut rgb, size, font).into_drawing_area();
        // Drawing into memory fails only on a bug: the text is drawn here
        // and the bitmap is the backend's size.
        draw_on(&root, plot, PNG_SCALE, false).expect("drawing a bitmap in memory cannot fail");
        root.present()
            .expect("presenting a bitmap in memory cannot fail");
    }
    encode_png(&rgb, size)
}

type DrawResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// The pixel box of a plot area: `(x0, y0, x1, y1)`.
type PixelBox = (i32, i32, i32, i32);

/// Draws `plot` with every pixel size times `scale`, with the series
/// markers of [`group_series`] if `markers`; returns the plot area.
fn draw_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plot: &Plot,
    scale: u32,
    markers: bool,
) -> DrawResult<PixelBox>
where
    DB::ErrorType: 'static,
{
    let px = |size: u32| f64::from(size * scale);
    root.fill(&WHITE)?;
    let (upper, lower) = root.split_vertically(plot.height * scale);
    let mut chart = ChartBuilder::on(&upper)
        .caption(&plot.title, (FONT, px(22)).into_font().color(&BLACK))
        .margin(14 * scale)
        .x_label_area_size(52 * scale)
        .y_label_area_size(76 * scale)
        .build_cartesian_2d(plot.x.clone(), plot.y.clone())?;

    let names = match &plot.x_ticks {
        XTicks::Names(names) => Some(names.clone()),
        XTicks::Numbers(_) => None,
    };
    let x_format = move |x: &f64| match &names {
        Some(names) => {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        }
        None => tick(*x),
    };
    let x_labels = match &plot.x_ticks {
        XTicks::Numbers(n) => *n,
        XTicks::Names(names) => names.len() * 2 + 2,
    };
    chart
        .configure_mesh()
        .light_line_style(RGBColor(238, 238, 238).stroke_width(scale))
        .bold_line_style(RGBColor(215, 215, 215).stroke_width(scale))
        .axis_style(BLACK.stroke_width(scale))
        .x_labels(x_labels)
        .y_labels(8)
        .x_label_formatter(&x_format)
        .y_label_formatter(&|y| tick(*y))
        .label_style((FONT, px(16)).into_font().color(&BLACK))
        .axis_desc_style((FONT, px(17)).into_font().color(&BLACK))
        .x_desc(plot.x_desc.as_str())
        .y_desc(plot.y_desc.as_str())
        .draw()?;

    for (index, series) in plot.series.iter().enumerate() {
        if markers {
            marker(root, &index.to_string())?;
        }
        for shape in &series.shapes {
            draw_shape(&mut chart, shape, scale)?;
        }
        if markers {
            marker(root, "end")?;
        }
    }
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let rows = legend_rows(plot);
    if !rows.is_empty() {
        if markers {
            marker(root, LEGEND)?;
        }
        let s = scale as i32;
        let font = (FONT, px(LEGEND_FONT)).into_font().color(&BLACK);
        for (r, row) in rows.iter().enumerate() {
            let y = ((LEGEND_PAD + LEGEND_ROW * r as u32 + LEGEND_ROW / 2) * scale) as i32;
            for &(i, x) in row {
                let series = &plot.series[i];
                let glyph = Glyph::of_series(series).expect("entries have a glyph");
                let x = ((LEGEND_INDENT + x) * scale) as i32;
                glyph.draw(&lower, (x, y), scale)?;
                lower.draw_text(
                    &series.name,
                    &font,
                    (
                        x + (LEGEND_GLYPH as i32) * s,
                        y - (LEGEND_FONT as i32) * s / 2,
                    ),
                )?;
            }
        }
        if markers {
            marker(root, "end")?;
        }
    }
    Ok((xs.start, ys.start, xs.end, ys.end))
}

type Chart2d<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Draws one shape, its pixel sizes times `scale`.
fn draw_shape<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart2d<'a, DB>,
    shape: &Shape,
    scale: u32,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    match shape {
        Shape::Line {
            points,
            color,
            width,
            dashed,
        } => {
            let style = color.stroke_width(width * scale);
            if *dashed {
                chart.draw_series(DashedLineSeries::new(
                    points.iter().copied(),
                    8 * scale,
                    5 * scale,
                    style,
                ))?;
            } else {
                chart.draw_series(LineSeries::new(points.iter().copied(), style))?;
            }
        }
        Shape::Band {
            low,
            high,
            color,
            opacity,
        } => {
            let mut outline: Vec<(f64, f64)> = low.clone();
            outline.extend(high.iter().rev().copied());
            chart.draw_series(std::iter::once(Polygon::new(
                outline,
                color.mix(*opacity).filled(),
            )))?;
        }
        Shape::Bars { bars, color } => {
            chart.draw_series(
                bars.iter()
                    .map(|&(x0, x1, y)| Rectangle::new([(x0, 0.0), (x1, y)], color.filled())),
            )?;
        }
        Shape::Whiskers { items, color } => {
            let style = color.stroke_width(2 * scale);
            chart.draw_series(items.iter().flat_map(|&(x, low, high)| {
                let cap = 0.08;
                [
                    PathElement::new(vec![(x, low), (x, high)], style),
                    PathElement::new(vec![(x - cap, low), (x + cap, low)], style),
                    PathElement::new(vec![(x - cap, high), (x + cap, high)], style),
                ]
            }))?;
        }
        Shape::Dots {
            points,
            color,
            size,
        } => {
            chart.draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, size * scale, color.mix(0.75).filled())),
            )?;
        }
        Shape::Rings {
            points,
            color,
            size,
        } => {
            chart.draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, size * scale, color.stroke_width(3 * scale))),
            )?;
        }
    }
    Ok(())
}

/// A legend entry's picture.
#[derive(Clone, Copy)]
enum Glyph {
    Line(RGBColor, u32),
    Dash(RGBColor, u32),
    Band(RGBColor, f64),
    Bar(RGBColor),
    Dot(RGBColor),
    Ring(RGBColor),
}

impl Glyph {
    /// The glyph of a series' first shape that has one (an interval
    /// belongs to a bar's series and has none).
    fn of_series(series: &Series) -> Option<Glyph> {
        series
            .shapes
            .iter()
            .find(|s| !matches!(s, Shape::Whiskers { .. }))
            .map(Glyph::of)
    }

    fn of(shape: &Shape) -> Glyph {
        match shape {
            Shape::Line {
                color,
                width,
                dashed: false,
                ..
            } => Glyph::Line(*color, *width),
            Shape::Line { color, width, .. } => Glyph::Dash(*color, *width),
            Shape::Band { color, opacity, .. } => Glyph::Band(*color, *opacity),
            Shape::Bars { color, .. } | Shape::Whiskers { color, .. } => Glyph::Bar(*color),
            Shape::Dots { color, .. } => Glyph::Dot(*color),
            Shape::Rings { color, .. } => Glyph::Ring(*color),
        }
    }

    /// Draws the glyph on `area` at `(x, y)`, its pixel sizes times
    /// `scale`.
    fn draw<DB: DrawingBackend>(
        self,
        area: &DrawingArea<DB, Shift>,
        (x, y): (i32, i32),
        scale: u32,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let s = scale as i32;
        match self {
            Glyph::Line(c, w) => area.draw(&PathElement::new(
                vec![(x, y), (x + 22 * s, y)],
                c.stroke_width(w * scale),
            ))?,
            Glyph::Dash(c, w) => {
                for (a, b) in [(0, 9), (14, 23)] {
                    area.draw(&PathElement::new(
                        vec![(x + a * s, y), (x + b * s, y)],
                        c.stroke_width(w * scale),
                    ))?;
                }
            }
            Glyph::Band(c, opacity) => area.draw(&Rectangle::new(
                [(x, y - 6 * s), (x + 22 * s, y + 6 * s)],
                c.mix(opacity).filled(),
            ))?,
            Glyph::Bar(c) => area.draw(&Rectangle::new(
                [(x + 4 * s, y - 6 * s), (x + 18 * s, y + 6 * s)],
                c.filled(),
            ))?,
            Glyph::Dot(c) => area.draw(&Circle::new(
                (x + 11 * s, y),
                4 * scale,
                c.mix(0.75).filled(),
            ))?,
            Glyph::Ring(c) => area.draw(&Circle::new(
                (x + 11 * s, y),
                6 * scale,
                c.stroke_width(3 * scale),
            ))?,
        }
        Ok(())
    }
}

/// Draws a series marker (see the module docs).
fn marker<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, what: &str) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.draw_text(
        &format!("{MARK}{what}"),
        &(FONT, 1).into_font().color(&BLACK),
        (0, 0),
    )?;
    Ok(())
}

/// Replaces each series' marker texts with `<g class="series"
/// data-series="NAME">` and `</g>`, and the legend's with `<g
/// class="legend">` and `</g>`.
pub(crate) fn group_series(svg: &str, names: &[&str]) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(at) = rest.find(MARK) {
        let open = rest[..at]
            .rfind("<text")
            .expect("a marker is inside a <text>");
        let close =
            at + rest[at..].find("</text>").expect("a marker's <text> ends") + "</text>".len();
        let what = &rest[at + MARK.len()..];
        let what = what[..what.find(['\n', '<']).unwrap_or(what.len())].trim();
        out.push_str(&rest[..open]);
        if what == "end" {
            out.push_str("</g>");
        } else if what == LEGEND {
            out.push_str("<g class=\"legend\">");
        } else {
            let name = what
                .parse::<usize>()
                .ok()
                .and_then(|i| names.get(i))
                .copied()
                .unwrap_or_default();
            out.push_str(&format!(
                "<g class=\"series\" data-series=\"{}\">",
                escape(name)
            ));
        }
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// Gives the root `<svg>` a `viewBox` and a class so that it scales to the
/// page width, keeping its aspect, and the plot area's pixel box.
fn finish(svg: &str, height: u32, (x0, y0, x1, y1): PixelBox) -> String {
    let Some(start) = svg.find("<svg") else {
        return svg.to_owned();
    };
    let tag_end = start + svg[start..].find('>').unwrap_or(0);
    let tag = &svg[start..tag_end];
    let mut new_tag = tag.to_owned();
    if !tag.contains("viewBox") {
        new_tag.push_str(&format!(" viewBox=\"0 0 {WIDTH} {height}\""));
    }
    new_tag.push_str(&format!(
        " class=\"chart\" role=\"img\" data-plot-area=\"{x0} {y0} {x1} {y1}\""
    ));
    format!("{}{}{}", &svg[..start], new_tag, &svg[tag_end..])
}

/// An axis tick: at most two decimals, no trailing zeros, thousands as is.
fn tick(x: f64) -> String {
    let text = if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    };
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    if text == "-0" { "0".to_owned() } else { text }
}

/// A y range from 0 (or below, for negative values) to a little above the
/// largest of `values`; `0..1` when there is nothing above zero.
pub(crate) fn y_range(values: impl IntoIterator<Item = f64>) -> Range<f64> {
    let (mut lo, mut hi) = (0.0_f64, 0.0_f64);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if hi <= lo {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.08;
    (if lo < 0.0 { lo - pad } else { 0.0 })..(hi + pad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_markers_become_groups() {
        let plot = Plot {
            title: "t <&>".to_owned(),
            x_desc: "x".to_owned(),
            y_desc: "y".to_owned(),
            x: 0.0..1.0,
            y: 0.0..1.0,
            x_ticks: XTicks::Numbers(5),
            height: SHORT,
            legend: true,
            series: vec![
                Series {
                    name: "A \"1\"".to_owned(),
                    shapes: vec![Shape::Line {
                        points: vec![(0.0, 0.0), (1.0, 1.0)],
                        color: PALETTE[0],
                        width: 2,
                        dashed: false,
                    }],
                },
                Series {
                    name: "B".to_owned(),
                    shapes: vec![Shape::Bars {
                        bars: vec![(0.1, 0.2, 0.5)],
                        color: PALETTE[1],
                    }],
                },
            ],
        };
        let (svg, n) = draw(&plot);
        assert_eq!(n, 2);
        assert!(!svg.contains(MARK));
        assert_eq!(svg.matches("<g class=\"series\"").count(), 2);
        assert!(svg.contains("data-series=\"A &quot;1&quot;\""));
        // One row of legend below the 320 pixels of the chart.
        assert_eq!(full_height(&plot), 320 + LEGEND_ROW + 2 * LEGEND_PAD);
        assert!(svg.contains(&format!("viewBox=\"0 0 800 {}\"", full_height(&plot))));
        assert_eq!(svg.matches("<g class=\"legend\">").count(), 1);
        assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count());
    }

    #[test]
    fn ticks_are_short() {
        assert_eq!(tick(250000.0), "250000");
        assert_eq!(tick(12.5), "12.5");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(3.0), "3");
        assert_eq!(tick(-0.0001), "0");
    }
}
