//! The report's charts, from whatever parts of the input are there.

use std::ops::Range;

use plotters::style::RGBColor;

use crate::assumptions::Transformer;
use crate::daily::DayProfile;
use crate::font::{Font, FontError};
use crate::format::{trim, with_unit};
use crate::i18n::{self, Lang};
use crate::input::{CompareData, CompareRow, Estimate, LoadQuarter, ReportInput};
use crate::plot::{self, HEIGHT, PALETTE, Plot, SHORT, Series, Shape, XTicks};
use sim_core::LoadBand;

/// At most this many sites get a line or a colour of their own.
pub const MAX_SITES_PER_CHART: usize = 12;

/// KPIs that the comparison charts show, when present.
const COMPARE_KPIS: [&str; 7] = [
    "lost_swap_rate",
    "stockout_probability",
    "swap_delay_minutes_p95",
    "flying_wire_per_1000_bikes_day",
    "transformer_peak_utilization",
    "peak_load_kw",
    "energy_cost_cny_per_day",
];

/// One chart of the report.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// A file-name-safe ASCII name: `load-t1`, `load-network`, `ready`,
    /// `requests`, `wait`, `delay`, `fallback`, `plan-KPI`,
    /// `compare-energy`, `compare-KPI`.
    pub name: String,
    /// The title drawn in the chart.
    pub title: String,
    /// What the chart shows and how it was computed (the HTML caption).
    pub caption: String,
    /// A standalone SVG document (without an XML declaration).
    pub svg: String,
    /// Data series in the chart: each is one `<g class="series">`.
    pub series: usize,
    /// What was drawn, to draw it again as PNG.
    plot: Plot,
}

impl Chart {
    /// The chart as a PNG image, 1600 pixels wide (twice the SVG's pixel
    /// sizes), its text drawn with `font`. An error if the font lacks a
    /// glyph for any of the chart's text; nothing else fails.
    pub fn png(&self, font: &Font) -> Result<Vec<u8>, FontError> {
        font.check_glyphs(&self.plot.texts().concat(), &self.name)?;
        Ok(plot::draw_png(&self.plot, font))
    }
}

/// A chart the input has a place for but no data to draw (nobody waited,
/// no pile sessions): the report says so in a line instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Omitted {
    /// The name the chart would have had (see [`Chart::name`]).
    pub name: String,
    /// What the report says instead, in its language.
    pub sentence: String,
}

/// Every chart the input has data for, in report order: transformer load
/// (each transformer and its charging load, then the network if there
/// are several), ready stock, requests and stockouts by hour, wait
/// quantiles, the swap delay by site, fallback sessions by hour, the
/// planner's candidates per target, and the comparison: energy by where
/// it is drawn, then per KPI. Those with nothing to show are left out:
/// see [`omitted`].
pub fn charts(input: &ReportInput, lang: Lang) -> Vec<Chart> {
    entries(input, lang)
        .into_iter()
        .filter_map(Result::ok)
        .map(|p| chart(p.name, p.caption, p.plot))
        .collect()
}

/// The charts that [`charts`] leaves out for want of data, each with the
/// sentence the report shows instead, in report order. Nothing is drawn.
pub fn omitted(input: &ReportInput, lang: Lang) -> Vec<Omitted> {
    entries(input, lang)
        .into_iter()
        .filter_map(Result::err)
        .collect()
}

/// A chart planned but not drawn yet: drawing is the costly part, and
/// [`omitted`] needs none of it.
struct Planned {
    name: String,
    caption: String,
    plot: Plot,
}

/// A chart to draw, or why there is none.
type Entry = Result<Planned, Omitted>;

fn entries(input: &ReportInput, lang: Lang) -> Vec<Entry> {
    let mut out = Vec::new();
    load_charts(input, lang, &mut out);
    ready_chart(input, lang, &mut out);
    hourly_charts(input, lang, &mut out);
    plan_charts(input, lang, &mut out);
    compare_charts(input, lang, &mut out);
    out
}

fn planned(name: impl Into<String>, caption: impl Into<String>, plot: Plot) -> Entry {
    Ok(Planned {
        name: name.into(),
        caption: caption.into(),
        plot,
    })
}

fn omit(name: impl Into<String>, sentence: impl Into<String>) -> Entry {
    Err(Omitted {
        name: name.into(),
        sentence: sentence.into(),
    })
}

fn chart(name: String, caption: String, plot: Plot) -> Chart {
    let (svg, series) = plot::draw(&plot);
    Chart {
        name,
        title: plot.title.clone(),
        caption,
        svg,
        series,
        plot,
    }
}

