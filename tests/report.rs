//! The HTML report and its charts (crate `report`).
//!
//! The run reports come from simulations made here (the shipped pilot, 5
//! days × 2 replications at seed 1; a three-site fixture with names that
//! need escaping); the plan and compare reports from JSON the CLI printed
//! (`tests/fixtures/report/README.md` says how to remake them).
//!
//! The structure of each report is pinned as an outline of its elements
//! and classes, without text or numbers, in `tests/fixtures/report/*.outline`.
//! After an intended change, rewrite them with
//! `UPDATE_GOLDEN=1 cargo test --test integration report::` and review the
//! diff.
//!
//! `SWAPSIM_REPORT_HTML=FILE` makes `report::writes_the_browser_page` write
//! the pilot's Chinese report to FILE for `.ci/browser-test`.
//!
//! The PNG charts need a font with Chinese glyphs: `$SWAPSIM_FONT`, or one
//! in `report::CJK_FONT_PATHS` (Debian's `fonts-noto-cjk`, which `.ci/run`
//! installs). Without one the PNG checks are skipped with a note, except
//! under CI (`CI` set), where that is a failure.

use std::fs;
use std::path::PathBuf;
use std::sync::OnceLock;

use report::{Chart, Font, Kind, Lang, ReportInput, charts, load_dir, render_html};
use sim_core::{Model, RunResult};
use swapsim_suite::fixtures::{root, update_golden};

/// Where the fixtures and outlines live.
const FIXTURES: &str = "tests/fixtures/report";

fn fixture(name: &str) -> PathBuf {
    root().join(FIXTURES).join(name)
}

/// `path` loaded with `days` and `replications` overridden.
fn model(path: &str, days: u32, replications: u32) -> Model {
    let mut model = scenarios::load(&root().join(path)).unwrap_or_else(|e| panic!("{path}: {e:?}"));
    model.days = days;
    model.replications = replications;
    model
}

/// The shipped pilot at 5 days × 2 replications, seed 1.
fn pilot() -> &'static (Model, RunResult) {
    static PILOT: OnceLock<(Model, RunResult)> = OnceLock::new();
    PILOT.get_or_init(|| {
        let model = model("scenarios/bishan-pilot.toml", 5, 2);
        let result = sim_core::run(&model, 0);
        (model, result)
    })
}

/// The three-site fixture on two transformers, as scenario-file says.
fn three_sites() -> &'static (Model, RunResult) {
    static THREE: OnceLock<(Model, RunResult)> = OnceLock::new();
    THREE.get_or_init(|| {
        let model = model(&format!("{FIXTURES}/three-sites.toml"), 6, 2);
        let result = sim_core::run(&model, 0);
        (model, result)
    })
}

fn pilot_input() -> ReportInput {
    let (model, result) = pilot();
    ReportInput::from_run(result, model)
}

/// `path`'s context as the CLI builds it: values from `model`, sources from
/// the comments in the file.
fn sourced_context(path: &str, model: &Model) -> report::Context {
    let (_, comments) =
        scenarios::load_commented(&root().join(path)).unwrap_or_else(|e| panic!("{path}: {e:?}"));
    report::Context::from_scenario(
        model,
        report::ScenarioFile {
            path,
            comments: &comments,
        },
    )
}

/// Runs `swapsim ARGS...` in-process and returns its exit code and stderr.
fn swapsim(args: &[&str]) -> (u8, String) {
    let argv = std::iter::once("swapsim").chain(args.iter().copied());
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let status = swapsim_cli::main_with(
        argv,
        &mut stdout,
        &mut stderr,
        swapsim_cli::Progress::Hidden,
    );
    (status, String::from_utf8_lossy(&stderr).into_owned())
}

/// The text a reader sees: every text node but the stylesheet's, in
/// document order (chart text included, markup and attributes not).
fn visible_text(html: &str) -> Vec<String> {
    parse(html)
        .descendants()
        .filter(|n| n.is_text())
        .filter(|n| {
            n.parent_element()
                .is_none_or(|p| p.tag_name().name() != "style")
        })
        .filter_map(|n| n.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Unit symbols and names a Chinese report may show in Latin letters
/// (Gogoro is an operator's name, cited beside its figures), the
/// command line and file a large report points to for what it leaves out,
/// and the scenario file's `[costs]` that a comparison prices with.
const LATIN_WORDS: [&str; 13] = [
    "kW", "kVA", "kWh", "CNY", "SOC", "swapsim", "Student", "Gogoro", "report", "charts",
    "summary", "json", "costs",
];

/// Every run of three or more ASCII letters in `html`'s visible text that
/// is not a word of [`LATIN_WORDS`] or part of `names` (scenario, site,
/// transformer and group names, and the scenario's comments, all the
/// scenario author's text), with the text it is in.
fn english_words(html: &str, names: &[String]) -> Vec<(String, String)> {
    let mut names: Vec<&str> = names.iter().map(String::as_str).collect();
    names.extend(["scenarios/README.md", report::SOURCES_FILE, "DOMAIN.md"]);
    // Longest first, so that a name containing another goes whole.
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let mut found = Vec::new();
    for text in visible_text(html) {
        let mut rest = text.clone();
        for name in &names {
            rest = rest.replace(name, " ");
        }
        for word in rest
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() >= 3 && !LATIN_WORDS.contains(w))
        {
            found.push((word.to_owned(), text.clone()));
        }
    }
    found
}

/// What a scenario's author wrote that a report shows as it is: the
/// scenario's name, its sites', transformers' and rider groups' names, and
/// the comments quoted as sources.
fn author_text(model: &Model, context: &report::Context) -> Vec<String> {
    let mut names = vec![model.name.clone()];
    names.extend(model.sites.iter().map(|s| s.name.clone()));
    names.extend(model.grid.transformers.iter().map(|t| t.name.clone()));
    names.extend(model.riders.groups.iter().map(|g| g.name.clone()));
    names.extend(context.file.clone());
    for a in &context.assumptions {
        if let report::Source::Comment { text } = &a.source {
            names.push(text.clone());
        }
    }
    names
}

/// The text inside element `n`.
fn text_of(n: roxmltree::Node<'_, '_>) -> String {
    n.descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect()
}

/// The assumptions table's rows: parameter, value, source.
fn assumption_rows(html: &str) -> Vec<[String; 3]> {
    let doc = parse(html);
    doc.descendants()
        .filter(|n| n.tag_name().name() == "table" && classes(*n).contains(&"assumptions"))
        .flat_map(|t| t.descendants().filter(|n| n.tag_name().name() == "tr"))
        .filter_map(|tr| {
            let cells: Vec<String> = tr
                .children()
                .filter(|c| c.tag_name().name() == "td")
                .map(text_of)
                .collect();
            <[String; 3]>::try_from(cells).ok()
        })
        .collect()
}

/// The HTML parsed as XML: the report is well-formed as well as HTML.
fn parse(html: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(html, options)
        .unwrap_or_else(|e| panic!("the report is not well-formed: {e}"))
}

/// Elements with local name `tag` whose class list has `class` (any class
/// if empty).
fn count(doc: &roxmltree::Document<'_>, tag: &str, class: &str) -> usize {
    doc.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == tag)
        .filter(|n| class.is_empty() || classes(*n).contains(&class))
        .count()
}

fn classes<'a>(n: roxmltree::Node<'a, '_>) -> Vec<&'a str> {
    n.attribute("class")
        .map(|c| c.split_whitespace().collect())
        .unwrap_or_default()
}

/// The structure of the report: one line per element, `tag.class...`,
/// indented by depth; an SVG chart is one line; a run of siblings with the
/// same structure shows once, followed by `…`. No text, no numbers, and
/// nothing that follows from them: intervals (`.ci`, absent for a point
/// interval) are left out, and so are the `miss` and `met` classes.
fn outline(html: &str) -> String {
    fn walk(n: roxmltree::Node<'_, '_>, depth: usize) -> Vec<String> {
        let mut line = format!("{}{}", "  ".repeat(depth), n.tag_name().name());
        for class in classes(n)
            .into_iter()
            .filter(|c| !matches!(*c, "miss" | "met"))
        {
            line.push('.');
            line.push_str(class);
        }
        let mut lines = vec![line];
        if n.tag_name().name() == "svg" {
            return lines;
        }
        let mut previous: Option<Vec<String>> = None;
        let mut repeated = false;
        let children = n
            .children()
            .filter(|c| c.is_element() && !classes(*c).contains(&"ci"));
        for child in children {
            let sub = walk(child, depth + 1);
            if previous.as_ref() == Some(&sub) {
                if !repeated {
                    lines.push(format!("{}…", "  ".repeat(depth + 1)));
                    repeated = true;
                }
                continue;
            }
            repeated = false;
            lines.extend(sub.iter().cloned());
            previous = Some(sub);
        }
        lines
    }
    let doc = parse(html);
    let mut text = walk(doc.root_element(), 0).join("\n");
    text.push('\n');
    text
}

/// Compares `actual` with the golden file `name`, or rewrites it under
/// `UPDATE_GOLDEN=1`.
fn golden(name: &str, actual: &str) {
    let path = fixture(name);
    if update_golden() {
        fs::write(&path, actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "{} differs (UPDATE_GOLDEN=1 rewrites it); actual:\n{actual}",
        path.display()
    );
}

/// Nothing in the page loads anything: no scripts, links, images, fonts or
/// URLs other than the SVG namespace.
fn assert_self_contained(html: &str) {
    for bad in [
        "<script", "<link", "<img", "<iframe", " src=", "url(", "@import",
    ] {
        assert!(!html.contains(bad), "the report holds '{bad}'");
    }
    let urls = html.matches("http").count();
    let namespaces = html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count();
    assert_eq!(urls, namespaces, "only SVG namespaces may name a URL");
}

/// Series groups of a chart, by their `data-series` names.
fn series_names(chart: &Chart) -> Vec<String> {
    let doc = roxmltree::Document::parse(&chart.svg)
        .unwrap_or_else(|e| panic!("{}: not SVG: {e}", chart.name));
    let svg = doc.root_element();
    assert_eq!(svg.tag_name().name(), "svg", "{}", chart.name);
    assert!(svg.attribute("viewBox").is_some(), "{}", chart.name);
    svg.descendants()
        .filter(|n| n.tag_name().name() == "g" && classes(*n).contains(&"series"))
        .map(|g| {
            let drawn = g.descendants().filter(|n| {
                matches!(
                    n.tag_name().name(),
                    "polyline" | "polygon" | "rect" | "circle" | "line" | "path"
                )
            });
            assert!(drawn.count() > 0, "{}: an empty series", chart.name);
            g.attribute("data-series").unwrap_or_default().to_owned()
        })
        .collect()
}

#[test]
fn a_run_report_has_its_tables_charts_and_language() {
    let input = pilot_input();
    for lang in [Lang::Zh, Lang::En] {
        let html = render_html(&input, lang);
        assert_self_contained(&html);
        assert!(html.contains(&format!("<html lang=\"{}\">", lang.tag())));
        let doc = parse(&html);
        // The summary's key figures and transformer headroom, overview,
        // network KPIs, site KPIs, energy by where it is drawn, operator
        // figures (one site: no per-site table), assumptions.
        assert_eq!(count(&doc, "table", ""), 8, "{lang:?}");
        assert_eq!(count(&doc, "table", "kpi"), 2);
        // The site map; one transformer: its load and its charging load;
        // ready stock, requests, waits, fallback.
        assert_eq!(count(&doc, "figure", "chart"), 7, "{lang:?}");
        assert_eq!(count(&doc, "svg", "chart"), 7);
        assert_eq!(count(&doc, "figcaption", ""), 7);
        // Every KPI of the network, in the engine's order.
        let network_rows = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "table" && classes(*n).contains(&"network"))
            .flat_map(|t| t.descendants().filter(|n| n.tag_name().name() == "tr"))
            .count();
        assert_eq!(network_rows, 1 + sim_core::Kpis::NAMES.len());
    }
    let zh = render_html(&input, Lang::Zh);
    let en = render_html(&input, Lang::En);
    for label in [
        "换电仿真报告",
        "关键指标",
        "换电失败率",
        "95% 置信区间",
        "假设与来源",
        "日负荷曲线",
        "目标检查",
        "美吉鑫小区",
        "1号箱变",
    ] {
        assert!(zh.contains(label), "zh lacks '{label}'");
    }
    for label in [
        "Battery-swap simulation report",
        "Key performance indicators",
        "Lost swaps",
        "95% interval",
        "Assumptions and sources",
        "load over the day",
        "Hour of day [h]",
        "美吉鑫小区",
    ] {
        assert!(en.contains(label), "en lacks '{label}'");
    }
    for zh_only in ["关键指标", "换电失败率", "日负荷曲线", "时刻 [h]", "次/天"] {
        assert!(!en.contains(zh_only), "en still says '{zh_only}'");
    }
}

