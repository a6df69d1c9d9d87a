//! The report of a backtest (`swapsim backtest --html`): first the answer
//! in plain words (`id="summary"`: how many sites fit, the tolerances
//! used, the worst fits), the roll-up by town when the scenario's sites
//! name theirs (`id="towns"`), a table of the fits per site
//! (`id="sites"`), then a chart of each fit: the requests a day of every
//! site, the observed mean against the simulated 95 % interval, as a
//! share of the simulated mean so that sites of any size share one axis
//! (`id="requests"`); per site the hour-of-day profile of requests,
//! observed against simulated (`id="profiles"`); and the stockout share
//! of every site, observed against simulated (`id="stockouts"`).
//!
//! The input is `records::Backtest`, what `backtest --format json`
//! prints. The charts are hand-drawn SVG (polylines over 24 hours, a bar
//! and a dot per site): a plotters chart would bring its own layout for
//! so few marks.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use records::{Backtest, SiteFit};

use crate::format::{escape, trim};
use crate::html::page_head;
use crate::i18n::Lang;

/// Chart size in SVG units.
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 260.0;
/// Margins: left, right, top, bottom.
const MARGIN: (f64, f64, f64, f64) = (48.0, 16.0, 16.0, 36.0);

struct Words {
    title: &'static str,
    fits: &'static str,
    profiles: &'static str,
    site: &'static str,
    observed: &'static str,
    simulated: &'static str,
    requests: &'static str,
    miss: &'static str,
    profile_distance: &'static str,
    stockout: &'static str,
    fit: &'static str,
    ok: &'static str,
    missed: &'static str,
    hour: &'static str,
    share: &'static str,
    no_profile: &'static str,
    worst: &'static str,
    fitting: &'static str,
    requests_chart: &'static str,
    requests_axis: &'static str,
    interval: &'static str,
    mean: &'static str,
    observed_mean: &'static str,
    tolerance: &'static str,
    stockout_chart: &'static str,
    stockout_axis: &'static str,
    no_stockout: &'static str,
    points: &'static str,
}

const ZH: Words = Words {
    title: "回测：日志与模拟",
    fits: "各站点拟合",
    profiles: "各站点分时需求分布",
    site: "站点",
    observed: "实测",
    simulated: "模拟",
    requests: "日换电需求",
    miss: "偏差",
    profile_distance: "分时分布差异（总变差）",
    stockout: "缺电比例",
    fit: "结论",
    ok: "符合",
    missed: "不符",
    hour: "时",
    share: "需求占比",
    no_profile: "模拟结果没有该站点的分时分布。",
    worst: "拟合最差的站点",
    fitting: "相符站点",
    requests_chart: "各站点日换电需求：实测均值与模拟 95% 区间",
    requests_axis: "相对模拟均值的偏差",
    interval: "模拟 95% 区间",
    mean: "模拟均值",
    observed_mean: "实测均值",
    tolerance: "容差",
    stockout_chart: "各站点缺电比例：实测与模拟",
    stockout_axis: "缺电比例（占换电需求）",
    no_stockout: "日志没有结果列",
    points: "个百分点",
};