fn line(points: Vec<(f64, f64)>, color: RGBColor, width: u32, dashed: bool) -> Shape {
    Shape::Line {
        points,
        color,
        width,
        dashed,
    }
}

/// A dashed horizontal line at a target's limit across `x`, labelled
/// with the limit in `lang`: `limit` is in the KPI's stored unit.
fn target_series(lang: Lang, kpi: &str, limit: f64, x: &Range<f64>) -> Series {
    let label = i18n::kpi(kpi, lang);
    let y = limit * label.scale;
    Series {
        name: i18n::target_line(lang, &with_unit(limit, label.scale, label.unit)),
        shapes: vec![line(vec![(x.start, y), (x.end, y)], RATING, 2, true)],
    }
}

const BLACK: RGBColor = RGBColor(20, 20, 20);
const RATING: RGBColor = RGBColor(170, 0, 0);
const ALLOWED: RGBColor = RGBColor(230, 120, 0);
/// Colours of base, cabinets, piles and flying wire.
const COMPONENT_COLORS: [RGBColor; 4] = [
    RGBColor(120, 120, 120),
    PALETTE[0],
    PALETTE[2],
    RGBColor(213, 94, 0),
];
/// The 5–95% band of the total load: a colour no line of the chart has,
/// and opaque enough to see under the lines, in print too.
const BAND: RGBColor = RGBColor(86, 180, 233);
/// Opacity of the band \[0–1\].
const BAND_OPACITY: f64 = 0.35;
/// Opacity of the stacked charging loads \[0–1\].
const STACK_OPACITY: f64 = 0.8;

/// One load chart's data: file name, whose load, the mean series, the
/// transformers whose rating it is drawn against, the 5–95% band, and
/// how many transformers it sums (for the network).
struct LoadPanel<'a> {
    name: String,
    who: String,
    quarters: Vec<LoadQuarter>,
    limits: Vec<&'a Transformer>,
    band: Option<&'a LoadBand>,
    /// Whether every transformer in it has a household-derived base.
    household_base: bool,
    summed: Option<usize>,
}

/// Load over the day per transformer, and for the network when there are
/// several (the sum over every transformer): the mean of the base and of
/// the total (from the series, averaged over replications and folded
/// onto the day) and the band of the total over replications × days
/// (from the profiles), against the rating; then the charging load
/// (cabinets, piles, flying wire) stacked in a chart of its own, so that
/// a few kW read beside a base of hundreds.
fn load_charts(input: &ReportInput, lang: Lang, out: &mut Vec<Entry>) {
    let Some(load) = &input.load else { return };
    let known = |name: &str| input.context.transformers.iter().find(|t| t.name == name);
    let profiles = input.profiles.as_ref();
    let band =
        |name: &str| profiles.and_then(|p| p.transformer_load.iter().find(|b| b.name == name));
    let mut panels: Vec<LoadPanel<'_>> = load
        .transformers
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.quarters.is_empty())
        .map(|(i, t)| LoadPanel {
            name: format!("load-t{}", i + 1),
            who: t.name.clone(),
            quarters: t.quarters.clone(),
            limits: known(&t.name).into_iter().collect(),
            band: band(&t.name),
            household_base: known(&t.name).is_some_and(|t| t.household_base),
            summed: None,
        })
        .collect();
    if panels.len() > 1 {
        // The network: every transformer's load at the same quarter.
        let mut sum: Vec<LoadQuarter> = Vec::new();
        for t in &load.transformers {
            for (k, q) in t.quarters.iter().enumerate() {
                if sum.len() <= k {
                    sum.push(LoadQuarter {
                        start_minute: q.start_minute,
                        kw: [0.0; 4],
                    });
                }
                for (a, b) in sum[k].kw.iter_mut().zip(q.kw) {
                    *a += b;
                }
            }
        }
        let all: Vec<&Transformer> = load
            .transformers
            .iter()
            .filter_map(|t| known(&t.name))
            .collect();
        let limits = if all.len() == load.transformers.len() {
            all
        } else {
            Vec::new()
        };
        panels.push(LoadPanel {
            name: "load-network".to_owned(),
            who: lang.words().network.to_owned(),
            quarters: sum,
            household_base: !limits.is_empty() && limits.iter().all(|t| t.household_base),
            limits,
            band: profiles.and_then(|p| p.network_load.as_ref()),
            summed: Some(load.transformers.len()),
        });
    }
    let runs = input
        .summary
        .as_ref()
        .map(|s| (s.replications, s.measured_days()));
    for panel in panels {
        out.push(load_chart(&panel, runs, lang));
        out.push(charging_chart(&panel, lang));
    }
}

