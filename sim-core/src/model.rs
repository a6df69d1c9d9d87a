//! The validated model that the engine runs.
//!
//! Everything here has already been checked by the scenario layer: rates are
//! finite and positive, batteries fit in the slots, warm-up is shorter than
//! the run. The engine only `debug_assert!`s these facts.

use serde::{Deserialize, Serialize};

/// A complete, validated simulation model.
///
/// `Default` gives an empty district (no sites) with default rules; tests
/// and builders fill in what they need.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Model {
    /// Scenario name, echoed in results.
    pub name: String,
    /// A short label for report and table columns (`现状`, `方案`);
    /// empty = none, and the name is used.
    pub label: String,
    /// Simulated days per replication, warm-up included \[d\].
    pub days: u32,
    /// Days discarded at the start of every replication \[d\].
    pub warmup_days: u32,
    /// Base seed; replication `r` uses streams derived from `(seed, r, stream)`.
    pub seed: u64,
    /// Independent replications.
    pub replications: u32,
    /// The battery type stocked in every cabinet and carried by subscribers.
    pub battery: BatterySpec,
    /// How cabinets dispense, swap and decide when to charge.
    pub cabinet: CabinetRules,
    /// Sites (communities and public points), in scenario order.
    pub sites: Vec<SiteSpec>,
    /// Rider groups, district-wide couriers, cabinet choice and home charging.
    pub riders: Riders,
    /// Transformers and the electricity tariff.
    pub grid: Grid,
    /// Service targets a deployment must meet.
    pub targets: Targets,
    /// Prices for the planner's annualised cost.
    pub costs: Costs,
    /// The planner's search space and precision.
    pub planner: PlannerConfig,
}

/// One battery type and how cabinets charge it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BatterySpec {
    /// Usable capacity of a new battery \[Wh\].
    pub capacity_wh: f64,
    /// How a slot charges a battery.
    pub charge: ChargeModel,
    /// A battery in a slot can be dispensed once its SOC reaches this \[0–1\].
    pub dispense_soc: f64,
    /// SOC of the battery a rider hands in, with analytic (Poisson)
    /// demand \[0–1\]; riders hand in whatever they have left.
    pub return_soc: f64,
    /// Capacity lost per equivalent full cycle, as a fraction of the new
    /// capacity \[1/cycle\].
    pub fade_per_cycle: f64,
    /// A battery whose state of health falls below this is retired when it
    /// next sits full in a slot, and replaced by a new one \[0–1\].
    pub retire_soh: f64,
}

/// Charging model of a cabinet slot.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum ChargeModel {
    /// Memoryless time to dispensable, for validation against queueing theory.
    Exponential {
        /// Mean time from hand-in to dispensable \[h\].
        mean_hours: f64,
    },
    /// Fixed time from hand-in to dispensable.
    Deterministic {
        /// Time from hand-in to dispensable \[h\].
        hours: f64,
    },
    /// Constant grid power up to a knee SOC, then a stepped taper.
    CcCv(CcCv),
}

impl BatterySpec {
    /// The battery as charged at `site`: CC-CV power set to the site's
    /// charger, if it has its own. Analytic models have no power to set.
    pub fn at_site(&self, site: &SiteSpec) -> BatterySpec {
        let mut battery = self.clone();
        if let (ChargeModel::CcCv(cc), Some(power_w)) = (&mut battery.charge, site.charger_power_w)
        {
            cc.power_w = power_w;
        }
        battery
    }

    /// Grid-side charger power in the constant-current phase \[W\];
    /// `None` for analytic models.
    pub fn charger_power_w(&self) -> Option<f64> {
        match &self.charge {
            ChargeModel::CcCv(cc) => Some(cc.power_w),
            _ => None,
        }
    }
}

impl Default for ChargeModel {
    fn default() -> Self {
        ChargeModel::CcCv(CcCv::default())
    }
}

