//! Every word the report shows, in Chinese and English.
//!
//! The labels are the fields of one struct, so a label missing from either
//! language does not compile. Sentences with values are functions.

use crate::Kind;
use sim_core::Dist;

use crate::assumptions::{Assumption, DistUnit, Source, Value};
use crate::format::{shown, trim, with_unit};
use crate::reference::{Operator, SOURCES_FILE};
use sim_core::planner::{Kept, KeptWhy, Problem, ProblemWhy, Unit};

/// The report's language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Simplified Chinese (`zh`), the default: planners read it.
    #[default]
    Zh,
    /// English (`en`).
    En,
}

impl Lang {
    /// The BCP 47 tag for `<html lang>`: `zh` or `en`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The language of tag `zh` or `en` (also `zh-CN`, `en-GB`, ...).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let lower = tag.to_ascii_lowercase();
        let primary = lower.split(['-', '_']).next().unwrap_or_default();
        match primary {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub(crate) fn words(self) -> &'static Words {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Lang::from_tag(s).ok_or_else(|| format!("unknown language '{s}' (expected zh or en)"))
    }
}

/// The fixed labels of one language.
pub(crate) struct Words {
    pub title_run: &'static str,
    pub title_plan: &'static str,
    pub title_compare: &'static str,
    pub scenario: &'static str,
    pub scenarios: &'static str,
    pub seed: &'static str,
    pub replications: &'static str,
    pub days: &'static str,
    pub warmup_days: &'static str,
    pub measured_days: &'static str,
    pub overview: &'static str,
    pub findings: &'static str,
    pub all_met: &'static str,
    pub no_targets: &'static str,
    pub plan_feasible: &'static str,
    pub plan_infeasible: &'static str,
    pub kpis: &'static str,
    pub network: &'static str,
    pub sites: &'static str,
    pub site: &'static str,
    pub kpi: &'static str,
    pub mean: &'static str,
    pub interval: &'static str,
    pub target: &'static str,
    pub sizing: &'static str,
    pub cabinets_slots: &'static str,
    pub batteries: &'static str,
    pub charger_w: &'static str,
    pub pile_ports: &'static str,
    pub transformer_kva: &'static str,
    pub annual_cost: &'static str,
    pub upgrade: &'static str,
    pub kept_because: &'static str,
    pub kept_unit: &'static str,
    pub kept_reason: &'static str,
    pub kept_sites: &'static str,
    pub total_cost: &'static str,
    pub comparison: &'static str,
    pub difference: &'static str,
    pub compare_note: &'static str,
    pub file: &'static str,
    pub charts: &'static str,
    pub no_charts: &'static str,
    pub assumptions: &'static str,
    pub parameter: &'static str,
    pub value: &'static str,
    pub source: &'static str,
    pub scenario_file: &'static str,
    pub scenario_file_label: &'static str,
    pub default_source: &'static str,
    pub plan_source: &'static str,
    pub method: &'static str,
    pub method_text: [&'static str; 3],
    // Charts.
    pub hour_axis: &'static str,
    pub load_axis: &'static str,
    /// Household base (as the design standard derives it), cabinets,
    /// piles, flying wire.
    pub components: [&'static str; 4],
    /// A base load the scenario gave as a peak, which may be commercial.
    pub base_load: &'static str,
    /// The title of a charging-load chart, after the transformer's name.
    pub charging_title: &'static str,
    /// The 5–95% lines of the charging load.
    pub charging_band: &'static str,
    /// Not drawn: no request in any hour.
    pub no_requests: &'static str,
    /// Not drawn: every wait at a cabinet is zero.
    pub no_wait: &'static str,
    /// Not drawn: every swap delay is zero.
    pub no_delay: &'static str,
    /// Not drawn: no pile or flying-wire session in any hour.
    pub no_fallback: &'static str,
    pub total_mean: &'static str,
    pub total_band: &'static str,
    pub load_title: &'static str,
    pub ready_title: &'static str,
    pub ready_axis: &'static str,
    pub requests_title: &'static str,
    pub per_day_axis: &'static str,
    pub requests: &'static str,
    pub stockouts: &'static str,
    pub wait_title: &'static str,
    pub quantile_axis: &'static str,
    pub wait_axis: &'static str,
    pub fallback_title: &'static str,
    pub pile_sessions: &'static str,
    pub flying_wire_sessions: &'static str,
    pub cost_axis: &'static str,
    pub upper_bound: &'static str,
    pub chosen: &'static str,
    pub scenario_axis: &'static str,
    // Energy and cost by where they are drawn.
    pub energy: &'static str,
    pub drawn_at: &'static str,
    pub energy_kwh: &'static str,
    pub energy_cost: &'static str,
    pub paid_by: &'static str,
    /// Cabinets, piles, flats, total.
    pub places: [&'static str; 4],
    /// Who pays for each of `places` (the total: everyone).
    pub payers: [&'static str; 4],
    pub energy_note: &'static str,
    pub energy_title: &'static str,
    // Operator figures.
    pub operator_figures: &'static str,
    pub figure: &'static str,
    pub this_scenario: &'static str,
    pub published: &'static str,
    pub published_by: &'static str,
    pub reference_range: &'static str,
    pub batteries_per_cabinet: &'static str,
    // The rider-facing delay.
    pub delay_title: &'static str,
    pub delay_axis: &'static str,
}

const ZH: Words = Words {
    title_run: "换电仿真报告",
    title_plan: "换电柜配置方案报告",
    title_compare: "场景对比报告",
    scenario: "场景",
    scenarios: "对比场景",
    seed: "随机种子",
    replications: "重复次数",
    days: "每次模拟天数",
    warmup_days: "预热天数（不计入统计）",
    measured_days: "统计天数",
    overview: "概况",
    findings: "目标检查",
    all_met: "所有目标均已满足（以 95% 置信区间上限判断）。",
    no_targets: "场景未设定目标，不做目标检查。",
    plan_feasible: "方案满足所有目标。",
    plan_infeasible: "未找到满足所有目标的方案：",
    kpis: "关键指标",
    network: "全网",
    sites: "各小区",
    site: "小区",
    kpi: "指标",
    mean: "均值",
    interval: "95% 置信区间",
    target: "目标",
    sizing: "配置方案",
    cabinets_slots: "换电柜 × 仓位",
    batteries: "电池 [块]",
    charger_w: "仓位充电功率 [W]",
    pile_ports: "充电桩端口",
    transformer_kva: "变压器 [kVA]",
    annual_cost: "年化成本 [元/年]",
    upgrade: "扩容",
    kept_because: "保留原因",
    kept_unit: "保留的设备",
    kept_reason: "原因",
    kept_sites: "小区数",
    total_cost: "方案年化总成本",
    comparison: "场景对比",
    difference: "差值",
    compare_note: "各场景使用相同的随机数（共同随机数）；差值为与第一个场景的逐次重复配对差，括号内为 95% 置信区间。",
    file: "文件",
    charts: "图表",
    no_charts: "结果中没有可绘制的时间序列或分布。",
    assumptions: "假设与来源",
    parameter: "参数",
    value: "取值",
    source: "来源",
    scenario_file: "场景文件",
    scenario_file_label: "场景文件",
    default_source: "默认值（scenarios/README.md）",
    plan_source: "规划器选定",
    method: "方法说明",
    method_text: [
        "离散事件仿真：每次重复独立抽样，预热期的数据不计入统计。",
        "每个指标给出各次重复的均值及 95% Student-t 置信区间。",
        "目标以置信区间上限判断：上限不超过目标值才算满足。比率指标为占换电请求的比例。",
    ],
    hour_axis: "时刻 [h]",
    load_axis: "负荷 [kW]",
    components: ["居民基础负荷", "换电柜", "充电桩", "飞线充电"],
    base_load: "基础负荷",
    charging_title: "新增充电负荷（叠加）",
    charging_band: "充电负荷 5–95%（重复×日）",
    no_requests: "没有换电请求，不绘制每小时请求图。",
    no_wait: "没有骑手在柜前等待，不绘制等待时间分布。",
    no_delay: "没有骑手的换电被延误，不绘制换电延误图。",
    no_fallback: "没有充电桩或飞线充电，不绘制兜底充电图。",
    total_mean: "总负荷（各日均值）",
    total_band: "总负荷 5–95%（重复×日）",
    load_title: "日负荷曲线",
    ready_title: "满电电池库存（按时刻，各日均值）",
    ready_axis: "可换电池 [块]",
    requests_title: "全网每小时换电请求与缺电",
    per_day_axis: "次数 [次/天]",
    requests: "换电请求",
    stockouts: "缺电",
    wait_title: "柜前等待时间分布（已服务请求，全网）",
    quantile_axis: "分位数",
    wait_axis: "等待 [分钟]",
    fallback_title: "全网每小时兜底充电（开始次数）",
    pile_sessions: "充电桩充电",
    flying_wire_sessions: "飞线充电",
    cost_axis: "年化成本 [元/年]",
    upper_bound: "95% 上限",
    chosen: "选定方案",
    scenario_axis: "场景",
    energy: "用电与电费：按用电地点和付费方",
    drawn_at: "用电地点",
    energy_kwh: "用电量 [kWh/天]",
    energy_cost: "电费 [元/天]",
    paid_by: "付费方",
    places: ["换电柜", "充电桩", "居民家中（飞线及入户充电）", "合计"],
    payers: [
        "运营商（分时电价）",
        "居民（居民电价）",
        "居民（居民电价）",
        "运营商与居民",
    ],
    energy_note: "用电量按实际取电的地点计入：把充电从居民家中移到充电桩或换电柜，是用电地点和付费方的转移，不是新增用电。换电柜的电费由运营商按分时电价支付；充电桩和家中充电的电费由居民按居民电价支付。",
    energy_title: "各场景用电量（按用电地点）",
    operator_figures: "与运营商公开数据对照",
    figure: "指标",
    this_scenario: "本场景",
    published: "公开数据",
    published_by: "数据来自",
    reference_range: "参考范围",
    batteries_per_cabinet: "每柜电池数（柜内库存）",
    delay_title: "各小区换电延误与柜前等待（P95）",
    delay_axis: "时间 [分钟]",
};

const EN: Words = Words {
    title_run: "Battery-swap simulation report",
    title_plan: "Swap-cabinet sizing plan",
    title_compare: "Scenario comparison",
    scenario: "Scenario",
    scenarios: "Compared scenarios",
    seed: "Seed",
    replications: "Replications",
    days: "Days per replication",
    warmup_days: "Warm-up days (discarded)",
    measured_days: "Days measured",
    overview: "Overview",
    findings: "Targets",
    all_met: "Every target is met (judged by the upper end of the 95% interval).",
    no_targets: "The scenario sets no targets ([targets]); nothing is checked.",
    plan_feasible: "The plan meets every target.",
    plan_infeasible: "No deployment met every target:",
    kpis: "Key performance indicators",
    network: "Network",
    sites: "Sites",
    site: "Site",
    kpi: "KPI",
    mean: "Mean",
    interval: "95% interval",
    target: "Target",
    sizing: "Sizing",
    cabinets_slots: "Cabinets × slots",
    batteries: "Batteries",
    charger_w: "Charger [W]",
    pile_ports: "Pile ports",
    transformer_kva: "Transformer [kVA]",
    annual_cost: "Annual cost [CNY/yr]",
    upgrade: "upgrade",
    kept_because: "Kept because",
    kept_unit: "Kept",
    kept_reason: "Because",
    kept_sites: "Sites",
    total_cost: "Total annual cost of the plan",
    comparison: "Comparison",
    difference: "Difference",
    compare_note: "Every scenario uses the same random numbers (common random numbers); a difference is to the first scenario, paired by replication, with its 95% interval in brackets.",
    file: "File",
    charts: "Charts",
    no_charts: "The results hold no series or distributions to draw.",
    assumptions: "Assumptions and sources",
    parameter: "Parameter",
    value: "Value",
    source: "Source",
    scenario_file: "scenario file",
    scenario_file_label: "Scenario file",
    default_source: "default (scenarios/README.md)",
    plan_source: "chosen by the planner",
    method: "Method",
    method_text: [
        "Discrete-event simulation: replications draw independent random numbers; the warm-up is discarded.",
        "Each KPI is the mean over replications with its 95% Student-t interval.",
        "A target is met when the upper end of the interval is within it. Rates are shares of swap requests.",
    ],
    hour_axis: "Hour of day [h]",
    load_axis: "Load [kW]",
    components: [
        "Residential base",
        "Cabinets",
        "Charging piles",
        "Flying wire",
    ],
    base_load: "Base load",
    charging_title: "charging load, stacked",
    charging_band: "Charging, 5–95% of replication-days",
    no_requests: "No swap requests, so no chart of requests by hour.",
    no_wait: "No rider waited at a cabinet, so no chart of waits.",
    no_delay: "No rider's swap was delayed, so no chart of delays.",
    no_fallback: "No pile or flying-wire sessions, so no chart of fallback charging.",
    total_mean: "Total (mean of days)",
    total_band: "Total, 5–95% of replication-days",
    load_title: "load over the day",
    ready_title: "Ready batteries through the day (mean of days)",
    ready_axis: "Ready batteries [count]",
    requests_title: "Swap requests and stockouts by hour, network",
    per_day_axis: "Count [1/d]",
    requests: "Swap requests",
    stockouts: "Stockouts",
    wait_title: "Wait at the cabinet, served requests, network",
    quantile_axis: "Quantile",
    wait_axis: "Wait [min]",
    fallback_title: "Fallback charging by hour, network (sessions started)",
    pile_sessions: "Pile sessions",
    flying_wire_sessions: "Flying-wire sessions",
    cost_axis: "Annual cost [CNY/yr]",
    upper_bound: "95% upper bound",
    chosen: "Chosen plan",
    scenario_axis: "Scenario",
    energy: "Energy and its cost, by where it is drawn and who pays",
    drawn_at: "Drawn at",
    energy_kwh: "Energy [kWh/d]",
    energy_cost: "Cost [CNY/d]",
    paid_by: "Paid by",
    places: [
        "Swap cabinets",
        "Charging piles",
        "Flats (flying wire, home plugs)",
        "Total",
    ],
    payers: [
        "Operator (time-of-use tariff)",
        "Residents (residential price)",
        "Residents (residential price)",
        "Operator and residents",
    ],
    energy_note: "Energy counts where it is drawn: moving charging from flats to piles or cabinets shifts where it is drawn and who pays, it is not new consumption. The operator pays for the cabinets' energy at the time-of-use tariff; residents pay for piles and charging at home at the residential price.",
    energy_title: "Energy by where it is drawn",
    operator_figures: "Against operators' published figures",
    figure: "Figure",
    this_scenario: "This scenario",
    published: "Published",
    published_by: "Whose figure",
    reference_range: "Reference range",
    batteries_per_cabinet: "Batteries per cabinet (stock)",
    delay_title: "Swap delay and wait at the cabinet by site (p95)",
    delay_axis: "Time [min]",
};

/// The title of a report of `kind`.
pub(crate) fn title(kind: Kind, lang: Lang) -> &'static str {
    let w = lang.words();
    match kind {
        Kind::Run => w.title_run,
        Kind::Plan => w.title_plan,
        Kind::Compare => w.title_compare,
    }
}

/// The site map's labels ([`crate::map`]); a struct of its own, so that a
/// label missing from either language does not compile.
pub(crate) struct MapWords {
    pub title: &'static str,
    /// The north arrow's letter.
    pub north: &'static str,
    pub status: &'static str,
    pub met: &'static str,
    pub close: &'static str,
    pub missed: &'static str,
    pub no_data: &'static str,
    /// The legend title of the marker sizes.
    pub requests: &'static str,
    /// The legend entry of the lines that join a transformer's sites.
    pub transformer: &'static str,
    /// After a site's requests in its tooltip: "12 swaps/d".
    pub per_day: &'static str,
}

const MAP_ZH: MapWords = MapWords {
    title: "站点地图",
    north: "北",
    status: "目标状态",
    met: "均满足",
    close: "接近限值",
    missed: "未满足",
    no_data: "无数据",
    requests: "换电请求 [次/天]",
    transformer: "同一变压器的站点",
    per_day: "次换电/天",
};

const MAP_EN: MapWords = MapWords {
    title: "Site map",
    north: "N",
    status: "Targets",
    met: "all met",
    close: "close to a limit",
    missed: "missed",
    no_data: "no data",
    requests: "Swap requests [1/d]",
    transformer: "Sites on one transformer",
    per_day: "swaps/d",
};

impl Lang {
    pub(crate) fn map_words(self) -> &'static MapWords {
        match self {
            Lang::Zh => &MAP_ZH,
            Lang::En => &MAP_EN,
        }
    }
}

/// The title of a comparison's site map, which shows `scenario`.
pub(crate) fn map_title_of(lang: Lang, scenario: &str) -> String {
    match lang {
        Lang::Zh => format!("{}：{scenario}", MAP_ZH.title),
        Lang::En => format!("{}: {scenario}", MAP_EN.title),
    }
}

/// The start of a comparison map's caption: which scenario it shows.
pub(crate) fn map_of_first(lang: Lang, scenario: &str) -> String {
    match lang {
        Lang::Zh => format!("地图按第一个场景（{scenario}）的结果绘制，其余场景与它对比。"),
        Lang::En => format!(
            "The map shows the first scenario ({scenario}), which the others are compared with. "
        ),
    }
}

/// The site map's caption: what size, colour and lines mean, and how many
/// of the labels fitted. `colour` is what the colour shows (a KPI's
/// label), `None` for the target status.
pub(crate) fn map_caption(
    lang: Lang,
    colour: Option<&str>,
    grouped: bool,
    labels: (usize, usize),
) -> String {
    let (shown, wanted) = labels;
    match lang {
        Lang::Zh => {
            let mut text = format!(
                "圆点面积与每日换电请求成正比，颜色表示{}。",
                colour.unwrap_or("目标状态")
            );
            if grouped {
                text.push_str("灰线连接同一变压器的站点。");
            }
            if wanted > 0 {
                text.push_str(&format!(
                    "标注放不下时省略，以免遮挡圆点（显示 {shown}/{wanted}）。"
                ));
            }
            text
        }
        Lang::En => {
            let mut text = format!(
                "Marker area is proportional to swap requests a day; colour shows {}.",
                colour.unwrap_or("the target status")
            );
            if grouped {
                text.push_str(" Grey lines join the sites on one transformer.");
            }
            if wanted > 0 {
                text.push_str(&format!(
                    " Labels that would cover a marker are left out ({shown} of {wanted} shown)."
                ));
            }
            text
        }
    }
}

/// How a KPI is shown: its name, its unit, and the factor from the JSON
/// value to the shown one (100 for shares shown in %).
#[derive(Clone, Debug, PartialEq)]
pub struct KpiLabel {
    /// The KPI's name in the language: `换电请求`, `Swap requests`.
    pub name: String,
    /// Its unit as shown (`次/天`, `%`), empty when it has none.
    pub unit: &'static str,
    /// The factor from the JSON value to the value shown in `unit`: 100
    /// for a share shown in %, else 1.
    pub scale: f64,
}

impl KpiLabel {
    /// `name [unit]`, or the name alone without a unit.
    pub fn with_unit(&self) -> String {
        if self.unit.is_empty() {
            self.name.clone()
        } else {
            format!("{} [{}]", self.name, self.unit)
        }
    }
}

/// The label of KPI `name`. KPIs added to the engine later still show,
/// under their JSON name, until they get a label here.
pub fn kpi(name: &str, lang: Lang) -> KpiLabel {
    let zh = lang == Lang::Zh;
    let pick = |z: &'static str, e: &'static str| if zh { z } else { e };
    let (text, unit, scale) = match name {
        "swap_requests_per_day" => (pick("换电请求", "Swap requests"), pick("次/天", "1/d"), 1.0),
        "stockout_probability" => (
            pick("首选柜缺电率", "Stockout at first cabinet"),
            "%",
            100.0,
        ),
        "lost_swap_rate" => (pick("换电失败率", "Lost swaps"), "%", 100.0),
        "balk_rate" => (pick("见队满离开比例", "Balked at a full line"), "%", 100.0),
        "prob_wait" => (pick("柜前需等待比例", "Share that waited"), "%", 100.0),
        "wait_minutes_mean" => (
            pick("柜前平均等待", "Wait at the cabinet, mean"),
            pick("分钟", "min"),
            1.0,
        ),
        "wait_minutes_p95" => (
            pick("柜前等待 P95", "Wait at the cabinet, p95"),
            pick("分钟", "min"),
            1.0,
        ),
        "swap_delay_minutes_mean" => (
            pick("换电延误均值", "Swap delay, mean"),
            pick("分钟", "min"),
            1.0,
        ),
        "swap_delay_minutes_p95" => (
            pick("换电延误 P95", "Swap delay, p95"),
            pick("分钟", "min"),
            1.0,
        ),
        "full_batteries_mean" => (
            pick("平均满电电池", "Ready batteries, mean"),
            pick("块", "count"),
            1.0,
        ),
        "cabinet_utilization" => (pick("仓位充电占用率", "Slots charging"), "%", 100.0),
        "door_utilization" => (pick("柜门占用率", "Doors in use"), "%", 100.0),
        "riders_present_mean" => (
            pick(
                "柜前平均人数（排队及换电中）",
                "Riders at the cabinets, mean",
            ),
            pick("人", "count"),
            1.0,
        ),
        "pile_sessions_per_day" => (
            pick("充电桩充电", "Pile sessions"),
            pick("次/天", "1/d"),
            1.0,
        ),
        "flying_wire_sessions_per_day" => (
            pick("飞线充电", "Flying-wire sessions"),
            pick("次/天", "1/d"),
            1.0,
        ),
        "flying_wire_per_1000_bikes_day" => (
            pick("每千辆车飞线充电", "Flying wire per 1000 e-bikes"),
            pick("次/天", "1/d"),
            1.0,
        ),
        "pile_hours_per_day" => (
            pick("充电桩充电时长", "Pile charging"),
            pick("小时/天", "h/d"),
            1.0,
        ),
        "flying_wire_hours_per_day" => (
            pick("飞线充电时长", "Flying-wire charging"),
            pick("小时/天", "h/d"),
            1.0,
        ),
        "swaps_per_subscriber_day" => (
            pick("每订阅用户日换电", "Swaps per subscriber"),
            pick("次/天", "1/d"),
            1.0,
        ),
        "swaps_per_cabinet_day" => (
            pick("每柜日换电", "Swaps per cabinet"),
            pick("次/天", "1/d"),
            1.0,
        ),
        "batteries_per_subscriber" => (
            pick("每订阅用户电池数（柜内加车上）", "Batteries per subscriber"),
            pick("块", "count"),
            1.0,
        ),
        "cabinet_energy_kwh_per_day" => (
            pick("用电量：换电柜", "Energy, cabinets"),
            pick("kWh/天", "kWh/d"),
            1.0,
        ),
        "pile_energy_kwh_per_day" => (
            pick("用电量：充电桩", "Energy, charging piles"),
            pick("kWh/天", "kWh/d"),
            1.0,
        ),
        "home_energy_kwh_per_day" => (
            pick("用电量：居民家中（飞线及入户充电）", "Energy, in flats"),
            pick("kWh/天", "kWh/d"),
            1.0,
        ),
        "energy_kwh_per_day" => (
            pick("用电量合计", "Energy, total"),
            pick("kWh/天", "kWh/d"),
            1.0,
        ),
        "peak_load_kw" => (pick("峰值负荷", "Peak load"), "kW", 1.0),
        "transformer_peak_utilization" => (
            pick("变压器峰值负载率", "Transformer peak loading"),
            "%",
            100.0,
        ),
        "overload_hours_per_day" => (
            pick(
                "超限时长（任一变压器）",
                "Hours over the limit (any transformer)",
            ),
            pick("小时/天", "h/d"),
            1.0,
        ),
        "transformer_overload_hours_per_day" => (
            pick("变压器超限台时", "Transformer-hours over the limit"),
            pick("台·小时/天", "h/d"),
            1.0,
        ),
        "cabinet_energy_cost_cny_per_day" => (
            pick(
                "电费：换电柜（运营商付）",
                "Energy cost, cabinets (operator)",
            ),
            pick("元/天", "CNY/d"),
            1.0,
        ),
        "pile_energy_cost_cny_per_day" => (
            pick("电费：充电桩（居民付）", "Energy cost, piles (residents)"),
            pick("元/天", "CNY/d"),
            1.0,
        ),
        "home_energy_cost_cny_per_day" => (
            pick(
                "电费：居民家中（居民付）",
                "Energy cost, in flats (residents)",
            ),
            pick("元/天", "CNY/d"),
            1.0,
        ),
        "energy_cost_cny_per_day" => (
            pick("电费合计", "Energy cost, total"),
            pick("元/天", "CNY/d"),
            1.0,
        ),
        "riders_waiting_mean" => (
            pick("平均排队人数", "Riders waiting, mean"),
            pick("人", "count"),
            1.0,
        ),
        "queue_minutes_mean" => (
            pick("平均排队时间", "Time in line, mean"),
            pick("分钟", "min"),
            1.0,
        ),
        other => {
            return KpiLabel {
                name: other.to_owned(),
                unit: "",
                scale: 1.0,
            };
        }
    };
    KpiLabel {
        name: text.to_owned(),
        unit,
        scale,
    }
}

/// The label of assumption `key` (see `Context::from_scenario`); other
/// keys show as they are.
pub(crate) fn assumption(key: &str, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let text = match key {
        "sites" => ["小区数", "Sites"],
        "ebikes" => ["电动车总数", "E-bikes"],
        "swap_adoption" => ["换电订阅比例", "Swap adoption"],
        "couriers" => ["外卖骑手（按骑手组）", "Couriers (by group)"],
        "cabinets" => ["换电柜总数", "Cabinets"],
        "batteries" => ["电池总数", "Batteries"],
        "pile_ports" => ["充电桩端口总数", "Pile ports"],
        "battery_capacity" => ["电池容量", "Battery capacity"],
        "charge_model" => ["充电模型", "Charge model"],
        "site_charger_power" => ["各小区仓位充电功率", "Slot chargers at the sites"],
        "dispense_soc" => ["可换出电量阈值", "Dispensable from SOC"],
        "swap_seconds" => ["单次换电用时", "Time per swap"],
        "strategy" => ["充电策略", "Charging strategy"],
        "choice" => ["选柜方式（最大绕行）", "Cabinet choice (max detour)"],
        "choice_policy" => ["选柜方式", "Cabinet choice"],
        "max_detour" => ["最大绕行距离", "Farthest detour"],
        "daily_km" => ["日行驶里程", "Distance per day"],
        "wh_per_km" => ["每公里能耗", "Energy per km"],
        "trips_per_day" => ["每日出行次数", "Trips per day"],
        "swap_threshold" => ["低于此电量时换电", "Swaps below SOC"],
        "home_charger" => ["家用充电器功率", "Home charger power"],
        "nonsub_interval" => [
            "未订阅换电的车辆充电间隔",
            "Days between charges, bikes not subscribed",
        ],
        "site_nonsub_interval" => [
            "未订阅换电的车辆充电间隔（本小区）",
            "Days between charges, bikes not subscribed, at the site",
        ],
        "tariff" => ["分时电价", "Time-of-use tariff"],
        "residential_price" => [
            "居民电价（充电桩及家中充电）",
            "Residential price (piles, charging at home)",
        ],
        "transformer" => ["变压器", "Transformer"],
        "transformers" => ["变压器", "Transformers"],
        "allowed_utilization" => ["允许负载率", "Allowed loading"],
        "design_kw_per_household" => ["每户设计负荷", "Design load per household"],
        "diversity_factor" => ["同时系数", "Diversity factor"],
        "base_peak" => ["基础负荷峰值（给定）", "Base load peak (given)"],
        other => return other.to_owned(),
    };
    text[usize::from(!zh)].to_owned()
}

/// The parameter column of an assumption: its label, a target's KPI, and
/// whose value it is.
pub(crate) fn assumption_label(a: &Assumption, lang: Lang) -> String {
    let label = match &a.value {
        Value::Target { kpi, .. } if a.key == "target" => {
            format!("{} {}", lang.words().target, kpi_name(kpi, lang))
        }
        _ => assumption(&a.key, lang),
    };
    match (&a.subject, lang) {
        (None, _) => label,
        (Some(who), Lang::Zh) => format!("{label}（{who}）"),
        (Some(who), Lang::En) => format!("{label} ({who})"),
    }
}

/// An assumed value in `lang`.
pub(crate) fn assumption_value(value: &Value, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let n = |x: f64| trim(x, 4);
    match value {
        Value::Text { text } => text.clone(),
        Value::Days { days } => match lang {
            Lang::Zh => format!("{} 天", n(*days)),
            Lang::En => format!("{} d", n(*days)),
        },
        Value::ExponentialCharge { mean_hours } => match lang {
            Lang::Zh => format!("指数分布，平均 {} h", n(*mean_hours)),
            Lang::En => format!("exponential, mean {} h", n(*mean_hours)),
        },
        Value::DeterministicCharge { hours } => match lang {
            Lang::Zh => format!("固定 {} h", n(*hours)),
            Lang::En => format!("deterministic, {} h", n(*hours)),
        },
        Value::CcCvCharge {
            power_w,
            knee_soc,
            efficiency,
        } => {
            let (p, k, e) = (n(*power_w), n(knee_soc * 100.0), n(*efficiency));
            match lang {
                Lang::Zh => format!("CC-CV {p} W，恒流至 {k} %，效率 {e}"),
                Lang::En => format!("CC-CV {p} W, knee {k} %, η {e}"),
            }
        }
        Value::Immediate => pick(zh, "即时充电", "immediate").to_owned(),
        Value::OffPeakWithReserve { reserve_factor } => match lang {
            Lang::Zh => format!("谷时充电，保留库存 × {}", n(*reserve_factor)),
            Lang::En => format!("off-peak with reserve × {}", n(*reserve_factor)),
        },
        Value::GridCapped => pick(zh, "不超过变压器允许负荷", "grid-capped").to_owned(),
        Value::HomeChoice => pick(zh, "只在本小区换电", "home site only").to_owned(),
        Value::NearestChoice => pick(zh, "最近的换电点", "nearest site").to_owned(),
        Value::AppInformedChoice => pick(
            zh,
            "按平台实时库存，去最近有满电电池的换电点",
            "nearest with a ready battery, as the app shows",
        )
        .to_owned(),
        Value::Transformer {
            name,
            rating_kva,
            power_factor,
        } => match lang {
            Lang::Zh => format!(
                "{name}：{} kVA，功率因数 {}",
                n(*rating_kva),
                n(*power_factor)
            ),
            Lang::En => format!("{name}: {} kVA, cos φ {}", n(*rating_kva), n(*power_factor)),
        },
        Value::Transformers {
            count,
            low_kva,
            high_kva,
        } => match lang {
            Lang::Zh => format!("{count} 台，{}–{} kVA", n(*low_kva), n(*high_kva)),
            Lang::En => format!("{count}, {}–{} kVA", n(*low_kva), n(*high_kva)),
        },
        Value::Distribution { unit, dist } => distribution(*unit, dist, lang),
        Value::Trips { weekday, weekend } => {
            let per_day = pick(zh, " 次/天", "/d");
            let (a, b) = (n(*weekday), n(*weekend));
            if a == b {
                format!("{a}{per_day}")
            } else {
                match lang {
                    Lang::Zh => format!("工作日 {a}{per_day}，周末 {b}{per_day}"),
                    Lang::En => format!("{a}{per_day} on weekdays, {b}{per_day} at weekends"),
                }
            }
        }
        Value::Target { kpi: name, limit } => format!("≤ {}", kpi_limit(name, *limit, lang)),
        Value::Diversity { factor, households } => match lang {
            Lang::Zh => format!("{}（{households} 户）", n(*factor)),
            Lang::En => format!("{} ({households} households)", n(*factor)),
        },
    }
}

/// A distribution each rider draws from, with its unit.
fn distribution(unit: DistUnit, dist: &Dist, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let (scale, unit) = match unit {
        DistUnit::KmPerDay => (1.0, pick(zh, " km/天", " km/d")),
        DistUnit::WhPerKm => (1.0, " Wh/km"),
        DistUnit::Soc => (100.0, " %"),
        DistUnit::Seconds => (1.0, " s"),
    };
    let n = |x: f64| trim(x * scale, 2);
    match *dist {
        Dist::Fixed { value } => format!("{}{unit}", n(value)),
        Dist::Uniform { low, high } => match lang {
            Lang::Zh => format!("均匀分布 {}–{}{unit}", n(low), n(high)),
            Lang::En => format!("uniform {}–{}{unit}", n(low), n(high)),
        },
        Dist::Normal { mean, sd, .. } => match lang {
            Lang::Zh => format!("正态分布，均值 {}，标准差 {}{unit}", n(mean), n(sd)),
            Lang::En => format!("normal, mean {}, sd {}{unit}", n(mean), n(sd)),
        },
        Dist::LogNormal { mean, sd } => match lang {
            Lang::Zh => format!("对数正态分布，均值 {}，标准差 {}{unit}", n(mean), n(sd)),
            Lang::En => format!("log-normal, mean {}, sd {}{unit}", n(mean), n(sd)),
        },
        Dist::Exponential { mean } => match lang {
            Lang::Zh => format!("指数分布，均值 {}{unit}", n(mean)),
            Lang::En => format!("exponential, mean {}{unit}", n(mean)),
        },
    }
}

/// Where an assumed value comes from, in `lang`: a comment as the
/// scenario's author wrote it.
pub(crate) fn source(source: &Source, lang: Lang) -> String {
    let w = lang.words();
    match source {
        Source::Comment { text } => text.clone(),
        Source::File => w.scenario_file.to_owned(),
        Source::Default => w.default_source.to_owned(),
        Source::Plan => w.plan_source.to_owned(),
    }
}

/// The note under the assumptions table: what the sources are and what
/// their marks mean.
pub(crate) fn sources_note(lang: Lang, file: Option<&str>) -> String {
    match lang {
        Lang::Zh => {
            let file = file.map_or_else(String::new, |f| format!(" {f} "));
            format!(
                "来源一列引用场景文件{file}中参数旁的注释。标记：[S] 有出处，[D] 由有出处的数据推算，\
                 [E] 估计值（可修改的参数）。文件未给出的参数取默认值，见 scenarios/README.md。"
            )
        }
        Lang::En => {
            let file = file.map_or_else(String::new, |f| format!(" {f}"));
            format!(
                "The Source column quotes the comment beside each value in the scenario file{file}. \
                 Marks: [S] sourced, [D] derived from sourced figures, [E] estimate (a parameter to \
                 change). Values the file leaves out take the defaults of scenarios/README.md."
            )
        }
    }
}

/// A KPI's name in `lang`.
fn kpi_name(name: &str, lang: Lang) -> String {
    kpi(name, lang).name
}

/// A KPI's name inside a sentence: lowercase first letter in English.
fn kpi_in_sentence(name: &str, lang: Lang) -> String {
    let label = kpi(name, lang).name;
    match lang {
        Lang::Zh => label,
        Lang::En => {
            let mut chars = label.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_lowercase().chain(chars).collect()
            })
        }
    }
}

