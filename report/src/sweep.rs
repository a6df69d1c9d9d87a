//! The report of a sweep (`swapsim sweep --html`): first, for mode
//! `check`, one sentence per axis saying up to which value the plan meets
//! every target (`id="summary"`); then each point's values and key KPIs;
//! then each key KPI against each axis, with its 95% interval and the
//! target line; and for design `one_at_a_time`, a tornado chart.
//!
//! The input is plain data ([`SweepInput`]) that the sweep engine builds;
//! the sentences are data too ([`Robustness`]), rendered here in Chinese
//! or English.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use sim_core::{Estimate, RunResult, Targets};

use crate::format::escape;
use crate::i18n::{Lang, kpi};

/// How many sites miss one target at a value of an axis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissCount {
    /// The KPI's JSON name, like `lost_swap_rate`.
    pub kpi: String,
    /// Sites whose upper 95% bound is above the target.
    pub sites: usize,
}

/// Up to which value of an axis every target is met.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Held {
    /// Every value meets every target.
    Every {
        /// The first value, in the axis's order.
        first: String,
        /// The last value.
        last: String,
    },
    /// The first values meet every target, up to `held`; `missed` is the
    /// next value, where `misses` happen.
    UpTo {
        /// The last value that holds.
        held: String,
        /// The first value that does not.
        missed: String,
        /// What is missed there.
        misses: Vec<MissCount>,
    },
    /// The last values meet every target, from `held` on; `missed` is the
    /// value before it.
    From {
        /// The first value from which every value holds.
        held: String,
        /// The value before it, which does not.
        missed: String,
        /// What is missed there.
        misses: Vec<MissCount>,
    },
    /// Only the values from `first` to `last`, inside the axis, meet
    /// every target: `below` (the value before) and `above` (the value
    /// after) miss some.
    Between {
        /// The first value that holds.
        first: String,
        /// The last value that holds.
        last: String,
        /// The value before `first` and what is missed there.
        below: (String, Vec<MissCount>),
        /// The value after `last` and what is missed there.
        above: (String, Vec<MissCount>),
    },
    /// No value meets every target.
    Never {
        /// The first value, where the misses are counted.
        at: String,
        /// What is missed there.
        misses: Vec<MissCount>,
    },
}

/// The robustness of a plan along one axis of a sweep in mode `check`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Robustness {
    /// The axis's key, like `site.*.swap_adoption`.
    pub key: String,
    /// Up to where the targets hold.
    pub held: Held,
}