/// Issue 5: "scenario summary and assumptions with their sources". The
/// pilot cites DOMAIN.md beside its keys; the report shows each value with
/// its comment, the file, or the default it takes.
#[test]
fn assumptions_show_the_sources_cited_in_the_scenario() {
    let (model, result) = pilot();
    let input = ReportInput {
        context: sourced_context("scenarios/bishan-pilot.toml", model),
        ..ReportInput::from_run(result, model)
    };
    for (lang, loading, default, design) in [
        (
            Lang::Zh,
            "允许负载率",
            "默认值（scenarios/README.md）",
            "每户设计负荷",
        ),
        (
            Lang::En,
            "Allowed loading",
            "default (scenarios/README.md)",
            "Design load per household",
        ),
    ] {
        let html = render_html(&input, lang);
        let rows = assumption_rows(&html);
        let row = |label: &str| {
            rows.iter()
                .find(|r| r[0] == label)
                .unwrap_or_else(|| panic!("{lang:?}: no row '{label}' in {rows:?}"))
        };
        // `allowed_utilization = 0.8   # loading ≤ 80 % [S]`
        assert_eq!(row(loading)[1], "80 %");
        assert_eq!(row(loading)[2], "loading ≤ 80 % [S]");
        assert!(row(design)[2].contains("[S]"), "{:?}", row(design));
        // The pilot has no [[group]]: the default groups' values.
        assert!(
            rows.iter()
                .any(|r| r[0].contains("commuter") && r[2] == default),
            "{lang:?}: {rows:?}"
        );
        let sourced = rows.iter().filter(|r| r[2].contains("[S]")).count();
        assert!(sourced >= 5, "{lang:?}: {sourced} rows cite [S]: {rows:?}");
        assert!(html.contains("scenarios/bishan-pilot.toml"), "{lang:?}");
    }
    // The swap adoption, rider groups, design load and couriers of
    // DOMAIN.md each have a row.
    let keys: Vec<&str> = input
        .context
        .assumptions
        .iter()
        .map(|a| a.key.as_str())
        .collect();
    for key in [
        "swap_adoption",
        "couriers",
        "daily_km",
        "wh_per_km",
        "trips_per_day",
        "swap_threshold",
        "design_kw_per_household",
        "diversity_factor",
        "target",
    ] {
        assert!(keys.contains(&key), "no assumption '{key}': {keys:?}");
    }
}

/// Issue 5: "every label translated". A Chinese report shows Latin letters
/// only in units, in what the scenario's author wrote (names, comments)
/// and in the program's name.
#[test]
fn a_chinese_run_report_has_no_english_labels() {
    let (model, result) = pilot();
    let context = sourced_context("scenarios/bishan-pilot.toml", model);
    let names = author_text(model, &context);
    let input = ReportInput {
        context,
        ..ReportInput::from_run(result, model)
    };
    let words = english_words(&render_html(&input, Lang::Zh), &names);
    assert!(words.is_empty(), "English in the zh report: {words:?}");
}

/// Every shipped scenario's assumptions, in Chinese, with no English
/// label; the ones that cite DOMAIN.md show their marks.
#[test]
fn every_shipped_scenario_lists_its_assumptions_in_chinese() {
    for path in swapsim_suite::fixtures::shipped_scenarios() {
        let name = swapsim_suite::fixtures::relative(&path);
        let model = scenarios::load(&path).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let context = sourced_context(&name, &model);
        let names = author_text(&model, &context);
        let input = ReportInput {
            context,
            ..ReportInput::new(Kind::Run)
        };
        let html = render_html(&input, Lang::Zh);
        if std::env::var_os("SHOW_ASSUMPTIONS").is_some() {
            for row in assumption_rows(&html) {
                println!("{name}: {}", row.join(" | "));
            }
        }
        let words = english_words(&html, &names);
        assert!(words.is_empty(), "{name}: English in zh: {words:?}");
        let rider_driven = model
            .sites
            .iter()
            .any(|s| s.demand == sim_core::Demand::Riders);
        if rider_driven {
            let cited = assumption_rows(&html)
                .iter()
                .filter(|r| ["[S", "[E", "[D"].iter().any(|m| r[2].contains(m)))
                .count();
            assert!(cited >= 5, "{name}: {cited} assumptions cite a source");
        }
    }
}

#[test]
fn the_run_report_outline_is_pinned_and_the_same_in_both_languages() {
    let input = pilot_input();
    let zh = outline(&render_html(&input, Lang::Zh));
    let en = outline(&render_html(&input, Lang::En));
    assert_eq!(zh, en, "the languages differ in structure");
    golden("run.outline", &zh);
}

#[test]
fn charts_are_svg_with_their_series() {
    let (model, result) = pilot();
    let input = ReportInput::from_run(result, model);
    let charts = charts(&input, Lang::Zh);
    let names: Vec<&str> = charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "load-t1",
            "load-t1-charging",
            "ready",
            "requests",
            "wait",
            "fallback"
        ]
    );
    for chart in &charts {
        let series = series_names(chart);
        assert_eq!(series.len(), chart.series, "{}", chart.name);
        // Text stays text, with CJK fonts first.
        assert!(
            chart.svg.contains("font-family=\"Noto Sans CJK SC,"),
            "{}",
            chart.name
        );
    }
    let by_name = |n: &str| charts.iter().find(|c| c.name == n).expect("chart");
    // Band, the base (the pilot's is household-derived), the total, the
    // rating and the allowed load.
    let load = series_names(by_name("load-t1"));
    assert_eq!(load.len(), 5, "{load:?}");
    assert_eq!(load[0], "总负荷 5–95%（重复×日）");
    assert_eq!(load[1], "居民基础负荷");
    // 800 kVA × 0.9 = 720 kW, 80% of it 576 kW.
    assert!(load[3].contains("720 kW"), "{load:?}");
    assert!(
        load[4].contains("80%") && load[4].contains("576 kW"),
        "{load:?}"
    );
    // The charging load, stacked in a chart of its own.
    assert_eq!(
        series_names(by_name("load-t1-charging")),
        ["换电柜", "充电桩", "飞线充电", "充电负荷 5–95%（重复×日）"]
    );
    assert_eq!(series_names(by_name("ready")), ["美吉鑫小区"]);
    assert_eq!(series_names(by_name("requests")), ["换电请求", "缺电"]);
    assert_eq!(
        series_names(by_name("fallback")),
        ["充电桩充电", "飞线充电"]
    );
    // One bar per wait quantile.
    let wait = by_name("wait");
    let quantiles = result.profiles.network.wait_quantiles_minutes.len();
    let doc = roxmltree::Document::parse(&wait.svg).expect("SVG");
    let bars = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "g" && classes(*n).contains(&"series"))
        .flat_map(|g| g.descendants().filter(|n| n.tag_name().name() == "rect"))
        .count();
    assert_eq!(bars, quantiles);
}

/// Site and scenario names are user input: everywhere they are escaped.
#[test]
fn names_are_escaped_and_several_transformers_add_a_network_chart() {
    let (model, result) = three_sites();
    let input = ReportInput::from_run(result, model);
    for lang in [Lang::Zh, Lang::En] {
        let html = render_html(&input, lang);
        assert_self_contained(&html);
        let doc = parse(&html);
        assert!(!html.contains("<script>alert"));
        assert!(
            html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;B&quot;")
        );
        assert!(html.contains("三个小区 &lt;test&gt; &amp; &quot;co&quot;"));
        // The text survives the round trip through the markup.
        let text: String = doc.descendants().filter_map(|n| n.text()).collect();
        assert!(text.contains("<script>alert('x')</script> & \"B\""));
        assert!(text.contains("2号箱变 <T2>"));
    }
    let names: Vec<String> = charts(&input, Lang::En)
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(
        names,
        [
            "load-t1",
            "load-t1-charging",
            "load-t2",
            "load-t2-charging",
            "load-network",
            "load-network-charging",
            "ready",
            "requests",
            "wait",
            "delay",
            "fallback"
        ]
    );
    let ready = charts(&input, Lang::En)
        .into_iter()
        .find(|c| c.name == "ready")
        .expect("ready chart");
    assert_eq!(series_names(&ready).len(), 3);
}

/// Missed targets are listed in plain words, judged by the upper bound.
#[test]
fn missed_targets_are_spelled_out() {
    let (model, result) = three_sites();
    let input = ReportInput::from_run(result, model);
    let misses = result.misses(&model.targets);
    assert!(!misses.is_empty(), "the fixture misses targets");
    let zh = render_html(&input, Lang::Zh);
    let doc = parse(&zh);
    assert_eq!(count(&doc, "li", "miss"), misses.len());
    let first = &misses[0];
    assert!(zh.contains(&format!(
        "{}：换电失败率 的 95% 上限",
        report_escape(&first.site)
    )));
    let en = render_html(&input, Lang::En);
    assert!(en.contains("exceeds the target 2%"), "{en}");

    // Without targets there is nothing to miss, and the page says so.
    let mut untargeted = input.clone();
    untargeted.context.targets = report::Targets::default();
    let html = render_html(&untargeted, Lang::En);
    assert_eq!(count(&parse(&html), "li", "miss"), 0);
    assert!(html.contains("sets no targets"));
}

fn report_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[test]
fn a_plan_report_has_the_sizing_and_cost_charts() {
    let mut input = load_dir(&fixture("plan")).expect("plan fixture");
    assert_eq!(input.kind, Kind::Plan);
    let plan = input.plan.clone().expect("plan");
    let targets: Vec<String> = plan.sites[0]
        .targets
        .iter()
        .map(|t| t.kpi.to_string())
        .collect();
    let (model, _) = three_sites();
    input.context = sourced_context(&format!("{FIXTURES}/three-sites.toml"), model).planned();
    for lang in [Lang::Zh, Lang::En] {
        let html = render_html(&input, lang);
        assert_self_contained(&html);
        let doc = parse(&html);
        assert_eq!(count(&doc, "table", "sizing"), 1);
        let rows = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "table" && classes(*n).contains(&"sizing"))
            .flat_map(|t| t.descendants().filter(|n| n.tag_name().name() == "tr"))
            .count();
        assert_eq!(rows, 1 + plan.sites.len());
        assert_eq!(count(&doc, "figure", "chart"), targets.len());
    }
    let zh = render_html(&input, Lang::Zh);
    assert!(zh.contains("配置方案") && zh.contains("方案满足所有目标"));
    let words = english_words(&zh, &author_text(model, &input.context));
    assert!(words.is_empty(), "English in the zh plan report: {words:?}");
    for chart in charts(&input, Lang::Zh) {
        assert!(chart.name.starts_with("plan-"), "{}", chart.name);
        let series = series_names(&chart);
        // A colour per site, the chosen plan, the target.
        assert_eq!(series.len(), plan.sites.len() + 2, "{series:?}");
        assert_eq!(series[plan.sites.len()], "选定方案");
        assert!(series[plan.sites.len() + 1].starts_with("目标 "));
    }
    golden("plan.outline", &outline(&zh));
}

/// Issue 5 on plans: why units are kept and why a plan is infeasible are
/// data in plan.json, rendered in the report's language. The plans come
/// from `swapsim plan --out` and load as `swapsim report DIR` loads them.
#[test]
fn plan_reasons_are_translated_in_a_chinese_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        // Kept units, by bounds and by targets.
        ("scenarios/erlang-b-plan.toml", "feasible", 0),
        // Problems: no deployment within the bounds.
        ("tests/fixtures/cli/plan-infeasible.toml", "infeasible", 1),
    ];
    for (scenario, name, status) in cases {
        let out = dir.path().join(name);
        let out_arg = out.to_str().expect("UTF-8 path");
        let (code, stderr) = swapsim(&[
            "plan", scenario, "--days", "20", "--format", "json", "--out", out_arg,
        ]);
        assert_eq!(code, status, "{scenario}: {stderr}");
        let input = load_dir(&out).expect("the plan directory loads");
        let plan = input.plan.as_ref().expect("plan.json");
        let mut model = scenarios::load(&root().join(scenario)).expect("scenario");
        model.days = 20;
        // The JSON's reasons are the planner's, field by field.
        let direct = report::PlanData::from_plan(
            &sim_core::planner::plan(&model, 0, &sim_core::planner::Silent),
            &model,
        );
        assert_eq!(plan.problem_reasons, direct.problem_reasons, "{scenario}");
        for (a, b) in plan.sites.iter().zip(&direct.sites) {
            assert_eq!(a.kept_reasons, b.kept_reasons, "{scenario}");
            assert_eq!(a.kept_because.len(), a.kept_reasons.len());
        }
        assert_eq!(plan.problems.len(), plan.problem_reasons.len());
        assert_eq!(plan.feasible, status == 0);
        // The sizing is the planner's, the rest sourced to the file.
        let context = &input.context;
        assert_eq!(context.file.as_deref(), Some(scenario));
        let source = |key: &str| {
            context
                .assumptions
                .iter()
                .find(|a| a.key == key)
                .map(|a| a.source.clone())
        };
        assert_eq!(source("batteries"), Some(report::Source::Plan));

        let zh = render_html(&input, Lang::Zh);
        let words = english_words(&zh, &author_text(&model, context));
        assert!(words.is_empty(), "{scenario}: English in zh: {words:?}");
        let en = render_html(&input, Lang::En);
        if status == 0 {
            assert!(zh.contains("保留原因") && zh.contains("未去掉"), "{zh}");
            assert!(zh.contains("去掉一块电池后，首选柜缺电率升至"), "{zh}");
            assert!(en.contains("Kept because"), "{en}");
            assert!(en.contains("is not removed: the site has no transformer"));
            assert!(en.contains("removing one battery raises stockout at first cabinet"));
        } else {
            assert!(zh.contains("无法满足换电失败率的目标"), "{zh}");
            assert!(
                en.contains("the target on lost swaps cannot be met: more than 1 cabinets"),
                "{en}"
            );
        }
    }
}

/// Plans written before the reasons were data still show them, in
/// English.
#[test]
fn old_plans_show_their_reasons_as_written() {
    let mut input = load_dir(&fixture("plan")).expect("plan fixture");
    let plan = input.plan.as_mut().expect("plan");
    let said = plan.sites[0].kept_because[0].clone();
    for site in &mut plan.sites {
        site.kept_reasons.clear();
    }
    let html = render_html(&input, Lang::Zh);
    assert!(html.contains(&report_escape(&said)), "{said}");
}