/// A value of KPI `kpi` with four significant digits and its unit.
fn kpi_value(kpi_name: &str, x: f64, lang: Lang) -> String {
    let label = kpi(kpi_name, lang);
    shown(x, label.scale, label.unit)
}

/// A target limit of KPI `kpi` with its unit.
fn kpi_limit(kpi_name: &str, x: f64, lang: Lang) -> String {
    let label = kpi(kpi_name, lang);
    with_unit(x, label.scale, label.unit)
}

/// "one cabinet", "10% of the batteries", ...
pub(crate) fn unit(unit: Unit, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let one = match unit {
        Unit::Cabinet => pick(zh, "一个换电柜", "one cabinet"),
        Unit::BatteriesTenth => pick(zh, "10% 的电池", "10% of the batteries"),
        Unit::Battery => pick(zh, "一块电池", "one battery"),
        Unit::Batteries(n) => {
            return match lang {
                Lang::Zh => format!("{n} 块电池"),
                Lang::En => format!("{n} batteries"),
            };
        }
        Unit::PilePortsTenth => pick(zh, "10% 的充电桩端口", "10% of the pile ports"),
        Unit::PilePort => pick(zh, "一个充电桩端口", "one pile port"),
        Unit::TransformerSize => pick(zh, "一级变压器容量", "one transformer size"),
        Unit::ChargerPower => pick(zh, "一档仓位充电功率", "one charger power step"),
    };
    one.to_string()
}