impl Robustness {
    /// The sentence, in `lang`: "the plan meets every target up to
    /// site.*.swap_adoption = 0.35; at 0.4 it misses lost_swap_rate at 3
    /// sites".
    pub fn sentence(&self, lang: Lang) -> String {
        let key = &self.key;
        match (lang, &self.held) {
            (Lang::En, Held::Every { first, last }) if first == last => {
                format!("the plan meets every target at {key} = {first}")
            }
            (Lang::En, Held::Every { first, last }) => {
                format!("the plan meets every target over {key} from {first} to {last}")
            }
            (
                Lang::En,
                Held::UpTo {
                    held,
                    missed,
                    misses,
                },
            ) => format!(
                "the plan meets every target up to {key} = {held}; at {missed} it misses {}",
                misses_text(misses, lang)
            ),
            (
                Lang::En,
                Held::From {
                    held,
                    missed,
                    misses,
                },
            ) => format!(
                "the plan meets every target from {key} = {held} on; at {missed} it misses {}",
                misses_text(misses, lang)
            ),
            (
                Lang::En,
                Held::Between {
                    first,
                    last,
                    below,
                    above,
                },
            ) => format!(
                "the plan meets every target {}; at {} it misses {}, and at {} it misses {}",
                if first == last {
                    format!("only at {key} = {first}")
                } else {
                    format!("from {key} = {first} to {last}")
                },
                below.0,
                misses_text(&below.1, lang),
                above.0,
                misses_text(&above.1, lang)
            ),
            (Lang::En, Held::Never { at, misses }) => format!(
                "the plan misses a target already at {key} = {at}: {}",
                misses_text(misses, lang)
            ),
            (Lang::Zh, Held::Every { first, last }) if first == last => {
                format!("{key} = {first} 时方案满足全部目标")
            }
            (Lang::Zh, Held::Every { first, last }) => {
                format!("{key} 从 {first} 到 {last}，方案均满足全部目标")
            }
            (
                Lang::Zh,
                Held::UpTo {
                    held,
                    missed,
                    misses,
                },
            ) => format!(
                "{key} 不超过 {held} 时方案满足全部目标；为 {missed} 时未达标：{}",
                misses_text(misses, lang)
            ),
            (
                Lang::Zh,
                Held::From {
                    held,
                    missed,
                    misses,
                },
            ) => format!(
                "{key} 不低于 {held} 时方案满足全部目标；为 {missed} 时未达标：{}",
                misses_text(misses, lang)
            ),
            (
                Lang::Zh,
                Held::Between {
                    first,
                    last,
                    below,
                    above,
                },
            ) => format!(
                "{}方案满足全部目标；为 {} 时未达标：{}；为 {} 时未达标：{}",
                if first == last {
                    format!("仅在 {key} = {first} 时")
                } else {
                    format!("{key} 在 {first} 到 {last} 之间时")
                },
                below.0,
                misses_text(&below.1, lang),
                above.0,
                misses_text(&above.1, lang)
            ),
            (Lang::Zh, Held::Never { at, misses }) => {
                format!("{key} = {at} 时方案即未达标：{}", misses_text(misses, lang))
            }
        }
    }
}

/// "lost_swap_rate at 3 sites and wait_minutes_p95 at 1 site".
fn misses_text(misses: &[MissCount], lang: Lang) -> String {
    let parts: Vec<String> = misses
        .iter()
        .map(|m| match lang {
            Lang::En if m.sites == 1 => format!("{} at 1 site", m.kpi),
            Lang::En => format!("{} at {} sites", m.kpi, m.sites),
            Lang::Zh => format!("{}（{} 个站点）", kpi(&m.kpi, lang).name, m.sites),
        })
        .collect();
    match (lang, parts.len()) {
        (_, 0) => String::new(),
        (Lang::En, 1) => parts[0].clone(),
        (Lang::En, n) => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
        (Lang::Zh, _) => parts.join("、"),
    }
}

/// The KPIs a sweep shows: those the scenario has targets for, else the
/// lost swaps, the wait, flying wire and the transformer.
pub fn key_kpis(targets: &Targets) -> Vec<&'static str> {
    let set: Vec<&'static str> = targets
        .list()
        .iter()
        .filter(|(_, limit)| limit.is_some())
        .map(|(kpi, _)| *kpi)
        .collect();
    if set.is_empty() {
        vec![
            "lost_swap_rate",
            "wait_minutes_p95",
            "flying_wire_per_1000_bikes_day",
            "transformer_peak_utilization",
        ]
    } else {
        set
    }
}

/// The estimate of `kpi` that a target judges: the site with the highest
/// upper 95% bound (the network's when there are no sites).
pub fn worst_site(result: &RunResult, kpi: &str) -> Option<Estimate> {
    result
        .sites
        .iter()
        .filter_map(|s| s.kpis.get(kpi))
        .max_by(|a, b| a.ci95_high.total_cmp(&b.ci95_high))
        .or_else(|| result.network.get(kpi))
}

/// One value of a point on one axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// As shown.
    pub text: String,
    /// As a number, for the charts.
    pub number: Option<f64>,
}

/// One point of a sweep, as the report shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPoint {
    /// Its index.
    pub index: usize,
    /// Its value on each axis; `None` where it keeps the base scenario's.
    pub values: Vec<Option<Cell>>,
    /// Each key KPI's worst site (see [`worst_site`]), in [`key_kpis`]
    /// order.
    pub kpis: Vec<Option<Estimate>>,
    /// Mode `check`: whether every target is met.
    pub met: Option<bool>,
}