const EN: Words = Words {
    title: "Backtest: log against simulation",
    fits: "Fits per site",
    profiles: "Hourly profile of requests per site",
    site: "Site",
    observed: "observed",
    simulated: "simulated",
    requests: "Requests a day",
    miss: "Miss",
    profile_distance: "Profile distance (total variation)",
    stockout: "Stockout share",
    fit: "Fit",
    ok: "ok",
    missed: "miss",
    hour: "hour",
    share: "share of requests",
    no_profile: "The run has no hourly profile for this site.",
    worst: "Worst fits",
    fitting: "Sites that fit",
    requests_chart: "Requests a day per site: the observed mean against the simulated 95% interval",
    requests_axis: "against the simulated mean",
    interval: "simulated 95% interval",
    mean: "simulated mean",
    observed_mean: "observed mean",
    tolerance: "tolerance",
    stockout_chart: "Stockout share per site: observed against simulated",
    stockout_axis: "share of requests that found no battery",
    no_stockout: "the log has no result column",
    points: "points",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// The backtest of `scenario` on `log` as one self-contained HTML page in
/// `lang` (inline CSS and SVG, no script), well-formed XML.
pub fn render_backtest_html(fits: &Backtest, scenario: &str, log: &str, lang: Lang) -> String {
    let w = words(lang);
    let mut h = String::new();
    page_head(&mut h, lang, w.title, &format!("{log} · {scenario}"));
    summary(&mut h, fits, lang);
    towns(&mut h, fits, lang);
    let _ = writeln!(h, "<section class=\"sites\" id=\"sites\">");
    let _ = writeln!(h, "<h2>{}</h2>", w.fits);
    let _ = writeln!(h, "<table class=\"sites\">");
    let _ = writeln!(
        h,
        "<thead><tr><th>{}</th><th class=\"num\">{} ({})</th><th class=\"num\">{} ({})</th>\
         <th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{} ({})</th>\
         <th class=\"num\">{} ({})</th><th>{}</th></tr></thead>\n<tbody>",
        w.site,
        w.requests,
        w.observed,
        w.requests,
        w.simulated,
        w.miss,
        w.profile_distance,
        w.stockout,
        w.observed,
        w.stockout,
        w.simulated,
        w.fit
    );
    for f in &fits.sites {
        let sim = f.simulated_requests_per_day;
        let (class, verdict) = if f.pass {
            ("met", w.ok)
        } else {
            ("miss", w.missed)
        };
        let _ = writeln!(
            h,
            "<tr data-site=\"{}\"><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{} <span class=\"ci\">[{}, {}]</span></td>\
             <td class=\"num\">{:+.1}%</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}%</td><td class=\"{class}\">{}</td></tr>",
            escape(&f.site),
            escape(&f.site),
            trim(f.observed_requests_per_day.value, 1),
            trim(sim.mean, 1),
            trim(sim.ci95_low, 1),
            trim(sim.ci95_high, 1),
            100.0 * f.requests_miss,
            trim(f.profile_distance, 3),
            f.observed_stockout
                .map_or_else(|| "–".to_owned(), |x| format!("{}%", trim(100.0 * x, 2))),
            trim(100.0 * f.simulated_stockout, 2),
            verdict
        );
    }
    let _ = writeln!(h, "</tbody>\n</table>");
    let misses: Vec<(&str, &str)> = fits
        .sites
        .iter()
        .flat_map(|f| f.misses.iter().map(|m| (f.site.as_str(), m.as_str())))
        .collect();
    if !misses.is_empty() {
        let _ = writeln!(h, "<ul class=\"misses\">");
        for (site, miss) in misses {
            let _ = writeln!(h, "<li>{}: {}</li>", escape(site), escape(miss));
        }
        let _ = writeln!(h, "</ul>");
    }
    let _ = writeln!(h, "</section>");
    let _ = writeln!(h, "<section class=\"charts\" id=\"requests\">");
    let _ = writeln!(h, "<h2>{}</h2>", w.requests_chart);
    requests_chart(&mut h, fits, w);
    let _ = writeln!(h, "</section>");
    let _ = writeln!(h, "<section class=\"charts\" id=\"profiles\">");
    let _ = writeln!(h, "<h2>{}</h2>", w.profiles);
    for f in &fits.sites {
        chart(&mut h, f, w);
    }
    let _ = writeln!(h, "</section>");
    let _ = writeln!(h, "<section class=\"charts\" id=\"stockouts\">");
    let _ = writeln!(h, "<h2>{}</h2>", w.stockout_chart);
    stockout_chart(&mut h, fits, w);
    let _ = writeln!(h, "</section>");
    let _ = writeln!(h, "</body>\n</html>");
    h
}

/// How far a site is from its tolerances: the larger of its requests'
/// miss and its profile's distance, each over its tolerance (above 1
/// misses).
fn badness(f: &SiteFit, fits: &Backtest) -> f64 {
    let requests = if fits.tolerance > 0.0 {
        f.requests_miss.abs() / fits.tolerance
    } else {
        f.requests_miss.abs()
    };
    requests.max(f.profile_distance / fits.profile_tolerance.max(1e-9))
}

/// The answer in plain words (`id="summary"`): how many sites fit, with
/// the tolerances used, and the worst fits (up to three).
fn summary(h: &mut String, fits: &Backtest, lang: Lang) {
    let s = lang.summary_words();
    let w = words(lang);
    let n = fits.sites.len();
    let fit = fits.sites.iter().filter(|f| f.pass).count();
    let requests = trim(100.0 * fits.tolerance, 1);
    let profile = trim(fits.profile_tolerance, 3);
    let sentence = match lang {
        Lang::Zh => {
            let stockout = fits.stockout_tolerance.map_or_else(
                || "；缺电比例仅展示，不作判断".to_owned(),
                |t| format!("，缺电比例相差不超过 {} 个百分点", trim(100.0 * t, 1)),
            );
            format!(
                "{n} 个站点中有 {fit} 个与日志相符：日换电需求与模拟均值相差不超过 ±{requests}%（或落在模拟的 95% 区间内），分时需求分布的总变差不超过 {profile}{stockout}。"
            )
        }
        Lang::En => {
            let stockout = fits.stockout_tolerance.map_or_else(
                || "; the stockout share is shown, not judged".to_owned(),
                |t| {
                    format!(
                        ", and the stockout share within {} points",
                        trim(100.0 * t, 1)
                    )
                },
            );
            format!(
                "{fit} of {n} site{} fit{} the log: requests a day within ±{requests}% of the simulated mean (or inside its 95% interval), the hourly profile within {profile} (total variation){stockout}.",
                if n == 1 { "" } else { "s" },
                if n == 1 { "s" } else { "" },
            )
        }
    };
    let class = if fit == n { "ok" } else { "bad" };
    let _ = writeln!(h, "<section class=\"summary\" id=\"summary\">");
    let _ = writeln!(h, "<h2>{}</h2>", s.summary);
    let _ = writeln!(h, "<p class=\"{class}\">{}</p>", escape(&sentence));
    let mut worst: Vec<&SiteFit> = fits.sites.iter().collect();
    // Misses first, then the farthest from the tolerances; ties by name.
    worst.sort_by(|a, b| {
        a.pass
            .cmp(&b.pass)
            .then(badness(b, fits).total_cmp(&badness(a, fits)))
            .then(a.site.cmp(&b.site))
    });
    worst.truncate(3);
    if !worst.is_empty() {
        let _ = writeln!(h, "<p>{}:</p>\n<ul class=\"worst\">", w.worst);
        for f in worst {
            let line = match lang {
                Lang::Zh => format!(
                    "需求偏差 {:+.1}%，分时差异 {}{}",
                    100.0 * f.requests_miss,
                    trim(f.profile_distance, 3),
                    if f.pass { "，相符" } else { "，不符" }
                ),
                Lang::En => format!(
                    "requests {:+.1}%, profile {} apart{}",
                    100.0 * f.requests_miss,
                    trim(f.profile_distance, 3),
                    if f.pass { ", fits" } else { ", misses" }
                ),
            };
            let colon = match lang {
                Lang::Zh => "：",
                Lang::En => ": ",
            };
            let _ = writeln!(
                h,
                "<li data-site=\"{}\"><strong>{}</strong>{colon}{}</li>",
                escape(&f.site),
                escape(&f.site),
                escape(&line)
            );
        }
        let _ = writeln!(h, "</ul>");
    }
    if !fits.log_only.is_empty() {
        let names = fits.log_only.join(", ");
        let line = match lang {
            Lang::Zh => format!("日志中有场景未包含的站点，未比较：{names}"),
            Lang::En => format!("Sites in the log but not the scenario, not compared: {names}"),
        };
        let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(&line));
    }
    let _ = writeln!(h, "</section>");
}

