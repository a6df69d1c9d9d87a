//! The validated model that the engine runs.
//!
//! Everything here has already been checked by the scenario layer: rates are
//! finite and positive, batteries fit in the slots, warm-up is shorter than
//! the run. The engine only `debug_assert!`s these facts.

use serde::Serialize;

/// A complete, validated simulation model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Model {
    /// Scenario name, echoed in results.
    pub name: String,
    /// Simulated days per replication, warm-up included [d].
    pub days: u32,
    /// Days discarded at the start of every replication [d].
    pub warmup_days: u32,
    /// Base seed; replication `r` uses streams derived from `(seed, r, stream)`.
    pub seed: u64,
    /// Independent replications.
    pub replications: u32,
    /// The battery type stocked in every cabinet.
    pub battery: BatterySpec,
    /// Sites with swap cabinets, in scenario order.
    pub sites: Vec<SiteSpec>,
}

/// One battery type and how cabinets charge it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BatterySpec {
    /// Usable capacity of a new battery [Wh].
    pub capacity_wh: f64,
    /// How a slot charges a battery.
    pub charge: ChargeModel,
    /// A battery in a slot can be dispensed once its SOC reaches this [0–1].
    pub dispense_soc: f64,
    /// SOC of the battery a rider hands in [0–1].
    pub return_soc: f64,
}

/// Charging model of a cabinet slot.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum ChargeModel {
    /// Memoryless time to dispensable, for validation against queueing theory.
    Exponential {
        /// Mean time from hand-in to dispensable [h].
        mean_hours: f64,
    },
    /// Fixed time from hand-in to dispensable.
    Deterministic {
        /// Time from hand-in to dispensable [h].
        hours: f64,
    },
    /// Constant grid power up to a knee SOC, then a stepped taper.
    CcCv(CcCv),
}

/// Constant-current / constant-voltage charge curve.
///
/// Grid-side power is `power_w` until `knee_soc`; above the knee the taper is
/// modelled as `taper_steps` equal SOC segments whose power falls
/// geometrically to `taper_end_fraction · power_w`, so the load stays
/// piecewise constant and energy integrates exactly.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CcCv {
    /// Grid-side power in the constant-current phase [W].
    pub power_w: f64,
    /// SOC where the taper begins [0–1].
    pub knee_soc: f64,
    /// Charger and battery efficiency: stored energy ÷ grid energy [0–1].
    pub efficiency: f64,
    /// Constant-power steps that approximate the taper.
    pub taper_steps: u32,
    /// Power of the last taper step as a fraction of `power_w` [0–1].
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
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SiteSpec {
    /// Display name; any UTF-8.
    pub name: String,
    /// Swap cabinets at the site.
    pub cabinets: u32,
    /// Slots in each cabinet; each slot holds and charges one battery.
    pub slots_per_cabinet: u32,
    /// Batteries stocked at the site, at most `cabinets · slots_per_cabinet`.
    pub batteries: u32,
    /// Where the swap requests come from.
    pub demand: Demand,
    /// How long a rider waits when no battery is ready.
    pub patience: Patience,
    /// Site-wide power cap: at most this many batteries charge at once;
    /// the others wait in their slots, first in first out. `None` = no cap.
    pub max_concurrent_charging: Option<u32>,
}

impl SiteSpec {
    /// Total slots at the site.
    pub fn slots(&self) -> u32 {
        self.cabinets * self.slots_per_cabinet
    }
}

/// Swap demand at a site.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum Demand {
    /// Exogenous Poisson swap requests (analytic mode).
    Poisson {
        /// Arrival rate [requests·h⁻¹].
        swaps_per_hour: f64,
    },
}

/// Rider patience when no battery is ready.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum Patience {
    /// Leave at once (loss system, Erlang B).
    None,
    /// Wait for the next ready battery (delay system, Erlang C).
    Infinite,
    /// Exponentially distributed patience (Erlang A).
    Exponential {
        /// Mean patience [min].
        mean_minutes: f64,
    },
}