/// Everything the report of a sweep shows.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepInput {
    /// The sweep's name.
    pub name: String,
    /// The base scenario.
    pub scenario: String,
    /// `run`, `check` or `plan`.
    pub mode: String,
    /// `grid`, `one_at_a_time` or `latin_hypercube`.
    pub design: String,
    /// Seed, days and replications of every point.
    pub seed: u64,
    /// Days per replication.
    pub days: u32,
    /// Replications per point.
    pub replications: u32,
    /// The axes' keys.
    pub axes: Vec<String>,
    /// The key KPIs (see [`key_kpis`]).
    pub kpis: Vec<&'static str>,
    /// The base scenario's targets, drawn as lines.
    pub targets: Targets,
    /// Every point, in index order.
    pub points: Vec<SweepPoint>,
    /// Mode `check`: one per axis.
    pub robustness: Vec<Robustness>,
}

/// The labels of the sweep report, in each language as the fields of one
/// struct, so a missing translation does not compile.
struct Words {
    title: &'static str,
    summary: &'static str,
    overview: &'static str,
    points: &'static str,
    point: &'static str,
    charts: &'static str,
    tornado: &'static str,
    tornado_note: &'static str,
    met: &'static str,
    yes: &'static str,
    no: &'static str,
    base: &'static str,
    target: &'static str,
    worst_note: &'static str,
    no_sentence: &'static str,
}

const ZH: Words = Words {
    title: "情景扫描",
    summary: "结论",
    overview: "扫描设置",
    points: "各点结果",
    point: "点",
    charts: "关键指标随各参数的变化",
    tornado: "龙卷风图",
    tornado_note: "每次只改变一个参数，其余保持基准情景；条形为该参数取值范围内指标均值的变化。",
    met: "满足目标",
    yes: "满足",
    no: "未满足",
    base: "基准",
    target: "目标",
    worst_note: "各点取最不利站点的指标，竖线为 95% 置信区间，虚线为目标。",
    no_sentence: "本次扫描未判定目标（模式不是 check）；各关键指标的变化如下，取最不利站点：",
};

const EN: Words = Words {
    title: "Sweep",
    summary: "Summary",
    overview: "Sweep settings",
    points: "Points",
    point: "point",
    charts: "Key KPIs against each axis",
    tornado: "Tornado",
    tornado_note: "One axis varies at a time, the others as in the base scenario; each bar spans the KPI's mean over that axis's values.",
    met: "targets met",
    yes: "met",
    no: "missed",
    base: "base",
    target: "target",
    worst_note: "Each point shows the worst site's KPI, the line its 95% interval; the dashed line is the target.",
    no_sentence: "This sweep judged no targets (its mode is not check); how each key KPI moves, at the worst site:",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// The report as one self-contained HTML page (inline CSS and SVG, no
/// script).
pub fn render_sweep_html(input: &SweepInput, lang: Lang) -> String {
    let w = words(lang);
    let mut html = String::new();
    let code = match lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    };
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <title>{} · {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{} · {}</h1>\n",
        w.title,
        escape(&input.name),
        w.title,
        escape(&input.name)
    );
    html.push_str(&format!(
        "<section id=\"summary\">\n<h2>{}</h2>\n",
        w.summary
    ));
    if input.robustness.is_empty() {
        let _ = writeln!(html, "<p>{}</p>", w.no_sentence);
        let lines = ranges(input, lang);
        if !lines.is_empty() {
            html.push_str("<ul>\n");
            for line in &lines {
                let _ = writeln!(html, "<li>{}</li>", escape(line));
            }
            html.push_str("</ul>\n");
        }
    } else {
        html.push_str("<ul>\n");
        for r in &input.robustness {
            let _ = writeln!(html, "<li>{}</li>", escape(&r.sentence(lang)));
        }
        html.push_str("</ul>\n");
    }
    html.push_str("</section>\n");
    let _ = writeln!(
        html,
        "<section id=\"overview\">\n<h2>{}</h2>\n<p>{} · mode {} · design {} · seed {} · {} d · {} \
         replications · {} {}</p>\n</section>",
        w.overview,
        escape(&input.scenario),
        escape(&input.mode),
        escape(&input.design),
        input.seed,
        input.days,
        input.replications,
        input.points.len(),
        w.point
    );
    points_table(&mut html, input, lang);
    if input.design == "one_at_a_time" {
        tornado(&mut html, input, lang);
    }
    axis_charts(&mut html, input, lang);
    html.push_str("</body>\n</html>\n");
    html
}