/// `compare a.toml plan/plan.toml`: a plan keeps its scenario's name, so
/// the columns are named by the files, by their stems where these differ
/// (a whole path makes the column too wide to print).
#[test]
fn compared_scenarios_with_one_name_are_told_apart_by_file() {
    let mut input = load_dir(&fixture("compare/compare.json")).expect("compare fixture");
    let compare = input.compare.as_mut().expect("compare");
    let name = compare.scenarios[0].name.clone();
    compare.scenarios[1].name = name;
    let files: Vec<String> = compare
        .scenarios
        .iter()
        .map(|s| {
            let stem = std::path::Path::new(&s.file).file_stem().expect("a file");
            stem.to_string_lossy().into_owned()
        })
        .collect();
    assert_eq!(files, ["three-sites", "three-sites-grid-capped"]);
    let html = render_html(&input, Lang::En);
    let doc = parse(&html);
    let headers: Vec<String> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "table" && classes(*n).contains(&"compare"))
        .flat_map(|t| t.descendants().filter(|n| n.tag_name().name() == "th"))
        .map(text_of)
        .collect();
    assert!(headers.contains(&files[0]), "{headers:?}");
    assert!(headers.contains(&files[1]), "{headers:?}");
    assert!(headers.contains(&format!("Difference Δ {}", files[1])));
    for chart in charts(&input, Lang::En) {
        if chart.name == "compare-energy" {
            // Its series are where energy is drawn; the files name the groups.
            for file in &files {
                assert!(chart.svg.contains(file.as_str()), "{file}");
            }
        } else {
            assert_eq!(series_names(&chart), files, "{}", chart.name);
        }
    }
}

#[test]
fn a_compare_report_shows_scenarios_side_by_side() {
    let input = load_dir(&fixture("compare/compare.json")).expect("compare fixture");
    assert_eq!(input.kind, Kind::Compare);
    let compare = input.compare.clone().expect("compare");
    let html = render_html(&input, Lang::En);
    assert_self_contained(&html);
    let doc = parse(&html);
    // The network and every shared site, then energy and its cost by
    // where it is drawn.
    assert_eq!(count(&doc, "table", "compare"), 1 + compare.sites.len() + 2);
    let charts = charts(&input, Lang::En);
    assert!(charts.iter().all(|c| c.name.starts_with("compare-")));
    // The charts, and the first scenario's site map.
    assert_eq!(count(&doc, "figure", "chart"), charts.len() + 1);
    assert!(charts.iter().any(|c| c.name == "compare-lost_swap_rate"));
    assert!(
        charts
            .iter()
            .any(|c| c.name == "compare-swap_delay_minutes_p95")
    );
    for chart in &charts {
        let series = series_names(chart);
        let names: Vec<&str> = if chart.name == "compare-energy" {
            vec![
                "Swap cabinets",
                "Charging piles",
                "Flats (flying wire, home plugs)",
            ]
        } else {
            compare.scenarios.iter().map(|s| s.name.as_str()).collect()
        };
        assert_eq!(series, names, "{}", chart.name);
    }
    assert!(html.contains("Difference Δ 三个小区 grid_capped"));
    let zh = render_html(&input, Lang::Zh);
    let names: Vec<String> = (compare.scenarios.iter())
        .flat_map(|s| [s.name.clone(), s.file.clone()])
        .chain(compare.sites.iter().map(|s| s.name.clone()))
        .collect();
    let words = english_words(&zh, &names);
    assert!(
        words.is_empty(),
        "English in the zh compare report: {words:?}"
    );
    golden("compare.outline", &outline(&zh));
}

/// Issue 11 audit: a scenario compared with its plan (which keeps its
/// name) prints within an A4 page: the columns take the files' stems, not
/// whole paths; each difference and its interval sit on lines of their own
/// under the value; the energy cost is a year's. `.ci/browser-test` prints
/// such a page and checks that no header breaks inside a word.
#[test]
fn a_compare_summary_of_a_scenario_and_its_plan_fits_the_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("compare.html");
    let (_, json) = swapsim_stdout(&[
        "compare",
        "scenarios/bishan-pilot.toml",
        "scenarios/bishan-pilot-plan.toml",
        "--days",
        "8",
        "--replications",
        "2",
        "--format",
        "json",
        "--html",
        page.to_str().expect("UTF-8"),
        "-q",
    ]);
    let input = ReportInput::from_compare_json(&json).expect("json");
    let energy = input
        .compare
        .as_ref()
        .and_then(|c| c.network.get("energy_cost_cny_per_day"))
        .expect("the energy cost")
        .clone();
    let html = fs::read_to_string(&page).expect("the page");
    let doc = parse(&html);
    let table = doc
        .descendants()
        .find(|n| n.tag_name().name() == "table" && classes(*n).contains(&"compare-summary"))
        .expect("the summary's table");
    let headers: Vec<String> = table
        .descendants()
        .filter(|n| n.tag_name().name() == "th")
        .map(text_of)
        .collect();
    assert!(
        headers.contains(&"年电费 [元/年]".to_owned()),
        "{headers:?}"
    );
    let energy_column = headers
        .iter()
        .position(|h| h == "年电费 [元/年]")
        .expect("the energy column");
    let rows: Vec<Vec<roxmltree::Node<'_, '_>>> = table
        .descendants()
        .filter(|n| n.tag_name().name() == "tr")
        .skip(1)
        .map(|tr| tr.children().filter(|c| c.is_element()).collect())
        .collect();
    let names: Vec<String> = rows.iter().map(|r| text_of(r[0])).collect();
    assert_eq!(names, ["bishan-pilot", "bishan-pilot-plan"]);
    for (i, row) in rows.iter().enumerate() {
        let cell = row[energy_column];
        let shown: f64 = cell
            .children()
            .find(|c| c.is_text())
            .and_then(|t| t.text())
            .and_then(|t| t.trim().parse().ok())
            .expect("a number");
        let year = energy.estimates[i].mean * 365.0;
        assert!((shown - year).abs() <= 0.01 * year, "{shown} vs {year}");
        // The second scenario's difference and its interval, each a line.
        let spans: Vec<String> = cell
            .children()
            .filter(|c| c.tag_name().name() == "span")
            .map(text_of)
            .collect();
        if i == 0 {
            assert!(spans.is_empty(), "{spans:?}");
        } else {
            assert_eq!(spans.len(), 2, "{spans:?}");
            assert!(spans[0].starts_with("Δ "), "{spans:?}");
            assert!(spans[1].starts_with('['), "{spans:?}");
        }
    }
}

/// The leading number of a cell's text, its sign kept: `+18764[…]`,
/// `90720+108`.
fn leading_number(text: &str) -> f64 {
    let digits: String = text
        .trim()
        .chars()
        .enumerate()
        .take_while(|&(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && "+-".contains(c)))
        .map(|(_, c)| c)
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("a number at the start of {text:?}"))
}

/// The cell after the row label that starts with `label` in the rows of
/// a summary table.
fn cell_of<'a>(rows: &'a [Vec<String>], label: &str) -> &'a str {
    let row = rows
        .iter()
        .find(|r| r.first().is_some_and(|c| c.starts_with(label)))
        .unwrap_or_else(|| panic!("no row {label}: {rows:?}"));
    &row[1]
}

/// Issue 11, "Compare": the cost difference to the first scenario. The
/// pilot against its plan: the one-off investment is what the plan adds
/// to the pilot's equipment, priced at the plan's `[costs]` (computed
/// here from the two files' keys, not by the planner's code), and the
/// annual cost difference is that investment's annuity and maintenance
/// plus the paired energy-cost difference, whose interval it takes.
/// compare.json, the summary in both languages and the table on stdout
/// all show it.
#[test]
fn compare_prices_what_the_plan_adds_to_the_pilot() {
    let load = |path: &str| {
        scenarios::load(&root().join(path)).unwrap_or_else(|e| panic!("{path}: {e:?}"))
    };
    let (pilot, plan) = (
        load("scenarios/bishan-pilot.toml"),
        load("scenarios/bishan-pilot-plan.toml"),
    );
    let costs = &plan.costs;
    assert!(costs.given, "the plan gives [costs]");
    let (before, after) = (&pilot.sites[0], &plan.sites[0]);
    // Same cabinets of the same size: none bought; fewer batteries: none
    // bought and none credited; the pile ports added; 600 W chargers on
    // every kept slot instead of the battery's 400 W; the same transformer.
    assert_eq!(
        (before.cabinets, before.slots_per_cabinet),
        (after.cabinets, after.slots_per_cabinet)
    );
    assert!(after.batteries < before.batteries);
    assert_eq!(
        pilot.grid.transformers[0].rating_kva,
        plan.grid.transformers[0].rating_kva
    );
    let sim_core::ChargeModel::CcCv(cc) = &plan.battery.charge else {
        panic!("the pilot charges CC-CV");
    };
    let ports = after.pile_ports - before.pile_ports;
    let charger_w = after.charger_power_w.expect("the plan's chargers") - cc.power_w;
    let slots = after.cabinets * after.slots_per_cabinet;
    let ports_cny = f64::from(ports) * costs.pile_port_cny;
    let chargers_cny = f64::from(slots) * charger_w / 1000.0 * costs.charger_cny_per_kw;
    let investment = ports_cny + chargers_cny;
    assert_eq!((ports, slots), (108, 72));
    assert_eq!(investment, 108.0 * 800.0 + 72.0 * 200.0 / 1000.0 * 300.0);
    let (r, n) = (costs.discount_rate, costs.lifetime_years);
    let annuity = r * (1.0 + r).powf(n) / ((1.0 + r).powf(n) - 1.0);
    let fixed = investment * (annuity + costs.maintenance_share_per_year);

    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("compare.html");
    let files = [
        "scenarios/bishan-pilot.toml",
        "scenarios/bishan-pilot-plan.toml",
    ];
    let short = ["--days", "8", "--replications", "2", "-q"];
    let mut args = vec!["compare", files[0], files[1]];
    args.extend(short);
    args.extend(["--format", "json", "--html", page.to_str().expect("UTF-8")]);
    let (_, json) = swapsim_stdout(&args);
    let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert!(value["scenarios"][0].get("cost_difference").is_none());
    let cost = &value["scenarios"][1]["cost_difference"];
    assert_eq!(cost["costs"], "given", "{cost}");
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
    let number = |v: &serde_json::Value| v.as_f64().unwrap_or_else(|| panic!("{v}"));
    assert!(close(number(&cost["investment_cny"]), investment), "{cost}");
    let added = &cost["added"];
    assert_eq!(
        [
            &added["cabinets"],
            &added["batteries"],
            &added["pile_ports"],
            &added["charger_slots"]
        ],
        [0, 0, 108, 72]
    );
    assert!(close(
        number(&added["capital"]["pile_ports_cny"]),
        ports_cny
    ));
    assert!(close(
        number(&added["capital"]["chargers_cny"]),
        chargers_cny
    ));
    assert_eq!(cost["transformers_upgraded"], serde_json::json!([]));
    // The annual cost difference: the fixed part shifts the paired
    // energy-cost difference (a year of it) and its interval.
    let energy = &value["network"]["energy_cost_cny_per_day"]["differences"][0];
    for bound in ["mean", "ci95_low", "ci95_high"] {
        let want = fixed + 365.0 * number(&energy[bound]);
        assert!(
            close(number(&cost["annual_cny"][bound]), want),
            "{bound}: {cost}"
        );
    }

    let annual = |e: &serde_json::Value| number(&e["mean"]);
    let input = ReportInput::from_compare_json(&json).expect("the JSON reads back");
    let zh = fs::read_to_string(&page).expect("the page");
    let en = render_html(&input, Lang::En);
    for (html, total, year) in [
        (&zh, "一次性投资合计", "年成本差"),
        (&en, "One-off investment", "Annual cost difference"),
    ] {
        let rows = summary_rows(html, "compare-cost");
        assert_eq!(rows[0][1], "bishan-pilot-plan", "{rows:?}");
        assert_eq!(leading_number(cell_of(&rows, total)), investment.round());
        let shown = leading_number(cell_of(&rows, year));
        assert_eq!(shown, annual(&cost["annual_cny"]).round(), "{rows:?}");
        assert!(cell_of(&rows, year).starts_with('+'), "{rows:?}");
        // Each item: its amount, and the count it buys under it.
        let items: Vec<&Vec<String>> = rows[1..]
            .iter()
            .filter(|r| leading_number(&r[1]) > 0.0 && !r[0].starts_with(total))
            .take(2)
            .collect();
        assert_eq!(items[0][1], format!("{ports_cny}+108"), "{rows:?}");
        assert_eq!(items[1][1], format!("{chargers_cny}+72"), "{rows:?}");
    }

    // The table on stdout.
    let mut args = vec!["compare", files[0], files[1]];
    args.extend(short);
    let (_, table) = swapsim_stdout(&args);
    let line = |label: &str| {
        table
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no line {label}:\n{table}"))
            .to_owned()
    };
    assert!(
        line("investment, total [CNY]").ends_with(&format!(" {investment}")),
        "{table}"
    );
    assert!(line("investment: pile ports [CNY]").ends_with(&format!(" {ports_cny} (+108)")));
    let year = line("annual cost [CNY/yr]");
    let mean = year.split_whitespace().nth(3).expect("the mean");
    assert_eq!(
        leading_number(mean),
        annual(&cost["annual_cny"]).round(),
        "{year}"
    );
}