/// Constant-current / constant-voltage charge curve.
///
/// Grid-side power is `power_w` until `knee_soc`; above the knee the taper is
/// modelled as `taper_steps` equal SOC segments whose power falls
/// geometrically to `taper_end_fraction · power_w`, so the load stays
/// piecewise constant and energy integrates exactly.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CcCv {
    /// Grid-side power in the constant-current phase \[W\].
    pub power_w: f64,
    /// SOC where the taper begins \[0–1\].
    pub knee_soc: f64,
    /// Charger and battery efficiency: stored energy ÷ grid energy \[0–1\].
    pub efficiency: f64,
    /// Constant-power steps that approximate the taper.
    pub taper_steps: u32,
    /// Power of the last taper step as a fraction of `power_w` \[0–1\].
    pub taper_end_fraction: f64,
}

impl Default for CcCv {
    fn default() -> Self {
        CcCv {
            power_w: 400.0,
            knee_soc: 0.8,
            efficiency: 0.92,
            taper_steps: 4,
            taper_end_fraction: 0.1,
        }
    }
}

/// One site (a community or a public point) with swap cabinets.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SiteSpec {
    /// Display name; any UTF-8.
    pub name: String,
    /// Subdistrict or town the site belongs to (街道 / 镇), for reports by
    /// town; empty when not given. The engine does not use it.
    pub town: String,
    /// Swap cabinets at the site.
    pub cabinets: u32,
    /// Slots in each cabinet; each slot holds and charges one battery.
    pub slots_per_cabinet: u32,
    /// Batteries stocked at the site, at most `cabinets · (slots_per_cabinet
    /// − 1)` ([`SiteSpec::max_batteries`]).
    pub batteries: u32,
    /// Where the swap requests come from.
    pub demand: Demand,
    /// How long a rider waits when no battery is ready.
    pub patience: Patience,
    /// Most riders at the site at once, waiting or at a door; an arrival
    /// who finds this many balks at once (as a rider who sees a long line
    /// in the app does). `None` = no limit.
    pub max_riders_present: Option<u32>,
    /// Site-wide power cap: at most this many batteries charge at once;
    /// the others wait in their slots, first in first out. `None` = no cap.
    pub max_concurrent_charging: Option<u32>,
    /// Grid-side power of each slot's charger in the constant-current phase
    /// \[W\], for CC-CV charging; `None` = the battery's `power_w`. The
    /// planner chooses it from its charger catalogue.
    pub charger_power_w: Option<f64>,
    /// Position east \[m\].
    pub x_m: f64,
    /// Position north \[m\].
    pub y_m: f64,
    /// Households (for the base load of the site's transformer).
    pub households: u32,
    /// Resident e-bikes of every kind (subscribers or not).
    pub ebikes: u32,
    /// Share of the resident e-bikes on a swap subscription \[0–1\].
    pub swap_adoption: f64,
    /// Rider groups of the resident subscribers: `(group index, share)`,
    /// shares summing to 1.
    pub mix: Vec<(usize, f64)>,
    /// Couriers living here, on top of `ebikes`: `(group index, count)`.
    pub couriers: Vec<(usize, u32)>,
    /// Relative weight of this site as a courier work place (where
    /// district-wide couriers are when they need a swap).
    pub courier_work_weight: f64,
    /// Charging-pile ports at the site.
    pub pile_ports: u32,
    /// Mean days between charges of a resident e-bike not on a
    /// subscription \[d\]; `None` = the scenario's
    /// [`HomeCharging::nonsub_interval_days`]. A survey's daily charging
    /// sessions set it per community.
    pub nonsub_interval_days: Option<f64>,
    /// Index of the transformer feeding the site, if the grid is modelled.
    pub transformer: Option<usize>,
}

impl SiteSpec {
    /// Total slots at the site.
    pub fn slots(&self) -> u32 {
        self.cabinets * self.slots_per_cabinet
    }

    /// The most batteries the site can stock: a swap opens an empty
    /// compartment to take the returned battery before it releases a full
    /// one, so each cabinet keeps one compartment empty.
    pub fn max_batteries(&self) -> u32 {
        self.cabinets * self.slots_per_cabinet.saturating_sub(1)
    }
}

/// Swap demand at a site.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum Demand {
    /// Exogenous Poisson swap requests (analytic mode).
    Poisson {
        /// Arrival rate \[requests·h⁻¹\].
        swaps_per_hour: f64,
    },
    /// Requests come from the riders living or working here.
    #[default]
    Riders,
}

