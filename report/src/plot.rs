//! One chart as an SVG string, drawn with plotters' SVG backend.
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
//! the axis labels get.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::format::escape;

/// Font families for every text, CJK first.
pub(crate) const FONT: &str =
    "Noto Sans CJK SC, Noto Sans SC, WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, sans-serif";
/// Chart width \[px\]: about the text width of A4 at 96 dpi with margins.
pub(crate) const WIDTH: u32 = 800;
/// Height of a full chart \[px\].
pub(crate) const HEIGHT: u32 = 420;
/// Height of a small chart (one of several alike) \[px\].
pub(crate) const SHORT: u32 = 320;

/// Starts a series marker; private-use characters never occur in labels.
const MARK: &str = "\u{E000}series\u{E001}";

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
pub(crate) enum Shape {
    /// A polyline through points.
    Line {
        points: Vec<(f64, f64)>,
        color: RGBColor,
        width: u32,
        dashed: bool,
    },
    /// The area between two lines over the same x values.
    Band {
        low: Vec<(f64, f64)>,
        high: Vec<(f64, f64)>,
        color: RGBColor,
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
pub(crate) struct Series {
    pub name: String,
    pub shapes: Vec<Shape>,
}

/// Tick labels of the x axis.
pub(crate) enum XTicks {
    /// Numbers, about this many.
    Numbers(usize),
    /// Names at x = 0, 1, 2, ...
    Names(Vec<String>),
}

/// A chart to draw.
pub(crate) struct Plot {
    pub title: String,
    pub x_desc: String,
    pub y_desc: String,
    pub x: Range<f64>,
    pub y: Range<f64>,
    pub x_ticks: XTicks,
    pub height: u32,
    pub series: Vec<Series>,
    /// Where the legend goes (a corner the data leaves free), if anywhere.
    pub legend: Option<SeriesLabelPosition>,
}

/// The SVG of `plot` and the number of series in it.
pub(crate) fn draw(plot: &Plot) -> (String, usize) {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, plot.height)).into_drawing_area();
        // Drawing into a String fails only on a bug (the naive text layout
        // never fails, and writing to memory cannot).
        draw_on(&root, plot).expect("drawing an SVG into memory cannot fail");
        root.present()
            .expect("presenting an SVG in memory cannot fail");
    }
    let names: Vec<&str> = plot.series.iter().map(|s| s.name.as_str()).collect();
    (
        finish(&group_series(&svg, &names), plot.height),
        names.len(),
    )
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

fn draw_on(root: &DrawingArea<SVGBackend<'_>, Shift>, plot: &Plot) -> DrawResult {
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(root)
        .caption(&plot.title, (FONT, 22).into_font().color(&BLACK))
        .margin(14)
        .x_label_area_size(52)
        .y_label_area_size(76)
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
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215))
        .x_labels(x_labels)
        .y_labels(8)
        .x_label_formatter(&x_format)
        .y_label_formatter(&|y| tick(*y))
        .label_style((FONT, 16).into_font().color(&BLACK))
        .axis_desc_style((FONT, 17).into_font().color(&BLACK))
        .x_desc(plot.x_desc.as_str())
        .y_desc(plot.y_desc.as_str())
        .draw()?;

    for (index, series) in plot.series.iter().enumerate() {
        marker(root, &index.to_string())?;
        // The first shape with a legend glyph stands for the series.
        let mut label = Some(series.name.as_str());
        for shape in &series.shapes {
            if draw_shape(&mut chart, shape, label)? {
                label = None;
            }
        }
        marker(root, "end")?;
    }
    if let Some(position) = &plot.legend {
        chart
            .configure_series_labels()
            .position(position.clone())
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font((FONT, 15).into_font().color(&BLACK))
            .draw()?;
    }
    Ok(())
}

