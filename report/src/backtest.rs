//! The report of a backtest (`swapsim backtest --html`): a table of the
//! fits per site (`id="sites"`), then per site a chart of the hour-of-day
//! profile of requests, observed against simulated (`id="profiles"`).
//!
//! The input is `records::Backtest`, what `backtest --format json`
//! prints. The chart is hand-drawn SVG (two polylines over 24 hours): a
//! plotters chart would bring its own layout for two lines of 24 points.

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