/// A comparison of analytic scenarios (no `[costs]`) says that nothing
/// is priced, in compare.json, the summary and the table, instead of
/// showing an investment of zero.
#[test]
fn an_analytic_compare_says_it_has_no_costs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("compare.html");
    let files = [
        "scenarios/erlang-b.toml",
        "tests/fixtures/cli/erlang-b-12-batteries.toml",
    ];
    let short = ["--days", "20", "--replications", "2", "-q"];
    let mut args = vec!["compare", files[0], files[1]];
    args.extend(short);
    args.extend(["--format", "json", "--html", page.to_str().expect("UTF-8")]);
    let (_, json) = swapsim_stdout(&args);
    let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(
        value["scenarios"][1]["cost_difference"],
        serde_json::json!({"costs": "not_given"})
    );
    let input = ReportInput::from_compare_json(&json).expect("the JSON reads back");
    let zh = fs::read_to_string(&page).expect("the page");
    let en = render_html(&input, Lang::En);
    for (html, said) in [
        (&zh, "12 batteries 没有 [costs]"),
        (&en, "12 batteries gives no [costs]"),
    ] {
        let doc = parse(html);
        let summary = first_section(&doc);
        assert!(
            !summary
                .descendants()
                .any(|n| classes(n).contains(&"compare-cost")),
            "no table of zeros"
        );
        let note = summary
            .descendants()
            .find(|n| n.tag_name().name() == "p" && classes(*n).contains(&"no-costs"))
            .expect("a note that nothing is priced");
        assert!(text_of(note).contains(said), "{}", text_of(note));
    }
    let mut args = vec!["compare", files[0], files[1]];
    args.extend(short);
    let (_, table) = swapsim_stdout(&args);
    assert!(
        table.contains("cost against erlang-b: not priced, 12 batteries gives no [costs]"),
        "{table}"
    );
    assert!(!table.contains("investment"), "{table}");
}

/// Issue 11 audit: `compare` offers `--map-kpi` and `--png`, so its
/// report draws a site map too: the first scenario's (the one the others
/// are measured against), with the function of the run and plan reports,
/// and `--out` writes it beside the charts.
#[test]
fn a_compare_report_draws_the_first_scenarios_map() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("compare.html");
    let out = dir.path().join("out");
    let kpi = "flying_wire_per_1000_bikes_day";
    let mut args = vec![
        "compare",
        "tests/fixtures/report/three-sites.toml",
        "tests/fixtures/report/three-sites-grid-capped.toml",
        "--html",
        page.to_str().expect("UTF-8"),
        "--out",
        out.to_str().expect("UTF-8"),
        "--map-kpi",
        kpi,
        "-q",
    ];
    let font = png_font();
    let font_path = font
        .as_ref()
        .map(|f| f.path().to_string_lossy().into_owned());
    if let Some(path) = &font_path {
        args.extend(["--png", "--font", path]);
    }
    let (code, stderr) = swapsim(&args);
    assert_eq!(code, 0, "{stderr}");
    let html = fs::read_to_string(&page).expect("the page");
    let doc = parse(&html);
    let ids: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "section")
        .filter_map(|n| n.attribute("id"))
        .collect();
    assert_eq!(ids[..2], ["summary", "map"], "{ids:?}");
    let map = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("map"))
        .expect("the map section");
    let markers = map
        .descendants()
        .filter(|n| n.tag_name().name() == "circle")
        .filter(|n| n.ancestors().any(|a| a.attribute("class") == Some("sites")))
        .count();
    assert_eq!(markers, 3, "one marker per shared site");
    let text = text_of(map);
    let input = load_dir(&out).expect("the --out directory loads");
    let first = input.compare.as_ref().expect("compare").column_names()[0].clone();
    assert!(text.contains(&first), "names the scenario it shows: {text}");
    let label = report::kpi_label(kpi, Lang::Zh).name;
    assert!(text.contains(&label), "coloured by --map-kpi: {text}");
    assert!(out.join("charts/map.svg").is_file(), "--out writes the map");
    if font_path.is_some() {
        assert!(out.join("charts/map.png").is_file(), "--png draws the map");
    }
    // Without --map-kpi, the map colours the first scenario's sites by
    // their targets.
    let by_status = report::site_map_of(&input, Lang::En).expect("a map");
    assert!(
        by_status.caption.contains("target status"),
        "{}",
        by_status.caption
    );
}

/// Runs `swapsim ARGS...` in-process and returns its exit code and stdout.
fn swapsim_stdout(args: &[&str]) -> (u8, String) {
    let argv = std::iter::once("swapsim").chain(args.iter().copied());
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let status = swapsim_cli::main_with(
        argv,
        &mut stdout,
        &mut stderr,
        swapsim_cli::Progress::Hidden,
    );
    assert_eq!(status, 0, "{}", String::from_utf8_lossy(&stderr));
    (status, String::from_utf8_lossy(&stdout).into_owned())
}

/// The cells of the rows of `table.class` in `html`, by row id.
fn rows_by_id(html: &str, class: &str) -> Vec<(String, Vec<String>)> {
    parse(html)
        .descendants()
        .filter(|n| n.tag_name().name() == "table" && classes(*n).contains(&class))
        .flat_map(|t| t.descendants().filter(|n| n.tag_name().name() == "tr"))
        .filter_map(|tr| {
            let id = tr.attribute("id")?.to_owned();
            let cells = tr
                .children()
                .filter(|n| n.is_element())
                .map(text_of)
                .collect();
            Some((id, cells))
        })
        .collect()
}

/// Issue 10, "energy and money counted where they are drawn": the run
/// report splits the energy into cabinets, piles and flats, with the
/// total, and says who pays each part.
#[test]
fn a_run_report_shows_energy_where_it_is_drawn_and_who_pays() {
    let input = pilot_input();
    let summary = input.summary.clone().expect("summary");
    for (lang, operator, residents) in [
        (Lang::Zh, "运营商（分时电价）", "居民（居民电价）"),
        (
            Lang::En,
            "Operator (time-of-use tariff)",
            "Residents (residential price)",
        ),
    ] {
        let html = render_html(&input, lang);
        assert!(html.contains("<section class=\"energy\" id=\"energy\">"));
        let rows = rows_by_id(&html, "energy");
        let ids: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "energy-cabinet_energy_kwh_per_day",
                "energy-pile_energy_kwh_per_day",
                "energy-home_energy_kwh_per_day",
                "energy-energy_kwh_per_day",
            ],
            "{lang:?}"
        );
        let payers: Vec<&str> = rows.iter().map(|(_, c)| c[3].as_str()).collect();
        assert_eq!(payers[..3], [operator, residents, residents], "{lang:?}");
        // The energy cell starts with the mean the summary holds.
        for (id, cells) in &rows {
            let kpi = id.trim_start_matches("energy-");
            let mean = summary.network.get(kpi).expect("KPI").mean;
            let shown: f64 = cells[1]
                .split(['[', ' '])
                .next()
                .and_then(|m| m.parse().ok())
                .unwrap_or_else(|| panic!("{id}: {cells:?}"));
            assert!(
                (shown - mean).abs() <= mean.abs() * 0.05 + 1.0,
                "{id}: {shown} vs {mean}"
            );
        }
    }
    // Residents' price is an assumption with its source.
    let en = render_html(&input, Lang::En);
    let rows = assumption_rows(&en);
    let price = rows
        .iter()
        .find(|r| r[0] == "Residential price (piles, charging at home)")
        .unwrap_or_else(|| panic!("no residential price in {rows:?}"));
    assert_eq!(price[1], "0.52 CNY/kWh");
    // The total is the sum of the places, flats included.
    let mean = |k: &str| summary.network.get(k).expect("KPI").mean;
    let parts = mean("cabinet_energy_kwh_per_day")
        + mean("pile_energy_kwh_per_day")
        + mean("home_energy_kwh_per_day");
    assert!((mean("energy_kwh_per_day") - parts).abs() < 1e-6 * parts.max(1.0));
    assert!(
        mean("home_energy_kwh_per_day") > 0.0,
        "the pilot has flying wire"
    );
}

/// Issue 10, "figures to hold against operators'": swaps per subscriber,
/// swaps per cabinet and batteries per subscriber stand beside the
/// published figures, which cite docs/sources.md, a file that ships.
#[test]
fn a_run_report_holds_operator_figures_against_the_shipped_sources() {
    let sources = fs::read_to_string(root().join(report::SOURCES_FILE)).expect("docs/sources.md");
    let (model, result) = three_sites();
    let input = ReportInput::from_run(result, model);
    for lang in [Lang::Zh, Lang::En] {
        let html = render_html(&input, lang);
        let doc = parse(&html);
        let section = doc
            .descendants()
            .find(|n| n.attribute("id") == Some("operator-figures"))
            .expect("an operator-figures section");
        let text = text_of(section);
        assert!(text.contains(report::SOURCES_FILE), "{lang:?}: {text}");
        for figure in ["≈ 2", "≈ 0.76", "≈ 33", "≈ 2.2", "≈ 10.9", "[S]/[D]"] {
            assert!(text.contains(figure), "{lang:?}: no '{figure}' in {text}");
        }
        let kpis: Vec<&str> = section
            .descendants()
            .filter_map(|n| n.attribute("data-kpi"))
            .collect();
        for kpi in [
            "swaps_per_subscriber_day",
            "swaps_per_cabinet_day",
            "batteries_per_subscriber",
            "batteries_per_cabinet",
        ] {
            assert!(kpis.contains(&kpi), "{lang:?}: no row for {kpi}");
        }
        // Per site, as well as for the network.
        assert_eq!(count(&doc, "table", "reference-sites"), 1);
        for site in &model.sites {
            assert!(text.contains(&site.name), "{lang:?}: {}", site.name);
        }
    }
    // What the report cites is in the shipped file.
    for row in [
        "about 2 swaps per user per day and about 33 per site per day",
        "0.76 swaps per rider per day, about 2.2 batteries per rider",
        "10.9 (753 batteries at 69 Shenzhen stations)",
    ] {
        assert!(sources.contains(row), "docs/sources.md lacks '{row}'");
    }
    assert!(sources.contains("DOMAIN.md"), "it says where it comes from");
}

/// Issue 10, "waiting that means something": the delay riders feel shows
/// per site beside the wait at the cabinet, and a chart whose values are
/// all zero is left out rather than drawn empty.
#[test]
fn the_swap_delay_shows_and_an_all_zero_wait_chart_is_dropped() {
    let (model, result) = three_sites();
    let mut input = ReportInput::from_run(result, model);
    let delay = charts(&input, Lang::En)
        .into_iter()
        .find(|c| c.name == "delay")
        .expect("a delay chart: the fixture's riders detour");
    let series = series_names(&delay);
    assert_eq!(series[..2], ["Swap delay, p95", "Wait at the cabinet, p95"]);
    assert!(
        series[2].starts_with("Target "),
        "the wait target is drawn on the delay chart: {series:?}"
    );
    let html = render_html(&input, Lang::En);
    assert!(
        html.contains("Swap delay, p95&#160;<span class=\"unit\">[min]</span>"),
        "a site column"
    );
    // Percentiles of zero with riders delayed all the same (fewer than one
    // in 20, as at the pilot): the sentence must not say nobody waited.
    let mut few = input.clone();
    for s in few.summary.as_mut().expect("summary").sites.iter_mut() {
        for (k, e) in &mut s.kpis.0 {
            if k.ends_with("_p95") {
                *e = report::Estimate::default();
            }
        }
    }
    let sentence = |input: &ReportInput, lang: Lang| {
        report::omitted(input, lang)
            .into_iter()
            .find(|o| o.name == "delay")
            .map(|o| o.sentence)
    };
    let en = sentence(&few, Lang::En).expect("no delay chart when every p95 is zero");
    assert!(en.starts_with("Fewer than one rider in 20"), "{en}");
    let zh = sentence(&few, Lang::Zh).expect("nor in Chinese");
    assert!(!zh.contains("没有骑手"), "{zh}");
    let profiles = input.profiles.as_mut().expect("profiles");
    for q in &mut profiles.network.wait_quantiles_minutes {
        q.1 = 0.0;
    }
    for s in input.summary.as_mut().expect("summary").sites.iter_mut() {
        for (k, e) in &mut s.kpis.0 {
            if k.contains("wait_minutes") || k.contains("swap_delay") {
                *e = report::Estimate::default();
            }
        }
    }
    let names: Vec<String> = charts(&input, Lang::En)
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert!(
        !names.iter().any(|n| n == "wait" || n == "delay"),
        "{names:?}"
    );
    // Each is a sentence instead, in the report's language.
    let omitted: Vec<String> = report::omitted(&input, Lang::En)
        .into_iter()
        .map(|o| o.name)
        .collect();
    assert_eq!(omitted, ["wait", "delay"]);
    let en = render_html(&input, Lang::En);
    let doc = parse(&en);
    assert_eq!(count(&doc, "p", "no-chart"), 2);
    assert!(en.contains("No rider waited at a cabinet"), "{en}");
    assert!(en.contains("No rider&#39;s swap was delayed"));
    let zh = render_html(&input, Lang::Zh);
    assert!(zh.contains("没有骑手在柜前等待"));
    assert!(zh.contains("没有骑手的换电被延误"));
}

