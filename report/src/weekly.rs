//! The weekly operations report (`swapsim weekly --html`): one ISO week of
//! the swap log against the plan, for the week's meeting. First the answer
//! (`id="summary"`): how many sites run above the plan's interval, and
//! what to do; then the roll-up by town (`id="towns"`), the per-site table
//! (`id="sites"`) and the action list (`id="actions"`). Where `weekly`
//! searched for it, each site above the plan gets a sentence on the
//! adoption at which the planned sizing stops meeting the plan's targets,
//! against this week's.
//!
//! The input is `records::Weekly`, the same value `weekly --format json`
//! prints; the page reuses the run report's head, stylesheet and town
//! words.

use std::fmt::Write as _;

use records::{SiteWeek, TownWeek, Weekly};

use crate::format::{escape, trim};
use crate::html::page_head;
use crate::i18n::Lang;

/// The labels of the weekly report, in each language as the fields of one
/// struct, so a missing translation does not compile.
struct Words {
    title: &'static str,
    sites_title: &'static str,
    actions_title: &'static str,
    site: &'static str,
    requests: &'static str,
    plan_interval: &'static str,
    vs_last_week: &'static str,
    subscribers: &'static str,
    stockouts: &'static str,
    cabinets_seen: &'static str,
    plan: &'static str,
    above: &'static str,
    batteries_to_add: &'static str,
    action: &'static str,
    no_action: &'static str,
    table_note: &'static str,
    adoption: &'static str,
    adoption_today: &'static str,
    holds_up_to: &'static str,
    headroom_note: &'static str,
}

const ZH: Words = Words {
    title: "换电运营周报",
    sites_title: "各站点本周情况",
    actions_title: "行动清单",
    site: "站点",
    requests: "换电需求 [次/周]",
    plan_interval: "方案预测 [95% 区间]",
    vs_last_week: "环比上周",
    subscribers: "换电用户",
    stockouts: "缺电次数",
    cabinets_seen: "在用换电柜",
    plan: "方案",
    above: "超出方案的站点",
    batteries_to_add: "建议增加电池",
    action: "行动",
    no_action: "本周没有站点超出方案预测，无需调整。",
    table_note: "换电需求含成功换电与因无满电电池而失败的尝试；方案预测为方案每日 95% 区间的 7 倍。",
    adoption: "方案渗透率",
    adoption_today: "本周渗透率",
    holds_up_to: "方案可承受渗透率",
    headroom_note: "渗透率为换电用户（不含骑手）占电动车的比例；方案可承受渗透率：按方案配置、方案的天数与重复次数模拟，仍满足方案全部指标的最高渗透率（二分法，区间内第一个不达标的值在括号中）。",
};

