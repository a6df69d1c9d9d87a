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

/// Pile ports per site: a port charges one e-bike at a time, so ports
/// past the most e-bikes a site houses ([`MAX_EBIKES`]) stand empty.
pub const MAX_PILE_PORTS: u32 = MAX_EBIKES;
/// Batteries charging at once at a site: a battery charges in a slot, and
/// a site has at most [`MAX_CABINETS`] cabinets of
/// [`MAX_SLOTS_PER_CABINET`] slots.
pub const MAX_CONCURRENT_CHARGING: u32 = MAX_CABINETS * MAX_SLOTS_PER_CABINET;
/// Riders present at a site at once: every rider a site may house, its
/// e-bikes and its couriers ([`MAX_EBIKES`] + [`MAX_COURIERS`]).
pub const MAX_RIDERS_PRESENT: u32 = MAX_EBIKES + MAX_COURIERS;
/// The planner's grow steps: a step grows a short site by a tenth or
/// more (at least one unit), so about 110 steps take a site from one
/// battery to the 63,000 of 1,000 cabinets of 64 slots; 1,000 leave room
/// for long lists of transformer sizes, stepped through one at a time.
pub const MAX_ITERATIONS: u32 = 1_000;

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

pub(crate) const WHY_PILE_PORTS: &str =
    "a port charges one e-bike at a time, and a site houses at most 200,000";
pub(crate) const WHY_CONCURRENT_CHARGING: &str =
    "a battery charges in a slot, and a site has at most 1,000 cabinets of 64 slots";
pub(crate) const WHY_RIDERS_PRESENT: &str =
    "every rider a site may house: 200,000 e-bikes and 100,000 couriers";

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
/// Pile ports of a site: 0 to [`MAX_PILE_PORTS`] (and the planner's
/// `max_pile_ports_per_site`). `pile_ports = 100000000` passed `check`.
pub(crate) const PILE_PORTS: Bounded<Integer<u32>> = Bounded::new(
    Integer::between(0, MAX_PILE_PORTS),
    Integer::at_least(0),
    WHY_PILE_PORTS,
);
/// A site's cap on batteries charging at once: 1 to
/// [`MAX_CONCURRENT_CHARGING`].
pub(crate) const CONCURRENT_CHARGING: Bounded<Integer<u32>> = Bounded::new(
    Integer::between(1, MAX_CONCURRENT_CHARGING),
    Integer::at_least(1),
    WHY_CONCURRENT_CHARGING,
);
/// A site's cap on riders present: 1 to [`MAX_RIDERS_PRESENT`].
pub(crate) const RIDERS_PRESENT: Bounded<Integer<u32>> = Bounded::new(
    Integer::between(1, MAX_RIDERS_PRESENT),
    Integer::at_least(1),
    WHY_RIDERS_PRESENT,
);
/// The planner's grow steps: 1 to [`MAX_ITERATIONS`].
pub(crate) const ITERATIONS: Bounded<Integer<u32>> = Bounded::new(
    Integer::between(1, MAX_ITERATIONS),
    Integer::at_least(1),
    "a step grows a short site by a tenth or more: about 110 take one from 1 battery to the \
     63,000 of 1,000 cabinets",
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
    WHY_RATING_KVA,
);
/// Why [`RATING_KVA`] holds.
pub(crate) const WHY_RATING_KVA: &str =
    "a community transformer is 30-2500 kVA; 10 GVA is a large power station";
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

/// First-guess batteries per swap user of `[survey]`: (0, 10].
pub(crate) const BATTERIES_PER_SUBSCRIBER: Bounded<Number> = Bounded::new(
    Number::new(Excluded(0.0), Included(10.0)),
    Number::POSITIVE,
    "Gogoro keeps about 2.2 batteries per rider, the pilot 0.2 per subscriber",
);
/// A survey row's charging sessions a day: [0, 4·10⁶], every one of the
/// [`MAX_EBIKES`] e-bikes a site may house charging at the shortest
/// interval (0.05 days).
pub(crate) const DAILY_CHARGES: Bounded<Number> = Bounded::new(
    Number::new(Included(0.0), Included(4_000_000.0)),
    Number::NON_NEGATIVE,
    "200,000 e-bikes, the most a site houses, each charging every 0.05 days",
);