/// Issue 10: compare shows moving charging from flats to pile ports as a
/// shift between where energy is drawn, not as new consumption. Two pilots
/// that differ only in pile ports, on common random numbers.
#[test]
fn more_pile_ports_move_energy_from_flats_to_piles_in_compare() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pilot = root().join("scenarios/bishan-pilot.toml");
    let text = fs::read_to_string(&pilot).expect("pilot");
    assert!(
        text.contains("\npile_ports = 10 "),
        "the pilot's pile ports"
    );
    let more = dir.path().join("more-piles.toml");
    fs::write(
        &more,
        text.replace("\npile_ports = 10 ", "\npile_ports = 40 "),
    )
    .expect("write");
    let html = dir.path().join("compare.html");
    let (_, json) = swapsim_stdout(&[
        "compare",
        pilot.to_str().expect("utf-8"),
        more.to_str().expect("utf-8"),
        "--days",
        "6",
        "--replications",
        "4",
        "--format",
        "json",
        "--html",
        html.to_str().expect("utf-8"),
        "--lang",
        "en",
        "-q",
    ]);
    let compare: report::CompareData = serde_json::from_str(&json).expect("compare JSON");
    let diff = |kpi: &str| compare.network.get(kpi).expect(kpi).differences[0];
    let mean = |kpi: &str| compare.network.get(kpi).expect(kpi).estimates[0].mean;
    let (pile, home, total) = (
        diff("pile_energy_kwh_per_day"),
        diff("home_energy_kwh_per_day"),
        diff("energy_kwh_per_day"),
    );
    assert!(pile.ci95_low > 0.0, "pile energy rises: {pile:?}");
    assert!(home.ci95_high < 0.0, "home energy falls: {home:?}");
    // What the piles gain, the flats lose: the shift's intervals overlap.
    assert!(
        pile.ci95_low <= -home.ci95_low && -home.ci95_high <= pile.ci95_high,
        "{pile:?} {home:?}"
    );
    // The total barely moves: its whole interval is within 5% of the
    // shift, and within 1% of the total.
    let moved = total.ci95_low.abs().max(total.ci95_high.abs());
    assert!(moved <= 0.05 * pile.mean, "{total:?} against {pile:?}");
    assert!(moved <= 0.01 * mean("energy_kwh_per_day"), "{total:?}");
    // Who pays moves with it: residents pay for both piles and flats.
    let cost = diff("energy_cost_cny_per_day");
    assert!(
        cost.ci95_low.abs().max(cost.ci95_high.abs())
            <= 0.05 * diff("pile_energy_cost_cny_per_day").mean
    );
    // The report has the split, with a chart of it.
    let page = fs::read_to_string(&html).expect("report");
    assert!(page.contains("id=\"energy\""));
    assert!(page.contains("id=\"chart-compare-energy\""));
    assert!(page.contains("Energy, charging piles&#160;<span class=\"unit\">[kWh/d]</span>"));
    assert!(page.contains("Energy, in flats&#160;<span class=\"unit\">[kWh/d]</span>"));
}

/// What `run --out` writes loads back into the same report.
#[test]
fn a_run_out_directory_loads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let (status, stderr) = swapsim(&[
        "run",
        "scenarios/bishan-pilot.toml",
        "--days",
        "5",
        "--replications",
        "2",
        "--format",
        "json",
        "--out",
        out.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(status, 0, "{stderr}");
    let input = load_dir(&out).expect("the --out directory loads");
    let (model, result) = pilot();
    let direct = ReportInput::from_run(result, model);
    assert_eq!(input.kind, Kind::Run);
    assert_eq!(input.summary, direct.summary);
    // context.json keeps the sources for `swapsim report DIR`.
    assert_eq!(
        input.context,
        sourced_context("scenarios/bishan-pilot.toml", model)
    );
    // The CSV keeps three decimals.
    let (a, b) = (
        input.load.expect("timeseries.csv"),
        direct.load.expect("load"),
    );
    assert_eq!(a.transformers.len(), b.transformers.len());
    for (x, y) in a.transformers.iter().zip(&b.transformers) {
        assert_eq!(x.name, y.name);
        assert_eq!(x.quarters.len(), y.quarters.len());
        for (p, q) in x.quarters.iter().zip(&y.quarters) {
            assert_eq!(p.start_minute, q.start_minute);
            assert!((p.total_kw() - q.total_kw()).abs() < 0.003);
        }
    }
    let ready = input.ready.expect("ready.csv");
    assert_eq!(ready.sites.len(), 1);
    // The summary file alone is a report too.
    let alone = load_dir(&out.join(report::SUMMARY_FILE)).expect("summary.json");
    assert_eq!(alone.summary, direct.summary);
    assert!(alone.load.is_none());
    let html = render_html(&alone, Lang::Zh);
    assert_eq!(count(&parse(&html), "table", "kpi"), 2);

    // `profiles.json` is the serde of the engine's profiles.
    let profiles = serde_json::to_string_pretty(&result.profiles).expect("JSON");
    fs::write(out.join(report::PROFILES_FILE), profiles).expect("write profiles");
    let with_profiles = load_dir(&out).expect("loads");
    assert_eq!(with_profiles.profiles, direct.profiles);
    assert!(
        charts(&with_profiles, Lang::Zh)
            .iter()
            .any(|c| c.name == "wait")
    );

    // A context file adds targets, transformers and assumptions.
    fs::write(
        out.join(report::CONTEXT_FILE),
        report::Context::from_model(model).to_json(),
    )
    .expect("write context");
    let with_context = load_dir(&out).expect("loads");
    assert_eq!(with_context.context, direct.context);
}

#[test]
fn unreadable_results_are_errors_that_name_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let err = load_dir(dir.path()).expect_err("an empty directory");
    assert!(err.to_string().contains("holds no summary.json"), "{err}");

    let (_, result) = pilot();
    let summary = serde_json::to_string(result).expect("JSON");
    fs::write(dir.path().join(report::SUMMARY_FILE), summary).expect("write");
    fs::write(
        dir.path().join(report::TIMESERIES_FILE),
        "quarter,start_minute,day,hour_of_day,transformer,base_kw,cabinets_kw,piles_kw,\
         flying_wire_kw,total_kw\n0,0,0,0,T,1,2,x,0,3\n",
    )
    .expect("write");
    let err = load_dir(dir.path()).expect_err("a bad number");
    let text = err.to_string();
    assert!(
        text.contains("timeseries.csv', line 2: 'x' is not a number"),
        "{text}"
    );

    fs::write(dir.path().join(report::TIMESERIES_FILE), "quarter,kw\n").expect("write");
    let err = load_dir(dir.path()).expect_err("missing columns");
    assert!(
        err.to_string().contains("no column 'start_minute'"),
        "{err}"
    );

    fs::write(dir.path().join(report::SUMMARY_FILE), "{\"scenario\": 1}").expect("write");
    let err = load_dir(dir.path()).expect_err("not a summary");
    assert!(err.to_string().contains("is not a swapsim result"), "{err}");

    // summary.json reads back as sim-core's `RunResult`: a KPI left out
    // of a hand-edited file is not a zero that meets every target, and
    // one added is not dropped without a word.
    fs::remove_file(dir.path().join(report::TIMESERIES_FILE)).expect("remove");
    let mut value = serde_json::to_value(result).expect("JSON");
    let network = value["network"].as_object_mut().expect("KPIs");
    network.remove("lost_swap_rate");
    fs::write(dir.path().join(report::SUMMARY_FILE), value.to_string()).expect("write");
    let err = load_dir(dir.path()).expect_err("a KPI missing").to_string();
    assert!(
        err.contains("summary.json' is not a swapsim result: missing field `lost_swap_rate`"),
        "{err}"
    );
    let mut value = serde_json::to_value(result).expect("JSON");
    value["sites"][0]["kpis"]["lost_swap_rates"] = value["network"]["lost_swap_rate"].clone();
    fs::write(dir.path().join(report::SUMMARY_FILE), value.to_string()).expect("write");
    let err = load_dir(dir.path()).expect_err("a KPI added").to_string();
    assert!(
        err.contains("summary.json' is not a swapsim result: unknown field `lost_swap_rates`"),
        "{err}"
    );
}

/// Writes the pilot's Chinese report where `.ci/browser-test` wants it.
#[test]
fn writes_the_browser_page() {
    let Some(path) = std::env::var_os("SWAPSIM_REPORT_HTML") else {
        return;
    };
    let path = PathBuf::from(path);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).expect("create the page's directory");
    }
    fs::write(&path, render_html(&pilot_input(), Lang::Zh)).expect("write the page");
}

/// `SWAPSIM_DISTRICT_HTML=FILE` writes the shipped district's Chinese run
/// report (2 replications × 10 days, as the sizes in the README were
/// measured) for `.ci/browser-test`, which prints it and counts pages.
#[test]
fn writes_the_district_page() {
    let Some(path) = std::env::var_os("SWAPSIM_DISTRICT_HTML") else {
        return;
    };
    let path = PathBuf::from(path);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).expect("create the page's directory");
    }
    let model = model("scenarios/bishan-district.toml", 10, 2);
    let result = sim_core::run(&model, 0);
    let input = ReportInput {
        context: sourced_context("scenarios/bishan-district.toml", &model),
        ..ReportInput::from_run(&result, &model)
    };
    fs::write(&path, render_html(&input, Lang::Zh)).expect("write the page");
}

/// `SWAPSIM_DISTRICT_PLAN_HTML=FILE` writes the shipped district's Chinese
/// plan report for `.ci/browser-test`, which prints it and counts pages.
/// The plan is the shipped scenario's at 5 days instead of 28 (2 measured
/// after the 3 warm-up days): the report has the same 175 sites, their
/// reasons and the same sections (26 printed pages, as the full plan's),
/// and the search takes about 15 s on 2 cores in the test profile, where
/// the full plan takes 45 s to 4 minutes in release.
#[test]
fn writes_the_district_plan_page() {
    let Some(path) = std::env::var_os("SWAPSIM_DISTRICT_PLAN_HTML") else {
        return;
    };
    let path = PathBuf::from(path);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).expect("create the page's directory");
    }
    let scenario = "scenarios/bishan-district.toml";
    let mut model = scenarios::load(&root().join(scenario)).expect("the district");
    model.days = 5;
    let plan = sim_core::planner::plan(&model, 0, &sim_core::planner::Silent);
    let input = ReportInput {
        context: sourced_context(scenario, &plan.model).planned(),
        ..ReportInput::from_plan(&plan, &model)
    };
    fs::write(&path, render_html(&input, Lang::Zh)).expect("write the page");
}

/// The font for the PNG checks (see the module docs); `None` skips them.
pub(crate) fn png_font() -> Option<Font> {
    static FONT: OnceLock<Option<Font>> = OnceLock::new();
    let font = FONT.get_or_init(|| {
        let font = match std::env::var_os("SWAPSIM_FONT").filter(|v| !v.is_empty()) {
            Some(path) => Some(Font::load(&PathBuf::from(path)).expect("$SWAPSIM_FONT loads")),
            None => report::find_cjk_font(report::CJK_FONT_PATHS),
        };
        if font.is_none() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI has no font for the PNG charts: .ci/run installs fonts-noto-cjk"
            );
            eprintln!("note: no CJK font (fonts-noto-cjk): PNG chart checks skipped");
        }
        font
    });
    // A `Font` is not `Clone` (it owns megabytes); reload the same file.
    font.as_ref()
        .map(|f| Font::load(f.path()).expect("the font loaded before"))
}

/// A decoded PNG: width, height and RGB pixels.
pub(crate) struct Image {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<[u8; 3]>,
}

/// Decodes `bytes` as an 8-bit RGB PNG, or fails the test.
pub(crate) fn decode_png(bytes: &[u8]) -> Image {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .expect("a PNG header");
    let mut buffer = vec![0; reader.output_buffer_size().expect("a sane size")];
    let info = reader.next_frame(&mut buffer).expect("PNG pixels");
    assert_eq!(
        (info.color_type, info.bit_depth),
        (png::ColorType::Rgb, png::BitDepth::Eight)
    );
    buffer.truncate(info.buffer_size());
    Image {
        width: info.width,
        height: info.height,
        rgb: buffer.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect(),
    }
}

/// The colour each series draws its first element in, as it shows over
/// white (`fill` or `stroke` blended by `opacity`), from the SVG; `None`
/// for a bar of zero height (a KPI of zero), which shows nothing.
fn series_colours(chart: &Chart) -> Vec<Option<[u8; 3]>> {
    let doc = roxmltree::Document::parse(&chart.svg).expect("SVG");
    doc.descendants()
        .filter(|n| n.tag_name().name() == "g" && classes(*n).contains(&"series"))
        .map(|g| {
            let first = g
                .descendants()
                .find(|n| {
                    matches!(
                        n.tag_name().name(),
                        "polyline" | "polygon" | "rect" | "circle" | "line" | "path"
                    )
                })
                .expect("a drawn element");
            let hex = [first.attribute("fill"), first.attribute("stroke")]
                .into_iter()
                .flatten()
                .find(|c| c.starts_with('#') && c.len() == 7)
                .expect("a colour");
            let opacity: f64 = first
                .attribute("opacity")
                .map_or(1.0, |o| o.parse().expect("opacity"));
            let channel = |i: usize| {
                let c = f64::from(u8::from_str_radix(&hex[1 + 2 * i..3 + 2 * i], 16).expect("hex"));
                (c * opacity + 255.0 * (1.0 - opacity)).round() as u8
            };
            let empty = first.tag_name().name() == "rect"
                && [first.attribute("width"), first.attribute("height")].contains(&Some("0"));
            (!empty).then(|| [channel(0), channel(1), channel(2)])
        })
        .collect()
}

/// Checks `chart`'s PNG: it decodes, is twice the SVG's size, is not
/// blank, and shows the colour of each of its series (distinct colours,
/// so the count of those found is the count of series drawn; in the plot
/// or at least in its legend), but for bars of zero height.
fn assert_png(chart: &Chart, font: &Font) {
    let png = chart
        .png(font)
        .unwrap_or_else(|e| panic!("{}: {e}", chart.name));
    let image = decode_png(&png);
    let doc = roxmltree::Document::parse(&chart.svg).expect("SVG");
    let view: Vec<u32> = doc
        .root_element()
        .attribute("viewBox")
        .expect("viewBox")
        .split(' ')
        .map(|x| x.parse().expect("a size"))
        .collect();
    assert_eq!(
        (image.width, image.height),
        (2 * view[2], 2 * view[3]),
        "{}",
        chart.name
    );
    let white = image.rgb.iter().filter(|p| **p == [255; 3]).count();
    let drawn = image.rgb.len() - white;
    assert!(
        drawn * 100 > image.rgb.len() && white * 2 > image.rgb.len(),
        "{}: {drawn} of {} pixels drawn",
        chart.name,
        image.rgb.len()
    );
    let all = series_colours(chart);
    assert_eq!(all.len(), chart.series, "{}", chart.name);
    let colours: Vec<[u8; 3]> = all.into_iter().flatten().collect();
    let mut distinct = colours.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), colours.len(), "{}: {colours:?}", chart.name);
    let near = |a: [u8; 3], b: [u8; 3]| a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 2);
    let shown: Vec<[u8; 3]> = colours
        .iter()
        .copied()
        .filter(|&c| image.rgb.iter().filter(|&&p| near(p, c)).count() >= 20)
        .collect();
    assert_eq!(shown, colours, "{}: series colours in the PNG", chart.name);
}

