//! swapsim's report: results of `run`, `plan` and `compare` as one
//! self-contained HTML file with tables and SVG charts, in Chinese or
//! English.
//!
//! Architecture invariant: this crate knows nothing of clap, exit codes or
//! the terminal, and writes no files. It reads result files
//! ([`load_dir`]) or takes the engine's results ([`ReportInput::from_run`],
//! [`ReportInput::from_plan`]) and returns strings.
//!
//! # What a report holds
//!
//! - first, the answer (`summary`): a plan's verdict, equipment existing
//!   → planned, investment and annual cost, flying wire before → after;
//!   a run's verdict, key figures and transformer headroom; which compared
//!   scenarios meet every target; then the roll-up by town (`towns`);
//! - an overview (scenario, seed, replications, days) and, in plain words,
//!   every target that a site misses, judged like the planner by the upper
//!   end of the KPI's 95% interval;
//! - for a plan, the per-site sizing table, why units were kept, the cost;
//! - KPI tables with intervals: all KPIs of the network, key KPIs per site;
//! - for a comparison, each scenario's KPIs and paired differences;
//! - the charts of [`charts`];
//! - the assumptions with their sources (the comments beside the keys of
//!   the scenario file, see [`Context::from_scenario`]), and how the
//!   numbers were made.
//!
//! The page has no script and fetches nothing; its CSS prints on A4
//! (`@page { size: A4 }`, tables rows and charts kept whole). Every text
//! from the input (site names are user input) is escaped. Chart text stays
//! SVG text with a CJK font list, so the browser renders Chinese and
//! plotters needs no font library.
//!
//! Each [`Chart`] can also be drawn as a PNG ([`Chart::png`]), 1600 pixels
//! wide, with a [`Font`] read at run time ([`Font::load`],
//! [`find_cjk_font`] over [`CJK_FONT_PATHS`]); a font that lacks a glyph
//! the chart needs is a [`FontError`], never a chart with holes.
//!
//! [`site_map`] draws the sites on a map (SVG, and PNG through
//! [`SiteMap::png`]), sized by requests and coloured by target status or a
//! KPI, with labels only where they cover no marker.
//!
//! # Example
//!
//! ```
//! use sim_core::{BatterySpec, ChargeModel, Demand, Model, Patience, SiteSpec};
//!
//! let model = Model {
//!     name: "小区 <A>".into(),
//!     days: 4,
//!     warmup_days: 1,
//!     replications: 2,
//!     battery: BatterySpec {
//!         charge: ChargeModel::Exponential { mean_hours: 3.0 },
//!         ..BatterySpec::default()
//!     },
//!     sites: vec![SiteSpec {
//!         name: "美吉鑫小区".into(),
//!         cabinets: 1,
//!         slots_per_cabinet: 12,
//!         batteries: 11,
//!         demand: Demand::Poisson { swaps_per_hour: 2.0 },
//!         patience: Patience::None,
//!         ..SiteSpec::default()
//!     }],
//!     ..Model::default()
//! };
//! let result = sim_core::run(&model, 1);
//! let input = report::ReportInput::from_run(&result, &model);
//!
//! let html = report::render_html(&input, report::Lang::Zh);
//! assert!(html.contains("<html lang=\"zh\">"));
//! assert!(html.contains("小区 &lt;A&gt;"));
//! assert!(html.contains("美吉鑫小区"));
//!
//! let english = report::render_html(&input, report::Lang::En);
//! assert!(english.contains("Key performance indicators"));
//! ```

mod assumptions;
mod backtest;
mod charts;
mod daily;
mod file;
mod font;
mod format;
mod html;
mod i18n;
mod input;
mod map;
mod plot;
mod raster;
mod reference;
mod strict;
mod summary;
pub mod sweep;
mod towns;
mod weekly;

pub use assumptions::{
    Assumption, Context, DistUnit, ScenarioFile, SiteInfo, Source, Transformer, Value,
};
pub use backtest::render_backtest_html;
pub use charts::{Chart, MAX_SITES_PER_CHART, Omitted, charts, omitted};
pub use font::{CJK_FONT_PATHS, Font, FontError, find_cjk_font};
pub use html::{render_html, render_html_with_charts};
pub use i18n::{KpiLabel, Lang, kpi as kpi_label};
pub use input::{
    COMPARE_FILE, COMPONENTS, CONTEXT_FILE, CandidateData, CompareData, CompareRow,
    CompareScenario, CompareSite, CostDifference, DAYS_A_YEAR, Estimate, KpiList, LoadQuarter,
    LoadSeries, PLAN_FILE, PROFILES_FILE, PlanData, PricedDifference, Profile, Profiles,
    READY_FILE, ReadySeries, ReportError, ReportInput, SUMMARY_FILE, SitePlanData, SiteReady,
    SiteSummary, Sizing, Summary, TIMESERIES_FILE, Targets, TransformerLoad, Upper, load_dir,
};
pub use map::{
    MIN_RADIUS_PX, MapColour, MapLayout, MapSite, Marker, PlacedLabel, PxRect, SCALE_BAR_MAX_PX,
    SiteMap, TargetStatus, site_map,
};
pub use reference::SOURCES_FILE;
pub use summary::site_map_of;
pub use weekly::render_weekly_html;

/// Which command the results come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `swapsim run`: one scenario's KPIs and series.
    Run,
    /// `swapsim plan`: a sizing, its candidates and its final evaluation.
    Plan,
    /// `swapsim compare`: several scenarios side by side.
    Compare,
}

impl Kind {
    /// `run`, `plan` or `compare`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Plan => "plan",
            Kind::Compare => "compare",
        }
    }
}
