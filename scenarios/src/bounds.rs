//! The domain bounds of counts, rates and durations, each with its reason.
//!
//! A value `check` accepts must be one the engine can run in bounded time
//! and memory, so every count, rate and duration has an upper bound taken
//! from the domain (and, for intervals, a lower one). A value past its
//! bound gets the usual located error, which names the bound and gives the
//! reason (`Bounded`). `scenarios/README.md` lists them beside their keys;
//! `cli` takes [`MAX_DAYS`] and [`MAX_REPLICATIONS`] for its flags.

use std::ops::Bound::{Excluded, Included};

use toml::de::DeValue;

use crate::walk::{Integer, Kind, Number};

/// Days per replication: ten years. Tariffs, fleets and battery wear change
/// well within that, and a run's per-day series grows with it.
pub const MAX_DAYS: u32 = 3_650;
/// Replications per run: the interval's half-width shrinks as 1/√n, so
/// 10,000 replications already narrow it to 1% of one replication's spread.
pub const MAX_REPLICATIONS: u32 = 10_000;
/// Sites per scenario: a city-scale network (Beijing has about 10,000 swap
/// cabinet sites) ten times over.
pub const MAX_SITES: usize = 100_000;
/// Slots per cabinet: the largest cabinets built have 12–24 compartments;
/// the same bound as the planner's `slot_catalogue`.
pub const MAX_SLOTS_PER_CABINET: u32 = crate::costs::MAX_SLOTS;
/// Cabinets per site: the largest swap stations hold tens of cabinets.
pub const MAX_CABINETS: u32 = 1_000;
/// E-bikes (and households) per site: the largest residential communities
/// house about 100,000 people.
pub const MAX_EBIKES: u32 = 200_000;
/// Couriers per site or district pool: a delivery platform's whole fleet
/// in one city is tens of thousands.
pub const MAX_COURIERS: u32 = 100_000;

/// The error of `n` sites, past [`MAX_SITES`].
pub(crate) fn too_many_sites(n: usize) -> String {
    format!(
        "{n} sites exceed the bound of {MAX_SITES}: a city-scale network (Beijing has about \
         10,000 swap cabinet sites) ten times over"
    )
}

/// Why each bound holds, for the error message (which names the bound).
pub(crate) const WHY_DAYS: &str =
    "ten years: tariffs, fleets and battery wear change well within that";
pub(crate) const WHY_REPLICATIONS: &str =
    "the interval narrows as 1/sqrt(n), to 1% of one replication's spread at 10000";
pub(crate) const WHY_SLOTS: &str = "the largest cabinets built have 12-24 compartments";
pub(crate) const WHY_CABINETS: &str = "the largest swap stations hold tens of cabinets";
pub(crate) const WHY_EBIKES: &str =
    "the largest residential communities house about 100,000 people";
pub(crate) const WHY_COURIERS: &str =
    "a delivery platform's whole fleet in one city is tens of thousands";
pub(crate) const WHY_TRIPS: &str =
    "one trip every half hour: the engine draws at most 48 trips per rider and day";
pub(crate) const WHY_INTERVAL: &str = "a bike charged more often than every 1.2 h would be \
                                       plugged in before its last charge ends; one charged \
                                       less than once in ten years is not in use";

/// Days per replication: 1 to [`MAX_DAYS`].
pub(crate) const DAYS: Bounded<Integer<u32>> = Bounded::new(
    Integer::between(1, MAX_DAYS),
    Integer::at_least(1),
    WHY_DAYS,
);
/// Warm-up days: 0 to [`MAX_DAYS`] (and fewer than `days`).
pub(crate) const WARMUP_DAYS: Bounded<Integer<u32>> = Bounded::new(
    Integer::between(0, MAX_DAYS),
    Integer::at_least(0),
    WHY_DAYS,
);
/// Replications: `min` to [`MAX_REPLICATIONS`].
pub(crate) const fn replications(min: u32) -> Bounded<Integer<u32>> {
    Bounded::new(
        Integer::between(min, MAX_REPLICATIONS),
        Integer::at_least(min),
        WHY_REPLICATIONS,
    )
}
/// Slots per cabinet.
pub(crate) const SLOTS: Bounded<Integer<u32>> = Bounded::new(
    Integer::between(1, MAX_SLOTS_PER_CABINET),
    Integer::at_least(1),
    WHY_SLOTS,
);
/// Cabinets per site.
pub(crate) const CABINETS: Bounded<Integer<u32>> = Bounded::new(
    Integer::between(1, MAX_CABINETS),
    Integer::at_least(1),
    WHY_CABINETS,
);
/// E-bikes or households per site.
pub(crate) const EBIKES: Bounded<Integer<u32>> = Bounded::new(
    Integer::between(0, MAX_EBIKES),
    Integer::at_least(0),
    WHY_EBIKES,
);
/// Couriers of a site.
pub(crate) const COURIERS: Bounded<Integer<u32>> = Bounded::new(
    Integer::between(0, MAX_COURIERS),
    Integer::at_least(0),
    WHY_COURIERS,
);
/// Couriers of a district pool.
pub(crate) const POOL_COURIERS: Bounded<Integer<u32>> = Bounded::new(
    Integer::between(1, MAX_COURIERS),
    Integer::at_least(1),
    WHY_COURIERS,
);
/// Trips per rider and day: (0, `sim_core::MAX_TRIPS_PER_DAY`].
pub(crate) const TRIPS_PER_DAY: Bounded<Number> = Bounded::new(
    Number::new(Excluded(0.0), Included(sim_core::MAX_TRIPS_PER_DAY as f64)),
    Number::POSITIVE,
    WHY_TRIPS,
);
/// Days between two charges of a bike not on a subscription. Below 0.05
/// days the plug-in events of a district would outnumber everything else
/// (and at 1e-300 they fall at t + 0 for ever); a charge itself takes hours.
pub(crate) const NONSUB_INTERVAL_DAYS: Bounded<Number> = Bounded::new(
    Number::new(Included(0.05), Included(3_650.0)),
    Number::POSITIVE,
    WHY_INTERVAL,
);