/// Rider patience when no battery is ready (analytic demand).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum Patience {
    /// Leave at once (loss system, Erlang B).
    #[default]
    None,
    /// Wait for the next ready battery (delay system, Erlang C).
    Infinite,
    /// Exponentially distributed patience (Erlang A).
    Exponential {
        /// Mean patience \[min\].
        mean_minutes: f64,
    },
}

/// Cabinet operating rules shared by every site.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CabinetRules {
    /// Time a swap holds a cabinet door, one rider at a time, drawn per
    /// swap \[s\]. `Fixed { value: 0 }` makes swaps instant (no door).
    pub swap_seconds: Dist,
    /// Which dispensable battery a rider gets.
    pub dispense: DispenseRule,
    /// When cabinets charge.
    pub strategy: Strategy,
}

impl Default for CabinetRules {
    fn default() -> Self {
        CabinetRules {
            swap_seconds: Dist::Fixed { value: 0.0 },
            dispense: DispenseRule::HighestSoc,
            strategy: Strategy::Immediate,
        }
    }
}

/// Which dispensable battery a cabinet hands out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DispenseRule {
    /// The highest state of charge (Gogoro's rule).
    #[default]
    HighestSoc,
    /// The fewest equivalent full cycles, spreading wear.
    LeastCycled,
}

/// When cabinets charge.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum Strategy {
    /// Start as soon as a battery is handed in.
    #[default]
    Immediate,
    /// Charge in the tariff's valley, but outside it keep ready-plus-charging
    /// stock at `reserve_factor` × the expected requests until the valley
    /// (from the site's history; before a day of it, charge at once).
    OffPeakWithReserve {
        /// Safety factor on the expected demand \[–\].
        reserve_factor: f64,
    },
    /// Never start or continue a charge that would push the site's
    /// transformer past its allowed utilisation.
    GridCapped,
}

/// Riders: groups, district-wide couriers, cabinet choice, home charging.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Riders {
    /// Rider groups; sites refer to them by index.
    pub groups: Vec<RiderGroup>,
    /// Couriers who live anywhere and work across the district.
    pub district_couriers: Vec<DistrictCouriers>,
    /// How a rider picks a cabinet.
    pub choice: Choice,
    /// Charging outside the cabinets: piles and flying wire.
    pub home: HomeCharging,
}

/// A population group of swap subscribers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RiderGroup {
    /// Group name (`commuter`, `courier`, ...).
    pub name: String,
    /// Daily distance, drawn once per rider \[km/d\].
    pub daily_km: Dist,
    /// Energy use, drawn once per rider \[Wh/km\].
    pub wh_per_km: Dist,
    /// Mean trips on a weekday \[1/d\].
    pub trips_weekday: f64,
    /// Mean trips on a weekend day \[1/d\].
    pub trips_weekend: f64,
    /// Relative trip-start weights for each hour of a weekday.
    pub profile_weekday: [f64; 24],
    /// Relative trip-start weights for each hour of a weekend day.
    pub profile_weekend: [f64; 24],
    /// SOC below which the rider seeks a swap, drawn once per rider \[0–1\].
    pub swap_threshold_soc: Dist,
    /// Patience at a cabinet with no ready battery, drawn once per rider \[min\].
    pub patience_minutes: Dist,
    /// Riding speed, for trip lengths and detours \[km/h\].
    pub speed_kmh: f64,
    /// Whether the rider needs swaps where they work (couriers) rather than
    /// near home.
    pub works_across_district: bool,
}

/// A probability distribution of a positive quantity.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case")]
pub enum Dist {
    /// Always this value.
    Fixed {
        /// The value.
        value: f64,
    },
    /// Uniform on `\[low, high\]`.
    Uniform {
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
    },
    /// Normal, truncated to `\[low, high\]` by redrawing.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
        /// Lower truncation point.
        low: f64,
        /// Upper truncation point.
        high: f64,
    },
    /// Log-normal with the given mean and standard deviation (of the value,
    /// not of its logarithm).
    LogNormal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Exponential with the given mean.
    Exponential {
        /// Mean.
        mean: f64,
    },
}

impl Default for Dist {
    fn default() -> Self {
        Dist::Fixed { value: 0.0 }
    }
}