/// One town's fits.
#[derive(Default)]
struct Town {
    sites: u32,
    fit: u32,
    observed: f64,
    simulated: f64,
}

/// The roll-up by town (`id="towns"`), when any site names its town:
/// sites, those that fit, and requests a day observed against simulated.
fn towns(h: &mut String, fits: &Backtest, lang: Lang) {
    if fits.sites.iter().all(|f| f.town.is_empty()) {
        return;
    }
    let s = lang.summary_words();
    let w = words(lang);
    let mut towns: BTreeMap<&str, Town> = BTreeMap::new();
    let mut all = Town::default();
    for f in &fits.sites {
        for t in [towns.entry(f.town.as_str()).or_default(), &mut all] {
            t.sites += 1;
            t.fit += u32::from(f.pass);
            t.observed += f.observed_requests_per_day.value;
            t.simulated += f.simulated_requests_per_day.mean;
        }
    }
    let _ = writeln!(h, "<section class=\"towns\" id=\"towns\">");
    let _ = writeln!(h, "<h2>{}</h2>", s.towns);
    let _ = writeln!(
        h,
        "<table class=\"towns\"><thead><tr><th>{}</th><th class=\"num\">{}</th>\
         <th class=\"num\">{}</th><th class=\"num\">{} ({})</th><th class=\"num\">{} ({})</th>\
         <th class=\"num\">{}</th></tr></thead>\n<tbody>",
        s.town, s.sites, w.fitting, w.requests, w.observed, w.requests, w.simulated, w.miss
    );
    let row = |h: &mut String, name: &str, t: &Town, class: &str| {
        let miss = if t.simulated > 0.0 {
            format!("{:+.1}%", 100.0 * (t.observed / t.simulated - 1.0))
        } else {
            "–".to_owned()
        };
        let bad = if t.fit < t.sites { " miss" } else { "" };
        let _ = writeln!(
            h,
            "<tr{class} data-town=\"{}\"><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num{bad}\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{miss}</td></tr>",
            escape(name),
            escape(name),
            t.sites,
            t.fit,
            trim(t.observed, 1),
            trim(t.simulated, 1),
        );
    };
    for (name, t) in &towns {
        row(h, if name.is_empty() { s.no_town } else { name }, t, "");
    }
    row(h, s.total, &all, " class=\"total\"");
    let _ = writeln!(h, "</tbody>\n</table>");
    let _ = writeln!(h, "</section>");
}