const EN: Words = Words {
    title: "Weekly swap operations",
    sites_title: "Sites this week",
    actions_title: "Actions",
    site: "Site",
    requests: "Requests [/week]",
    plan_interval: "Plan [95% interval]",
    vs_last_week: "vs last week",
    subscribers: "Subscribers",
    stockouts: "Stockouts",
    cabinets_seen: "Cabinets in use",
    plan: "plan",
    above: "Sites above plan",
    batteries_to_add: "Batteries to add",
    action: "Action",
    no_action: "No site runs above the plan this week; nothing to change.",
    table_note: "Requests are swaps plus attempts that found no charged battery; the plan's interval is 7 × its daily 95% interval.",
    adoption: "Adoption (plan)",
    adoption_today: "Adoption today",
    holds_up_to: "Plan holds up to",
    headroom_note: "Adoption is the share of the e-bikes on a subscription (couriers apart). The plan holds up to: the highest adoption at which the planned sizing still meets every target of the plan, run with the plan's days and replications (a bisection; the first adoption found to miss is in brackets).",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// The week against the plan named `plan`, as one self-contained HTML
/// page in `lang` (inline CSS, no script), well-formed XML.
///
/// ```
/// let week = records::Weekly {
///     week: "2024-W14".into(),
///     from: "2024-04-01".into(),
///     to: "2024-04-07".into(),
///     sites: vec![],
///     towns: vec![],
///     unplanned: vec![],
///     tolerance: 0.1,
/// };
/// let html = report::render_weekly_html(&week, "碧山 <试点>", report::Lang::En);
/// assert!(html.contains("id=\"summary\""));
/// assert!(html.contains("碧山 &lt;试点&gt;"));
/// ```
pub fn render_weekly_html(week: &Weekly, plan: &str, lang: Lang) -> String {
    let w = words(lang);
    let subtitle = match lang {
        Lang::Zh => format!(
            "{}（{} 至 {}），方案：{plan}",
            week.week, week.from, week.to
        ),
        Lang::En => format!("{} ({} to {}), plan: {plan}", week.week, week.from, week.to),
    };
    let mut h = String::new();
    page_head(&mut h, lang, w.title, &subtitle);
    summary(&mut h, week, lang);
    towns(&mut h, week, lang);
    sites(&mut h, week, lang);
    actions(&mut h, week, lang);
    let _ = writeln!(h, "</body>");
    let _ = writeln!(h, "</html>");
    h
}

/// The growth as `+4.2%`, or `–` without a week before.
fn growth(g: Option<f64>) -> String {
    g.map_or_else(|| "–".to_owned(), |g| format!("{:+.1}%", 100.0 * g))
}

/// One action in words: re-plan, the demand over the plan's mean, and the
/// batteries to add.
fn action(s: &SiteWeek, lang: Lang) -> String {
    let over = over_plan(s);
    match lang {
        Lang::Zh => format!(
            "重新规划：需求比方案高 {over:.0}%，约需增加 {} 块电池",
            s.batteries_to_add
        ),
        Lang::En => format!(
            "re-plan: demand {over:+.0}% on the plan; add about {} batteries",
            s.batteries_to_add
        ),
    }
}

/// An adoption to two decimals, rounded down (a limit is not to be
/// overstated).
fn adoption_floor(a: f64) -> String {
    format!("{:.2}", ((a + 1e-9) * 100.0).floor() / 100.0)
}

/// The demand over the plan's mean, in per cent.
fn over_plan(s: &SiteWeek) -> f64 {
    if s.planned_requests.1 > 0.0 {
        100.0 * (s.requests as f64 / s.planned_requests.1 - 1.0)
    } else {
        0.0
    }
}

/// Where the plan stops holding at a site above it, in a sentence: the
/// demand over the plan, the adoption the plan holds to, and today's;
/// `None` when it was not searched.
fn headroom_sentence(s: &SiteWeek, lang: Lang) -> Option<String> {
    let h = s.headroom.as_ref()?;
    let over = over_plan(s);
    let site = &s.site;
    let today_a = s.adoption_today.map(|a| format!("{a:.2}"));
    let per_day = s.requests_per_day();
    let past = s.past_headroom();
    Some(match lang {
        Lang::Zh => {
            let today = today_a.map_or(String::new(), |a| format!("，目前为 {a}"));
            let head = format!("{site}的换电需求比方案高 {over:.0}%；");
            match (h.holds_up_to, h.misses_at) {
                (Some(low), Some(_)) => format!(
                    "{head}按方案配置，换电渗透率不超过 {} 时仍满足方案指标（约每日 {} 次需求，本周每日 {} 次{}）{today}。",
                    adoption_floor(low),
                    trim(h.requests_per_day.unwrap_or(0.0), 0),
                    trim(per_day, 0),
                    if past { "，已超出" } else { "" }
                ),
                (Some(_), None) => format!(
                    "{head}按方案配置，即使全部电动车都换电（渗透率 1）仍满足方案指标{today}。"
                ),
                (None, _) => format!("{head}按方案配置，即使渗透率为 0 也不满足方案指标{today}。"),
            }
        }
        Lang::En => {
            let today = today_a.map_or(String::new(), |a| format!(", today {a}"));
            let head = format!("Demand at {site} runs {over:.0}% above plan; ");
            match (h.holds_up_to, h.misses_at) {
                (Some(low), Some(_)) => format!(
                    "{head}the plan holds up to adoption {} (about {} requests a day; this week {} a day{}){today}.",
                    adoption_floor(low),
                    trim(h.requests_per_day.unwrap_or(0.0), 0),
                    trim(per_day, 0),
                    if past { ", already past it" } else { "" }
                ),
                (Some(_), None) => format!(
                    "{head}the plan holds even if every e-bike subscribes (adoption 1){today}."
                ),
                (None, _) => {
                    format!("{head}the plan misses its targets even at adoption 0{today}.")
                }
            }
        }
    })
}

/// The answer in plain words (`id="summary"`).
fn summary(h: &mut String, week: &Weekly, lang: Lang) {
    let s = lang.summary_words();
    let w = words(lang);
    let above: Vec<&SiteWeek> = week.sites.iter().filter(|s| s.above_plan).collect();
    let tolerance = trim(100.0 * week.tolerance, 1);
    let n = week.sites.len();
    let _ = writeln!(h, "<section class=\"summary\" id=\"summary\">");
    let _ = writeln!(h, "<h2>{}</h2>", s.summary);
    let sentence = match lang {
        Lang::Zh => format!(
            "本周 {n} 个站点中有 {} 个的换电需求超出方案预测区间上限 {tolerance}% 以上。",
            above.len()
        ),
        Lang::En => format!(
            "{} of {n} site{} run{} above the plan's interval (past its top by more than {tolerance}%) this week.",
            above.len(),
            if n == 1 { "" } else { "s" },
            if above.len() == 1 { "s" } else { "" },
        ),
    };
    let class = if above.is_empty() { "ok" } else { "bad" };
    let _ = writeln!(h, "<p class=\"{class}\">{}</p>", escape(&sentence));
    if above.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", escape(w.no_action));
    } else {
        let _ = writeln!(h, "<ul class=\"misses\">");
        let colon = match lang {
            Lang::Zh => "：",
            Lang::En => ": ",
        };
        for s in &above {
            let _ = writeln!(
                h,
                "<li><strong>{}</strong>{colon}{}</li>",
                escape(&s.site),
                escape(&action(s, lang))
            );
        }
        let _ = writeln!(h, "</ul>");
        for s in &above {
            if let Some(sentence) = headroom_sentence(s, lang) {
                let _ = writeln!(
                    h,
                    "<p class=\"headroom\" data-site=\"{}\">{}</p>",
                    escape(&s.site),
                    escape(&sentence)
                );
            }
        }
    }
    if !week.unplanned.is_empty() {
        let names = week.unplanned.join(", ");
        let line = match lang {
            Lang::Zh => format!("日志中有方案未包含的站点，未列入：{names}"),
            Lang::En => format!("Sites in the log but not the plan, not reported: {names}"),
        };
        let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(&line));
    }
    let _ = writeln!(h, "</section>");
}