impl Dist {
    /// The distribution's mean (the untruncated mean for `Normal`).
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Fixed { value } => value,
            Dist::Uniform { low, high } => 0.5 * (low + high),
            Dist::Normal { mean, .. }
            | Dist::LogNormal { mean, .. }
            | Dist::Exponential { mean } => mean,
        }
    }
}

/// Couriers spread over the district.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DistrictCouriers {
    /// Rider group index.
    pub group: usize,
    /// How many.
    pub count: u32,
}

/// How riders pick a cabinet.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Choice {
    /// The rule.
    pub policy: ChoicePolicy,
    /// Farthest a rider goes for a swap \[m\].
    pub max_detour_m: f64,
}

impl Default for Choice {
    fn default() -> Self {
        Choice {
            policy: ChoicePolicy::AppInformed,
            max_detour_m: 1500.0,
        }
    }
}

/// Cabinet choice rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChoicePolicy {
    /// Only the cabinets of the site where the rider is.
    Home,
    /// The nearest site with cabinets.
    Nearest,
    /// The nearest site with a ready battery within the detour (the cloud
    /// shows live stock); otherwise the nearest site.
    #[default]
    AppInformed,
}

/// Charging outside the cabinets: pile ports and flying wire.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HomeCharging {
    /// Power of an e-bike charger on a pile port or a flat's socket \[W\].
    pub charger_w: f64,
    /// Stored ÷ grid energy of such a charge \[0–1\].
    pub efficiency: f64,
    /// How long a bike stays plugged in (a pile port stays occupied) \[h\].
    pub dwell_hours: Dist,
    /// Mean days between charges of a bike not on a subscription \[d\].
    pub nonsub_interval_days: f64,
    /// Battery of a bike not on a subscription \[Wh\].
    pub nonsub_battery_wh: f64,
    /// Share of that battery refilled per charge \[0–1\].
    pub nonsub_depth: Dist,
    /// Relative plug-in weights for each hour of the day.
    pub plug_in_profile: [f64; 24],
}

impl Default for HomeCharging {
    fn default() -> Self {
        HomeCharging {
            charger_w: 250.0,
            efficiency: 0.85,
            dwell_hours: Dist::Fixed { value: 10.0 },
            nonsub_interval_days: 3.0,
            nonsub_battery_wh: 1000.0,
            nonsub_depth: Dist::Fixed { value: 0.6 },
            plug_in_profile: [1.0; 24],
        }
    }
}

/// Transformers and the tariff.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Grid {
    /// Transformers; sites refer to them by index.
    pub transformers: Vec<TransformerSpec>,
    /// Time-of-use electricity prices.
    pub tariff: Tariff,
}

/// A distribution transformer feeding one or more sites.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TransformerSpec {
    /// Name.
    pub name: String,
    /// Rating \[kVA\].
    pub rating_kva: f64,
    /// Power factor of the load \[0–1\].
    pub power_factor: f64,
    /// Allowed loading as a share of the rating \[0–1\].
    pub allowed_utilization: f64,
    /// Residential base load at its daily peak \[kW\]: households × design
    /// load × diversity factor.
    pub base_peak_kw: f64,
    /// Base load for each hour of the day as a share of `base_peak_kw`.
    pub base_profile: [f64; 24],
    /// How the scenario found `base_peak_kw`, for reports; `None` when it
    /// gave the peak itself. The engine uses only `base_peak_kw`.
    pub base_basis: Option<BaseLoadBasis>,
}

/// The design-standard basis of a transformer's base peak: households ×
/// design load per household × the diversity factor for that many
/// households.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BaseLoadBasis {
    /// Households fed.
    pub households: u64,
    /// Design load per household \[kW\].
    pub design_kw_per_household: f64,
    /// Diversity factor for that many households \[0–1\].
    pub diversity_factor: f64,
}

impl TransformerSpec {
    /// Allowed active power \[kW\].
    pub fn limit_kw(&self) -> f64 {
        self.rating_kva * self.power_factor * self.allowed_utilization
    }
}

