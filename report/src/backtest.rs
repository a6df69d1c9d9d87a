//! The report of a backtest (`swapsim backtest --html`): first the answer
//! in plain words (`id="summary"`: how many sites fit, the tolerances
//! used, the worst fits), the roll-up by town when the scenario's sites
//! name theirs (`id="towns"`), a table of the fits per site
//! (`id="sites"`), then per site a chart of the hour-of-day profile of
//! requests, observed against simulated (`id="profiles"`).
//!
//! The input is `records::Backtest`, what `backtest --format json`
//! prints. The chart is hand-drawn SVG (two polylines over 24 hours): a
//! plotters chart would bring its own layout for two lines of 24 points.

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
    let _ = writeln!(h, "<section class=\"charts\" id=\"profiles\">");
    let _ = writeln!(h, "<h2>{}</h2>", w.profiles);
    for f in &fits.sites {
        chart(&mut h, f, w);
    }
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