const STYLE: &str = "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;}\
table{border-collapse:collapse;font-size:0.85em}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}\
th{background:#f3f3f3}.missed{color:#b00}.met{color:#070}svg{display:block;margin:1em 0}\
@page{size:A4}section{break-inside:avoid}";

fn points_table(html: &mut String, input: &SweepInput, lang: Lang) {
    let w = words(lang);
    let _ = write!(
        html,
        "<section id=\"points\">\n<h2>{}</h2>\n<table>\n<tr><th>{}</th>",
        w.points, w.point
    );
    for axis in &input.axes {
        let _ = write!(html, "<th>{}</th>", escape(axis));
    }
    for k in &input.kpis {
        let _ = write!(html, "<th>{}</th>", escape(&kpi(k, lang).with_unit()));
    }
    if input.mode == "check" {
        let _ = write!(html, "<th>{}</th>", w.met);
    }
    html.push_str("</tr>\n");
    for point in &input.points {
        let _ = write!(html, "<tr><td>{}</td>", point.index);
        for value in &point.values {
            let text = value.as_ref().map_or(w.base, |c| c.text.as_str());
            let _ = write!(html, "<td>{}</td>", escape(text));
        }
        for (k, e) in input.kpis.iter().zip(&point.kpis) {
            let label = kpi(k, lang);
            let text = e.map_or_else(String::new, |e| {
                format!(
                    "{} [{}, {}]",
                    short(e.mean * label.scale),
                    short(e.ci95_low * label.scale),
                    short(e.ci95_high * label.scale)
                )
            });
            let _ = write!(html, "<td>{text}</td>");
        }
        match point.met {
            Some(true) => {
                let _ = write!(html, "<td class=\"met\">{}</td>", w.yes);
            }
            Some(false) => {
                let _ = write!(html, "<td class=\"missed\">{}</td>", w.no);
            }
            None => {}
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n</section>\n");
}

/// A number in at most 4 significant digits.
fn short(x: f64) -> String {
    if x == 0.0 {
        return "0".to_owned();
    }
    let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
    let text = format!("{x:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 50.0;
const COLOURS: [&str; 6] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
];

fn axis_charts(html: &mut String, input: &SweepInput, lang: Lang) {
    let w = words(lang);
    let _ = writeln!(
        html,
        "<section id=\"charts\">\n<h2>{}</h2>\n<p>{}</p>",
        w.charts, w.worst_note
    );
    for (a, axis) in input.axes.iter().enumerate() {
        for (k, name) in input.kpis.iter().enumerate() {
            html.push_str(&axis_chart(input, a, axis, k, name, lang));
        }
    }
    html.push_str("</section>\n");
}

/// One key KPI against axis `a`: a dot and its interval per point, joined
/// by a line per combination of the other axes' values, and the target.
fn axis_chart(
    input: &SweepInput,
    a: usize,
    axis: &str,
    k: usize,
    name: &str,
    lang: Lang,
) -> String {
    let label = kpi(name, lang);
    // The values of the axis in order, and where each sits.
    let mut values: Vec<&Cell> = Vec::new();
    for p in &input.points {
        if let Some(Some(c)) = p.values.get(a)
            && !values.iter().any(|v| v.text == c.text)
        {
            values.push(c);
        }
    }
    if values.is_empty() {
        return String::new();
    }
    let numeric = values.iter().all(|v| v.number.is_some());
    if numeric {
        values.sort_by(|x, y| x.number.unwrap_or(0.0).total_cmp(&y.number.unwrap_or(0.0)));
    }
    let position = |c: &Cell| -> f64 {
        if numeric {
            c.number.unwrap_or(0.0)
        } else {
            values.iter().position(|v| v.text == c.text).unwrap_or(0) as f64
        }
    };
    let (x0, x1) = if numeric {
        let lo = values[0].number.unwrap_or(0.0);
        let hi = values[values.len() - 1].number.unwrap_or(1.0);
        if lo == hi {
            (lo - 1.0, hi + 1.0)
        } else {
            (lo, hi)
        }
    } else {
        (-0.5, values.len() as f64 - 0.5)
    };
    let limit = input.targets.limit(name);
    let top = input
        .points
        .iter()
        .filter_map(|p| p.kpis.get(k).copied().flatten())
        .map(|e| e.ci95_high)
        .chain(limit)
        .fold(0.0_f64, f64::max);
    let top = if top > 0.0 { top * 1.1 } else { 1.0 };
    let pad = if numeric { 0.05 * (x1 - x0) } else { 0.0 };
    let x = |v: f64| LEFT + (v - x0 + pad) / (x1 - x0 + 2.0 * pad) * (WIDTH - LEFT - RIGHT);
    let y = |v: f64| TOP + (1.0 - v / top) * (HEIGHT - TOP - BOTTOM);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" class=\"sweep-axis\">\n\
         <text x=\"{LEFT}\" y=\"18\" font-size=\"13\">{} · {}</text>\n\
         <line x1=\"{LEFT}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#444\"/>\n\
         <line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{}\" stroke=\"#444\"/>\n",
        escape(&label.with_unit()),
        escape(axis),
        HEIGHT - BOTTOM,
        WIDTH - RIGHT,
        HEIGHT - BOTTOM,
        HEIGHT - BOTTOM
    );
    for v in &values {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            x(position(v)),
            HEIGHT - BOTTOM + 16.0,
            escape(&v.text)
        );
    }
    for i in 0..=4 {
        let v = top * f64::from(i) / 4.0;
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            LEFT - 6.0,
            y(v) + 4.0,
            short(v * label.scale)
        );
    }
    if let Some(limit) = limit {
        let _ = writeln!(
            svg,
            "<g class=\"target\"><line x1=\"{LEFT}\" y1=\"{0:.1}\" x2=\"{1}\" y2=\"{0:.1}\" \
             stroke=\"#c00\" stroke-dasharray=\"6 4\"/><text x=\"{1}\" y=\"{2:.1}\" \
             font-size=\"11\" text-anchor=\"end\" fill=\"#c00\">{3} {4}</text></g>",
            y(limit),
            WIDTH - RIGHT,
            y(limit) - 4.0,
            words(lang).target,
            short(limit * label.scale)
        );
    }
    // One series per combination of the other axes' values.
    let mut series: Vec<(String, Vec<(f64, Estimate)>)> = Vec::new();
    for p in &input.points {
        let (Some(Some(c)), Some(Some(e))) = (p.values.get(a), p.kpis.get(k)) else {
            continue;
        };
        let others: Vec<&str> = p
            .values
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != a)
            .map(|(_, v)| v.as_ref().map_or("", |c| c.text.as_str()))
            .collect();
        let others = others.join(", ");
        match series.iter_mut().find(|(o, _)| *o == others) {
            Some((_, list)) => list.push((position(c), *e)),
            None => series.push((others, vec![(position(c), *e)])),
        }
    }
    for (s, (others, list)) in series.iter_mut().enumerate() {
        list.sort_by(|p, q| p.0.total_cmp(&q.0));
        let colour = COLOURS[s % COLOURS.len()];
        let _ = write!(svg, "<g class=\"series\"><title>{}</title>", escape(others));
        let path: Vec<String> = list
            .iter()
            .map(|(v, e)| format!("{:.1},{:.1}", x(*v), y(e.mean)))
            .collect();
        let _ = write!(
            svg,
            "<polyline fill=\"none\" stroke=\"{colour}\" points=\"{}\"/>",
            path.join(" ")
        );
        for (v, e) in list.iter() {
            let _ = write!(
                svg,
                "<line x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{0:.1}\" y2=\"{2:.1}\" stroke=\"{colour}\"/>\
                 <circle cx=\"{0:.1}\" cy=\"{3:.1}\" r=\"3\" fill=\"{colour}\"/>",
                x(*v),
                y(e.ci95_low),
                y(e.ci95_high),
                y(e.mean)
            );
        }
        svg.push_str("</g>\n");
    }
    svg.push_str("</svg>\n");
    svg
}