/// The kind of equipment a kept unit is, for counting reasons by kind.
pub(crate) fn unit_kind(unit: Unit, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match unit {
        Unit::Cabinet => pick(zh, "换电柜", "Cabinets"),
        Unit::BatteriesTenth | Unit::Battery | Unit::Batteries(_) => pick(zh, "电池", "Batteries"),
        Unit::PilePortsTenth | Unit::PilePort => pick(zh, "充电桩端口", "Pile ports"),
        Unit::TransformerSize => pick(zh, "变压器容量", "Transformer size"),
        Unit::ChargerPower => pick(zh, "仓位充电功率", "Slot charger power"),
    }
    .to_owned()
}

/// Why the plan keeps a unit, in `lang`, without the site's figures: the
/// same text for every site kept for that kind of reason.
pub(crate) fn kept_kind(reason: &Kept, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let text = match &reason.why {
        KeptWhy::RaisesKpi { kpi, .. } => {
            let name = kpi_in_sentence(kpi, lang);
            let step = match reason.unit {
                Unit::BatteriesTenth | Unit::PilePortsTenth => pick(zh, "减少 10% 后", "10% fewer"),
                _ => pick(zh, "再减少后", "one fewer"),
            };
            return match lang {
                Lang::Zh => format!("{step}{name}超过目标（按规划器判据）"),
                Lang::En => format!("{step} takes {name} over its target (the planner's check)"),
            };
        }
        KeptWhy::HoldsBatteries { .. } => pick(
            zh,
            "少一个换电柜放不下达标所需的电池",
            "one cabinet fewer cannot hold the batteries the targets need",
        ),
        KeptWhy::TooFewForTenth { .. } if reason.unit == Unit::PilePortsTenth => pick(
            zh,
            "端口太少，无法在现有端口之上按 10% 减少",
            "too few ports for 10% steps above the existing ones",
        ),
        KeptWhy::TooFewForTenth { .. } => pick(
            zh,
            "电池太少，无法按 10% 减少",
            "too few batteries for 10% steps",
        ),
        KeptWhy::ExistingPorts { .. } => pick(
            zh,
            "调查时已有的端口保留",
            "the survey's existing ports stay",
        ),
        KeptWhy::SurveyedSize { .. } => pick(
            zh,
            "变压器已是调查时的容量",
            "the transformer is at its surveyed size",
        ),
        KeptWhy::SmallestCharger { .. } => pick(
            zh,
            "已是目录中最小的充电功率",
            "the charger is the smallest in the catalogue",
        ),
        // The rest name no figure of the site's.
        KeptWhy::LastOne
        | KeptWhy::TenthStepsOnly { .. }
        | KeptWhy::NoTransformer
        | KeptWhy::SharedTransformer
        | KeptWhy::OwnCharger => {
            let full = kept(reason, lang);
            // "一个换电柜未去掉：每个小区…" → the part after the colon.
            let cut = full
                .split_once('：')
                .or_else(|| full.split_once(": "))
                .map_or(full.as_str(), |(_, why)| why);
            return cut.to_owned();
        }
    };
    text.to_owned()
}