/// "Chart files parse as SVG/PNG and have the expected series count"
/// (issue 5), for PNG: every chart of a run (one and two transformers), a
/// plan and a comparison.
#[test]
fn png_charts_decode_and_show_every_series() {
    let Some(font) = png_font() else { return };
    assert!(font.has_cjk(), "{font:?}");
    if font.path().ends_with("NotoSansCJK-Regular.ttc") {
        // Of Debian's collection, the Simplified Chinese face.
        assert_eq!(font.family(), "Noto Sans CJK SC", "{font:?}");
    }
    let (model, result) = three_sites();
    let mut plan = load_dir(&fixture("plan")).expect("plan fixture");
    plan.context = report::Context::from_model(model);
    let compare = load_dir(&fixture("compare/compare.json")).expect("compare fixture");
    let mut names = Vec::new();
    for (input, lang) in [
        (pilot_input(), Lang::Zh),
        (ReportInput::from_run(result, model), Lang::En),
        (plan, Lang::Zh),
        (compare, Lang::En),
    ] {
        for chart in charts(&input, lang) {
            assert_png(&chart, &font);
            names.push(chart.name);
        }
    }
    assert!(names.contains(&"load-network".to_owned()), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("plan-")), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("compare-")), "{names:?}");
}

/// PNGs are the same bytes every time (the SVG needs no font at all).
#[test]
fn png_charts_are_deterministic() {
    let Some(font) = png_font() else { return };
    let chart = &charts(&pilot_input(), Lang::Zh)[0];
    assert_eq!(
        chart.png(&font).expect("PNG"),
        chart.png(&font).expect("PNG")
    );
}

/// A font without a glyph that a chart needs is an error naming the
/// chart and the characters, not a chart with holes in it.
#[test]
fn a_font_without_the_glyphs_is_an_error() {
    let Some(font) = png_font() else { return };
    let mut input = ReportInput::new(Kind::Run);
    input.ready = Some(report::ReadySeries {
        sites: vec![report::SiteReady {
            name: "站点 \u{1F50B}".to_owned(),
            quarters: vec![(0, 3.0), (15, 2.0)],
        }],
    });
    let chart = charts(&input, Lang::Zh)
        .into_iter()
        .find(|c| c.name == "ready")
        .expect("a ready chart");
    let err = chart
        .png(&font)
        .expect_err("no battery emoji in a CJK text font");
    let text = err.to_string();
    assert!(
        text.contains("has no glyph for '\u{1F50B}' in chart 'ready'"),
        "{text}"
    );
    assert!(text.contains(&font.path().display().to_string()), "{text}");
}

/// "5–95% band over replications and days" (issue 5): the band is the
/// percentiles of every (replication, measured day) pair's quarter, taken
/// from the replications' own series, not from their average.
#[test]
fn the_load_band_spans_replications_and_days() {
    let (model, result) = three_sites();
    let reps = sim_core::run_replications(model, 1);
    let measured = (model.days - model.warmup_days) as usize;
    let transformers = model.grid.transformers.len();
    assert_eq!(transformers, 2);
    let bands = &result.profiles.transformer_load;
    assert_eq!(bands.len(), transformers);
    let network = result.profiles.network_load.as_ref().expect("network band");
    // The engine's series are quarter-major: every transformer's four
    // components per quarter.
    let total = |rep: &sim_core::Replication, q: usize, t: Option<usize>| -> f64 {
        let row = &rep.series.transformer_kw[q * transformers * 4..(q + 1) * transformers * 4];
        let part = match t {
            Some(t) => &row[t * 4..t * 4 + 4],
            None => row,
        };
        part.iter().map(|&x| f64::from(x)).sum()
    };
    let percentile = |mut v: Vec<f64>, p: f64| {
        v.sort_by(f64::total_cmp);
        let h = (v.len() - 1) as f64 * p;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        v[lo] + (h - h.floor()) * (v[hi] - v[lo])
    };
    for (band, t) in [(&bands[0], Some(0)), (&bands[1], Some(1)), (network, None)] {
        assert_eq!(band.samples, reps.len() * measured, "{}", band.name);
        assert_eq!(band.total_kw_p05.len(), 96);
        for k in [0, 37, 80, 95] {
            let samples: Vec<f64> = reps
                .iter()
                .flat_map(|rep| (0..measured).map(move |d| (rep, d * 96 + k)))
                .map(|(rep, q)| total(rep, q, t))
                .collect();
            // Replications differ, so the band is not the days' alone.
            assert!(
                samples[..measured] != samples[measured..2 * measured],
                "{} {k}",
                band.name
            );
            for (p, got) in [(0.05, band.total_kw_p05[k]), (0.95, band.total_kw_p95[k])] {
                let want = percentile(samples.clone(), p);
                assert!(
                    (got - want).abs() <= 0.0005,
                    "{} q{k} p{p}: {got} vs {want}",
                    band.name
                );
            }
        }
    }
    // The charts draw that band, and say over what.
    let input = ReportInput::from_run(result, model);
    let network_chart = charts(&input, Lang::En)
        .into_iter()
        .find(|c| c.name == "load-network")
        .expect("network chart");
    assert_eq!(
        series_names(&network_chart)[0],
        "Total, 5–95% of replication-days"
    );
    assert!(
        network_chart.caption.contains(&format!(
            "means over {} replications × {measured} days",
            model.replications
        )),
        "{}",
        network_chart.caption
    );
    assert!(
        network_chart
            .caption
            .contains("over every replication and day")
    );
}

/// A plan that chose slot chargers shows them in its sizing table, in both
/// languages; a plan that did not has no charger column.
#[test]
fn planned_chargers_show_in_the_sizing_table() {
    use sim_core::planner::{Silent, plan};
    use swapsim_suite::models::{cabinet, cc_cv};
    let mut model = cabinet(10, 16, cc_cv(400.0), 4.0, sim_core::Patience::None);
    model.days = 60;
    model.targets.max_stockout_probability = Some(0.02);
    let without = report::ReportInput::from_plan(&plan(&model, 0, &Silent), &model);
    model.planner.charger_power_catalogue_w = vec![300.0, 400.0, 600.0];
    let planned = plan(&model, 0, &Silent);
    let power = planned.sites[0].charger_power_w.expect("a planned charger");
    let with = report::ReportInput::from_plan(&planned, &model);
    for (lang, label) in [
        (
            Lang::Zh,
            "仓位充电功率&#160;<span class=\"unit\">[W]</span>",
        ),
        (Lang::En, "Charger&#160;<span class=\"unit\">[W]</span>"),
    ] {
        let html = render_html(&with, lang);
        assert!(html.contains(label), "{lang:?}");
        assert!(
            html.contains(&format!("<td class=\"num\">{power}</td>")),
            "{power} W in the {lang:?} table"
        );
        assert!(!render_html(&without, lang).contains(label));
    }
}

/// Numbers of an SVG attribute: `x`, `points`, `data-plot-area`.
fn numbers(text: &str) -> Vec<f64> {
    text.split([' ', ','])
        .filter_map(|x| x.parse().ok())
        .collect()
}

/// Issue 11: a legend never covers data or a limit line. Every element
/// of every chart's legend lies below its plot area (whose pixel box the
/// SVG carries), in a run, a plan and a comparison.
#[test]
fn legends_lie_outside_the_plot_area() {
    let (model, result) = three_sites();
    let mut all = charts(&ReportInput::from_run(result, model), Lang::Zh);
    all.extend(charts(
        &load_dir(&fixture("plan")).expect("plan fixture"),
        Lang::En,
    ));
    let mut compare = load_dir(&fixture("compare")).expect("compare fixture");
    compare.context.targets = model.targets.clone();
    all.extend(charts(&compare, Lang::En));
    let mut legends = 0;
    for chart in &all {
        let doc = roxmltree::Document::parse(&chart.svg).expect("SVG");
        let area = numbers(
            doc.root_element()
                .attribute("data-plot-area")
                .expect("the plot area"),
        );
        let bottom = area[3];
        for legend in doc
            .descendants()
            .filter(|n| n.tag_name().name() == "g" && classes(*n).contains(&"legend"))
        {
            legends += 1;
            let ys: Vec<f64> = legend
                .descendants()
                .filter(|n| n.is_element())
                .flat_map(|n| {
                    let mut ys: Vec<f64> = ["y", "cy", "y1", "y2"]
                        .iter()
                        .filter_map(|a| n.attribute(*a)?.parse().ok())
                        .collect();
                    if let Some(points) = n.attribute("points") {
                        ys.extend(numbers(points).iter().skip(1).step_by(2));
                    }
                    ys
                })
                .collect();
            assert!(!ys.is_empty(), "{}: an empty legend", chart.name);
            for y in ys {
                assert!(
                    y > bottom,
                    "{}: legend at y {y}, plot to {bottom}",
                    chart.name
                );
            }
        }
    }
    assert!(legends > 10, "{legends} legends");
}

/// Issue 11: the charging load reads beside a base of hundreds of kW (a
/// chart of its own, stacked), and the 5–95% band is visible: filled
/// with a colour no line has, at an opacity that shows in print.
#[test]
fn the_charging_load_has_its_own_chart_and_the_band_shows() {
    let (model, result) = pilot();
    let charts = charts(&ReportInput::from_run(result, model), Lang::En);
    let load = charts.iter().find(|c| c.name == "load-t1").expect("load");
    let doc = roxmltree::Document::parse(&load.svg).expect("SVG");
    let band = doc
        .descendants()
        .find(|n| {
            n.tag_name().name() == "g"
                && n.attribute("data-series") == Some("Total, 5–95% of replication-days")
        })
        .expect("the band's series");
    let polygon = band
        .descendants()
        .find(|n| n.tag_name().name() == "polygon")
        .expect("the band's polygon");
    let opacity: f64 = polygon
        .attribute("opacity")
        .or(polygon.attribute("fill-opacity"))
        .map_or(1.0, |o| o.parse().expect("opacity"));
    assert!((0.3..=0.6).contains(&opacity), "band opacity {opacity}");
    let colours = series_colours(load);
    let band_colour = colours[0].expect("a band colour");
    for other in colours[1..].iter().flatten() {
        assert_ne!(*other, band_colour, "the band differs from every line");
    }
    let charging = charts
        .iter()
        .find(|c| c.name == "load-t1-charging")
        .expect("a charging-load chart");
    let doc = roxmltree::Document::parse(&charging.svg).expect("SVG");
    let layers: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "g" && classes(*n).contains(&"series"))
        .filter(|g| g.descendants().any(|n| n.tag_name().name() == "polygon"))
        .filter_map(|g| g.attribute("data-series"))
        .collect();
    assert_eq!(layers, ["Cabinets", "Charging piles", "Flying wire"]);
    // Its scale is the charging load's, far below the 720 kW rating,
    // with the charging load's own 5–95% lines.
    assert!(
        !series_names(charging)
            .iter()
            .any(|s| s.starts_with("Rating"))
    );
    assert!(
        series_names(charging)
            .iter()
            .any(|s| s.starts_with("Charging, 5–95%"))
    );
}

/// Issue 11: the network chart says it sums every transformer, and the
/// courier hub's commercial base (a peak the scenario gives, not derived
/// from households) is a plain base load, not a residential one.
#[test]
fn base_loads_are_labelled_by_what_the_scenario_says() {
    let (three, result) = three_sites();
    let charts3 = charts(&ReportInput::from_run(result, three), Lang::En);
    let network = charts3
        .iter()
        .find(|c| c.name == "load-network")
        .expect("network");
    assert!(
        network.caption.contains("sum over all 2 transformers"),
        "{}",
        network.caption
    );

    let hub = model("scenarios/courier-hub.toml", 5, 1);
    let result = sim_core::run(&hub, 0);
    let input = ReportInput::from_run(&result, &hub);
    let commercial: Vec<&str> = hub
        .grid
        .transformers
        .iter()
        .filter(|t| t.base_basis.is_none())
        .map(|t| t.name.as_str())
        .collect();
    assert!(!commercial.is_empty(), "the hub's base is given as a peak");
    for (lang, residential, neutral) in [
        (Lang::En, "Residential base", "Base load"),
        (Lang::Zh, "居民基础负荷", "基础负荷"),
    ] {
        let all = charts(&input, lang);
        let hubs: Vec<&Chart> = all
            .iter()
            .filter(|c| commercial.iter().any(|t| c.title.starts_with(t)))
            .filter(|c| !c.name.ends_with("-charging"))
            .collect();
        assert_eq!(hubs.len(), commercial.len(), "{lang:?}: {commercial:?}");
        for chart in hubs {
            let series = series_names(chart);
            assert!(series.iter().any(|s| s == neutral), "{series:?}");
            assert!(!series.iter().any(|s| s == residential), "{series:?}");
            assert!(!chart.caption.contains(residential));
        }
    }
}