/// Design `one_at_a_time`: per key KPI, a bar per axis from the lowest to
/// the highest mean over its values, widest first, and the base's line.
fn tornado(html: &mut String, input: &SweepInput, lang: Lang) {
    let w = words(lang);
    let _ = writeln!(
        html,
        "<section id=\"tornado\">\n<h2>{}</h2>\n<p>{}</p>",
        w.tornado, w.tornado_note
    );
    for (k, name) in input.kpis.iter().enumerate() {
        let label = kpi(name, lang);
        let Some((base_value, bars)) = tornado_bars(input, k) else {
            continue;
        };
        let lo = bars.iter().map(|b| b.1).fold(base_value, f64::min);
        let hi = bars.iter().map(|b| b.2).fold(base_value, f64::max);
        let span = if hi > lo { hi - lo } else { 1.0 };
        let row = 26.0;
        let height = TOP + row * bars.len() as f64 + 30.0;
        let left = 200.0;
        let x = |v: f64| left + (v - lo) / span * (WIDTH - left - RIGHT - 60.0);
        let _ = write!(
            html,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
             viewBox=\"0 0 {WIDTH} {height}\" class=\"tornado\">\n\
             <text x=\"10\" y=\"18\" font-size=\"13\">{}</text>\n",
            escape(&label.with_unit())
        );
        for (i, (axis, l, h)) in bars.iter().enumerate() {
            let top = TOP + row * i as f64;
            let _ = writeln!(
                html,
                "<g class=\"series\"><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" \
                 text-anchor=\"end\">{}</text><rect x=\"{:.1}\" y=\"{top:.1}\" width=\"{:.1}\" \
                 height=\"18\" fill=\"#1f77b4\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">\
                 {} – {}</text></g>",
                left - 6.0,
                top + 13.0,
                escape(axis),
                x(*l),
                (x(*h) - x(*l)).max(1.0),
                x(*h) + 4.0,
                top + 13.0,
                short(l * label.scale),
                short(h * label.scale)
            );
        }
        let _ = write!(
            html,
            "<line x1=\"{0:.1}\" y1=\"{TOP}\" x2=\"{0:.1}\" y2=\"{1:.1}\" stroke=\"#000\"/>\
             <text x=\"{0:.1}\" y=\"{2:.1}\" font-size=\"11\" text-anchor=\"middle\">{3} {4}</text>\n</svg>\n",
            x(base_value),
            height - 24.0,
            height - 8.0,
            w.base,
            short(base_value * label.scale)
        );
    }
    html.push_str("</section>\n");
}