/// One site's profile chart: observed (solid) and simulated (dashed).
fn chart(h: &mut String, f: &SiteFit, w: &Words) {
    let _ = writeln!(
        h,
        "<figure class=\"chart\" data-site=\"{}\">",
        escape(&f.site)
    );
    if f.simulated_profile.len() != 24 {
        let _ = writeln!(h, "<p class=\"no-chart\">{}</p>", w.no_profile);
    }
    // The run's profile is requests by hour, the log's shares: both are
    // drawn as shares of the day.
    let shares = |v: &[f64]| -> Vec<f64> {
        let sum: f64 = v.iter().sum();
        v.iter()
            .map(|x| if sum > 0.0 { x / sum } else { 0.0 })
            .collect()
    };
    let observed = shares(&f.observed_profile);
    let simulated = shares(&f.simulated_profile);
    let top = observed
        .iter()
        .chain(&simulated)
        .fold(0.0_f64, |a, &b| a.max(b))
        .clamp(0.01, 1.0);
    // A round top: the next 2 % step.
    let top = (top / 0.02).ceil() * 0.02;
    let (left, right, up, down) = MARGIN;
    let x = |hour: f64| left + (WIDTH - left - right) * (hour + 0.5) / 24.0;
    let y = |share: f64| up + (HEIGHT - up - down) * (1.0 - share / top);
    let _ = writeln!(
        h,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         font-family=\"Noto Sans CJK SC, Microsoft YaHei, sans-serif\" font-size=\"11\">"
    );
    let steps = (top / 0.02).round() as u32;
    for i in 0..=steps {
        let share = f64::from(i) * 0.02;
        let _ = writeln!(
            h,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}%</text>",
            WIDTH - right,
            y(share),
            y(share),
            left - 4.0,
            y(share) + 4.0,
            trim(100.0 * share, 0)
        );
    }
    for hour in (0..24).step_by(3) {
        let _ = writeln!(
            h,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{hour}</text>",
            x(f64::from(hour)),
            HEIGHT - down + 14.0
        );
    }
    let _ = writeln!(
        h,
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        (left + WIDTH - right) / 2.0,
        HEIGHT - 4.0,
        w.hour
    );
    for (name, series, colour, dash) in [
        ("observed", &observed, "#1a1a1a", ""),
        (
            "simulated",
            &simulated,
            "#b00020",
            " stroke-dasharray=\"6 4\"",
        ),
    ] {
        if series.len() != 24 {
            continue;
        }
        let points: Vec<String> = (0..)
            .zip(series)
            .map(|(i, &s)| format!("{:.1},{:.1}", x(f64::from(i)), y(s)))
            .collect();
        let _ = writeln!(
            h,
            "<polyline class=\"series\" data-series=\"{name}\" fill=\"none\" stroke=\"{colour}\" \
             stroke-width=\"2\"{dash} points=\"{}\"/>",
            points.join(" ")
        );
    }
    // The legend, top right.
    let lx = WIDTH - right - 150.0;
    for (i, (label, colour, dash)) in [
        (w.observed, "#1a1a1a", ""),
        (w.simulated, "#b00020", " stroke-dasharray=\"6 4\""),
    ]
    .into_iter()
    .enumerate()
    {
        let ly = up + 10.0 + 16.0 * i as f64;
        let _ = writeln!(
            h,
            "<line x1=\"{lx}\" x2=\"{}\" y1=\"{ly}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/>\
             <text x=\"{}\" y=\"{}\">{label}</text>",
            lx + 24.0,
            lx + 30.0,
            ly + 4.0
        );
    }
    let _ = writeln!(h, "</svg>");
    let _ = writeln!(
        h,
        "<figcaption>{} — {} ({})</figcaption>",
        escape(&f.site),
        w.share,
        w.profiles
    );
    let _ = writeln!(h, "</figure>");
}

