//! swapsim's simulation core: a deterministic discrete-event engine and the
//! battery-swap model of cabinets, batteries and riders.
//!
//! Architecture invariant: this crate knows nothing of TOML, files, clap,
//! stdout or wall-clock time. It takes a validated [`Model`] and returns a
//! [`RunResult`].
//!
//! # Time
//!
//! Simulated time is an integer number of milliseconds since the start of a
//! replication ([`Time`]). Rates and durations drawn as `f64` are rounded to
//! the nearest millisecond once, when an event is scheduled.
//!
//! # Event ordering
//!
//! 1. Events fire in non-decreasing time order.
//! 2. Events scheduled for the same millisecond fire in the order they were
//!    scheduled (a sequence number breaks the tie).
//! 3. An event superseded before it fires (a rider served before their
//!    patience ran out, a charge interrupted by a dispense) is cancelled
//!    lazily: it stays in the queue and is dropped when popped because its
//!    generation no longer matches its entity's.
//!
//! # Example
//!
//! ```
//! use sim_core::{BatterySpec, ChargeModel, Demand, Model, Patience, SiteSpec};
//!
//! let model = Model {
//!     name: "erlang-b".into(),
//!     days: 40,
//!     warmup_days: 2,
//!     seed: 1,
//!     replications: 4,
//!     battery: BatterySpec {
//!         capacity_wh: 1000.0,
//!         charge: ChargeModel::Exponential { mean_hours: 3.0 },
//!         dispense_soc: 0.95,
//!         return_soc: 0.2,
//!         ..BatterySpec::default()
//!     },
//!     sites: vec![SiteSpec {
//!         name: "A".into(),
//!         cabinets: 1,
//!         slots_per_cabinet: 12,
//!         batteries: 11,
//!         demand: Demand::Poisson { swaps_per_hour: 2.0 },
//!         patience: Patience::None,
//!         max_concurrent_charging: None,
//!         ..SiteSpec::default()
//!     }],
//!     ..Model::default()
//! };
//! let result = sim_core::run(&model, 1);
//! // 2 requests per hour for 38 measured days.
//! let per_day = result.network.swap_requests_per_day.mean;
//! assert!((per_day - 48.0).abs() < 3.0, "{per_day}");
//! // Erlang B(11, 6) is about 0.024: stockouts are rare but present.
//! let p = result.network.stockout_probability.mean;
//! assert!(p > 0.005 && p < 0.06, "{p}");
//! ```

pub mod alloc;
mod curve;
mod engine;
mod model;
pub mod planner;
mod prefetch;
pub mod queue;
mod reach;
mod results;
pub mod rng;
mod sample;
pub mod stats;
mod wire;

pub use engine::{
    Counters, DayProgress, LOAD_COMPONENTS, Replication, Resources, Series, TransformerCounters,
    simulate_replication, simulate_replication_with,
};
pub use model::{
    BaseLoadBasis, BatterySpec, CabinetRules, CcCv, ChargeModel, Choice, ChoicePolicy, Costs,
    Demand, DispenseRule, Dist, DistrictCouriers, Grid, HomeCharging, Model, Patience,
    PlannerConfig, RiderGroup, Riders, SiteSpec, Strategy, Targets, Tariff, TransformerSpec,
};
pub use results::{
    Estimate, Kpis, LoadBand, Miss, Profile, Profiles, RunResult, SHARES, SiteResult, Timeseries,
    run, run_replication_range, run_replications, run_replications_with, summarise, window_hours,
};

/// Most trips a rider makes in one day: the engine draws a day's trips into
/// a fixed array of this size, and validation keeps `trips_per_day` within it.
pub const MAX_TRIPS_PER_DAY: usize = 48;

/// Simulated time \[ms since the start of the replication\].
pub type Time = u64;

/// Milliseconds per simulated hour.
pub const MS_PER_HOUR: Time = 3_600_000;
/// Milliseconds per simulated day.
pub const MS_PER_DAY: Time = 24 * MS_PER_HOUR;

/// A duration in milliseconds as `f64`, exactly (durations stay far below
/// 2⁵³ ms). Converting through `i64` is one instruction on x86-64, where
/// `u64 as f64` is a branchy sequence; the event loop does this on every
/// change of a time-weighted level.
#[inline]
pub(crate) fn ms_f64(duration: Time) -> f64 {
    debug_assert!(duration <= crate::queue::MAX_TIME);
    duration as i64 as f64
}