/// What a plan's counted reasons stand for, before the name of the file
/// that holds them all.
pub(crate) fn kept_left_out(lang: Lang, lines: usize, sites: usize) -> String {
    match lang {
        Lang::Zh => format!(
            "以上按设备和原因统计小区数；{sites} 个小区的 {lines} 条保留原因（含各自的数值）见 --out 目录中的"
        ),
        Lang::En => format!(
            "Sites counted by kind of equipment and reason; the {lines} reasons of the {sites} \
             sites, with their figures, are in the --out directory's"
        ),
    }
}

/// Where else a plan's reasons are, after the file's name.
pub(crate) fn kept_where(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => {
            "（kept_because 与 kept_reasons），也可用 swapsim plan --all-sites 在终端查看。"
        }
        Lang::En => {
            " (kept_because and kept_reasons), and on the terminal with swapsim plan --all-sites."
        }
    }
}

/// A large plan's sites' KPIs beyond its sites' table, before the file
/// that holds them.
pub(crate) fn site_kpis_left_out(lang: Lang, sites: usize) -> String {
    match lang {
        Lang::Zh => format!(
            "配置方案表已列出每个小区的配置与目标指标；{sites} 个小区的其余指标（含置信区间）从略，见结果目录中的"
        ),
        Lang::En => format!(
            "The sizing table gives each site's sizing and targets; the other KPIs of the {sites} \
             sites, with their intervals, are left out; they are in"
        ),
    }
}