/// Height of one site's row in the charts of all sites \[SVG units\].
const ROW: f64 = 22.0;
/// Margins of the charts of all sites: the site names on the left, the
/// figures on the right, the axis below.
const ROWS_MARGIN: (f64, f64, f64, f64) = (150.0, 200.0, 34.0, 40.0);
/// Colours of the observed and simulated marks, as in the profile charts.
const OBSERVED: &str = "#1a1a1a";
const SIMULATED: &str = "#b00020";

/// The frame of a chart with a row per site: its SVG opening, and the x
/// position of a value on an axis from `from` to `to`.
struct Rows {
    from: f64,
    to: f64,
    height: f64,
}

impl Rows {
    fn new(h: &mut String, sites: usize, from: f64, to: f64) -> Rows {
        let (_, _, up, down) = ROWS_MARGIN;
        let height = up + down + ROW * sites.max(1) as f64;
        let _ = writeln!(
            h,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
             font-family=\"Noto Sans CJK SC, Microsoft YaHei, sans-serif\" font-size=\"11\">"
        );
        Rows { from, to, height }
    }

    /// The x of `value`, clamped to the axis.
    fn x(&self, value: f64) -> f64 {
        let (left, right, _, _) = ROWS_MARGIN;
        let share = ((value - self.from) / (self.to - self.from)).clamp(0.0, 1.0);
        left + (WIDTH - left - right) * share
    }

    /// The y of the middle of row `i`.
    fn y(&self, i: usize) -> f64 {
        ROWS_MARGIN.2 + ROW * (i as f64 + 0.5)
    }

    /// The plot's top and bottom.
    fn plot(&self) -> (f64, f64) {
        (ROWS_MARGIN.2, self.height - ROWS_MARGIN.3)
    }