/// A planned figure with its 95 % interval beside it, as the sites'
/// requests show theirs.
fn interval(mean: f64, (low, high): (f64, f64), digits: usize) -> String {
    format!(
        "{} <span class=\"ci\">[{}, {}]</span>",
        trim(mean, digits),
        trim(low, digits),
        trim(high, digits)
    )
}

/// The roll-up by town (`id="towns"`), or one line saying that no site
/// names its town.
fn towns(h: &mut String, week: &Weekly, lang: Lang) {
    let s = lang.summary_words();
    let w = words(lang);
    let _ = writeln!(h, "<section class=\"towns\" id=\"towns\">");
    let _ = writeln!(h, "<h2>{}</h2>", s.towns);
    if week.towns.is_empty() {
        let _ = writeln!(h, "<p class=\"none\">{}</p>", s.no_towns);
        let _ = writeln!(h, "</section>");
        return;
    }
    let mut all = TownWeek::default();
    for site in &week.sites {
        all.add(site);
    }
    let _ = writeln!(h, "<table class=\"towns\">");
    let _ = write!(h, "<thead><tr><th>{}</th>", s.town);
    for head in [
        s.sites,
        w.requests,
        w.plan,
        w.subscribers,
        w.stockouts,
        w.above,
        w.batteries_to_add,
    ] {
        let _ = write!(h, "<th class=\"num\">{}</th>", escape(head));
    }
    let _ = writeln!(h, "</tr></thead>\n<tbody>");
    let row = |h: &mut String, name: &str, t: &TownWeek, class: &str| {
        let miss = if t.above_plan > 0 { " miss" } else { "" };
        let _ = writeln!(
            h,
            "<tr{class}><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num{miss}\">{}</td><td class=\"num\">{}</td></tr>",
            escape(name),
            t.sites,
            t.requests,
            interval(t.planned_requests, t.planned_requests_interval, 0),
            t.subscribers,
            t.stockouts,
            t.above_plan,
            t.batteries_to_add
        );
    };
    for t in &week.towns {
        let name = if t.town.is_empty() {
            s.no_town
        } else {
            t.town.as_str()
        };
        row(h, name, t, "");
    }
    row(h, s.total, &all, " class=\"total\"");
    let _ = writeln!(h, "</tbody>\n</table>");
    let _ = writeln!(h, "</section>");
}