/// The label of a panel's base load: residential only when the design
/// standard derived it from households.
fn base_label(panel: &LoadPanel<'_>, lang: Lang) -> &'static str {
    let w = lang.words();
    if panel.household_base {
        w.components[0]
    } else {
        w.base_load
    }
}

/// The total load, its band and the base against the rating.
fn load_chart(panel: &LoadPanel<'_>, runs: Option<(u32, u32)>, lang: Lang) -> Entry {
    let w = lang.words();
    let quarters = &panel.quarters;
    let total = DayProfile::of(quarters.iter().map(|q| (q.start_minute, q.total_kw())));
    let base = DayProfile::of(quarters.iter().map(|q| (q.start_minute, q.kw[0])));
    let mut series = Vec::new();
    let mut top = total.mean.iter().copied().fold(0.0, f64::max);
    if let Some(band) = panel.band {
        top = band.total_kw_p95.iter().copied().fold(top, f64::max);
        series.push(Series {
            name: w.total_band.to_owned(),
            shapes: vec![Shape::Band {
                low: DayProfile::points(&band.total_kw_p05),
                high: DayProfile::points(&band.total_kw_p95),
                color: BAND,
                opacity: BAND_OPACITY,
            }],
        });
    }
    series.push(Series {
        name: base_label(panel, lang).to_owned(),
        shapes: vec![line(
            DayProfile::points(&base.mean),
            COMPONENT_COLORS[0],
            2,
            false,
        )],
    });
    series.push(Series {
        name: w.total_mean.to_owned(),
        shapes: vec![line(DayProfile::points(&total.mean), BLACK, 3, false)],
    });
    let mut caption_limits = None;
    let limits = &panel.limits;
    if !limits.is_empty() {
        let rating_kw: f64 = limits.iter().map(|t| t.rating_kw()).sum();
        let allowed_kw: f64 = limits.iter().map(|t| t.allowed_kw()).sum();
        let kva: f64 = limits.iter().map(|t| t.rating_kva).sum();
        let (r, a) = (trim(rating_kw, 0), trim(allowed_kw, 0));
        let pct = trim(100.0 * allowed_kw / rating_kw.max(1e-9), 1);
        series.push(Series {
            name: i18n::rating_line(lang, &r),
            shapes: vec![line(
                vec![(0.0, rating_kw), (24.0, rating_kw)],
                RATING,
                2,
                true,
            )],
        });
        series.push(Series {
            name: i18n::allowed_line(lang, &pct, &a),
            shapes: vec![line(
                vec![(0.0, allowed_kw), (24.0, allowed_kw)],
                ALLOWED,
                2,
                true,
            )],
        });
        top = top.max(rating_kw);
        caption_limits = Some(match limits.as_slice() {
            [one] => i18n::limits(
                lang,
                &trim(kva, 0),
                &trim(one.power_factor, 3),
                &r,
                &pct,
                &a,
            ),
            _ => i18n::summed_limits(lang, &trim(kva, 0), &r, &a),
        });
    }
    let plot = Plot {
        title: format!("{}{}{}", panel.who, sep(lang), w.load_title),
        x_desc: w.hour_axis.to_owned(),
        y_desc: w.load_axis.to_owned(),
        x: 0.0..24.0,
        y: 0.0..(top.max(1.0) * 1.1),
        x_ticks: XTicks::Numbers(13),
        height: HEIGHT,
        legend: true,
        series,
    };
    let caption = i18n::load_caption(
        lang,
        runs,
        panel.band.is_some(),
        caption_limits.as_deref(),
        panel.summed,
    );
    planned(panel.name.clone(), caption, plot)
}

/// The charging load alone, cabinets, piles and flying wire stacked in
/// that order; `NAME-charging`.
fn charging_chart(panel: &LoadPanel<'_>, lang: Lang) -> Entry {
    let w = lang.words();
    let name = format!("{}-charging", panel.name);
    let parts: Vec<Vec<f64>> = (1..4)
        .map(|c| DayProfile::of(panel.quarters.iter().map(|q| (q.start_minute, q.kw[c]))).mean)
        .collect();
    if !parts.iter().flatten().any(|&x| x > 0.0) {
        return omit(name, i18n::no_charging(lang, &panel.who));
    }
    let n = parts.iter().map(Vec::len).max().unwrap_or(0);
    let mut low = vec![0.0; n];
    let mut series = Vec::new();
    for (c, part) in parts.iter().enumerate() {
        let high: Vec<f64> = (0..n)
            .map(|k| low[k] + part.get(k).copied().unwrap_or(f64::NAN))
            .collect();
        // A quarter without data is left out of both edges.
        let low_edge: Vec<f64> = low
            .iter()
            .zip(&high)
            .map(|(&l, h)| if h.is_finite() { l } else { f64::NAN })
            .collect();
        series.push(Series {
            name: w.components[c + 1].to_owned(),
            shapes: vec![Shape::Band {
                low: DayProfile::points(&low_edge),
                high: DayProfile::points(&high),
                color: COMPONENT_COLORS[c + 1],
                opacity: STACK_OPACITY,
            }],
        });
        low = high;
    }
    let mut top = low
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max);
    // The base load is set by the hour, the same every day, so the band of
    // the total less the base is the band of the charging load: it shows
    // here, where a day's swing is not a line's width.
    if let Some(band) = panel.band {
        let base = DayProfile::of(panel.quarters.iter().map(|q| (q.start_minute, q.kw[0]))).mean;
        let less_base = |v: &[f64]| -> Vec<f64> {
            v.iter().zip(&base).map(|(t, b)| (t - b).max(0.0)).collect()
        };
        let (p05, p95) = (less_base(&band.total_kw_p05), less_base(&band.total_kw_p95));
        top = p95
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .fold(top, f64::max);
        series.push(Series {
            name: w.charging_band.to_owned(),
            shapes: vec![
                line(DayProfile::points(&p95), BLACK, 1, true),
                line(DayProfile::points(&p05), BLACK, 1, true),
            ],
        });
    }
    let plot = Plot {
        title: format!("{}{}{}", panel.who, sep(lang), w.charging_title),
        x_desc: w.hour_axis.to_owned(),
        y_desc: w.load_axis.to_owned(),
        x: 0.0..24.0,
        y: 0.0..(top.max(0.1) * 1.15),
        x_ticks: XTicks::Numbers(13),
        height: SHORT,
        legend: true,
        series,
    };
    planned(
        name,
        i18n::charging_caption(lang, base_label(panel, lang)),
        plot,
    )
}