    /// Grid lines and labels at `step`, the label of the axis, and the
    /// site's name at the left of each row.
    fn axis(&self, h: &mut String, step: f64, label: &str, names: &[&str]) {
        let (top, bottom) = self.plot();
        let ticks = ((self.to - self.from) / step).round() as i64;
        for i in 0..=ticks {
            let value = self.from + step * i as f64;
            let x = self.x(value);
            let _ = writeln!(
                h,
                "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{top}\" y2=\"{bottom}\" stroke=\"#ddd\"/>\
                 <text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{}%</text>",
                bottom + 14.0,
                trim(100.0 * value, 1)
            );
        }
        let (left, right, _, _) = ROWS_MARGIN;
        let _ = writeln!(
            h,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            (left + WIDTH - right) / 2.0,
            self.height - 4.0,
            escape(label)
        );
        for (i, name) in names.iter().enumerate() {
            let _ = writeln!(
                h,
                "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                left - 8.0,
                self.y(i) + 4.0,
                escape(&short(name))
            );
        }
    }

    /// The legend, above the plot: each mark and what it stands for.
    fn legend(&self, h: &mut String, items: &[(Mark, &str)]) {
        let mut x = ROWS_MARGIN.0;
        let y = 14.0;
        for (mark, label) in items {
            let _ = writeln!(
                h,
                "{}<text x=\"{:.1}\" y=\"{}\">{}</text>",
                mark.svg(x + 8.0, y - 4.0),
                x + 20.0,
                y,
                escape(label)
            );
            x += 34.0 + 7.0 * label.chars().count() as f64;
        }
    }
}

/// The marks of the charts of all sites, as the legend shows them.
#[derive(Clone, Copy)]
enum Mark {
    /// A simulated interval or share: a light bar.
    Bar,
    /// The simulated mean: a tick.
    Tick,
    /// An observed value: a dot.
    Dot,
    /// The band within a tolerance.
    Band,
}

impl Mark {
    /// The mark centred on (x, y).
    fn svg(self, x: f64, y: f64) -> String {
        let (left, top) = (x - 6.0, y - 4.0);
        match self {
            Mark::Bar => format!(
                "<rect x=\"{left:.1}\" y=\"{top:.1}\" width=\"12\" height=\"8\" \
                 fill=\"{SIMULATED}\" fill-opacity=\"0.35\"/>"
            ),
            Mark::Tick => format!(
                "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" \
                 stroke=\"{SIMULATED}\" stroke-width=\"2\"/>",
                y - 6.0,
                y + 6.0
            ),
            Mark::Dot => {
                format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"{OBSERVED}\"/>")
            }
            Mark::Band => format!(
                "<rect x=\"{left:.1}\" y=\"{top:.1}\" width=\"12\" height=\"8\" \
                 fill=\"#f1f1f1\" stroke=\"#ccc\"/>"
            ),
        }
    }
}