/// Why the plan keeps a unit, in `lang`.
pub(crate) fn kept(reason: &Kept, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let what = unit(reason.unit, lang);
    let bound = match (&reason.why, lang) {
        (
            KeptWhy::RaisesKpi {
                kpi,
                mean,
                check,
                limit,
            },
            _,
        ) => {
            let name = kpi_in_sentence(kpi, lang);
            let (mean, check) = (kpi_value(kpi, *mean, lang), kpi_value(kpi, *check, lang));
            let limit = kpi_limit(kpi, *limit, lang);
            return match lang {
                Lang::Zh => format!(
                    "去掉{what}后，{name}升至 {mean}（规划器判据：均值 + 2.5 倍半宽 = {check}），\
                     超过目标 {limit}"
                ),
                Lang::En => format!(
                    "removing {what} raises {name} to {mean} (planner's check: mean + 2.5 \
                     half-widths = {check}), above the target {limit}"
                ),
            };
        }
        (KeptWhy::LastOne, _) if reason.unit == Unit::Cabinet => pick(
            zh,
            "每个小区至少保留一个换电柜",
            "a site keeps at least one cabinet",
        )
        .to_owned(),
        (KeptWhy::LastOne, _) => pick(
            zh,
            "每个小区至少保留一块电池",
            "a site keeps at least one battery",
        )
        .to_owned(),
        (
            KeptWhy::HoldsBatteries {
                batteries,
                capacity,
            },
            Lang::Zh,
        ) => format!("少一个换电柜只能放 {capacity} 块电池，少于达标所需的 {batteries} 块"),
        (
            KeptWhy::HoldsBatteries {
                batteries,
                capacity,
            },
            Lang::En,
        ) => format!(
            "one cabinet fewer holds {capacity} batteries, fewer than the {batteries} the \
             targets need"
        ),
        (KeptWhy::TooFewForTenth { count, existing }, Lang::Zh) => match reason.unit {
            Unit::PilePortsTenth => {
                format!("{count} 个端口太少，无法在现有的 {existing} 个之上按 10% 减少")
            }
            _ => format!("{count} 块电池太少，无法按 10% 减少"),
        },
        (KeptWhy::TooFewForTenth { count, existing }, Lang::En) => match reason.unit {
            Unit::PilePortsTenth => {
                format!("{count} ports are too few for 10% steps above the {existing} existing")
            }
            _ => format!("{count} batteries are too few for 10% steps"),
        },
        (KeptWhy::TenthStepsOnly { ports }, Lang::Zh) => {
            format!("端口超过 {ports} 个时，规划器只按 10% 减少")
        }
        (KeptWhy::TenthStepsOnly { ports }, Lang::En) => {
            format!("above {ports} ports the planner prunes in 10% steps only")
        }
        (KeptWhy::ExistingPorts { existing }, Lang::Zh) => {
            format!("调查时已有的 {existing} 个端口保留")
        }
        (KeptWhy::ExistingPorts { existing }, Lang::En) => {
            format!("the {existing} existing ports of the survey stay")
        }
        (KeptWhy::NoTransformer, _) => {
            pick(zh, "该小区没有变压器", "the site has no transformer").to_owned()
        }
        (KeptWhy::SharedTransformer, _) => pick(
            zh,
            "共用的变压器由另一个小区确定容量",
            "its shared transformer is sized at another site",
        )
        .to_owned(),
        (KeptWhy::SurveyedSize { kva }, Lang::Zh) => {
            format!("变压器已是调查时的容量（{} kVA）", trim(*kva, 0))
        }
        (KeptWhy::SurveyedSize { kva }, Lang::En) => {
            format!(
                "the transformer is at its surveyed size ({} kVA)",
                trim(*kva, 0)
            )
        }
        (KeptWhy::OwnCharger, _) => pick(
            zh,
            "该小区沿用电池自带的充电功率",
            "the site keeps the battery's own charger",
        )
        .to_owned(),
        (KeptWhy::SmallestCharger { power_w }, Lang::Zh) => {
            format!("{} W 已是目录中最小的充电功率", trim(*power_w, 1))
        }
        (KeptWhy::SmallestCharger { power_w }, Lang::En) => format!(
            "its {} W charger is the smallest in the catalogue",
            trim(*power_w, 1)
        ),
    };
    match lang {
        Lang::Zh => format!("{what}未去掉：{bound}"),
        Lang::En => format!("{what} is not removed: {bound}"),
    }
}

/// Why a plan is infeasible at a site, in `lang`.
pub(crate) fn problem(reason: &Problem, lang: Lang) -> String {
    let (site, kpi) = (&reason.site, &*reason.kpi);
    let name = kpi_in_sentence(kpi, lang);
    let why = match (&reason.why, lang) {
        (
            ProblemWhy::Missed {
                mean,
                ci95_high,
                limit,
            },
            _,
        ) => {
            let (mean, high) = (
                kpi_value(kpi, *mean, lang),
                kpi_value(kpi, *ci95_high, lang),
            );
            let limit = kpi_limit(kpi, *limit, lang);
            return match lang {
                Lang::Zh => format!("{site}：{name}为 {mean}（95% 上限 {high}），超过目标 {limit}"),
                Lang::En => format!(
                    "{site}: {name} is {mean} (95% upper bound {high}), above the target {limit}"
                ),
            };
        }
        (ProblemWhy::NoTransformer, _) => pick(
            lang == Lang::Zh,
            "该小区没有变压器",
            "the site has no transformer",
        )
        .to_owned(),
        (ProblemWhy::LargestTransformer { kva }, Lang::Zh) => {
            format!("最大的标准变压器（{} kVA）也承担不了负荷", trim(*kva, 1))
        }
        (ProblemWhy::LargestTransformer { kva }, Lang::En) => format!(
            "the largest standard transformer ({} kVA) is too small for the load",
            trim(*kva, 1)
        ),
        (ProblemWhy::PilePorts { max }, Lang::Zh) => format!("需要超过 {max} 个充电桩端口"),
        (ProblemWhy::PilePorts { max }, Lang::En) => {
            format!("more than {max} pile ports would be needed")
        }
        (
            ProblemWhy::Cabinets {
                max,
                slots_per_cabinet,
            },
            Lang::Zh,
        ) => format!("需要超过 {max} 个 {slots_per_cabinet} 仓的换电柜"),
        (
            ProblemWhy::Cabinets {
                max,
                slots_per_cabinet,
            },
            Lang::En,
        ) => format!("more than {max} cabinets of {slots_per_cabinet} slots would be needed"),
        (ProblemWhy::Iterations { max }, Lang::Zh) => {
            format!("搜索扩容 {max} 轮后已停止（[planner] max_iterations）")
        }
        (ProblemWhy::Iterations { max }, Lang::En) => {
            format!("the search stopped after {max} rounds of growing ([planner] max_iterations)")
        }
    };
    match lang {
        Lang::Zh => format!("{site}：无法满足{name}的目标：{why}"),
        Lang::En => format!("{site}: the target on {name} cannot be met: {why}"),
    }
}

/// `z` in Chinese, `e` in English.
fn pick(zh: bool, z: &'static str, e: &'static str) -> &'static str {
    if zh { z } else { e }
}

/// "美吉鑫小区: what it says": a line about a site.
pub(crate) fn site_says(lang: Lang, site: &str, text: &str) -> String {
    match lang {
        Lang::Zh => format!("{site}：{text}"),
        Lang::En => format!("{site}: {text}"),
    }
}

/// "美吉鑫小区: lost swaps 95% upper bound 3.4% exceeds the target 2%
/// (mean 3.1%)": a missed target in plain words.
pub(crate) fn miss(
    lang: Lang,
    site: &str,
    kpi: &str,
    high: &str,
    limit: &str,
    mean: &str,
) -> String {
    match lang {
        Lang::Zh => format!("{site}：{kpi} 的 95% 上限 {high} 超过目标 {limit}（均值 {mean}）"),
        Lang::En => format!(
            "{site}: {kpi}, 95% upper bound {high}, exceeds the target {limit} (mean {mean})"
        ),
    }
}

/// The caption of a transformer's load chart: `runs` is (replications,
/// measured days) if known, `band` whether the chart has the 5–95% band.
/// `network` is the number of transformers summed, for the network's
/// chart.
pub(crate) fn load_caption(
    lang: Lang,
    runs: Option<(u32, u32)>,
    band: bool,
    limits: Option<&str>,
    network: Option<usize>,
) -> String {
    let mut text = match (lang, network) {
        (Lang::Zh, Some(n)) => {
            format!("全网负荷为全部 {n} 台变压器的负荷之和（逐 15 分钟相加）。")
        }
        (Lang::En, Some(n)) => {
            format!("The network load is the sum over all {n} transformers, quarter by quarter. ")
        }
        (_, None) => String::new(),
    };
    text += &match (lang, runs) {
        (Lang::Zh, Some((r, d))) => {
            format!("15 分钟负荷按一天中的时刻汇总：曲线为 {r} 次重复 × {d} 天的均值")
        }
        (Lang::Zh, None) => "15 分钟负荷按一天中的时刻汇总：曲线为各次重复、各日的均值".to_owned(),
        (Lang::En, Some((r, d))) => format!(
            "The 15-minute load by time of day: lines are means over {r} replications × {d} days"
        ),
        (Lang::En, None) => {
            "The 15-minute load by time of day: lines are means over replications and days"
                .to_owned()
        }
    };
    text.push_str(match (lang, band) {
        (Lang::Zh, true) => {
            "；阴影为每个时刻的总负荷在所有（重复，日）中的 5–95% 范围，\
             反映单日负荷的波动，不是均值的置信区间。"
        }
        (Lang::En, true) => {
            "; the band spans 5–95% of the total load at that time over every replication and \
             day, so it shows how much a single day varies, not a confidence interval of the mean."
        }
        (Lang::Zh, false) => "。",
        (Lang::En, false) => ".",
    });
    if let Some(limits) = limits {
        text.push(' ');
        text.push_str(limits);
    }
    text
}

/// "Rating 800 kVA × cos φ 0.9 = 720 kW; allowed 80% = 576 kW."
pub(crate) fn limits(
    lang: Lang,
    kva: &str,
    pf: &str,
    rating_kw: &str,
    pct: &str,
    allowed_kw: &str,
) -> String {
    match lang {
        Lang::Zh => format!(
            "额定容量 {kva} kVA × 功率因数 {pf} = {rating_kw} kW；允许负载率 {pct}% = {allowed_kw} kW。"
        ),
        Lang::En => format!(
            "Rating {kva} kVA × power factor {pf} = {rating_kw} kW; allowed loading {pct}% = {allowed_kw} kW."
        ),
    }
}