/// Time-of-use tariff.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tariff {
    /// Price for each hour of the day \[CNY/kWh\].
    pub price_per_kwh: [f64; 24],
    /// Whether each hour of the day is in the valley period.
    pub valley: [bool; 24],
    /// What residents pay per kWh at home and at pile ports (the
    /// residential price, not the time-of-use one) \[CNY/kWh\].
    pub residential_cny_per_kwh: f64,
}

impl Default for Tariff {
    fn default() -> Self {
        Tariff {
            price_per_kwh: [0.0; 24],
            valley: [false; 24],
            residential_cny_per_kwh: 0.0,
        }
    }
}

/// Service targets (`\[targets\]`). A target holds when the upper end of its
/// KPI's 95% interval meets it, not only the mean. Read back from
/// `context.json` by the report; a target missing there is not set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Targets {
    /// Largest share of requests not served by any cabinet.
    pub max_lost_swap_rate: Option<f64>,
    /// Largest share of requests finding no battery at the first cabinet.
    pub max_stockout_probability: Option<f64>,
    /// Longest 95th-percentile swap delay \[min\], judged on
    /// `swap_delay_minutes_p95`: from the moment a rider needs a swap to
    /// the start of the swap (waiting in line and extra detour), which at
    /// analytic sites is the wait at the cabinet.
    pub max_wait_minutes_p95: Option<f64>,
    /// Most flying-wire sessions per 1000 e-bikes per day.
    pub max_flying_wire_per_1000_bikes_day: Option<f64>,
    /// Highest transformer peak utilisation \[0–1\].
    pub max_transformer_utilization: Option<f64>,
}

impl Targets {
    /// Whether any target is set.
    pub fn any(&self) -> bool {
        self.list().iter().any(|(_, v)| v.is_some())
    }

    /// `(KPI name, limit)` for every target, set or not.
    pub fn list(&self) -> [(&'static str, Option<f64>); 5] {
        [
            ("lost_swap_rate", self.max_lost_swap_rate),
            ("stockout_probability", self.max_stockout_probability),
            ("swap_delay_minutes_p95", self.max_wait_minutes_p95),
            (
                "flying_wire_per_1000_bikes_day",
                self.max_flying_wire_per_1000_bikes_day,
            ),
            (
                "transformer_peak_utilization",
                self.max_transformer_utilization,
            ),
        ]
    }

    /// `(KPI name, limit)` of every target that is set, in the order of
    /// [`Targets::list`].
    pub fn set(&self) -> Vec<(&'static str, f64)> {
        self.list()
            .into_iter()
            .filter_map(|(kpi, limit)| Some((kpi, limit?)))
            .collect()
    }

    /// The limit on KPI `kpi`, if its target is set.
    pub fn limit(&self, kpi: &str) -> Option<f64> {
        self.list()
            .into_iter()
            .find(|(k, _)| *k == kpi)
            .and_then(|(_, limit)| limit)
    }
}

/// Prices for the annualised cost (`\[costs\]`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Costs {
    /// Price of a cabinet by its slot count: `(slots, CNY)`.
    pub cabinet_cny_by_slots: Vec<(u32, f64)>,
    /// Price of one swap battery \[CNY\].
    pub battery_cny: f64,
    /// Price of one charging-pile port \[CNY\].
    pub pile_port_cny: f64,
    /// Price of slot charger power \[CNY/kW\]. Cabinet prices include
    /// chargers of the battery's `power_w`; a site with other chargers
    /// pays (or saves) this per kW of difference, per slot.
    pub charger_cny_per_kw: f64,
    /// Price of a transformer upgrade to each standard size: `(kVA, CNY)`.
    pub transformer_cny_by_kva: Vec<(f64, f64)>,
    /// Maintenance per year as a share of the capital cost \[1/yr\].
    pub maintenance_share_per_year: f64,
    /// Equipment lifetime for annualising \[yr\].
    pub lifetime_years: f64,
    /// Discount rate for annualising \[1/yr\].
    pub discount_rate: f64,
    /// Fee a subscriber pays per swap \[CNY\], for the report's revenue
    /// and payback; `None` = not given. The planner does not use it.
    pub swap_fee_cny: Option<f64>,
    /// Whether the scenario gives `[costs]`. Without, the prices are the
    /// defaults above: the planner still needs some to choose between
    /// deployments, but `compare` prices nothing rather than pass them
    /// off as the scenario's.
    pub given: bool,
}

