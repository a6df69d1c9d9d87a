//! The weekly operations report (`swapsim weekly --html`): one ISO week of
//! the swap log against the plan, for the week's meeting. First the answer
//! (`id="summary"`): how many sites run above the plan's interval, and
//! what to do; then the roll-up by town (`id="towns"`), the per-site table
//! (`id="sites"`) and the action list (`id="actions"`).
//!
//! The input is `records::Weekly`, the same value `weekly --format json`
//! prints; the page reuses the run report's head, stylesheet and town
//! words.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use records::{SiteWeek, Weekly};

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
    let over = if s.planned_requests.1 > 0.0 {
        100.0 * (s.requests as f64 / s.planned_requests.1 - 1.0)
    } else {
        0.0
    };
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

/// One town's week.
#[derive(Default)]
struct Town {
    sites: u32,
    requests: u64,
    planned: f64,
    subscribers: u64,
    stockouts: u64,
    above: u32,
    batteries_to_add: u32,
}

impl Town {
    fn add(&mut self, s: &SiteWeek) {
        self.sites += 1;
        self.requests += s.requests;
        self.planned += s.planned_requests.1;
        self.subscribers += s.subscribers;
        self.stockouts += s.stockouts;
        self.above += u32::from(s.above_plan);
        self.batteries_to_add += s.batteries_to_add;
    }
}

/// The roll-up by town (`id="towns"`), or one line saying that no site
/// names its town.
fn towns(h: &mut String, week: &Weekly, lang: Lang) {
    let s = lang.summary_words();
    let w = words(lang);
    let _ = writeln!(h, "<section class=\"towns\" id=\"towns\">");
    let _ = writeln!(h, "<h2>{}</h2>", s.towns);
    if week.sites.iter().all(|x| x.town.is_empty()) {
        let _ = writeln!(h, "<p class=\"none\">{}</p>", s.no_towns);
        let _ = writeln!(h, "</section>");
        return;
    }
    let mut towns: BTreeMap<&str, Town> = BTreeMap::new();
    let mut all = Town::default();
    for site in &week.sites {
        towns.entry(site.town.as_str()).or_default().add(site);
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
    let row = |h: &mut String, name: &str, t: &Town, class: &str| {
        let miss = if t.above > 0 { " miss" } else { "" };
        let _ = writeln!(
            h,
            "<tr{class}><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num{miss}\">{}</td><td class=\"num\">{}</td></tr>",
            escape(name),
            t.sites,
            t.requests,
            trim(t.planned, 0),
            t.subscribers,
            t.stockouts,
            t.above,
            t.batteries_to_add
        );
    };
    for (name, t) in &towns {
        row(h, if name.is_empty() { s.no_town } else { name }, t, "");
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
             <td class=\"num\" data-field=\"cabinets_planned\">{}</td></tr>",
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
            trim(site.planned_subscribers, 0),
            site.stockouts,
            trim(site.planned_stockouts, 1),
            site.cabinets_seen,
            site.cabinets_planned,
        );
    }
    let _ = writeln!(h, "</tbody>\n</table>");
    let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(w.table_note));
    let _ = writeln!(h, "</section>");
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
            let _ = writeln!(
                h,
                "<tr data-site=\"{}\"><td>{}</td><td class=\"num\" data-field=\"batteries_to_add\">{}</td><td>{}</td></tr>",
                escape(&s.site),
                escape(&s.site),
                s.batteries_to_add,
                escape(&action(s, lang))
            );
        }
        let _ = writeln!(h, "</tbody>\n</table>");
    }
    let _ = writeln!(h, "</section>");
}