/// A tornado bar: an axis and the low and high means of a KPI over it.
type Bar<'a> = (&'a str, f64, f64);

/// The tornado of key KPI `k` of a one-at-a-time sweep: the base point's
/// mean, and per axis the span `(axis, low, high)` of the KPI's mean over
/// that axis's values (the base included), widest first. `None` without a
/// base point or a base value.
fn tornado_bars(input: &SweepInput, k: usize) -> Option<(f64, Vec<Bar<'_>>)> {
    let base = input
        .points
        .iter()
        .find(|p| p.values.iter().all(Option::is_none))?;
    let base_value = base.kpis.get(k).copied().flatten()?.mean;
    let mut bars: Vec<Bar<'_>> = input
        .axes
        .iter()
        .enumerate()
        .filter_map(|(a, axis)| {
            let means: Vec<f64> = input
                .points
                .iter()
                .filter(|p| p.values.get(a).is_some_and(Option::is_some))
                .filter_map(|p| p.kpis.get(k).copied().flatten().map(|e| e.mean))
                .collect();
            let lo = means.iter().copied().fold(base_value, f64::min);
            let hi = means.iter().copied().fold(base_value, f64::max);
            (!means.is_empty()).then_some((axis.as_str(), lo, hi))
        })
        .collect();
    bars.sort_by(|p, q| (q.2 - q.1).total_cmp(&(p.2 - p.1)));
    Some((base_value, bars))
}