/// The per-site table (`id="sites"`): each row has `data-site`, and each
/// figure's cell the JSON name of its field in `data-field`.
fn sites(h: &mut String, week: &Weekly, lang: Lang) {
    let s = lang.summary_words();
    let w = words(lang);
    let _ = writeln!(h, "<section class=\"sites\" id=\"sites\">");
    let _ = writeln!(h, "<h2>{}</h2>", w.sites_title);
    let _ = writeln!(h, "<table class=\"sites\">");
    let _ = write!(h, "<thead><tr><th>{}</th><th>{}</th>", w.site, s.town);
    for head in [
        w.requests,
        w.plan_interval,
        w.vs_last_week,
        w.subscribers,
        w.plan,
        w.stockouts,
        w.plan,
        w.cabinets_seen,
        w.plan,
        w.adoption,
        w.adoption_today,
        w.holds_up_to,
    ] {
        let _ = write!(h, "<th class=\"num\">{}</th>", escape(head));
    }
    let _ = writeln!(h, "</tr></thead>\n<tbody>");
    for site in &week.sites {
        let (low, mean, high) = site.planned_requests;
        let miss = if site.above_plan { " miss" } else { "" };
        let cabinets = if site.cabinets_seen as u64 > u64::from(site.cabinets_planned) {
            " miss"
        } else {
            ""
        };
        let _ = writeln!(
            h,
            "<tr data-site=\"{}\"><td>{}</td><td>{}</td>\
             <td class=\"num{miss}\" data-field=\"requests\">{}</td>\
             <td class=\"num\">{} <span class=\"ci\">[{}, {}]</span></td>\
             <td class=\"num\" data-field=\"growth\">{}</td>\
             <td class=\"num\" data-field=\"subscribers\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\" data-field=\"stockouts\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num{cabinets}\" data-field=\"cabinets_seen\">{}</td>\
             <td class=\"num\" data-field=\"cabinets_planned\">{}</td>\
             <td class=\"num\" data-field=\"adoption_planned\">{}</td>\
             <td class=\"num\" data-field=\"adoption_today\">{}</td>\
             <td class=\"num\" data-field=\"headroom\">{}</td></tr>",
            escape(&site.site),
            escape(&site.site),
            if site.town.is_empty() {
                "–".to_owned()
            } else {
                escape(&site.town)
            },
            site.requests,
            trim(mean, 0),
            trim(low, 0),
            trim(high, 0),
            growth(site.growth),
            site.subscribers,
            interval(
                site.planned_subscribers,
                site.planned_subscribers_interval,
                0
            ),
            site.stockouts,
            interval(site.planned_stockouts, site.planned_stockouts_interval, 1),
            site.cabinets_seen,
            site.cabinets_planned,
            share(Some(site.adoption_planned)),
            share(site.adoption_today),
            headroom_cell(site),
        );
    }
    let _ = writeln!(h, "</tbody>\n</table>");
    let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(w.table_note));
    let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(w.headroom_note));
    let _ = writeln!(h, "</section>");
}

/// A share to three decimals, or `–`.
fn share(a: Option<f64>) -> String {
    a.map_or_else(|| "–".to_owned(), |a| format!("{a:.3}"))
}

/// The adoption the plan holds up to, with the first found to miss in
/// brackets below it, as the plan's interval is: `0.516 [0.523]`; `–`
/// when not searched. HTML.
fn headroom_cell(s: &SiteWeek) -> String {
    s.headroom.as_ref().map_or_else(
        || "–".to_owned(),
        |h| {
            format!(
                "{} <span class=\"ci\">[{}]</span>",
                share(h.holds_up_to),
                share(h.misses_at)
            )
        },
    )
}

/// The action list (`id="actions"`): sites to re-plan and batteries to
/// add.
fn actions(h: &mut String, week: &Weekly, lang: Lang) {
    let w = words(lang);
    let _ = writeln!(h, "<section class=\"actions\" id=\"actions\">");
    let _ = writeln!(h, "<h2>{}</h2>", w.actions_title);
    let above: Vec<&SiteWeek> = week.sites.iter().filter(|s| s.above_plan).collect();
    if above.is_empty() {
        let _ = writeln!(h, "<p class=\"none\">{}</p>", escape(w.no_action));
    } else {
        let _ = writeln!(
            h,
            "<table class=\"actions\"><thead><tr><th>{}</th><th class=\"num\">{}</th><th>{}</th></tr></thead>\n<tbody>",
            w.site, w.batteries_to_add, w.action
        );
        for s in above {
            let mut what = action(s, lang);
            if let Some(sentence) = headroom_sentence(s, lang) {
                what.push_str(match lang {
                    Lang::Zh => "。",
                    Lang::En => ". ",
                });
                what.push_str(&sentence);
            }
            let _ = writeln!(
                h,
                "<tr data-site=\"{}\"><td>{}</td><td class=\"num\" data-field=\"batteries_to_add\">{}</td><td>{}</td></tr>",
                escape(&s.site),
                escape(&s.site),
                s.batteries_to_add,
                escape(&what)
            );
        }
        let _ = writeln!(h, "</tbody>\n</table>");
    }
    let _ = writeln!(h, "</section>");
}