/// The limits of several transformers, summed: "Ratings sum to 1600 kVA
/// = 1440 kW; allowed loadings sum to 1152 kW."
pub(crate) fn summed_limits(lang: Lang, kva: &str, rating_kw: &str, allowed_kw: &str) -> String {
    match lang {
        Lang::Zh => {
            format!("额定容量之和 {kva} kVA，合 {rating_kw} kW；允许负载之和 {allowed_kw} kW。")
        }
        Lang::En => format!(
            "Ratings sum to {kva} kVA = {rating_kw} kW; allowed loadings sum to {allowed_kw} kW."
        ),
    }
}

/// The caption of a charging-load chart.
pub(crate) fn charging_caption(lang: Lang, base: &str) -> String {
    match lang {
        Lang::Zh => format!(
            "换电柜、充电桩和飞线充电的负荷（各日均值）逐层叠加，最上沿为新增充电负荷之和；\
             {base}不在其中，见上一张图。"
        ),
        Lang::En => format!(
            "Cabinet, pile and flying-wire load (means of days) stacked: the top edge is the \
             whole charging load. The {} is left out; the chart above shows it.",
            base.to_lowercase()
        ),
    }
}

/// Not drawn: a transformer without charging load.
pub(crate) fn no_charging(lang: Lang, who: &str) -> String {
    match lang {
        Lang::Zh => format!("{who}：没有充电负荷，不绘制充电负荷图。"),
        Lang::En => format!("{who}: no charging load, so no chart of it."),
    }
}

/// Not drawn: a KPI that is zero in every compared scenario.
pub(crate) fn zero_everywhere(lang: Lang, kpi: &str) -> String {
    match lang {
        Lang::Zh => format!("{kpi}：各场景均为 0，不绘图。"),
        Lang::En => format!("{kpi}: zero in every scenario, so no chart."),
    }
}

/// Not drawn: a targeted KPI with no candidate to show.
pub(crate) fn no_candidates(lang: Lang, kpi: &str) -> String {
    match lang {
        Lang::Zh => format!("{kpi}：没有可绘制的候选方案。"),
        Lang::En => format!("{kpi}: no candidates to draw."),
    }
}

/// Legend of the rating line.
pub(crate) fn rating_line(lang: Lang, kw: &str) -> String {
    match lang {
        Lang::Zh => format!("额定 {kw} kW"),
        Lang::En => format!("Rating {kw} kW"),
    }
}

/// Legend of the allowed-loading line.
pub(crate) fn allowed_line(lang: Lang, pct: &str, kw: &str) -> String {
    match lang {
        Lang::Zh => format!("允许 {pct}% = {kw} kW"),
        Lang::En => format!("Allowed {pct}% = {kw} kW"),
    }
}

/// Legend of a target line.
pub(crate) fn target_line(lang: Lang, limit: &str) -> String {
    match lang {
        Lang::Zh => format!("目标 {limit}"),
        Lang::En => format!("Target {limit}"),
    }
}

/// The caption of the ready-stock chart; `shown` of `total` sites drawn.
pub(crate) fn ready_caption(lang: Lang, shown: usize, total: usize) -> String {
    let mut text = match lang {
        Lang::Zh => "每 15 分钟可换出电池数的时间平均，按一天中的时刻取各日均值（已在各次重复间平均）。".to_owned(),
        Lang::En => "Time-average of dispensable batteries per quarter hour, as the mean over days by time of day (averaged over replications).".to_owned(),
    };
    if shown < total {
        text.push(' ');
        text.push_str(&match lang {
            Lang::Zh => format!("共 {total} 个小区，仅显示最低库存最少的 {shown} 个。"),
            Lang::En => {
                format!("Of {total} sites, the {shown} with the lowest minimum stock are shown.")
            }
        });
    }
    text
}

/// The caption of the plan charts; `shown` of `total` sites drawn.
pub(crate) fn candidates_caption(lang: Lang, shown: usize, total: usize) -> String {
    let mut text = match lang {
        Lang::Zh => "规划器评估的每个候选配置：横轴为该小区年化成本，纵轴为指标的 95% 置信上限；黑圈为选定方案，虚线为目标。".to_owned(),
        Lang::En => "Every candidate the planner evaluated: the site's annual cost against the KPI's upper 95% bound; the black ring marks the chosen plan, the dashed line the target.".to_owned(),
    };
    if shown < total {
        text.push(' ');
        text.push_str(&match lang {
            Lang::Zh => format!("共 {total} 个小区，仅显示候选最多的 {shown} 个。"),
            Lang::En => {
                format!("Of {total} sites, the {shown} with the most candidates are shown.")
            }
        });
    }
    text
}

/// The caption of a comparison chart.
pub(crate) fn compare_caption(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "全网指标：柱高为各次重复的均值，竖线为 95% 置信区间。",
        Lang::En => "Network KPI: bars are means over replications, whiskers 95% intervals.",
    }
}

/// Why a run with `per_day` requests a day has no chart of requests by
/// hour: its sites are constant-rate Poisson, and such a run keeps no
/// hour-of-day counts.
pub(crate) fn hourly_not_recorded(lang: Lang, per_day: &str) -> String {
    match lang {
        Lang::Zh => format!(
            "全网每天约 {per_day} 次换电请求，但需求为恒定速率的泊松到达，仿真不记录按小时的请求与缺电次数，\
             因此不绘制每小时请求图。"
        ),
        Lang::En => format!(
            "The network has about {per_day} swap requests a day, but its demand is constant-rate \
             Poisson, and for such demand requests and stockouts by hour are not recorded, so \
             there is no chart of requests by hour."
        ),
    }
}

/// The caption of the hour-of-day charts.
pub(crate) fn hourly_caption(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "按开始时刻（小时）统计的每日次数，各次重复合并。",
        Lang::En => "Counts per day by the hour they start, all replications pooled.",
    }
}

/// The caption of the wait chart.
pub(crate) fn wait_caption(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => {
            "已服务换电请求在柜前等待（等柜门和满电电池）的时间分位数（P100 为最长等待），由合并的直方图得出，相对误差约 1%。"
        }
        Lang::En => {
            "Quantiles of the wait at the cabinet (for a door and a ready battery) over served requests (P100 is the longest), from the merged histograms (about 1% relative error)."
        }
    }
}

/// The caption of the delay chart; `target` is the wait target with its
/// unit, if set; `shown` of `total` sites drawn.
pub(crate) fn delay_caption(
    lang: Lang,
    target: Option<&str>,
    shown: usize,
    total: usize,
) -> String {
    let mut text = match lang {
        Lang::Zh => "换电延误：从骑手需要换电（加上骑到最近换电柜的时间）到开始换电，包括排队等待和额外绕行；\
                     柜前等待只计到柜后的等待。柱高为均值，竖线为 95% 置信区间。"
            .to_owned(),
        Lang::En => "Swap delay: from the moment a rider needs a swap (plus the ride to the nearest \
                     cabinet) to the start of the swap, so waiting in line and any extra detour; the \
                     wait at the cabinet counts only the wait after arriving. Bars are means, \
                     whiskers 95% intervals."
            .to_owned(),
    };
    if let Some(target) = target {
        text.push(' ');
        text.push_str(&match lang {
            Lang::Zh => format!("等待时间目标（{target}）按换电延误 P95 判断。"),
            Lang::En => {
                format!(
                    "The target max_wait_minutes_p95 ({target}) is judged on the swap delay p95."
                )
            }
        });
    }
    if shown < total {
        text.push(' ');
        text.push_str(&match lang {
            Lang::Zh => format!("共 {total} 个小区，仅显示换电延误最长的 {shown} 个。"),
            Lang::En => {
                format!("Of {total} sites, the {shown} with the longest swap delay are shown.")
            }
        });
    }
    text
}

/// The caption of the comparison's energy chart.
pub(crate) fn energy_caption(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => {
            "全网每天用电量，按取电地点分开：换电柜、充电桩、居民家中。柱高为各次重复的均值，竖线为 95% 置信区间。"
        }
        Lang::En => {
            "Network energy per day by where it is drawn: cabinets, charging piles, flats. Bars are means over replications, whiskers 95% intervals."
        }
    }
}

/// A published figure's operator and what the figure counts.
pub(crate) fn operator(op: Operator, lang: Lang) -> &'static str {
    let zh = lang == Lang::Zh;
    match op {
        Operator::ChinaTower2023 => pick(
            zh,
            "中国铁塔 2023：100 万用户、6 万余个站点、每天 200 万次以上换电（以外卖骑手为主）",
            "China Tower 2023: 1 M users, > 60,000 sites, > 2 M swaps a day (mostly couriers)",
        ),
        Operator::Gogoro2022 => pick(
            zh,
            "Gogoro 2022：45 万用户、每天 34 万次换电、100 万块电池",
            "Gogoro 2022: 450,000 riders, 340,000 swaps a day, 1 M batteries",
        ),
        Operator::Shenzhen69Stations => pick(
            zh,
            "深圳 69 个换电站共 753 块电池（每站）",
            "Shenzhen: 753 batteries at 69 stations (per station)",
        ),
        Operator::Courier => pick(
            zh,
            "外卖骑手：日行约 120 km，每天约换电 2 次",
            "A courier: about 120 km a day, about 2 swaps a day",
        ),
        Operator::OrdinaryEbike => pick(
            zh,
            "普通电动车：约每 3 天充电一次（2019 年全国数据）",
            "An ordinary e-bike: a charge about every 3 days (national figures, 2019)",
        ),
    }
}

/// Where a published figure comes from: the shipped file, its section and
/// DOMAIN.md's mark.
pub(crate) fn reference_source(section: &str, mark: &str, lang: Lang) -> String {
    let section = match (section, lang) {
        ("Cabinets and operators", Lang::Zh) => "“换电柜与运营商”表",
        ("Riders", Lang::Zh) => "“骑手”表",
        (other, _) => other,
    };
    match lang {
        Lang::Zh => format!("{SOURCES_FILE}，{section} {mark}"),
        Lang::En => format!("{SOURCES_FILE}, {section} {mark}"),
    }
}