/// The summary of a sweep that judged no targets, one line per key KPI:
/// for one axis at a time, the axis that moves it most and how far; for
/// a grid or a sample, its lowest and highest mean and at which points.
fn ranges(input: &SweepInput, lang: Lang) -> Vec<String> {
    let mut lines = Vec::new();
    for (k, name) in input.kpis.iter().enumerate() {
        let label = kpi(name, lang);
        let unit = label.with_unit();
        let scaled = |x: f64| short(x * label.scale);
        if input.design == "one_at_a_time" {
            let Some((base, bars)) = tornado_bars(input, k) else {
                continue;
            };
            let Some(&(axis, lo, hi)) = bars.first().filter(|b| b.2 > b.1) else {
                lines.push(match lang {
                    Lang::Zh => format!(
                        "{unit}：各参数在所扫描范围内都不改变其均值（{}）。",
                        scaled(base)
                    ),
                    Lang::En => format!(
                        "{unit}: no axis moves its mean over the values swept ({}).",
                        scaled(base)
                    ),
                });
                continue;
            };
            lines.push(match lang {
                Lang::Zh => format!(
                    "{unit}：影响最大的是 {axis}，均值 {} – {}（基准 {}）。",
                    scaled(lo),
                    scaled(hi),
                    scaled(base)
                ),
                Lang::En => format!(
                    "{unit}: moved most by {axis}, mean {} – {} (base {}).",
                    scaled(lo),
                    scaled(hi),
                    scaled(base)
                ),
            });
        } else {
            let means: Vec<(usize, f64)> = input
                .points
                .iter()
                .filter_map(|p| Some((p.index, p.kpis.get(k).copied().flatten()?.mean)))
                .collect();
            let Some(&(lo_at, lo)) = means.iter().min_by(|a, b| a.1.total_cmp(&b.1)) else {
                continue;
            };
            let Some(&(hi_at, hi)) = means.iter().max_by(|a, b| a.1.total_cmp(&b.1)) else {
                continue;
            };
            lines.push(match lang {
                Lang::Zh => format!(
                    "{unit}：均值 {}（点 {lo_at}）– {}（点 {hi_at}）。",
                    scaled(lo),
                    scaled(hi)
                ),
                Lang::En => format!(
                    "{unit}: mean {} (point {lo_at}) – {} (point {hi_at}).",
                    scaled(lo),
                    scaled(hi)
                ),
            });
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentence_names_the_value_that_breaks_and_what_it_misses() {
        let r = Robustness {
            key: "site.*.swap_adoption".into(),
            held: Held::UpTo {
                held: "0.35".into(),
                missed: "0.4".into(),
                misses: vec![MissCount {
                    kpi: "lost_swap_rate".into(),
                    sites: 3,
                }],
            },
        };
        assert_eq!(
            r.sentence(Lang::En),
            "the plan meets every target up to site.*.swap_adoption = 0.35; at 0.4 it misses \
             lost_swap_rate at 3 sites"
        );
        assert_eq!(
            r.sentence(Lang::Zh),
            "site.*.swap_adoption 不超过 0.35 时方案满足全部目标；为 0.4 时未达标：换电失败率（3 个站点）"
        );
    }
}