/// A title's separator: "1号箱变：日负荷曲线", "T1: load over the day".
fn sep(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "：",
        Lang::En => ": ",
    }
}

/// Ready batteries through the day, one line per site (the sites with the
/// lowest stock when there are many).
fn ready_chart(input: &ReportInput, lang: Lang, out: &mut Vec<Entry>) {
    let Some(ready) = &input.ready else { return };
    let mut sites: Vec<(usize, &str, DayProfile)> = ready
        .sites
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.quarters.is_empty())
        .map(|(i, s)| {
            (
                i,
                s.name.as_str(),
                DayProfile::of(s.quarters.iter().copied()),
            )
        })
        .collect();
    if sites.is_empty() {
        return;
    }
    let total = sites.len();
    if total > MAX_SITES_PER_CHART {
        sites.sort_by(|a, b| {
            a.2.min_mean()
                .total_cmp(&b.2.min_mean())
                .then(a.0.cmp(&b.0))
        });
        sites.truncate(MAX_SITES_PER_CHART);
        sites.sort_by_key(|s| s.0);
    }
    let top = sites
        .iter()
        .flat_map(|s| s.2.mean.iter().copied())
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max);
    let w = lang.words();
    let series = sites
        .iter()
        .enumerate()
        .map(|(k, (_, name, p))| Series {
            name: (*name).to_owned(),
            shapes: vec![line(
                DayProfile::points(&p.mean),
                PALETTE[k % PALETTE.len()],
                2,
                false,
            )],
        })
        .collect::<Vec<_>>();
    let shown = series.len();
    let plot = Plot {
        title: w.ready_title.to_owned(),
        x_desc: w.hour_axis.to_owned(),
        y_desc: w.ready_axis.to_owned(),
        x: 0.0..24.0,
        y: 0.0..(top.max(1.0) * 1.3),
        x_ticks: XTicks::Numbers(13),
        height: HEIGHT,
        legend: true,
        series,
    };
    out.push(planned(
        "ready",
        i18n::ready_caption(lang, shown, total),
        plot,
    ));
}

/// Two bar series side by side per hour.
fn hour_bars(first: &[f64], second: &[f64], colors: [RGBColor; 2]) -> [Shape; 2] {
    let bars = |v: &[f64], offset: f64| {
        v.iter()
            .enumerate()
            .map(|(h, &y)| (h as f64 + offset, h as f64 + offset + 0.4, y))
            .collect()
    };
    [
        Shape::Bars {
            bars: bars(first, 0.1),
            color: colors[0],
        },
        Shape::Bars {
            bars: bars(second, 0.5),
            color: colors[1],
        },
    ]
}