type Chart2d<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Draws one shape, with `label` in the legend if given; returns whether
/// it took the label.
fn draw_shape<'a, 'b: 'a>(
    chart: &mut Chart2d<'a, 'b>,
    shape: &Shape,
    label: Option<&str>,
) -> Result<bool, Box<dyn std::error::Error>> {
    let anno = match shape {
        Shape::Line {
            points,
            color,
            width,
            dashed,
        } => {
            let style = color.stroke_width(*width);
            if *dashed {
                chart.draw_series(DashedLineSeries::new(points.iter().copied(), 8, 5, style))?
            } else {
                chart.draw_series(LineSeries::new(points.iter().copied(), style))?
            }
        }
        Shape::Band { low, high, color } => {
            let mut outline: Vec<(f64, f64)> = low.clone();
            outline.extend(high.iter().rev().copied());
            chart.draw_series(std::iter::once(Polygon::new(
                outline,
                color.mix(0.22).filled(),
            )))?
        }
        Shape::Bars { bars, color } => chart.draw_series(
            bars.iter()
                .map(|&(x0, x1, y)| Rectangle::new([(x0, 0.0), (x1, y)], color.filled())),
        )?,
        Shape::Whiskers { items, color } => {
            let style = color.stroke_width(2);
            chart.draw_series(items.iter().flat_map(|&(x, low, high)| {
                let cap = 0.08;
                [
                    PathElement::new(vec![(x, low), (x, high)], style),
                    PathElement::new(vec![(x - cap, low), (x + cap, low)], style),
                    PathElement::new(vec![(x - cap, high), (x + cap, high)], style),
                ]
            }))?;
            // An interval belongs to a bar's series: no legend entry.
            return Ok(false);
        }
        Shape::Dots {
            points,
            color,
            size,
        } => chart.draw_series(
            points
                .iter()
                .map(|&p| Circle::new(p, *size, color.mix(0.75).filled())),
        )?,
        Shape::Rings {
            points,
            color,
            size,
        } => chart.draw_series(
            points
                .iter()
                .map(|&p| Circle::new(p, *size, color.stroke_width(3))),
        )?,
    };
    let Some(label) = label else {
        return Ok(false);
    };
    let glyph = Glyph::of(shape);
    anno.label(label).legend(move |at| glyph.at(at));
    Ok(true)
}

/// A legend entry's picture.
#[derive(Clone, Copy)]
enum Glyph {
    Line(RGBColor, u32),
    Dash(RGBColor, u32),
    Band(RGBColor),
    Bar(RGBColor),
    Dot(RGBColor),
    Ring(RGBColor),
}

impl Glyph {
    fn of(shape: &Shape) -> Glyph {
        match shape {
            Shape::Line {
                color,
                width,
                dashed: false,
                ..
            } => Glyph::Line(*color, *width),
            Shape::Line { color, width, .. } => Glyph::Dash(*color, *width),
            Shape::Band { color, .. } => Glyph::Band(*color),
            Shape::Bars { color, .. } | Shape::Whiskers { color, .. } => Glyph::Bar(*color),
            Shape::Dots { color, .. } => Glyph::Dot(*color),
            Shape::Rings { color, .. } => Glyph::Ring(*color),
        }
    }

    fn at<DB: DrawingBackend>(self, (x, y): (i32, i32)) -> DynElement<'static, DB, (i32, i32)> {
        match self {
            Glyph::Line(c, w) => {
                PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(w)).into_dyn()
            }
            Glyph::Dash(c, w) => {
                PathElement::new(vec![(x, y), (x + 9, y)], c.stroke_width(w)).into_dyn()
            }
            Glyph::Band(c) => {
                Rectangle::new([(x, y - 6), (x + 22, y + 6)], c.mix(0.22).filled()).into_dyn()
            }
            Glyph::Bar(c) => {
                Rectangle::new([(x + 4, y - 6), (x + 18, y + 6)], c.filled()).into_dyn()
            }
            Glyph::Dot(c) => Circle::new((x + 11, y), 4, c.mix(0.75).filled()).into_dyn(),
            Glyph::Ring(c) => Circle::new((x + 11, y), 6, c.stroke_width(3)).into_dyn(),
        }
    }
}

/// Draws a series marker (see the module docs).
fn marker(root: &DrawingArea<SVGBackend<'_>, Shift>, what: &str) -> DrawResult {
    root.draw_text(
        &format!("{MARK}{what}"),
        &(FONT, 1).into_font().color(&BLACK),
        (0, 0),
    )?;
    Ok(())
}

/// Replaces each series' marker texts with `<g class="series"
/// data-series="NAME">` and `</g>`.
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
/// page width, keeping its aspect.
fn finish(svg: &str, height: u32) -> String {
    let Some(start) = svg.find("<svg") else {
        return svg.to_owned();
    };
    let tag_end = start + svg[start..].find('>').unwrap_or(0);
    let tag = &svg[start..tag_end];
    let mut new_tag = tag.to_owned();
    if !tag.contains("viewBox") {
        new_tag.push_str(&format!(" viewBox=\"0 0 {WIDTH} {height}\""));
    }
    new_tag.push_str(" class=\"chart\" role=\"img\"");
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
            legend: Some(SeriesLabelPosition::UpperLeft),
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
        assert!(svg.contains("viewBox=\"0 0 800 320\""));
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