/// Issue 11: a targeted KPI's chart carries its target as a labelled
/// dashed line, in a comparison and in a plan.
#[test]
fn compare_and_plan_charts_carry_their_targets() {
    let (model, _) = three_sites();
    let mut compare = load_dir(&fixture("compare")).expect("compare fixture");
    compare.context.targets = model.targets.clone();
    let targeted: Vec<&str> = compare
        .context
        .targets
        .set()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let mut drawn = 0;
    for lang in [Lang::Zh, Lang::En] {
        let word = if lang == Lang::Zh {
            "目标 "
        } else {
            "Target "
        };
        for chart in charts(&compare, lang) {
            let Some(kpi) = chart.name.strip_prefix("compare-") else {
                continue;
            };
            let series = series_names(&chart);
            let has = series.iter().any(|s| s.starts_with(word));
            assert_eq!(has, targeted.contains(&kpi), "{}: {series:?}", chart.name);
            drawn += usize::from(has);
        }
    }
    assert!(drawn >= 2, "{drawn} compare charts with a target");
    let plan = load_dir(&fixture("plan")).expect("plan fixture");
    for chart in charts(&plan, Lang::En) {
        let series = series_names(&chart);
        assert!(
            series.last().is_some_and(|s| s.starts_with("Target ")),
            "{}: {series:?}",
            chart.name
        );
    }
}

/// The first section in the body, after the header.
fn first_section<'a, 'i>(doc: &'a roxmltree::Document<'i>) -> roxmltree::Node<'a, 'i> {
    doc.descendants()
        .find(|n| n.tag_name().name() == "section")
        .expect("a section")
}

/// The classes of the summary's verdict paragraph.
fn verdict<'a>(doc: &'a roxmltree::Document<'_>) -> Vec<&'a str> {
    let summary = first_section(doc);
    assert_eq!(summary.attribute("id"), Some("summary"));
    let p = summary
        .descendants()
        .find(|n| n.tag_name().name() == "p" && classes(*n).contains(&"verdict"))
        .expect("a verdict");
    classes(p)
}

/// Issue 11, "First page: the answer": a run's report opens with the
/// summary and its verdict, met or missed, in both languages.
#[test]
fn a_run_report_opens_with_its_verdict() {
    let (model, result) = three_sites();
    let missed = ReportInput::from_run(result, model);
    assert!(!result.misses(&model.targets).is_empty());
    let mut met = missed.clone();
    met.context.targets = report::Targets {
        max_lost_swap_rate: Some(1.0),
        ..report::Targets::default()
    };
    for lang in [Lang::Zh, Lang::En] {
        let html = render_html(&missed, lang);
        let doc = parse(&html);
        assert!(verdict(&doc).contains(&"bad"), "{html}");
        let summary = first_section(&doc);
        let worst = summary
            .descendants()
            .filter(|n| n.tag_name().name() == "li")
            .count();
        assert_eq!(worst, 3, "the three worst sites");
        let html = render_html(&met, lang);
        assert!(verdict(&parse(&html)).contains(&"ok"), "{html}");
    }
    let zh = render_html(&missed, Lang::Zh);
    assert!(zh.contains("3 个站点中有"), "{zh}");
    assert!(zh.contains("全网关键指标") && zh.contains("变压器余量"));
    let en = render_html(&missed, Lang::En);
    assert!(en.contains("of 3 sites miss a target"), "{en}");
    assert!(en.contains("Transformer headroom"));
}

/// A plan's summary: the verdict, existing → planned, the investment by
/// item, the annual cost by who pays and flying wire before → after, for
/// a feasible and an infeasible plan, with no English in Chinese.
#[test]
fn a_plan_report_opens_with_its_verdict_totals_and_money() {
    let cases = [
        ("scenarios/erlang-b-plan.toml", true),
        ("tests/fixtures/cli/plan-infeasible.toml", false),
    ];
    for (scenario, feasible) in cases {
        let mut model = scenarios::load(&root().join(scenario)).expect("scenario");
        model.days = 20;
        // A swap fee for the feasible plan: revenue and payback show.
        model.costs.swap_fee_cny = feasible.then_some(3.0);
        let plan = sim_core::planner::plan(&model, 0, &sim_core::planner::Silent);
        assert_eq!(plan.feasible, feasible, "{scenario}");
        let input = ReportInput {
            context: sourced_context(scenario, &plan.model).planned(),
            ..ReportInput::from_plan(&plan, &model)
        };
        let data = input.plan.as_ref().expect("plan");
        assert_eq!(data.existing.len(), model.sites.len());
        assert!(data.baseline.is_some());
        // The capital by item is the planner's, and adds up to its cost.
        let capital: f64 = plan.sites.iter().map(|s| s.capital.total_cny()).sum();
        assert!(capital > 0.0, "{scenario}");
        let costs = &plan.model.costs;
        for (site, result) in plan.sites.iter().zip(&plan.result.sites) {
            let annual = site.capital.total_cny()
                * (costs.annuity_factor() + costs.maintenance_share_per_year)
                + result.kpis.energy_cost_cny_per_day.mean * 365.0;
            assert!(
                (annual - site.annual_cost_cny).abs() <= 1e-6 * site.annual_cost_cny.max(1.0),
                "{scenario} {}: {annual} vs {}",
                site.name,
                site.annual_cost_cny
            );
        }
        for lang in [Lang::Zh, Lang::En] {
            let html = render_html(&input, lang);
            let doc = parse(&html);
            let want = if feasible { "ok" } else { "bad" };
            assert!(verdict(&doc).contains(&want), "{scenario} {lang:?}");
            let summary = first_section(&doc);
            let tables: Vec<Vec<&str>> = summary
                .descendants()
                .filter(|n| n.tag_name().name() == "table")
                .map(classes)
                .collect();
            assert!(tables.iter().any(|c| c.contains(&"totals")), "{tables:?}");
            assert_eq!(
                tables.iter().filter(|c| c.contains(&"money")).count(),
                2,
                "investment and annual cost"
            );
        }
        let zh = render_html(&input, Lang::Zh);
        // The investment is what the plan adds.
        let added: f64 = plan.sites.iter().map(|s| s.added.capital.total_cny()).sum();
        let capex = format!(
            "<th>合计</th><th></th><th></th><th class=\"num\">{}</th>",
            added.round()
        );
        assert!(zh.contains(&capex), "{scenario}: {capex}");
        assert!(zh.contains("一次性投资") && zh.contains("电池年金"));
        assert!(zh.contains("规划前") && zh.contains("规划后"), "{zh}");
        assert_eq!(zh.contains("换电收入"), feasible, "revenue only with a fee");
        assert_eq!(
            zh.contains("投资回收期") || zh.contains("无法回收"),
            feasible
        );
        let words = english_words(&zh, &author_text(&model, &input.context));
        assert!(words.is_empty(), "{scenario}: English in zh: {words:?}");
        let en = render_html(&input, Lang::En);
        assert!(en.contains("One-off investment") && en.contains("paid by residents"));
    }
}

/// The number in the text of a `<p class="{class}">` of `html`'s summary
/// (the first one after `prefix` in it).
fn number_after(html: &str, class: &str, prefix: &str) -> f64 {
    let doc = parse(html);
    let p = first_section(&doc)
        .descendants()
        .find(|n| n.tag_name().name() == "p" && classes(*n).contains(&class))
        .unwrap_or_else(|| panic!("no p.{class}"));
    let text = text_of(p);
    let after = &text[text
        .find(prefix)
        .unwrap_or_else(|| panic!("{prefix}: {text}"))
        + prefix.len()..];
    let digits: String = after
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("a number after {prefix}: {text}"))
}

/// The rows of the summary's `table.{class}`: each row's cells' text.
fn summary_rows(html: &str, class: &str) -> Vec<Vec<String>> {
    let doc = parse(html);
    let table = first_section(&doc)
        .descendants()
        .find(|n| {
            n.tag_name().name() == "table" && class.split(' ').all(|c| classes(*n).contains(&c))
        })
        .unwrap_or_else(|| panic!("no table.{class}"));
    table
        .descendants()
        .filter(|n| n.tag_name().name() == "tr")
        .map(|tr| {
            tr.children()
                .filter(|c| c.is_element())
                .map(text_of)
                .collect()
        })
        .collect()
}

/// Issue 11 audit: the pilot with a swap fee keeps its 6 cabinets and
/// stocks fewer batteries, yet its summary priced all 6 cabinets and 56
/// batteries as investment. The one-off investment is what the plan adds
/// over what exists, item by item (added count × unit price; nothing for
/// what is kept or removed); the annual cost of the planned fleet is the
/// planner's objective, unchanged, with the batteries' annuity (their
/// replacement) on a line of its own; payback is of the added investment.
#[test]
fn a_plan_prices_only_what_it_adds() {
    let path = "scenarios/bishan-pilot.toml";
    let mut model = scenarios::load(&root().join(path)).expect("the pilot");
    model.costs.swap_fee_cny = Some(2.0);
    let plan = sim_core::planner::plan(&model, 0, &sim_core::planner::Silent);
    assert!(plan.feasible);
    let input = ReportInput {
        context: sourced_context(path, &plan.model).planned(),
        ..ReportInput::from_plan(&plan, &model)
    };
    // What the plan adds, priced at [costs]: a cabinet of another size is
    // a new one; a kept slot whose charger grows pays the difference.
    let costs = &model.costs;
    let base_w = model
        .battery
        .charger_power_w()
        .expect("the pilot's charger");
    let per_slot =
        |w: Option<f64>| (w.unwrap_or(base_w) - base_w) / 1000.0 * costs.charger_cny_per_kw;
    let mut added = [0.0; 5];
    let mut fleet = 0.0;
    for ((existing, planned), site) in model.sites.iter().zip(&plan.model.sites).zip(&plan.sites) {
        let new = if planned.slots_per_cabinet == existing.slots_per_cabinet {
            planned.cabinets.saturating_sub(existing.cabinets)
        } else {
            planned.cabinets
        };
        let new_slots = f64::from(new * planned.slots_per_cabinet);
        let kept_slots = f64::from(planned.slots()) - new_slots;
        let upgrade =
            (per_slot(planned.charger_power_w) - per_slot(existing.charger_power_w)).max(0.0);
        let items = [
            f64::from(new) * costs.cabinet_cny(planned.slots_per_cabinet),
            f64::from(planned.batteries.saturating_sub(existing.batteries)) * costs.battery_cny,
            f64::from(planned.pile_ports.saturating_sub(existing.pile_ports)) * costs.pile_port_cny,
            new_slots * per_slot(planned.charger_power_w) + kept_slots * upgrade,
            site.capital.transformer_cny,
        ];
        for (a, v) in added.iter_mut().zip(items) {
            *a += v;
        }
        fleet += site.capital.total_cny();
    }
    let added_total: f64 = added.iter().sum();
    // The audit's case: nothing bought for cabinets or batteries.
    assert_eq!((added[0], added[1]), (0.0, 0.0), "{added:?}");
    assert!(
        added_total > 0.0 && added_total < fleet,
        "{added_total} of {fleet}"
    );

    let data = input.plan.as_ref().expect("plan");
    for lang in [Lang::Zh, Lang::En] {
        let html = render_html(&input, lang);
        let capex = summary_rows(&html, "money capex");
        let total = capex.last().expect("a total row");
        let shown: f64 = total.last().expect("a sum").parse().expect("a number");
        assert_eq!(shown, added_total.round(), "{lang:?}: {capex:?}");
        // Each item: added count × unit price = amount.
        for row in &capex[1..capex.len() - 1] {
            let count: f64 = row[1].parse().unwrap_or_else(|_| panic!("{row:?}"));
            let amount: f64 = row[3].parse().unwrap_or_else(|_| panic!("{row:?}"));
            if let Ok(price) = row[2].parse::<f64>() {
                assert!((count * price - amount).abs() <= 1.0, "{row:?}");
            }
        }
        // The annual cost is the planner's, whatever the investment.
        let annual = summary_rows(&html, "money annual");
        let shown: f64 = annual
            .last()
            .and_then(|r| r.last())
            .expect("a total")
            .parse()
            .expect("a number");
        assert_eq!(shown, plan.annual_cost_cny.round(), "{lang:?}: {annual:?}");
        let batteries: f64 = plan.sites.iter().map(|s| s.capital.batteries_cny).sum();
        let battery_line = (batteries * data.annuity_factor).round().to_string();
        assert!(
            annual.iter().any(|r| r.last() == Some(&battery_line)),
            "{lang:?}: the batteries' annuity {battery_line} on its own line: {annual:?}"
        );
        // Payback from the added investment.
        let network = input
            .summary
            .as_ref()
            .expect("the final run")
            .network
            .clone();
        let mean = |k: &str| network.get(k).expect(k).mean;
        let revenue = mean("swap_requests_per_day") * (1.0 - mean("lost_swap_rate")) * 2.0 * 365.0;
        let running = fleet * data.maintenance_share_per_year
            + mean("cabinet_energy_cost_cny_per_day") * 365.0;
        let years = added_total / (revenue - running);
        let prefix = if lang == Lang::Zh {
            "新增投资回收期："
        } else {
            "Payback of the added investment:"
        };
        let shown = number_after(&html, "payback", prefix);
        assert!(
            (shown - years).abs() <= 0.051,
            "{lang:?}: {shown} vs {years}"
        );
    }
    let zh = render_html(&input, Lang::Zh);
    assert!(zh.contains("规划新增") && zh.contains("电池"), "{zh}");
    let en = render_html(&input, Lang::En);
    assert!(
        en.contains("what the plan adds") && en.contains("planned fleet"),
        "{en}"
    );
}