/// The note under the operator figures.
pub(crate) fn operator_note(lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "公开数据摘自 {SOURCES_FILE}（随本程序发布的项目 DOMAIN.md 数据表副本）。标记：[S] 有出处，\
             [D] 由有出处的数据推算。中国铁塔的用户以外卖骑手为主；以通勤居民为主的小区应更接近 Gogoro \
             的数字和普通电动车的充电频率。本场景的换电次数按换电请求产生的小区计，每柜换电次数按实际换电的柜计。"
        ),
        Lang::En => format!(
            "Published figures from {SOURCES_FILE}, the copy of the project's DOMAIN.md tables shipped \
             with swapsim. Marks: [S] sourced, [D] derived from sourced figures. China Tower's users are \
             mostly couriers; a community of commuters should sit nearer Gogoro's figure and an ordinary \
             e-bike's charging rate. This scenario's swaps per subscriber count where the requests \
             arose; swaps per cabinet count the cabinets that served them."
        ),
    }
}

/// "Total annual cost of the plan: 14228 CNY/yr. ", followed by
/// [`plan_effort`].
pub(crate) fn total_cost(lang: Lang, cny: &str) -> String {
    let w = lang.words();
    match lang {
        Lang::Zh => format!("{}：{cny} 元/年。", w.total_cost),
        Lang::En => format!("{}: {cny} CNY/yr. ", w.total_cost),
    }
}

/// "simulations: 12, replications: 96".
pub(crate) fn plan_effort(lang: Lang, simulations: u32, replications: u64) -> String {
    match lang {
        Lang::Zh => format!("规划共运行 {simulations} 次仿真、{replications} 次重复。"),
        Lang::En => {
            format!("The planner ran {simulations} simulations, {replications} replications.")
        }
    }
}

/// The title of a plan chart for KPI `kpi`.
pub(crate) fn candidates_title(lang: Lang, kpi: &str) -> String {
    match lang {
        Lang::Zh => format!("候选方案：成本与{kpi}"),
        Lang::En => format!("Candidates: cost against {kpi}"),
    }
}

/// The labels of the first page (the summary), the town roll-up and what
/// a large report leaves out, in one language. A struct of its own, so a
/// missing translation does not compile.
pub(crate) struct SummaryWords {
    pub summary: &'static str,
    pub item: &'static str,
    pub existing: &'static str,
    pub planned: &'static str,
    pub totals: &'static str,
    pub cabinets: &'static str,
    pub slots: &'static str,
    pub batteries: &'static str,
    pub slot_chargers: &'static str,
    pub pile_ports: &'static str,
    pub transformer_upgrades: &'static str,
    pub capex: &'static str,
    pub capex_items: [&'static str; 5],
    pub added_count: &'static str,
    pub unit_price: &'static str,
    pub amount: &'static str,
    pub capex_note: &'static str,
    pub no_investment: &'static str,
    pub total: &'static str,
    pub annual: &'static str,
    pub annualised_equipment: &'static str,
    pub battery_annuity: &'static str,
    pub maintenance: &'static str,
    pub energy_operator: &'static str,
    pub energy_residents: &'static str,
    pub cny_per_year: &'static str,
    pub closest: &'static str,
    pub network_kpis: &'static str,
    pub headroom: &'static str,
    pub transformer: &'static str,
    pub peak_kw: &'static str,
    pub allowed_kw: &'static str,
    pub headroom_kw: &'static str,
    pub meets_all: &'static str,
    pub yes: &'static str,
    pub compare_diff_note: &'static str,
    pub towns: &'static str,
    pub town: &'static str,
    pub no_town: &'static str,
    pub no_towns: &'static str,
    pub sites: &'static str,
    pub ebikes: &'static str,
    pub subscribers: &'static str,
    pub annual_cost: &'static str,
    pub energy_cost_year: &'static str,
    pub flying_wire: &'static str,
    pub targets_missed: &'static str,
    pub appendix: &'static str,
    pub all_misses: &'static str,
    pub investment_total: &'static str,
    pub annual_equipment: &'static str,
    pub energy_paired: &'static str,
    pub annual_difference: &'static str,
    pub not_priced: &'static str,
}

const ZH_SUMMARY: SummaryWords = SummaryWords {
    summary: "结论",
    item: "项目",
    existing: "现有",
    planned: "方案",
    totals: "设备总量",
    cabinets: "换电柜",
    slots: "仓位",
    batteries: "电池",
    slot_chargers: "独立配置充电模块的仓位",
    pile_ports: "充电桩端口",
    transformer_upgrades: "变压器增容",
    capex: "一次性投资：规划新增的设备",
    capex_items: ["换电柜", "电池", "充电桩端口", "仓位充电模块", "变压器增容"],
    added_count: "新增数量",
    unit_price: "单价 [元]",
    amount: "金额 [元]",
    capex_note: "只计规划新增的设备（新增数量 × 单价）；现有设备无论保留还是减少，都不计入，也不折价抵扣。\
                 换电柜换成另一种仓位规格时，全部按新购计；仓位充电模块按与电池标配充电功率的差价计。",
    no_investment: "此方案文件早于新增设备的记录，无法给出一次性投资；请用当前版本重新规划。",
    total: "合计",
    annual: "年度成本：规划后的全部设备（规划器最小化的目标）",
    annualised_equipment: "设备年金（不含电池）",
    battery_annuity: "电池年金（即电池更换）",
    maintenance: "运维",
    energy_operator: "换电柜电费（运营方支付）",
    energy_residents: "充电桩与入户充电电费（居民支付）",
    cny_per_year: "元/年",
    closest: "最接近目标上限的站点",
    network_kpis: "全网关键指标",
    headroom: "变压器余量",
    transformer: "变压器",
    peak_kw: "平均日峰值 [kW]",
    allowed_kw: "允许负荷 [kW]",
    headroom_kw: "余量 [kW]",
    meets_all: "满足所有目标",
    yes: "是",
    compare_diff_note: "差值为与第一个场景的配对差（同一随机数），方括号内为 95% 置信区间。",
    towns: "按街道/镇汇总",
    town: "街道/镇",
    no_town: "（未填写）",
    no_towns: "站点未填写所属街道/镇，无法按街道/镇汇总。",
    sites: "站点数",
    ebikes: "电动自行车",
    subscribers: "换电用户",
    annual_cost: "年费用 [元/年]",
    energy_cost_year: "年电费 [元/年]",
    flying_wire: "每千辆车飞线充电 [次/天]",
    targets_missed: "未达标项",
    appendix: "附录",
    all_misses: "全部未达标项",
    investment_total: "一次性投资合计 [元]",
    annual_equipment: "投资年金与运维 [元/年]",
    energy_paired: "年电费差（配对） [元/年]",
    annual_difference: "年成本差 [元/年]",
    not_priced: "未计价（无 [costs]）",
};

const EN_SUMMARY: SummaryWords = SummaryWords {
    summary: "Summary",
    item: "Item",
    existing: "Existing",
    planned: "Planned",
    totals: "Equipment",
    cabinets: "Cabinets",
    slots: "Slots",
    batteries: "Batteries",
    slot_chargers: "Slots with their own chargers",
    pile_ports: "Pile ports",
    transformer_upgrades: "Transformer upgrades",
    capex: "One-off investment: what the plan adds",
    capex_items: [
        "Cabinets",
        "Batteries",
        "Pile ports",
        "Slot chargers",
        "Transformer upgrades",
    ],
    added_count: "Added",
    unit_price: "Unit price [CNY]",
    amount: "Amount [CNY]",
    capex_note: "Only what the plan adds is priced (added count × unit price); existing equipment, kept \
                 or removed, costs nothing here and is not credited. Cabinets of another size than the \
                 existing ones are all bought new; slot chargers cost their price difference to the \
                 battery's own charger.",
    no_investment: "This plan file predates the record of what the plan adds, so no one-off investment \
                    is shown; run plan again with this version.",
    total: "Total",
    annual: "Annual cost of the planned fleet (what the planner minimises)",
    annualised_equipment: "Annualised equipment (batteries apart)",
    battery_annuity: "Battery annuity (their replacement)",
    maintenance: "Maintenance",
    energy_operator: "Cabinet energy (paid by the operator)",
    energy_residents: "Pile and home energy (paid by residents)",
    cny_per_year: "CNY/yr",
    closest: "Sites closest to a limit",
    network_kpis: "Key figures of the network",
    headroom: "Transformer headroom",
    transformer: "Transformer",
    peak_kw: "Mean daily peak [kW]",
    allowed_kw: "Allowed [kW]",
    headroom_kw: "Headroom [kW]",
    meets_all: "Meets every target",
    yes: "yes",
    compare_diff_note: "Differences are paired with the first scenario (same random numbers); brackets hold the 95% interval.",
    towns: "By town",
    town: "Town",
    no_town: "(none given)",
    no_towns: "No site names its town, so there is no roll-up by town.",
    sites: "Sites",
    ebikes: "E-bikes",
    subscribers: "Subscribers",
    annual_cost: "Annual cost [CNY/yr]",
    energy_cost_year: "Energy cost [CNY/yr]",
    flying_wire: "Flying wire per 1000 e-bikes [1/d]",
    targets_missed: "Targets missed",
    appendix: "Appendix",
    all_misses: "Every missed target",
    investment_total: "One-off investment [CNY]",
    annual_equipment: "Its annuity and maintenance [CNY/yr]",
    energy_paired: "Energy cost, paired [CNY/yr]",
    annual_difference: "Annual cost difference [CNY/yr]",
    not_priced: "not priced (no [costs])",
};

impl Lang {
    pub(crate) fn summary_words(self) -> &'static SummaryWords {
        match self {
            Lang::Zh => &ZH_SUMMARY,
            Lang::En => &EN_SUMMARY,
        }
    }
}

/// The heading of a comparison's cost table: against the first scenario.
pub(crate) fn cost_against(lang: Lang, first: &str) -> String {
    match lang {
        Lang::Zh => format!("相对“{first}”的投资与年成本"),
        Lang::En => format!("Investment and annual cost against {first}"),
    }
}