/// A site's name shortened for a chart's row label.
fn short(name: &str) -> String {
    let mut chars = name.chars();
    let mut out: String = chars.by_ref().take(14).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// A round step for an axis of `span`: at most about 6 ticks.
fn step(span: f64) -> f64 {
    [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0]
        .into_iter()
        .find(|s| span / s <= 6.0)
        .unwrap_or(1.0)
}

/// Requests a day of every site (`id="requests"`): per row, the
/// simulated 95 % interval as a bar, its mean as a tick and the observed
/// mean as a dot, all as shares of the simulated mean (0 % is the
/// simulated mean), over the band within the tolerance. A dot outside
/// both the bar and the band is a miss. The axis spans every mark up to
/// ±200 %; a dot past it sits at the edge, marked `data-clipped`.
fn requests_chart(h: &mut String, fits: &Backtest, w: &Words) {
    let relative = |f: &SiteFit| {
        let s = f.simulated_requests_per_day;
        (s.mean > 0.0).then(|| {
            (
                s.ci95_low / s.mean - 1.0,
                s.ci95_high / s.mean - 1.0,
                f.requests_miss,
            )
        })
    };
    let reach = fits
        .sites
        .iter()
        .filter_map(relative)
        .flat_map(|(low, high, miss)| [low.abs(), high.abs(), miss.abs()])
        .filter(|x| x.is_finite())
        .fold(fits.tolerance, f64::max)
        .clamp(0.05, 2.0)
        * 1.1;
    let step = step(2.0 * reach);
    let reach = ((reach / step).ceil() * step).min(2.0);
    let _ = writeln!(h, "<figure class=\"chart\">");
    let rows = Rows::new(h, fits.sites.len(), -reach, reach);
    let (top, bottom) = rows.plot();
    let (band_from, band_to) = (rows.x(-fits.tolerance), rows.x(fits.tolerance));
    let _ = writeln!(
        h,
        "<rect class=\"tolerance\" x=\"{band_from:.1}\" y=\"{top}\" width=\"{:.1}\" \
         height=\"{:.1}\" fill=\"#f1f1f1\"/>",
        band_to - band_from,
        bottom - top
    );
    let names: Vec<&str> = fits.sites.iter().map(|f| f.site.as_str()).collect();
    rows.axis(h, step, w.requests_axis, &names);
    let zero = rows.x(0.0);
    let _ = writeln!(
        h,
        "<line x1=\"{zero:.1}\" x2=\"{zero:.1}\" y1=\"{top}\" y2=\"{bottom}\" \
         stroke=\"{SIMULATED}\" stroke-dasharray=\"4 3\"/>"
    );
    let tolerance = format!("{} ±{}%", w.tolerance, trim(100.0 * fits.tolerance, 1));
    rows.legend(
        h,
        &[
            (Mark::Bar, w.interval),
            (Mark::Tick, w.mean),
            (Mark::Dot, w.observed_mean),
            (Mark::Band, &tolerance),
        ],
    );
    let (_, right, _, _) = ROWS_MARGIN;
    for (i, f) in fits.sites.iter().enumerate() {
        let y = rows.y(i);
        let sim = f.simulated_requests_per_day;
        let observed = f.observed_requests_per_day.value;
        let _ = writeln!(h, "<g class=\"fit\" data-site=\"{}\">", escape(&f.site));
        let _ = writeln!(
            h,
            "<title>{}: {} {observed:.1}, {} {:.1} [{:.1}, {:.1}] ({:+.1}%)</title>",
            escape(&f.site),
            w.observed,
            w.simulated,
            sim.mean,
            sim.ci95_low,
            sim.ci95_high,
            100.0 * f.requests_miss
        );
        if let Some((low, high, miss)) = relative(f) {
            let (from, to) = (rows.x(low), rows.x(high));
            let _ = writeln!(
                h,
                "<rect class=\"simulated\" x=\"{from:.1}\" y=\"{:.1}\" width=\"{:.1}\" \
                 height=\"10\" fill=\"{SIMULATED}\" fill-opacity=\"0.35\"/>\
                 <line x1=\"{zero:.1}\" x2=\"{zero:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" \
                 stroke=\"{SIMULATED}\" stroke-width=\"2\"/>",
                y - 5.0,
                (to - from).max(0.5),
                y - 7.0,
                y + 7.0
            );
            let clipped = if miss.abs() > reach {
                " data-clipped=\"true\""
            } else {
                ""
            };
            let colour = if f.pass { OBSERVED } else { SIMULATED };
            let _ = writeln!(
                h,
                "<circle class=\"observed\" cx=\"{:.1}\" cy=\"{y:.1}\" r=\"4\" \
                 fill=\"{colour}\"{clipped}/>",
                rows.x(miss)
            );
        }
        let _ = writeln!(
            h,
            "<text x=\"{}\" y=\"{:.1}\">{observed:.1} · {:.1} [{:.1}, {:.1}]</text>",
            WIDTH - right + 8.0,
            y + 4.0,
            sim.mean,
            sim.ci95_low,
            sim.ci95_high
        );
        let _ = writeln!(h, "</g>");
    }
    let _ = writeln!(h, "</svg>");
    let _ = writeln!(
        h,
        "<figcaption>{} — {} · {} [95%]</figcaption>",
        w.requests, w.observed, w.simulated
    );
    let _ = writeln!(h, "</figure>");
}

/// The stockout share of every site (`id="stockouts"`): per row, the
/// simulated share as a bar from 0 and the observed share as a dot, with
/// the band within the stockout tolerance around the simulated share
/// when one is judged.
fn stockout_chart(h: &mut String, fits: &Backtest, w: &Words) {
    let tolerance = fits.stockout_tolerance.unwrap_or(0.0);
    let most = fits
        .sites
        .iter()
        .flat_map(|f| {
            [
                f.simulated_stockout + tolerance,
                f.observed_stockout.unwrap_or(0.0),
            ]
        })
        .filter(|x| x.is_finite())
        .fold(0.01, f64::max)
        .min(1.0)
        * 1.1;
    let step = step(most);
    let top = ((most / step).ceil() * step).min(1.0);
    let _ = writeln!(h, "<figure class=\"chart\">");
    let rows = Rows::new(h, fits.sites.len(), 0.0, top);
    let names: Vec<&str> = fits.sites.iter().map(|f| f.site.as_str()).collect();
    rows.axis(h, step, w.stockout_axis, &names);
    let judged = fits
        .stockout_tolerance
        .map(|t| format!("{} ±{} {}", w.tolerance, trim(100.0 * t, 1), w.points));
    let mut legend = vec![(Mark::Bar, w.simulated), (Mark::Dot, w.observed)];
    if let Some(judged) = &judged {
        legend.push((Mark::Band, judged));
    }
    rows.legend(h, &legend);
    let (_, right, _, _) = ROWS_MARGIN;
    let zero = rows.x(0.0);
    for (i, f) in fits.sites.iter().enumerate() {
        let y = rows.y(i);
        let sim = f.simulated_stockout;
        let shown =
            |x: Option<f64>| x.map_or_else(|| "–".to_owned(), |x| format!("{:.2}%", 100.0 * x));
        let _ = writeln!(h, "<g class=\"fit\" data-site=\"{}\">", escape(&f.site));
        let _ = writeln!(
            h,
            "<title>{}: {} {}, {} {}</title>",
            escape(&f.site),
            w.observed,
            shown(f.observed_stockout),
            w.simulated,
            shown(Some(sim))
        );
        if let Some(t) = fits.stockout_tolerance {
            let (from, to) = (rows.x(sim - t), rows.x(sim + t));
            let _ = writeln!(
                h,
                "<rect class=\"tolerance\" x=\"{from:.1}\" y=\"{:.1}\" width=\"{:.1}\" \
                 height=\"{ROW}\" fill=\"#f1f1f1\"/>",
                y - ROW / 2.0,
                to - from
            );
        }
        let _ = writeln!(
            h,
            "<rect class=\"simulated\" x=\"{zero:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"10\" \
             fill=\"{SIMULATED}\" fill-opacity=\"0.35\"/>",
            y - 5.0,
            rows.x(sim) - zero
        );
        match f.observed_stockout {
            Some(observed) => {
                let _ = writeln!(
                    h,
                    "<circle class=\"observed\" cx=\"{:.1}\" cy=\"{y:.1}\" r=\"4\" \
                     fill=\"{OBSERVED}\"/>",
                    rows.x(observed)
                );
            }
            None => {
                let _ = writeln!(
                    h,
                    "<text class=\"no-observed\" x=\"{:.1}\" y=\"{:.1}\" fill=\"#767676\">{}</text>",
                    rows.x(sim) + 8.0,
                    y + 4.0,
                    w.no_stockout
                );
            }
        }
        let _ = writeln!(
            h,
            "<text x=\"{}\" y=\"{:.1}\">{} · {}</text>",
            WIDTH - right + 8.0,
            y + 4.0,
            shown(f.observed_stockout),
            shown(Some(sim))
        );
        let _ = writeln!(h, "</g>");
    }
    let _ = writeln!(h, "</svg>");
    let _ = writeln!(
        h,
        "<figcaption>{} — {} · {}</figcaption>",
        w.stockout, w.observed, w.simulated
    );
    let _ = writeln!(h, "</figure>");
}