/// Requests and stockouts by hour, the wait quantiles, the swap delay
/// by site, and fallback sessions by hour, for the network.
fn hourly_charts(input: &ReportInput, lang: Lang, out: &mut Vec<Entry>) {
    let w = lang.words();
    let p = input.profiles.as_ref().map(|p| &p.network);
    if let Some(p) = p {
        // A run of constant-rate Poisson sites only keeps no hour-of-day
        // counts (the engine skips the bookkeeping), though it has
        // requests: say so rather than that there were none.
        let per_day = input
            .summary
            .as_ref()
            .and_then(|s| s.network.get("swap_requests_per_day"))
            .map_or(0.0, |e| e.mean);
        let recorded = p.requests_by_hour.iter().any(|&x| x > 0.0);
        let empty = if per_day > 0.0 && !recorded {
            i18n::hourly_not_recorded(lang, &trim(per_day, 0))
        } else {
            w.no_requests.to_owned()
        };
        out.push(hour_pair_chart(
            "requests",
            w.requests_title,
            [
                (w.requests, &p.requests_by_hour),
                (w.stockouts, &p.stockouts_by_hour),
            ],
            [PALETTE[0], RGBColor(200, 30, 30)],
            &empty,
            lang,
        ));
        out.push(wait_chart(&p.wait_quantiles_minutes, lang));
    }
    out.extend(delay_chart(input, lang));
    if let Some(p) = p {
        out.push(hour_pair_chart(
            "fallback",
            w.fallback_title,
            [
                (w.pile_sessions, &p.pile_sessions_by_hour),
                (w.flying_wire_sessions, &p.flying_wire_sessions_by_hour),
            ],
            [PALETTE[2], RGBColor(213, 94, 0)],
            w.no_fallback,
            lang,
        ));
    }
}

/// Two hour-of-day series as bars side by side; `empty` instead if both
/// are zero.
fn hour_pair_chart(
    name: &str,
    title: &str,
    values: [(&str, &Vec<f64>); 2],
    colors: [RGBColor; 2],
    empty: &str,
    lang: Lang,
) -> Entry {
    if !values.iter().any(|(_, v)| v.iter().any(|&x| x > 0.0)) {
        return omit(name, empty);
    }
    let w = lang.words();
    let [a, b] = hour_bars(values[0].1, values[1].1, colors);
    let plot = Plot {
        title: title.to_owned(),
        x_desc: w.hour_axis.to_owned(),
        y_desc: w.per_day_axis.to_owned(),
        x: 0.0..24.0,
        y: plot::y_range(
            values
                .iter()
                .flat_map(|(_, v)| v.iter().copied())
                .map(|x| x * 1.25),
        ),
        x_ticks: XTicks::Numbers(13),
        height: SHORT,
        legend: true,
        series: vec![
            Series {
                name: values[0].0.to_owned(),
                shapes: vec![a],
            },
            Series {
                name: values[1].0.to_owned(),
                shapes: vec![b],
            },
        ],
    };
    planned(name, i18n::hourly_caption(lang), plot)
}

/// Wait quantiles of the network's served requests as bars; none when
/// every wait is zero (riders who find no battery detour or leave, so
/// rider-driven sites never wait at the cabinet unless a door is busy).
fn wait_chart(q: &[(f64, f64)], lang: Lang) -> Entry {
    if !q.iter().any(|&(_, m)| m > 0.0) {
        return omit("wait", lang.words().no_wait);
    }
    let w = lang.words();
    let names = q
        .iter()
        .map(|&(p, _)| format!("P{}", trim(p * 100.0, 1)))
        .collect();
    let plot = Plot {
        title: w.wait_title.to_owned(),
        x_desc: w.quantile_axis.to_owned(),
        y_desc: w.wait_axis.to_owned(),
        x: -0.5..(q.len() as f64 - 0.5),
        y: plot::y_range(q.iter().map(|&(_, m)| m * 1.1)),
        x_ticks: XTicks::Names(names),
        height: SHORT,
        legend: false,
        series: vec![Series {
            name: w.network.to_owned(),
            shapes: vec![Shape::Bars {
                bars: q
                    .iter()
                    .enumerate()
                    .map(|(i, &(_, m))| (i as f64 - 0.3, i as f64 + 0.3, m))
                    .collect(),
                color: PALETTE[0],
            }],
        }],
    };
    planned("wait", i18n::wait_caption(lang), plot)
}