/// Speed of a rider on a detour: (0, 100] km/h.
pub(crate) const SPEED_KMH: Bounded<Number> = Bounded::new(
    Number::new(Excluded(0.0), Included(100.0)),
    Number::POSITIVE,
    "GB 17761 caps e-bikes at 25 km/h; 100 km/h is a car on a motorway",
);
/// Time to charge a battery to dispensable, of the exponential and
/// deterministic charge models: [0.01, 100] h. A mean of 5e-324 h drew
/// infinite power and NaN load bands (found by the schema-driven fuzz
/// property); 0.01 h is 36 seconds.
pub(crate) const CHARGE_HOURS: Bounded<Number> = Bounded::new(
    Number::new(Included(0.01), Included(100.0)),
    Number::POSITIVE,
    "a swap battery charges in 2.5-4 h; in 100 h a 2 kWh pack would charge at 20 W",
);
/// Patience of a rider at an analytic site (`mean_minutes`): (0, 1440]
/// min, as [`PATIENCE_MINUTES`].
pub(crate) const PATIENCE_MEAN_MINUTES: Bounded<Number> = Bounded::new(
    Number::new(Excluded(0.0), Included(1_440.0)),
    Number::POSITIVE,
    WHY_PATIENCE,
);
/// Why patience is at most a day.
pub(crate) const WHY_PATIENCE: &str =
    "a day: batteries charge in hours, so a rider still waiting after a day would be served";
/// Lifetime over which capital is annualised: [1, 50] years.
pub(crate) const LIFETIME_YEARS: Bounded<Number> = Bounded::new(
    Number::new(Included(1.0), Included(50.0)),
    Number::new(Included(1.0), std::ops::Bound::Unbounded),
    "a cabinet lasts about 8 years; 50 years outlive the building it stands by",
);
/// Battery of a bike not on a subscription: (0, 100,000] Wh, as
/// [`CAPACITY_WH`].
pub(crate) const NONSUB_BATTERY_WH: Bounded<Number> = Bounded::new(
    Number::new(Excluded(0.0), Included(100_000.0)),
    Number::POSITIVE,
    WHY_CAPACITY,
);
/// `max_wait_minutes_p95` of `[targets]`: (0, 1440] min, as patience.
pub(crate) const WAIT_TARGET_MINUTES: Bounded<Number> = Bounded::new(
    Number::new(Excluded(0.0), Included(1_440.0)),
    Number::POSITIVE,
    WHY_PATIENCE,
);
/// `max_flying_wire_per_1000_bikes_day` of `[targets]`: (0, 20,000].
pub(crate) const FLYING_WIRE_TARGET: Bounded<Number> = Bounded::new(
    Number::new(Excluded(0.0), Included(20_000.0)),
    Number::POSITIVE,
    "every bike charging by flying wire at the shortest interval (0.05 days) is 20,000 \
     charges per 1,000 bikes a day",
);

/// The domain bound of a distribution's parameters: its `value`, `low`,
/// `high` or `mean` is at most `max`. The draws are not bounded: a
/// lognormal or an exponential (allowed where the quantity itself has no
/// upper end) may draw past it, rarely.
pub(crate) struct Cap {
    /// The largest parameter.
    pub(crate) max: f64,
    /// Why, for the error message.
    pub(crate) why: &'static str,
}

/// A rider's daily distance: at most 400,000 km/day, loose enough that a
/// distance written in metres (`daily_km = 25000`) still gets its
/// unit-slip warning.
pub(crate) const DAILY_KM: Cap = Cap {
    max: 400_000.0,
    why: "a day's ride at GB 17761's 25 km/h is at most 600 km; up to 400,000 a distance \
          written in metres still gets its warning",
};
/// A rider's energy use: at most 1,000 Wh/km.
pub(crate) const WH_PER_KM: Cap = Cap {
    max: 1_000.0,
    why: "an e-bike uses 12-30 Wh/km and an electric car about 150",
};
/// A rider's patience at a cabinet: at most a day [min].
pub(crate) const PATIENCE_MINUTES: Cap = Cap {
    max: 1_440.0,
    why: WHY_PATIENCE,
};
/// A swap's time at the cabinet door: at most an hour [s].
pub(crate) const SWAP_SECONDS: Cap = Cap {
    max: 3_600.0,
    why: "a swap takes 3-15 s, under a minute with the app; a door held an hour is a breakdown",
};
/// A bike's time plugged in at a pile or at home: at most 1,440 h (60
/// days), loose enough that a dwell written in minutes still gets its
/// unit-slip warning.
pub(crate) const DWELL_HOURS: Cap = Cap {
    max: 1_440.0,
    why: "a bike plugged in for two months is parked, not charging; up to 1,440 a dwell \
          written in minutes still gets its warning",
};

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
            let explained =
                wide.is_ok() || wide.is_err_and(|m| m.contains(crate::walk::PAST_MAGNITUDE));
            if explained && !self.why.is_empty() {
                format!("{message} ({})", self.why)
            } else {
                message
            }
        })
    }
}