/// What a comparison's investment and annual cost difference are:
/// `rates`, each priced scenario's annuity factor and maintenance share.
pub(crate) fn cost_against_note(lang: Lang, first: &str, rates: &[(f64, f64)]) -> String {
    let rates: Vec<String> = rates
        .iter()
        .map(|&(annuity, share)| match lang {
            Lang::Zh => format!(
                "年金系数 {} + 运维 {}%",
                trim(annuity, 4),
                trim(share * 100.0, 2)
            ),
            Lang::En => format!(
                "annuity {} + maintenance {}%",
                trim(annuity, 4),
                trim(share * 100.0, 2)
            ),
        })
        .collect();
    match lang {
        Lang::Zh => format!(
            "一次性投资：各场景在“{first}”的设备之外新增的设备，按该场景的 [costs] 计价\
             （与方案的投资同一算法）；比“{first}”少的设备不计入，也不折价抵扣。\
             年成本差 = 投资 ×（{}）+ 年电费的配对差；设备部分为定值，\
             95% 区间即电费差的区间。",
            rates.join("；")
        ),
        Lang::En => format!(
            "One-off investment: what each scenario adds to the equipment of {first}, priced at \
             its own [costs] (as a plan's investment is); what it has less of is neither bought \
             nor credited. Annual cost difference = investment × ({}) + the paired energy-cost \
             difference; the equipment part is fixed, so the 95% interval is the energy's.",
            rates.join("; ")
        ),
    }
}

/// Scenarios after the first that give no `[costs]`, so nothing of
/// theirs is priced.
pub(crate) fn not_priced(lang: Lang, names: &[&str]) -> String {
    match lang {
        Lang::Zh => format!(
            "{} 没有 [costs]（如解析模型的场景），不计一次性投资和年成本。",
            names.join("、")
        ),
        Lang::En => format!(
            "{} {} no [costs] (an analytic scenario, say), so no investment or annual cost is \
             priced.",
            names.join(", "),
            if names.len() == 1 { "gives" } else { "give" }
        ),
    }
}

/// The verdict of a run: how many sites miss a target.
pub(crate) fn sites_missing(lang: Lang, missing: usize, sites: usize) -> String {
    match lang {
        Lang::Zh => format!("{sites} 个站点中有 {missing} 个未达到目标。以下为最严重的："),
        Lang::En => format!("{missing} of {sites} sites miss a target. The worst:"),
    }
}

/// "flying wire per 1000 e-bikes: 12.3 → 4.5 a day".
pub(crate) fn before_after(lang: Lang, kpi: &str, before: &str, after: &str) -> String {
    match lang {
        Lang::Zh => format!("{kpi}：规划前 {before}，规划后 {after}（次/天）。"),
        Lang::En => format!("{kpi}: {before} before the plan, {after} after (a day)."),
    }
}

/// A site near or over a limit: "美吉鑫小区: lost swaps 1.8% of 2% (90%)".
pub(crate) fn near_limit(lang: Lang, site: &str, kpi: &str, high: &str, limit: &str) -> String {
    match lang {
        Lang::Zh => format!("{site}：{kpi} 95% 上限 {high}，目标 {limit}"),
        Lang::En => format!("{site}: {kpi}, 95% upper bound {high}, target {limit}"),
    }
}

/// The roll-up of one target's misses: "flying wire: 140 sites over the
/// target, the worst 5: ...".
pub(crate) fn misses_rollup(lang: Lang, kpi: &str, count: usize, worst: &str) -> String {
    match lang {
        Lang::Zh => format!("{kpi}：{count} 个站点超过目标，最严重的：{worst}"),
        Lang::En => format!("{kpi}: {count} sites over the target, the worst: {worst}"),
    }
}

/// Where the full list of missed targets is.
pub(crate) fn misses_in_appendix(lang: Lang, count: usize) -> String {
    match lang {
        Lang::Zh => format!("全部 {count} 项未达标明细见附录。"),
        Lang::En => format!("All {count} missed targets are listed in the appendix."),
    }
}

/// Not drawn: every site's 95th percentile of the swap delay is zero, but
/// some riders' swaps were delayed (the largest site mean, in minutes).
pub(crate) fn few_delays(lang: Lang, max_mean_minutes: &str) -> String {
    match lang {
        Lang::Zh => format!(
            "各站点换电延误的第95百分位数均为0分钟（延误的骑手不足二十分之一），\
             站点平均延误最多{max_mean_minutes}分钟，不绘制换电延误图。"
        ),
        Lang::En => format!(
            "Fewer than one rider in 20 had a swap delayed at any site (the 95th percentile \
             is 0 min; the largest site mean is {max_mean_minutes} min), so no chart of delays."
        ),
    }
}

/// Which load charts a large report leaves out, and the command that
/// writes every chart.
pub(crate) fn charts_left_out(lang: Lang, shown: usize, total: usize) -> String {
    match lang {
        Lang::Zh => format!(
            "变压器负荷图只列出最接近允许负荷的 {shown} 台（共 {total} 台）；每个站点仍在表格中各占一行。\
             全部图表可用以下命令另存："
        ),
        Lang::En => format!(
            "Load charts are shown for the {shown} transformers closest to their allowed load \
             (of {total}); every site still has its row in the tables. To write every chart:"
        ),
    }
}

/// The command that writes every chart, with placeholders in `lang`.
pub(crate) fn charts_command(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "swapsim report 结果目录 --html 报告.html --charts 图表目录",
        Lang::En => "swapsim report RESULT --html REPORT.html --charts DIR",
    }
}

/// The swap fee's revenue: swaps a day × fee × 365.
pub(crate) fn revenue(lang: Lang, swaps_per_day: &str, fee: &str, cny: &str) -> String {
    match lang {
        Lang::Zh => {
            format!("换电收入：每天 {swaps_per_day} 次 × 每次 {fee} 元 × 365 天 = {cny} 元/年。")
        }
        Lang::En => format!(
            "Swap-fee revenue: {swaps_per_day} swaps a day × {fee} CNY × 365 days = {cny} CNY/yr."
        ),
    }
}

/// Payback of the plan's added investment from the network's revenue
/// less the operator's running costs (maintenance, cabinet energy).
pub(crate) fn payback(lang: Lang, payback: &crate::summary::Payback) -> String {
    use crate::summary::Payback;
    match (lang, payback) {
        (Lang::Zh, Payback::Years(y)) => format!(
            "新增投资回收期：{y} 年（新增投资 ÷（全网每年的换电收入 − 运维 − 换电柜电费））。"
        ),
        (Lang::Zh, Payback::Never) => {
            "换电收入不足以覆盖运维和换电柜电费，新增投资无法回收。".to_owned()
        }
        (Lang::Zh, Payback::NothingAdded) => "方案不新增设备，没有需要回收的投资。".to_owned(),
        (Lang::En, Payback::Years(y)) => format!(
            "Payback of the added investment: {y} years (added investment ÷ (the network's \
             swap-fee revenue − maintenance − cabinet energy, a year))."
        ),
        (Lang::En, Payback::Never) => "The revenue does not cover maintenance and cabinet \
                                       energy: the added investment is never paid back."
            .to_owned(),
        (Lang::En, Payback::NothingAdded) => {
            "The plan adds no equipment: there is no investment to pay back.".to_owned()
        }
    }
}

/// How the annual cost of the planned fleet is made: the annuity factor
/// over `lifetime_years` (`None` in older plans), battery replacement as
/// the batteries' annuity, and maintenance as a share of the fleet's
/// price.
pub(crate) fn annual_note(
    lang: Lang,
    annuity_factor: f64,
    lifetime_years: Option<f64>,
    maintenance_share: f64,
) -> String {
    let factor = trim(annuity_factor, 4);
    let share = trim(maintenance_share * 100.0, 2);
    match (lang, lifetime_years.map(|y| trim(y, 1))) {
        (Lang::Zh, years) => {
            let life = years
                .as_ref()
                .map_or_else(|| "设备寿命".to_owned(), |y| format!(" {y} 年设备寿命"));
            let every = years.map_or_else(|| "每个设备寿命".to_owned(), |y| format!("每 {y} 年"));
            format!(
                "按规划后的全部设备计（含现有设备），即规划器比较方案所用的年成本。\
                 设备价格按{life}与折现率摊销，年金系数 {factor}/年。\
                 电池更换：成本模型不单设电池寿命，电池年金即全部电池{every}更换一次的年费用。\
                 运维 = 全部设备价格 × {share}%/年。"
            )
        }
        (Lang::En, years) => {
            let life = years.as_ref().map_or_else(
                || "the equipment lifetime".to_owned(),
                |y| format!("the {y}-year equipment lifetime"),
            );
            let every = years.map_or_else(
                || "at the end of the equipment lifetime".to_owned(),
                |y| format!("every {y} years"),
            );
            format!(
                "Counted over the whole planned fleet, existing equipment included: the annual \
                 cost the planner compares plans by. Prices are spread over {life} at the discount \
                 rate (annuity factor {factor}/yr). Battery replacement: the cost model gives \
                 batteries no life of their own; their annuity is the yearly cost of replacing them \
                 all {every}. Maintenance = the fleet's price × {share}%/yr."
            )
        }
    }
}

/// A compared scenario's misses: "no (3 missed)".
pub(crate) fn missed_count(lang: Lang, count: usize) -> String {
    match lang {
        Lang::Zh => format!("否（{count} 项未达标）"),
        Lang::En => format!("no ({count} missed)"),
    }
}

/// The operator figures of a large network's sites are left out: where
/// they are.
pub(crate) fn operator_sites_left_out(lang: Lang, sites: usize) -> String {
    match lang {
        Lang::Zh => format!("{sites} 个站点各自的运营指标从略，见结果目录中的"),
        Lang::En => format!("The figures of each of the {sites} sites are left out; they are in"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A battery bracket that closed wider than one battery says how many
    /// batteries down the failure it keeps was, in both languages.
    #[test]
    fn a_wide_battery_bracket_names_its_width() {
        let reason = Kept {
            unit: Unit::Batteries(4),
            why: KeptWhy::RaisesKpi {
                kpi: "lost_swap_rate".into(),
                mean: 0.013,
                check: 0.0206,
                limit: 0.02,
            },
        };
        assert!(kept(&reason, Lang::En).starts_with("removing 4 batteries raises"));
        assert!(kept(&reason, Lang::Zh).starts_with("去掉4 块电池后"));
        assert_eq!(
            reason.to_string().split(" raises").next(),
            Some("removing 4 batteries")
        );
    }

    /// A KPI without a label shows its JSON name, which a Chinese report
    /// must never do.
    #[test]
    fn every_engine_kpi_has_a_label_in_both_languages() {
        for name in sim_core::Kpis::NAMES {
            for lang in [Lang::Zh, Lang::En] {
                let label = kpi(name, lang);
                assert_ne!(label.name, *name, "KPI `{name}` has no {lang:?} label");
            }
        }
        assert_eq!(kpi("door_wait_seconds_mean", Lang::En).unit, "");
    }
}