/// The rider-facing delay per site: the swap delay p95 (what the wait
/// target judges) beside the wait at the cabinet p95, means with their
/// intervals, and the target; a sentence when both are zero everywhere,
/// nothing when the results have neither.
fn delay_chart(input: &ReportInput, lang: Lang) -> Option<Entry> {
    const KPIS: [&str; 2] = ["swap_delay_minutes_p95", "wait_minutes_p95"];
    let summary = input.summary.as_ref()?;
    let mut sites: Vec<(usize, &str, [Estimate; 2])> = summary
        .sites
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let [a, b] = KPIS.map(|k| s.kpis.get(k).copied());
            Some((i, s.name.as_str(), [a?, b?]))
        })
        .collect();
    if sites.is_empty() {
        return None;
    }
    if !sites
        .iter()
        .any(|(_, _, e)| e.iter().any(|e| e.ci95_high > 0.0 || e.mean > 0.0))
    {
        // The 95th percentiles are zero, but fewer than one rider in 20
        // may still have waited: say so with the largest mean delay.
        let mean = summary
            .sites
            .iter()
            .filter_map(|s| s.kpis.get("swap_delay_minutes_mean"))
            .map(|e| e.mean)
            .fold(0.0, f64::max);
        let sentence = if mean > 0.0 {
            i18n::few_delays(lang, &format!("{mean:.2}"))
        } else {
            lang.words().no_delay.to_owned()
        };
        return Some(omit("delay", sentence));
    }
    let total = sites.len();
    if total > MAX_SITES_PER_CHART {
        sites.sort_by(|a, b| b.2[0].mean.total_cmp(&a.2[0].mean).then(a.0.cmp(&b.0)));
        sites.truncate(MAX_SITES_PER_CHART);
        sites.sort_by_key(|s| s.0);
    }
    let w = lang.words();
    let target = input.context.targets.limit(KPIS[0]);
    let mut ys: Vec<f64> = sites
        .iter()
        .flat_map(|(_, _, e)| e.iter().map(|e| e.ci95_high.max(e.mean) * 1.2))
        .collect();
    ys.extend(target.map(|t| t * 1.2));
    let n = sites.len() as f64;
    let colors = [RGBColor(200, 30, 30), PALETTE[0]];
    let offsets = [(-0.38, -0.02), (0.02, 0.38)];
    let mut series: Vec<Series> = KPIS
        .iter()
        .enumerate()
        .map(|(k, kpi)| {
            let (a, b) = offsets[k];
            Series {
                name: i18n::kpi(kpi, lang).name,
                shapes: vec![
                    Shape::Bars {
                        bars: sites
                            .iter()
                            .enumerate()
                            .map(|(x, (_, _, e))| (x as f64 + a, x as f64 + b, e[k].mean))
                            .collect(),
                        color: colors[k],
                    },
                    Shape::Whiskers {
                        items: sites
                            .iter()
                            .enumerate()
                            .map(|(x, (_, _, e))| {
                                (x as f64 + (a + b) / 2.0, e[k].ci95_low, e[k].ci95_high)
                            })
                            .collect(),
                        color: BLACK,
                    },
                ],
            }
        })
        .collect();
    let limit = target.map(|t| with_unit(t, 1.0, i18n::kpi(KPIS[0], lang).unit));
    if let (Some(t), Some(limit)) = (target, &limit) {
        series.push(Series {
            name: i18n::target_line(lang, limit),
            shapes: vec![line(vec![(-0.5, t), (n - 0.5, t)], RATING, 2, true)],
        });
    }
    let plot = Plot {
        title: w.delay_title.to_owned(),
        x_desc: w.site.to_owned(),
        y_desc: w.delay_axis.to_owned(),
        x: -0.5..(n - 0.5),
        y: plot::y_range(ys),
        x_ticks: XTicks::Names(sites.iter().map(|s| s.1.to_owned()).collect()),
        height: SHORT,
        legend: true,
        series,
    };
    Some(planned(
        "delay",
        i18n::delay_caption(lang, limit.as_deref(), sites.len(), total),
        plot,
    ))
}