/// The towns' table (`id="towns"`) sums to the sites, the sites' table
/// (`id="sites"`) is ordered by town, and a network without towns gets
/// one line instead of a table.
#[test]
fn towns_roll_up_the_sites() {
    let (model, result) = three_sites();
    let mut towns = model.clone();
    for (site, town) in towns.sites.iter_mut().zip(["乙镇", "甲街道", "乙镇"]) {
        site.town = town.to_owned();
    }
    let input = ReportInput::from_run(result, &towns);
    let html = render_html(&input, Lang::Zh);
    let doc = parse(&html);
    let table = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("towns"))
        .expect("the towns section");
    let rows: Vec<Vec<String>> = table
        .descendants()
        .filter(|n| n.tag_name().name() == "tr")
        .skip(1)
        .map(|tr| {
            tr.children()
                .filter(|c| c.is_element())
                .map(text_of)
                .collect()
        })
        .collect();
    let names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["乙镇", "甲街道", "合计"]);
    let column = |i: usize| -> Vec<u64> { rows.iter().map(|r| r[i].parse().unwrap()).collect() };
    // Sites, e-bikes, subscribers, cabinets, batteries: towns sum to the total.
    let sites = &input.context.sites;
    let sums: [u64; 5] = [
        sites.len() as u64,
        sites.iter().map(|s| u64::from(s.ebikes)).sum(),
        sites.iter().map(|s| u64::from(s.subscribers)).sum(),
        sites.iter().map(|s| u64::from(s.cabinets)).sum(),
        sites.iter().map(|s| u64::from(s.batteries)).sum(),
    ];
    for (i, total) in sums.iter().enumerate() {
        let c = column(i + 1);
        assert_eq!(c[0] + c[1], c[2], "column {}", i + 1);
        assert_eq!(c[2], *total, "column {}", i + 1);
    }
    assert_eq!(column(1)[..2], [2, 1]);
    // Missed targets per town add up to every (site, target) missed.
    let missed = column(8);
    assert_eq!(missed[2], result.misses(&model.targets).len() as u64);
    // The sites' table: town first, ordered by town.
    let site_towns: Vec<String> = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("sites"))
        .expect("the sites table")
        .descendants()
        .filter(|n| n.tag_name().name() == "tr")
        .skip(1)
        .map(|tr| text_of(tr.children().find(|c| c.is_element()).unwrap()))
        .collect();
    assert_eq!(site_towns, ["乙镇", "乙镇", "甲街道"]);

    let none = render_html(&ReportInput::from_run(result, model), Lang::En);
    let doc = parse(&none);
    let towns = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("towns"))
        .expect("the towns section");
    assert_eq!(count(&doc, "table", "towns"), 0);
    assert!(text_of(towns).contains("No site names its town"), "{none}");
}

/// Issue 11, "District scale": the shipped district (175 sites on 175
/// transformers) keeps its summary and towns first, draws the load of the
/// tightest transformers only, says how to get the rest, rolls the missed
/// targets up and still gives every site its row.
#[test]
fn a_district_report_keeps_to_the_worst_sites() {
    let mut model = model("scenarios/bishan-district.toml", 2, 1);
    model.warmup_days = 1;
    let result = sim_core::run(&model, 0);
    let input = ReportInput {
        context: sourced_context("scenarios/bishan-district.toml", &model),
        ..ReportInput::from_run(&result, &model)
    };
    let all = charts(&input, Lang::Zh);
    let is_load = |name: &str| name.starts_with("load-t") && !name.ends_with("-charging");
    let loads = all.iter().filter(|c| is_load(&c.name)).count();
    assert_eq!(loads, model.grid.transformers.len());
    for lang in [Lang::Zh, Lang::En] {
        let html = render_html(&input, lang);
        let doc = parse(&html);
        let ids: Vec<&str> = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "section")
            .filter_map(|n| n.attribute("id"))
            .collect();
        assert_eq!(ids[..3], ["summary", "map", "towns"], "{ids:?}");
        let drawn = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "figure")
            .filter_map(|n| n.attribute("id"))
            .filter_map(|i| i.strip_prefix("chart-"))
            .filter(|i| i.starts_with("load-t"))
            .collect::<Vec<_>>();
        let loads = drawn.iter().filter(|i| is_load(i)).count();
        assert_eq!(loads, 6, "the six tightest transformers: {drawn:?}");
        // Each with its charging load beside it, and no other transformer's.
        assert!(drawn.len() <= 12, "{drawn:?}");
        for i in drawn.iter().filter(|i| i.ends_with("-charging")) {
            assert!(
                drawn.contains(&i.trim_end_matches("-charging")),
                "{i} alone"
            );
        }
        assert!(html.contains("--charts"), "says how to get every chart");
        assert_the_charts_command_runs(&doc, lang);
        let sites = doc
            .descendants()
            .find(|n| n.attribute("id") == Some("sites"))
            .expect("the sites table")
            .descendants()
            .filter(|n| n.tag_name().name() == "tr")
            .count();
        assert_eq!(sites, 1 + model.sites.len(), "every site has its row");
        let misses = result.misses(&model.targets).len();
        assert!(misses > 10, "the district misses many targets");
        let rolled = doc
            .descendants()
            .find(|n| classes(*n).contains(&"rolled-up"))
            .expect("a roll-up of the misses");
        assert!(rolled.children().filter(|c| c.is_element()).count() <= 5);
        let appendix = doc
            .descendants()
            .find(|n| n.attribute("id") == Some("appendix-misses"))
            .expect("the appendix");
        assert_eq!(
            appendix
                .descendants()
                .filter(|n| n.tag_name().name() == "li")
                .count(),
            misses
        );
    }
}

/// The command a report prints for every chart is one `swapsim` takes:
/// with its placeholders filled in, it fails only on the missing result.
fn assert_the_charts_command_runs(doc: &roxmltree::Document<'_>, lang: Lang) {
    let command = doc
        .descendants()
        .filter(|n| classes(*n).contains(&"left-out"))
        .filter_map(|n| n.children().find(|c| c.tag_name().name() == "code"))
        .map(text_of)
        .find(|c| c.contains("--charts"))
        .expect("the command for every chart");
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no-result");
    let (result, html, charts) = match lang {
        Lang::Zh => ("结果目录", "报告.html", "图表目录"),
        Lang::En => ("RESULT", "REPORT.html", "DIR"),
    };
    let args: Vec<String> = command
        .split_whitespace()
        .skip(1)
        .map(|word| match word {
            w if w == result => missing.display().to_string(),
            w if w == html => dir.path().join("r.html").display().to_string(),
            w if w == charts => dir.path().join("charts").display().to_string(),
            w => w.to_owned(),
        })
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (status, stderr) = swapsim(&args);
    assert_eq!(status, 2, "{command}: {stderr}");
    assert!(
        stderr.contains("no-result") && !stderr.contains("required"),
        "`{command}` must parse; it failed with: {stderr}"
    );
}

/// Issue 11: a scenario's `[scenario] label` names its compare column,
/// ahead of its name; `compare --format json` carries it.
#[test]
fn a_label_names_the_compare_column() {
    let mut input = load_dir(&fixture("compare/compare.json")).expect("compare fixture");
    let compare = input.compare.as_mut().expect("compare");
    compare.scenarios[0].label = "现状".to_owned();
    let second = compare.scenarios[1].name.clone();
    let html = render_html(&input, Lang::Zh);
    let doc = parse(&html);
    let headers: Vec<String> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "table" && classes(*n).contains(&"compare"))
        .flat_map(|t| t.descendants().filter(|n| n.tag_name().name() == "th"))
        .map(text_of)
        .collect();
    assert!(headers.contains(&"现状".to_owned()), "{headers:?}");
    assert!(headers.contains(&second), "{headers:?}");
    // The summary's table names it too.
    assert!(text_of(first_section(&doc)).contains("现状"));

    let dir = tempfile::tempdir().expect("temp dir");
    let labelled = dir.path().join("labelled.toml");
    let text = fs::read_to_string(root().join("scenarios/erlang-b.toml")).expect("erlang-b");
    let text = text.replacen("[scenario]\n", "[scenario]\nlabel = \"现状\"\n", 1);
    fs::write(&labelled, text).expect("write the scenario");
    let argv = [
        "swapsim",
        "compare",
        labelled.to_str().expect("UTF-8"),
        "scenarios/erlang-c.toml",
        "--days",
        "14",
        "--replications",
        "2",
        "--format",
        "json",
    ];
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = swapsim_cli::main_with(
        argv,
        &mut stdout,
        &mut stderr,
        swapsim_cli::Progress::Hidden,
    );
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&stderr));
    let input = ReportInput::from_compare_json(&String::from_utf8_lossy(&stdout)).expect("json");
    let compare = input.compare.as_ref().expect("compare");
    assert_eq!(compare.column_names()[0], "现状");
    // Each scenario's equipment, and its difference to the first, in the
    // summary.
    let erlang_c = scenarios::load(&root().join("scenarios/erlang-c.toml")).expect("erlang-c");
    assert_eq!(
        compare.scenarios[1].sizing,
        Some(report::Sizing::of(&erlang_c))
    );
    let html = render_html(&input, Lang::Zh);
    let doc = parse(&html);
    let summary = text_of(first_section(&doc));
    assert!(
        summary.contains("换电柜") && summary.contains("充电桩端口"),
        "{summary}"
    );
    let names = [
        labelled.display().to_string(),
        "scenarios/erlang-c.toml".to_owned(),
        "erlang-b".to_owned(),
        "erlang-c".to_owned(),
    ];
    let words = english_words(&html, &names);
    assert!(
        words.is_empty(),
        "English in the zh compare report: {words:?}"
    );
}

/// The site map (issue 11) follows the summary: one marker per site where
/// the scenario puts it, coloured by target status, or by a KPI when
/// `--map-kpi` names one (the caption then names it).
#[test]
fn the_site_map_follows_the_summary() {
    let model = swapsim_suite::models::small_district();
    let result = sim_core::run(&model, 0);
    let mut input = ReportInput::from_run(&result, &model);
    input.context.targets.max_flying_wire_per_1000_bikes_day = Some(100.0);
    for lang in [Lang::Zh, Lang::En] {
        let html = render_html(&input, lang);
        let doc = parse(&html);
        let ids: Vec<&str> = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "section")
            .filter_map(|n| n.attribute("id"))
            .collect();
        assert_eq!(ids[..2], ["summary", "map"], "{ids:?}");
        let map = doc
            .descendants()
            .find(|n| n.attribute("id") == Some("map"))
            .expect("the map section");
        let markers = map
            .descendants()
            .filter(|n| n.tag_name().name() == "circle")
            .filter(|n| n.ancestors().any(|a| a.attribute("class") == Some("sites")))
            .count();
        assert_eq!(markers, model.sites.len(), "one marker per site");
    }
    let by_status = report::site_map_of(&input, Lang::En).expect("a map");
    input.map_kpi = Some("flying_wire_per_1000_bikes_day".into());
    let by_kpi = report::site_map_of(&input, Lang::En).expect("a map");
    assert_ne!(by_status.svg, by_kpi.svg);
    let label = report::kpi_label("flying_wire_per_1000_bikes_day", Lang::En).name;
    assert!(by_kpi.caption.contains(&label), "{}", by_kpi.caption);
    assert!(!by_status.caption.contains(&label));
}

/// `SWAPSIM_REPORT_PAGES=DIR` writes the plan and compare reports of the
/// fixtures in Chinese and English (`plan-zh.html`, `plan-en.html`,
/// `compare-zh.html`, `compare-en.html`), and the pilot compared with its
/// plan (`compare-same-name-zh.html`), for `.ci/browser-test`, which
/// renders each in Chromium.
#[test]
fn writes_the_plan_and_compare_pages() {
    let Some(dir) = std::env::var_os("SWAPSIM_REPORT_PAGES") else {
        return;
    };
    let dir = PathBuf::from(dir);
    fs::create_dir_all(&dir).expect("create the pages' directory");
    for kind in ["plan", "compare"] {
        let input = load_dir(&root().join("tests/fixtures/report").join(kind))
            .unwrap_or_else(|e| panic!("the {kind} fixture loads: {e}"));
        for lang in [Lang::Zh, Lang::En] {
            let path = dir.join(format!("{kind}-{}.html", lang.tag()));
            fs::write(&path, render_html(&input, lang)).expect("write the page");
        }
    }
    // The pilot against its plan, both named bishan-pilot (issue 11
    // audit): its summary table must print within the page.
    let page = dir.join("compare-same-name-zh.html");
    let (code, stderr) = swapsim(&[
        "compare",
        "scenarios/bishan-pilot.toml",
        "scenarios/bishan-pilot-plan.toml",
        "--html",
        page.to_str().expect("UTF-8"),
        "-q",
    ]);
    assert_eq!(code, 0, "{stderr}");
}

/// An infeasible plan's verdict on the first page ended in a colon with
/// nothing after it: it says how many sites still miss a target and where
/// they are listed.
#[test]
fn an_infeasible_plans_verdict_says_what_misses() {
    let mut input = load_dir(&fixture("plan")).expect("plan fixture");
    let plan = input.plan.as_mut().expect("plan.json");
    plan.feasible = false;
    let sites = plan.sites.len();
    let target = plan
        .sites
        .iter_mut()
        .flat_map(|s| s.targets.iter_mut())
        .next()
        .expect("a target");
    target.met = false;
    for (lang, words) in [
        (
            Lang::Zh,
            format!("{sites} 个站点中有 1 个仍未达到目标，逐项见“目标检查”一节。"),
        ),
        (
            Lang::En,
            format!("1 of {sites} sites still miss a target; each is listed under Targets."),
        ),
    ] {
        let html = render_html(&input, lang);
        let summary = &html[html.find("id=\"summary\"").expect("a summary")..];
        let verdict = &summary[summary.find("bad verdict").expect("a verdict")..];
        let verdict = &verdict[..verdict.find("</p>").expect("its end")];
        assert!(verdict.contains(&words), "{lang:?}: {verdict}");
    }
}