impl Default for Costs {
    fn default() -> Self {
        Costs {
            cabinet_cny_by_slots: vec![(8, 18_000.0), (12, 25_000.0), (16, 32_000.0)],
            battery_cny: 1_500.0,
            pile_port_cny: 800.0,
            // A few hundred yuan per kW of e-bike charger module [E].
            charger_cny_per_kw: 300.0,
            transformer_cny_by_kva: vec![
                (400.0, 250_000.0),
                (500.0, 290_000.0),
                (630.0, 340_000.0),
                (800.0, 400_000.0),
                (1000.0, 470_000.0),
                (1250.0, 560_000.0),
            ],
            maintenance_share_per_year: 0.05,
            lifetime_years: 8.0,
            discount_rate: 0.05,
            swap_fee_cny: None,
            given: false,
        }
    }
}

impl Costs {
    /// Capital recovery factor: the annual payment per CNY of capital.
    pub fn annuity_factor(&self) -> f64 {
        let (r, n) = (self.discount_rate, self.lifetime_years.max(1.0));
        if r <= 0.0 {
            1.0 / n
        } else {
            r * (1.0 + r).powf(n) / ((1.0 + r).powf(n) - 1.0)
        }
    }

    /// Price of a cabinet with `slots` slots: the listed price, or the
    /// nearest listed size scaled per slot.
    pub fn cabinet_cny(&self, slots: u32) -> f64 {
        if let Some(&(_, p)) = self.cabinet_cny_by_slots.iter().find(|(s, _)| *s == slots) {
            return p;
        }
        self.cabinet_cny_by_slots
            .iter()
            .min_by_key(|(s, _)| s.abs_diff(slots))
            .map_or(0.0, |&(s, p)| p / f64::from(s.max(1)) * f64::from(slots))
    }

    /// Price of upgrading to a `kva` transformer.
    pub fn transformer_cny(&self, kva: f64) -> f64 {
        self.transformer_cny_by_kva
            .iter()
            .find(|(k, _)| *k >= kva - 1e-9)
            .or(self.transformer_cny_by_kva.last())
            .map_or(0.0, |&(_, p)| p)
    }

    /// A site's share of its transformer's upgrade from `existing_kva` to
    /// `kva` \[CNY\]: the upgrade's price split evenly between the `sites`
    /// the transformer feeds, and nothing when it does not grow (only
    /// upgrades cost). A transformer that is new prices from 0 kVA.
    pub fn transformer_share_cny(&self, existing_kva: f64, kva: f64, sites: usize) -> f64 {
        if kva > existing_kva + 1e-9 {
            self.transformer_cny(kva) / sites.max(1) as f64
        } else {
            0.0
        }
    }
}

/// The planner's search space and precision (`\[planner\]`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlannerConfig {
    /// Cabinet sizes on offer \[slots\].
    pub slot_catalogue: Vec<u32>,
    /// Standard transformer sizes \[kVA\], ascending.
    pub transformer_sizes_kva: Vec<f64>,
    /// Slot charger powers on offer \[W\], ascending; empty = the
    /// battery's `power_w` everywhere (charger power is then no decision).
    pub charger_power_catalogue_w: Vec<f64>,
    /// Most cabinets at one site.
    pub max_cabinets_per_site: u32,
    /// Most pile ports at one site.
    pub max_pile_ports_per_site: u32,
    /// Replications of a first look at a candidate.
    pub min_replications: u32,
    /// Replications when a decision is close.
    pub max_replications: u32,
    /// Most grow steps before giving up.
    pub max_iterations: u32,
}

impl Default for PlannerConfig {
    fn default() -> Self {
        PlannerConfig {
            slot_catalogue: vec![8, 12, 16],
            transformer_sizes_kva: vec![400.0, 500.0, 630.0, 800.0, 1000.0, 1250.0],
            charger_power_catalogue_w: Vec::new(),
            max_cabinets_per_site: 20,
            max_pile_ports_per_site: 200,
            min_replications: 4,
            max_replications: 16,
            max_iterations: 60,
        }
    }
}