/// Per target: each candidate's site cost against the KPI's upper bound,
/// one colour per site, the chosen plan ringed, the target dashed.
fn plan_charts(input: &ReportInput, lang: Lang, out: &mut Vec<Entry>) {
    let Some(plan) = &input.plan else { return };
    if plan.candidates.is_empty() {
        return;
    }
    let mut kpis: Vec<(&str, f64)> = Vec::new();
    for t in plan.sites.iter().flat_map(|s| &s.targets) {
        if !kpis.iter().any(|(k, _)| *k == t.kpi) {
            kpis.push((&t.kpi, t.limit));
        }
    }
    let count = |site: &str| plan.candidates.iter().filter(|c| c.site == site).count();
    let mut sites: Vec<(usize, &str)> = plan
        .sites
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s.name.as_str()))
        .filter(|(_, s)| count(s) > 0)
        .collect();
    let total = sites.len();
    if total > MAX_SITES_PER_CHART {
        sites.sort_by(|a, b| count(b.1).cmp(&count(a.1)).then(a.0.cmp(&b.0)));
        sites.truncate(MAX_SITES_PER_CHART);
        sites.sort_by_key(|s| s.0);
    }
    let w = lang.words();
    for (kpi, limit) in kpis {
        let label = i18n::kpi(kpi, lang);
        let s = label.scale;
        let mut xs = Vec::new();
        let mut ys = vec![limit * s];
        let mut series = Vec::new();
        for (k, (_, site)) in sites.iter().enumerate() {
            let points: Vec<(f64, f64)> = plan
                .candidates
                .iter()
                .filter(|c| c.site == *site)
                .filter_map(|c| Some((c.annual_cost_cny, c.kpis.get(kpi)?.ci95_high * s)))
                .collect();
            xs.extend(points.iter().map(|p| p.0));
            ys.extend(points.iter().map(|p| p.1));
            series.push(Series {
                name: (*site).to_owned(),
                shapes: vec![Shape::Dots {
                    points,
                    color: PALETTE[k % PALETTE.len()],
                    size: 5,
                }],
            });
        }
        let chosen: Vec<(f64, f64)> = plan
            .sites
            .iter()
            .filter(|p| sites.iter().any(|(_, s)| *s == p.name))
            .filter_map(|p| {
                let t = p.targets.iter().find(|t| t.kpi == kpi)?;
                Some((p.annual_cost_cny, t.estimate.ci95_high * s))
            })
            .collect();
        xs.extend(chosen.iter().map(|p| p.0));
        ys.extend(chosen.iter().map(|p| p.1));
        let (x0, x1) = xs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        if !x0.is_finite() {
            out.push(omit(
                format!("plan-{kpi}"),
                i18n::no_candidates(lang, &label.name),
            ));
            continue;
        }
        let pad = ((x1 - x0) * 0.08).max(x1.abs() * 0.02).max(1.0);
        let x = (x0 - pad).max(0.0)..(x1 + pad);
        series.push(Series {
            name: w.chosen.to_owned(),
            shapes: vec![Shape::Rings {
                points: chosen,
                color: BLACK,
                size: 9,
            }],
        });
        series.push(target_series(lang, kpi, limit, &x));
        let plot = Plot {
            title: i18n::candidates_title(lang, &label.name),
            x_desc: w.cost_axis.to_owned(),
            y_desc: format!("{}, {}", label.with_unit(), w.upper_bound),
            x,
            y: plot::y_range(ys.iter().map(|y| y * 1.25)),
            x_ticks: XTicks::Numbers(8),
            height: HEIGHT,
            legend: true,
            series,
        };
        out.push(planned(
            format!("plan-{kpi}"),
            i18n::candidates_caption(lang, sites.len(), total),
            plot,
        ));
    }
}

/// Per key KPI: each scenario's network mean as a bar with its interval.
fn compare_charts(input: &ReportInput, lang: Lang, out: &mut Vec<Entry>) {
    let Some(compare) = &input.compare else {
        return;
    };
    let names = compare.column_names();
    out.extend(compare_energy_chart(compare, &names, lang));
    for kpi in COMPARE_KPIS {
        let Some(row) = compare.network.get(kpi) else {
            continue;
        };
        let label = i18n::kpi(kpi, lang);
        let name = format!("compare-{kpi}");
        if row
            .estimates
            .iter()
            .all(|e| e.mean == 0.0 && e.ci95_high == 0.0 && e.ci95_low == 0.0)
        {
            out.push(omit(name, i18n::zero_everywhere(lang, &label.name)));
            continue;
        }
        let s = label.scale;
        let target = input.context.targets.limit(kpi);
        let x = -0.5..(row.estimates.len() as f64 - 0.5);
        let mut series: Vec<Series> = row
            .estimates
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let x = i as f64;
                Series {
                    name: names.get(i).cloned().unwrap_or_default(),
                    shapes: vec![
                        Shape::Bars {
                            bars: vec![(x - 0.3, x + 0.3, e.mean * s)],
                            color: PALETTE[i % PALETTE.len()],
                        },
                        Shape::Whiskers {
                            items: vec![(x, e.ci95_low * s, e.ci95_high * s)],
                            color: BLACK,
                        },
                    ],
                }
            })
            .collect();
        series.extend(target.map(|t| target_series(lang, kpi, t, &x)));
        let plot = Plot {
            title: label.name.clone(),
            x_desc: lang.words().scenario_axis.to_owned(),
            y_desc: label.with_unit(),
            x,
            y: plot::y_range(
                row.estimates
                    .iter()
                    .flat_map(|e| [e.ci95_low * s, e.ci95_high * s * 1.2])
                    .chain(target.map(|t| t * s * 1.15)),
            ),
            x_ticks: XTicks::Names(names.clone()),
            height: SHORT,
            // The scenarios are named on the x axis; the target line
            // needs its label.
            legend: target.is_some(),
            series,
        };
        out.push(planned(name, i18n::compare_caption(lang), plot));
    }
}