/// Battery capacity: (0, 100,000] Wh. A capacity of 1e308 Wh passed
/// `check` and overflowed the energy balance to NaN (found by
/// `tests/fuzz.rs`).
pub(crate) const CAPACITY_WH: Bounded<Number> = Bounded::new(
    Number::new(Excluded(0.0), Included(100_000.0)),
    Number::POSITIVE,
    WHY_CAPACITY,
);
/// Why [`CAPACITY_WH`] holds.
pub(crate) const WHY_CAPACITY: &str =
    "a swap battery is carried by hand; 100 kWh is a car's whole battery";

/// Charging efficiency: [0.1, 1]. An efficiency of 1e-300 passed
/// `check` and the grid energy (stored energy over efficiency)
/// overflowed to NaN (found by `tests/fuzz.rs`).
pub(crate) const EFFICIENCY: Bounded<Number> = Bounded::new(
    Number::new(Included(0.1), Included(1.0)),
    Number::new(Excluded(0.0), Included(1.0)),
    WHY_EFFICIENCY,
);
/// Why [`EFFICIENCY`] holds.
pub(crate) const WHY_EFFICIENCY: &str =
    "a charger that loses nine tenths of its energy is a heater; real ones lose 5-20%";

/// Charging power of a slot or a home charger: (0, 10,000] W, as a
/// site's `charger_power_w`. A home `charger_w` of 1e308 W passed `check`
/// and the load bands' samples were NaN (found by `tests/fuzz.rs`).
pub(crate) const CHARGER_W: Bounded<Number> = Bounded::new(
    crate::site::CHARGER_POWER,
    Number::POSITIVE,
    "an e-bike battery charges at 100-1000 W; 10 kW is a car's wallbox",
);

/// Transformer rating: (0, 10⁷] kVA, loose enough that a rating written
/// in VA still gets its unit-slip warning.
pub(crate) const RATING_KVA: Bounded<Number> = Bounded::new(
    Number::new(Excluded(0.0), Included(10_000_000.0)),
    Number::POSITIVE,
    "a community transformer is 30-2500 kVA; 10 GVA is a large power station",
);
/// Design load per household: (0, 100] kW. At 1e308 the base load
/// overflowed and the load bands' samples were NaN (found by
/// `tests/fuzz.rs`).
pub(crate) const KW_PER_HOUSEHOLD: Bounded<Number> = Bounded::new(
    Number::new(Excluded(0.0), Included(100.0)),
    Number::POSITIVE,
    "the design load of a flat is 4-12 kW; 100 kW is a small workshop",
);
/// Base peak load of a transformer: [0, 10⁷] kW.
pub(crate) const BASE_PEAK_KW: Bounded<Number> = Bounded::new(
    Number::new(Included(0.0), Included(10_000_000.0)),
    Number::NON_NEGATIVE,
    "a community transformer is 30-2500 kVA; 10 GW is a large power station",
);

/// A [`Kind`] with a domain bound: a value that only the bound rejects
/// gets the reason with its error.
pub(crate) struct Bounded<K> {
    /// The kind with the domain bound.
    kind: K,
    /// The same kind without it: what the type alone allows.
    wide: K,
    why: &'static str,
}

impl<K> Bounded<K> {
    /// `kind`, which is `wide` cut to a bound that `why` explains.
    pub(crate) const fn new(kind: K, wide: K, why: &'static str) -> Self {
        Bounded { kind, wide, why }
    }
}

impl<K: Kind> Kind for Bounded<K> {
    type Out = K::Out;

    fn expected(&self) -> String {
        self.kind.expected()
    }

    fn read(&self, value: &DeValue<'_>, raw: &str) -> Result<K::Out, String> {
        self.kind.read(value, raw).map_err(|message| {
            // The bound explains a value that only it rejects, or that
            // the type rejects only by the magnitude net under every key.
            let wide = self.wide.read(value, raw);
            if wide.is_ok() || wide.is_err_and(|m| m.contains(crate::walk::PAST_MAGNITUDE)) {
                format!("{message} ({})", self.why)
            } else {
                message
            }
        })
    }
}