/// Network energy per scenario, grouped by where it is drawn (cabinets,
/// piles, flats): one series per place, so a plan that moves charging
/// from flats to piles shows one bar shrinking as another grows. None for
/// comparisons written before the split.
fn compare_energy_chart(compare: &CompareData, names: &[String], lang: Lang) -> Option<Entry> {
    const PLACES: [&str; 3] = [
        "cabinet_energy_kwh_per_day",
        "pile_energy_kwh_per_day",
        "home_energy_kwh_per_day",
    ];
    let rows: Vec<&CompareRow> = PLACES
        .iter()
        .map(|k| compare.network.get(k))
        .collect::<Option<_>>()?;
    let w = lang.words();
    let colors = [
        COMPONENT_COLORS[1],
        COMPONENT_COLORS[2],
        COMPONENT_COLORS[3],
    ];
    let width = 0.8 / PLACES.len() as f64;
    let series: Vec<Series> = rows
        .iter()
        .enumerate()
        .map(|(p, row)| {
            let x0 = |i: usize| i as f64 - 0.4 + p as f64 * width;
            Series {
                name: w.places[p].to_owned(),
                shapes: vec![
                    Shape::Bars {
                        bars: row
                            .estimates
                            .iter()
                            .enumerate()
                            .map(|(i, e)| (x0(i) + 0.02, x0(i) + width - 0.02, e.mean))
                            .collect(),
                        color: colors[p],
                    },
                    Shape::Whiskers {
                        items: row
                            .estimates
                            .iter()
                            .enumerate()
                            .map(|(i, e)| (x0(i) + width / 2.0, e.ci95_low, e.ci95_high))
                            .collect(),
                        color: BLACK,
                    },
                ],
            }
        })
        .collect();
    let scenarios = rows.iter().map(|r| r.estimates.len()).max().unwrap_or(0);
    let plot = Plot {
        title: w.energy_title.to_owned(),
        x_desc: w.scenario_axis.to_owned(),
        y_desc: w.energy_kwh.to_owned(),
        x: -0.5..(scenarios as f64 - 0.5),
        y: plot::y_range(
            rows.iter()
                .flat_map(|r| r.estimates.iter().map(|e| e.ci95_high * 1.3)),
        ),
        x_ticks: XTicks::Names(names.to_vec()),
        height: SHORT,
        legend: true,
        series,
    };
    Some(planned("compare-energy", i18n::energy_caption(lang), plot))
}

#[cfg(test)]
mod tests {
    use sim_core::{BatterySpec, ChargeModel, Demand, Model, Patience, SiteSpec};

    use super::*;

    /// A constant-rate Poisson site (the analytic erlang-c model, short).
    fn poisson_run() -> ReportInput {
        let model = Model {
            name: "erlang-c".into(),
            days: 4,
            warmup_days: 1,
            replications: 2,
            battery: BatterySpec {
                charge: ChargeModel::Exponential { mean_hours: 3.0 },
                ..BatterySpec::default()
            },
            sites: vec![SiteSpec {
                name: "A".into(),
                cabinets: 1,
                slots_per_cabinet: 12,
                batteries: 11,
                demand: Demand::Poisson {
                    swaps_per_hour: 2.0,
                },
                patience: Patience::None,
                ..SiteSpec::default()
            }],
            ..Model::default()
        };
        ReportInput::from_run(&sim_core::run(&model, 1), &model)
    }

    /// An analytic run has requests but keeps no hour-of-day counts (the
    /// engine skips the bookkeeping): the report says the profile was not
    /// recorded, not that nobody asked for a swap.
    #[test]
    fn an_analytic_run_says_its_hourly_requests_were_not_recorded() {
        let input = poisson_run();
        let requests = input
            .summary
            .as_ref()
            .and_then(|s| s.network.get("swap_requests_per_day"))
            .expect("requests a day")
            .mean;
        assert!(requests > 40.0, "{requests}");
        let hourly = &input.profiles.as_ref().expect("profiles").network;
        assert!(hourly.requests_by_hour.iter().all(|&x| x == 0.0));
        for (lang, recorded, none) in [
            (Lang::Zh, "不记录", "没有换电请求"),
            (Lang::En, "not recorded", "No swap requests"),
        ] {
            let omitted = omitted(&input, lang);
            let requests = omitted
                .iter()
                .find(|o| o.name == "requests")
                .expect("no requests chart");
            assert!(
                requests.sentence.contains(recorded),
                "{}",
                requests.sentence
            );
            assert!(!requests.sentence.contains(none), "{}", requests.sentence);
        }
    }
}
