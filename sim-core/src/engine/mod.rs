//! The event loop of one replication.
//!
//! State lives in flat arrays indexed by site, slot, battery, rider,
//! transformer and request id; the loop pops one [`Event`] at a time and
//! hands it to a handler. Nothing is allocated per event: lines and slabs
//! are sized up front and only grow past their largest earlier size.
//!
//! The handlers are split by subject: `cabinet.rs` (slots, charging,
//! dispensing, charging strategies), `demand.rs` (Poisson arrivals, riders,
//! trips, cabinet choice, the waiting line), `home.rs` (pile ports and
//! flying wire), `grid.rs` (transformer load, the tariff, the 15-minute
//! clock).

mod cabinet;
mod demand;
mod grid;
mod home;
mod resources;
mod setup;
mod waits;

use std::collections::VecDeque;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::curve::Curve;
use crate::model::{Model, Patience, Strategy};
use crate::queue::EventQueue;
use crate::reach::Reach;
use crate::rng::StreamRng;
use crate::stats::{CountWeighted, TimeWeighted};
use crate::{MS_PER_DAY, MS_PER_HOUR, Time};
use waits::WaitCounts;

pub(crate) use grid::QUARTER_MS;
pub use resources::Resources;

/// Marks an empty reference in the id arrays.
const NONE: u32 = u32::MAX;

/// Everything that can happen. Closed on purpose: the loop is one `match`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Event {
    /// A swap request arrives at a site (analytic Poisson demand).
    Arrival { site: u32 },
    /// A slot finishes a constant-power charge stage.
    StageEnd { slot: u32, generation: u32 },
    /// A waiting rider runs out of patience.
    Abandon { request: u32, generation: u32 },
    /// A rider's battery reaches the rider's swap threshold.
    SwapNeed { rider: u32 },
    /// A rider reaches a cabinet site after a detour.
    ReachCabinet { rider: u32, site: u32 },
    /// A bike not on a subscription is plugged in at home.
    PlugIn { site: u32 },
    /// A home charge (pile port or flying wire) stops drawing power.
    HomeChargeDone { site: u32, pile: bool },
    /// A bike leaves a pile port.
    PortFree { site: u32 },
    /// A swap at a cabinet door ends: the full battery is handed over and
    /// the returned one goes on charge.
    SwapEnd { door: u32 },
    /// The 15-minute clock: load series, tariff hours, base load.
    Tick,
    /// Midnight, for a [`DayProgress`] listener only: it changes nothing.
    Day,
}

/// Generations live in 28 bits so an event packs into 64 (see `Pack`).
const GEN_MASK: u32 = (1 << 28) - 1;

/// The next generation of an entity.
#[inline]
fn next_generation(g: u32) -> u32 {
    g.wrapping_add(1) & GEN_MASK
}

impl crate::queue::Pack for Event {
    /// `tag << 60 | a << 28 | b`, with `a` a 32-bit id and `b` a 28-bit id
    /// or generation.
    #[inline]
    fn pack(self) -> u64 {
        let (tag, a, b): (u64, u32, u32) = match self {
            Event::Arrival { site } => (tag::ARRIVAL, site, 0),
            Event::StageEnd { slot, generation } => (tag::STAGE_END, slot, generation),
            Event::Abandon {
                request,
                generation,
            } => (tag::ABANDON, request, generation),
            Event::SwapNeed { rider } => (tag::SWAP_NEED, rider, 0),
            Event::ReachCabinet { rider, site } => (tag::REACH_CABINET, rider, site),
            Event::PlugIn { site } => (tag::PLUG_IN, site, 0),
            Event::HomeChargeDone { site, pile } => (tag::HOME_CHARGE_DONE, site, u32::from(pile)),
            Event::PortFree { site } => (tag::PORT_FREE, site, 0),
            Event::Tick => (tag::TICK, 0, 0),
            Event::SwapEnd { door } => (tag::SWAP_END, door, 0),
            Event::Day => (tag::DAY, 0, 0),
        };
        debug_assert!(b <= GEN_MASK, "28-bit field overflow");
        (tag << 60) | (u64::from(a) << 28) | u64::from(b)
    }

    /// The event loop decodes with [`fields`] and matches the tags itself
    /// (see `Sim::run`); this is its typed form, for tests.
    #[inline]
    fn unpack(bits: u64) -> Self {
        let (tag, a, b) = fields(bits);
        match tag {
            tag::ARRIVAL => Event::Arrival { site: a },
            tag::STAGE_END => Event::StageEnd {
                slot: a,
                generation: b,
            },
            tag::ABANDON => Event::Abandon {
                request: a,
                generation: b,
            },
            tag::SWAP_NEED => Event::SwapNeed { rider: a },
            tag::REACH_CABINET => Event::ReachCabinet { rider: a, site: b },
            tag::PLUG_IN => Event::PlugIn { site: a },
            tag::HOME_CHARGE_DONE => Event::HomeChargeDone {
                site: a,
                pile: b != 0,
            },
            tag::PORT_FREE => Event::PortFree { site: a },
            tag::SWAP_END => Event::SwapEnd { door: a },
            tag::DAY => Event::Day,
            _ => Event::Tick,
        }
    }
}

/// The packed event's fields: `(tag, a, b)` of [`Pack::pack`]'s
/// `tag << 60 | a << 28 | b`.
#[inline(always)]
fn fields(bits: u64) -> (u64, u32, u32) {
    (bits >> 60, (bits >> 28) as u32, (bits as u32) & GEN_MASK)
}

/// The tags of packed events (see `Pack for Event`).
mod tag {
    pub(super) const ARRIVAL: u64 = 0;
    pub(super) const STAGE_END: u64 = 1;
    pub(super) const ABANDON: u64 = 2;
    pub(super) const SWAP_NEED: u64 = 3;
    pub(super) const REACH_CABINET: u64 = 4;
    pub(super) const PLUG_IN: u64 = 5;
    pub(super) const HOME_CHARGE_DONE: u64 = 6;
    pub(super) const PORT_FREE: u64 = 7;
    pub(super) const TICK: u64 = 8;
    pub(super) const SWAP_END: u64 = 9;
    pub(super) const DAY: u64 = 10;
}

/// What a slot is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Holds no battery.
    Empty,
    /// Holds a battery waiting in the site's charge line.
    Queued,
    /// Draws power.
    Charging,
    /// Holds a full battery.
    Idle,
}

/// Raw counts and integrals of one site over the measurement window.
/// Requests count at the site where they arose.
///
/// Its serde form is lossless (see [`Replication`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Counters {
    /// Swap requests that arose in the window.
    pub requests: u64,
    /// Those requests by hour of day (the planner's peak-hour demand).
    pub requests_by_hour: [u64; 24],
    /// Requests that found no dispensable battery at the first cabinet tried.
    pub stockouts: u64,
    /// Those stockouts by hour of day (rider-driven runs only).
    pub stockouts_by_hour: [u64; 24],
    /// Pile sessions started by hour of day.
    pub pile_by_hour: [u64; 24],
    /// Flying-wire sessions started by hour of day.
    pub flying_wire_by_hour: [u64; 24],
    /// Requests that ended without a battery.
    pub lost: u64,
    /// Of those, riders who found `max_riders_present` at the site and left
    /// at once.
    pub balked: u64,
    /// Requests served (a battery dispensed).
    pub served: u64,
    /// Served requests that waited a positive time for a battery.
    pub served_after_wait: u64,
    /// Sum of battery waits of served requests \[ms\].
    pub wait_ms_sum: f64,
    /// Sum of time in the waiting line of every request that ended, served
    /// or not \[ms\]; with `ended`, the W of Little's law.
    pub queue_ms_sum: f64,
    /// Requests (arisen in the window) that ended: served or lost.
    pub ended: u64,
    /// Waits of served requests, from reaching the cabinet to the start
    /// of the swap (a free door and a battery) \[ms\], zero waits included.
    #[serde(with = "crate::wire::histogram")]
    pub wait_hist: Histogram<u32>,
    /// Sum of swap delays of served requests: from the need (plus the
    /// ride to the nearest cabinet) to the start of the swap \[ms\].
    pub delay_ms_sum: f64,
    /// Swap delays of served requests \[ms\], zero delays included.
    #[serde(with = "crate::wire::histogram")]
    pub delay_hist: Histogram<u32>,
    /// Served requests with a positive delay.
    pub served_after_delay: u64,
    /// Swaps started at this site's cabinets, wherever the request arose.
    pub swaps_here: u64,
    /// ∫ dispensable batteries dt \[battery·ms\].
    pub ready_area: f64,
    /// ∫ charging slots dt \[slot·ms\].
    pub charging_area: f64,
    /// ∫ riders waiting dt \[rider·ms\]; the L of Little's law.
    pub waiting_area: f64,
    /// ∫ busy doors dt \[door·ms\].
    pub busy_area: f64,
    /// Grid energy drawn by the site's cabinets \[Wh\].
    pub cabinet_wh: f64,
    /// Grid energy drawn by the site's pile ports \[Wh\].
    pub pile_wh: f64,
    /// Grid energy drawn by flying-wire charging at the site \[Wh\].
    pub flying_wire_wh: f64,
    /// Cost of cabinet energy at the time-of-use tariff, paid by the
    /// operator \[CNY\].
    pub cabinet_cost_cny: f64,
    /// Highest cabinet load held in the window \[W\].
    pub cabinet_peak_w: f64,
    /// Pile sessions started.
    pub pile_sessions: u64,
    /// Flying-wire sessions started.
    pub flying_wire_sessions: u64,
    /// Charging time of pile sessions \[ms\].
    pub pile_ms: f64,
    /// Charging time of flying-wire sessions \[ms\].
    pub flying_wire_ms: f64,
    /// Slots at the site.
    pub slots: u32,
    /// Cabinets (doors) at the site.
    pub cabinets: u32,
    /// Batteries stocked at the site.
    pub batteries: u32,
    /// Swap subscribers living at the site (residents and couriers).
    pub subscribers: u32,
    /// E-bikes of every kind living at the site.
    pub ebikes: u32,
    /// Batteries retired (state of health below the limit) and replaced.
    pub retired: u64,
}

/// Load figures of one transformer over the window.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TransformerCounters {
    /// Highest total load \[W\].
    pub peak_w: f64,
    /// Time above the allowed load \[ms\].
    pub overload_ms: f64,
    /// Rating × power factor: the load at 100% utilisation \[W\].
    pub full_load_w: f64,
}

/// 15-minute series of one replication's measurement window.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Series {
    /// Quarter hours in the window.
    pub quarters: usize,
    /// Mean load per transformer, quarter and component (base, cabinets,
    /// piles, flying wire), transformer-major \[kW\].
    #[serde(with = "crate::wire::f32s")]
    pub transformer_kw: Vec<f32>,
    /// Mean dispensable batteries per site and quarter, site-major.
    #[serde(with = "crate::wire::f32s")]
    pub site_ready: Vec<f32>,
}

/// Load components in [`Series::transformer_kw`], in order.
pub const LOAD_COMPONENTS: [&str; 4] = ["base", "cabinets", "piles", "flying_wire"];

/// The outcome of one replication.
///
/// Its serde form is lossless, so replications computed on other machines
/// (shards of a run) summarise into exactly the one-machine result: every
/// `f64` is written as the shortest text that reads back the same value
/// (a reader must parse floats exactly, as serde_json's `float_roundtrip`
/// does), every `f32` as the `f64` it widens to, and each histogram as its
/// bounds and recorded `(value, count)` pairs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Replication {
    /// Per-site counters, in model order.
    pub sites: Vec<Counters>,
    /// Per-transformer load figures, in model order.
    pub transformers: Vec<TransformerCounters>,
    /// Highest load summed over all transformers \[W\].
    pub network_peak_w: f64,
    /// Time with at least one transformer above its allowed load \[ms\].
    pub any_overload_ms: f64,
    /// Length of the measurement window \[ms\].
    pub window_ms: Time,
    /// Events handled (stale events excluded).
    pub events: u64,
    /// Swaps served in the window per rider group.
    pub group_swaps: Vec<u64>,
    /// Riders per group.
    pub group_riders: Vec<u64>,
    /// The 15-minute series.
    pub series: Series,
}

/// Runs replication `replication` of `model` to the end and returns its raw
/// statistics.
pub fn simulate_replication(model: &Model, replication: u32) -> Replication {
    simulate(model, replication, None)
}

/// One replication, with or without a listener: one body, so the event
/// loop is compiled once, as it was before there were listeners.
fn simulate(model: &Model, replication: u32, progress: Option<&dyn DayProgress>) -> Replication {
    simulate_within(model, replication, &[], progress)
}

/// One replication of a sub-model, for the planner: only the sites not
/// marked in `outside` are simulated. At the sites outside (whose
/// cabinets and ports the caller has emptied) only the riders who work
/// across the district are created, and no plug-ins; such a rider keeps
/// their work places over every site, and one who needs a swap outside
/// gets a full battery there at once, counted nowhere. Where no rider
/// works across the district, the sites inside are exactly those of the
/// whole model (`outside` empty: the whole model, exactly as
/// [`simulate_replication`]).
pub(crate) fn simulate_within<'m>(
    model: &'m Model,
    replication: u32,
    outside: &'m [bool],
    progress: Option<&'m dyn DayProgress>,
) -> Replication {
    let mut sim = Sim::new_within(model, replication, outside);
    if let Some(progress) = progress {
        sim.listen(progress);
    }
    sim.run();
    sim.finish()
}

/// [`simulate_replication`], telling `progress` each simulated day as it
/// ends. The result is the same with or without a listener.
pub fn simulate_replication_with(
    model: &Model,
    replication: u32,
    progress: &dyn DayProgress,
) -> Replication {
    simulate(model, replication, Some(progress))
}

/// Told how far a replication has got, in simulated days: for a progress
/// bar that moves within a long replication.
///
/// The engine tells it from a `Day` event at each midnight, scheduled only
/// when someone listens and not counted as an event of the model, so it
/// costs one event per simulated day and nothing per event of the model.
/// It knows nothing of wall-clock time.
pub trait DayProgress: Sync {
    /// Day `day` (from 1 to the model's `days`) of replication
    /// `replication` has been simulated. Each replication reports every
    /// day exactly once, in increasing order, the last at the horizon;
    /// replications running on other threads interleave.
    fn day_done(&self, replication: u32, day: u32);
}

/// Per-site state, struct of arrays.
struct Sites {
    /// The Poisson arrival clock of each site.
    arrivals: Vec<Arrivals>,
    n_slots: Vec<u32>,
    first_door: Vec<u32>,
    /// Slots waiting to charge (power cap, strategy), first in first out.
    charge_line: Vec<VecDeque<u32>>,
    /// Waiting riders, first in first out; entries whose request's
    /// generation moved on have left and are skipped.
    rider_line: Vec<VecDeque<Waiting>>,
    /// Free pile ports.
    ports_free: Vec<u32>,
    /// Bikes not on a subscription.
    nonsub: Vec<u32>,
    /// Requests that reached each cabinet site, by hour of day (all time);
    /// the operator's history behind the off-peak reserve.
    history: Vec<[u32; 24]>,
    /// Ready-plus-charging stock the off-peak strategy keeps now.
    reserve: Vec<u32>,
    /// Charge curve and charge-time stream of each site, read together
    /// at every stage start.
    chargers: Vec<Charger>,
    rng_patience: Vec<StreamRng>,
    rng_plugins: Vec<StreamRng>,
    rng_plugin_traits: Vec<StreamRng>,
    rng_swap: Vec<StreamRng>,
    /// Positive waits of served requests whose delay is not their wait,
    /// handed to `Counters::wait_hist` at the end (see `waits`).
    waits: Vec<WaitCounts>,
    /// Their positive delays, handed to `Counters::delay_hist`.
    delays: Vec<WaitCounts>,
    /// Positive waits of served requests whose delay is their wait
    /// (anonymous analytic riders), handed to both histograms.
    same_delay: Vec<WaitCounts>,
    /// The counts that change on nearly every event, with their
    /// integrals: one array of structs, so a handler pays one bounds
    /// check and one cache line for them (as for `Slot`).
    live: Vec<Live>,
    /// Cabinet energy area at the last tick \[W·ms\], for the cost.
    billed_area: Vec<f64>,
    /// Ready area at the last tick, for the series.
    ready_area_at_tick: Vec<f64>,
    counters: Vec<Counters>,
}

/// A site's Poisson arrivals: what drawing the next one reads and writes,
/// together (one bounds check and one cache line per arrival).
#[derive(Clone, Debug)]
struct Arrivals {
    /// Mean time between arrivals \[h\]; 0 without Poisson demand.
    mean_gap_h: f64,
    /// Continuous-time clock of the next arrival \[h\], so rounding to the
    /// millisecond never accumulates.
    next_h: f64,
    rng: StreamRng,
}

/// A site's charge curve (sites may have their own charger power) and
/// the stream of its random stage lengths.
#[derive(Clone, Debug)]
struct Charger {
    curve: Curve,
    rng: StreamRng,
}

/// Batteries from which a site keeps its full ready batteries apart from
/// the others (see [`Live::settled`]); below, scanning them all is cheaper
/// than sorting them (M/M/10's ten: +4.5% instructions per event).
const KEEP_SETTLED_FROM: u32 = 16;

/// A site's counts that change on nearly every event, their integrals
/// over the window, and the site's constants the handlers read with them
/// (so a handler pays one bounds check for all of them).
#[derive(Clone, Copy, Debug, Default)]
struct Live {
    /// The site's first slot (slots and ready stack).
    first_slot: u32,
    /// Cabinets, one door each.
    n_doors: u32,
    /// Slots allowed to charge at once.
    cap: u32,
    /// Riders present (waiting or at a door) at which arrivals balk;
    /// `u32::MAX` = no limit.
    max_present: u32,
    /// Transformer feeding the site, or `NONE`.
    transformer: u32,
    patience: Patience,
    /// Dispensable batteries.
    ready: u32,
    /// Of those, the ones known to score exactly 1.0 by the dispense rule
    /// `highest_soc` (not charging, SOC 1.0): the first `settled` of the
    /// site's ready stack, where `keeps_settled`. The scan scores only the
    /// others: at a district site 85 ready batteries were scored per
    /// swap, 72 of them full.
    settled: u32,
    /// Whether the site keeps its settled batteries apart: dispensed by
    /// `highest_soc`, with [`KEEP_SETTLED_FROM`] batteries or more.
    keeps_settled: bool,
    /// Slots drawing power.
    charging: u32,
    /// Riders in the waiting line.
    waiting: u32,
    /// Doors holding a swap.
    busy_doors: u32,
    tw_ready: CountWeighted,
    tw_charging: CountWeighted,
    tw_waiting: CountWeighted,
    tw_busy: CountWeighted,
    /// Cabinet, pile and flying-wire load of the site \[W\].
    load: [TimeWeighted; 3],
}

/// One cabinet slot. Slots live in one array, site after site; the fields
/// an event touches together sit together (one bounds check, one cache
/// line), unlike the per-site and per-rider arrays, which are read a field
/// at a time. Exactly one cache line: at a million e-bikes the slots
/// outgrow the L2 cache, and a stage's end, the commonest event, reads
/// one line and not two (the battery's id, read once a swap, is apart in
/// `Sim::slot_battery`).
#[derive(Clone, Copy, Debug)]
#[repr(align(64))]
struct Slot {
    site: u32,
    phase: Phase,
    dispensable: bool,
    /// Position in its site's `ready_stack` while dispensable, else `NONE`.
    ready_pos: u32,
    generation: u32,
    /// Start of the current stage.
    stage_start: Time,
    /// Grid power of the current stage \[W\].
    power_w: f64,
    /// SOC at the end of the current stage.
    stage_soc_end: f64,
    /// The held battery's charge, kept here while the battery is in the
    /// slot (see [`Charge`]).
    charge: Charge,
}

const _: () = assert!(
    std::mem::size_of::<Slot>() == 64,
    "a slot is one cache line"
);

impl Slot {
    fn new(site: u32) -> Self {
        Slot {
            site,
            phase: Phase::Empty,
            dispensable: false,
            ready_pos: NONE,
            generation: 0,
            stage_start: 0,
            power_w: 0.0,
            stage_soc_end: 0.0,
            charge: Charge::MOVED,
        }
    }
}

/// A battery's charge and wear. It travels with the battery: in its
/// slot's [`Slot::charge`] while the battery is in a cabinet, in its
/// rider's [`Rider::charge`] while it is on a bike. A stage's end and the
/// dispense scan read the slot they already hold, not a battery
/// anywhere in an array of a million (at a million e-bikes that read
/// was a cache miss on every stage end and every candidate).
#[derive(Clone, Copy, Debug)]
struct Charge {
    /// SOC when last updated (stage boundaries, swaps, home charges).
    soc: f64,
    /// Current capacity \[Wh\].
    capacity_wh: f64,
    /// Equivalent full cycles: stored energy ÷ capacity.
    cycles: f64,
}

impl Charge {
    /// A new battery's charge: `soc` of `capacity_wh`, no cycles yet.
    fn new(capacity_wh: f64, soc: f64) -> Charge {
        Charge {
            soc,
            capacity_wh,
            cycles: 0.0,
        }
    }

    /// Not a number: the charge of an empty slot, and, in debug builds
    /// only, what a battery leaves behind where it moved out ([`Charge::take`]),
    /// so a read of a stale copy shows in every figure it reaches.
    const MOVED: Charge = Charge {
        soc: f64::NAN,
        capacity_wh: f64::NAN,
        cycles: f64::NAN,
    };

    /// The charge in `from`, which is marked as moved out (debug builds).
    #[inline]
    fn take(from: &mut Charge) -> Charge {
        let charge = *from;
        if cfg!(debug_assertions) {
            *from = Charge::MOVED;
        }
        charge
    }
}

/// Where a battery is: in one slot or on one rider's bike. Its charge is
/// kept where it is ([`Slot::charge`], [`Rider::charge`]); a retired
/// battery is replaced in place by a new one.
struct Battery {
    /// Slot holding the battery, or `NONE`.
    slot: u32,
    /// Rider carrying the battery, or `NONE`.
    rider: u32,
}

/// A rider in a site's waiting line, with what serving them reads.
///
/// A rider who cannot leave the line (infinite patience, or a battery sure
/// to come: see `at_cabinet`) needs nothing else: no request in the slab,
/// no `Abandon` to cancel. One who may leave holds a request of the slab
/// (with its generation), which an `Abandon` ends.
#[derive(Clone, Copy, Debug)]
struct Waiting {
    /// Time the rider joined the line.
    joined: Time,
    /// Site where the request arose (for the counters).
    origin: u32,
    /// The rider, or `NONE` for analytic demand.
    rider: u32,
    /// The request in the slab, or `NONE` for a rider who cannot leave.
    request: u32,
    /// The request's generation when the rider joined.
    generation: u32,
    /// Whether the request arose inside the window.
    counted: bool,
}

/// Slab of the waiting requests that may be abandoned.
struct Requests {
    /// Site where the request arose (for the counters).
    origin: Vec<u32>,
    /// Site whose line the request waits in.
    cabinet: Vec<u32>,
    /// The rider, or `NONE` for analytic demand.
    rider: Vec<u32>,
    /// Time the request joined the line.
    joined: Vec<Time>,
    /// Whether the request arose inside the window.
    counted: Vec<bool>,
    generation: Vec<u32>,
    alive: Vec<bool>,
    free: Vec<u32>,
}

/// A rider: what a need, a swap and a trip read, in two cache lines
/// (96 bytes, aligned to 32), the charge of the battery on the bike
/// included, so a rider's event reads no battery elsewhere in an array
/// of a million. What is read rarely is in [`RiderRare`].
#[repr(align(32))]
struct Rider {
    /// Equivalent of `group`'s index into `Sim::groups`.
    group: u32,
    home: u32,
    battery: u32,
    /// Site where the current request arose.
    origin: u32,
    threshold_soc: f64,
    /// Energy of one trip \[Wh\].
    trip_wh: f64,
    /// Length of one trip \[ms\].
    trip_ms: Time,
    /// Battery SOC when the scheduled need fires.
    need_soc: f64,
    /// When the current request would have reached the nearest cabinet
    /// with no detour: the start of its swap delay.
    need_at: Time,
    /// Stream key: who the rider is, not their id (see `create_riders`).
    key: u64,
    /// Whether the current request arose inside the window.
    counted: bool,
    /// The charge of the battery on the bike (see [`Charge`]).
    charge: Charge,
}

const _: () = assert!(
    std::mem::size_of::<Rider>() == 96,
    "a rider is two cache lines"
);

/// A rider's fields read rarely, apart from [`Rider`]: the streams drawn
/// from only on a fallback or a courier's need, and the patience read
/// only on joining a line with no battery sure to come.
struct RiderRare {
    fallback: StreamRng,
    workplace: StreamRng,
    patience_ms: Time,
}

/// Per-transformer state, struct of arrays.
struct Transformers {
    limit_w: Vec<f64>,
    full_load_w: Vec<f64>,
    base_peak_w: Vec<f64>,
    base_profile: Vec<[f64; 24]>,
    /// Sites fed, for the grid-capped strategy.
    sites: Vec<Vec<u32>>,
    /// Total load, with the allowed load as threshold \[W\].
    tw_total: Vec<TimeWeighted>,
    /// Base, cabinet, pile, flying-wire load \[W\].
    tw_parts: Vec<[TimeWeighted; 4]>,
    /// Component areas at the last tick, for the series.
    parts_area_at_tick: Vec<[f64; 4]>,
    /// Whether the total load is above the allowed load.
    over: Vec<bool>,
    /// Whether a load change asks for the cap to be re-checked.
    pending: Vec<bool>,
    pending_list: Vec<u32>,
}

/// Rider-group constants prepared once.
struct GroupPlan {
    trips_weekday: rand_distr::Poisson<f64>,
    trips_weekend: rand_distr::Poisson<f64>,
    has_weekday_trips: bool,
    has_weekend_trips: bool,
    /// Cumulative hour weights, last entry = total.
    cum_weekday: [f64; 24],
    cum_weekend: [f64; 24],
    speed_kmh: f64,
    works_across_district: bool,
}

struct Sim<'m> {
    model: &'m Model,
    replication: u32,
    /// Sites outside a planner's sub-model (see [`simulate_within`]);
    /// empty for the whole model.
    outside: &'m [bool],
    /// Who hears of each simulated day, if anyone.
    progress: Option<&'m dyn DayProgress>,
    /// Whether the curves are physical (CC-CV) rather than analytic.
    staged: bool,
    /// 1 ÷ charging efficiency.
    inv_efficiency: f64,
    /// SOC from which a battery is dispensable: the dispense threshold
    /// less a rounding margin.
    dispensable_from: f64,
    /// Whether batteries wear out and are retired (a limit and a fade).
    retires: bool,
    now: Time,
    window_start: Time,
    /// Whether the clock passed the warm-up (see `open_window`).
    window_open: bool,
    horizon: Time,
    queue: EventQueue<Event>,
    sites: Sites,
    slots: Vec<Slot>,
    /// Per slot, the battery it holds, or `NONE` (see [`Slot`]).
    slot_battery: Vec<u32>,
    /// Per site, from its first slot: the slots holding a dispensable
    /// battery, `ready\[site\]` of them, in no particular order.
    ready_stack: Vec<u32>,
    /// One struct per battery (32 bytes, two to a cache line), as riders;
    /// read for its charge only while the battery is on a bike.
    batteries: Vec<Battery>,
    requests: Requests,
    /// One struct per rider, not one array per field: a rider's event
    /// touches most fields, and at a million e-bikes each field array
    /// cost a cache miss of its own.
    riders: Vec<Rider>,
    /// Per rider, as `riders`.
    rider_rare: Vec<RiderRare>,
    groups: Vec<GroupPlan>,
    transformers: Transformers,
    /// Sum of all transformers' load \[W\].
    tw_network: TimeWeighted,
    /// Transformers above their allowed load now.
    n_over: u32,
    /// 1 while any transformer is above its allowed load, else 0.
    tw_any_over: TimeWeighted,
    /// Per cabinet door, site after site: the slot whose battery a swap
    /// in progress holds, or `NONE` when the door is free.
    door_slot: Vec<u32>,
    /// The rider at each busy door (`NONE`: an anonymous analytic rider).
    door_rider: Vec<u32>,
    /// Cabinet sites within reach of each site, nearest first.
    reach: Reach,
    /// Cumulative courier work weights over sites.
    work_cum: Vec<f64>,
    /// Plug-in shares per hour of day (sum 1).
    plug_share: [f64; 24],
    strategy: Strategy,
    /// Whether requests per hour are recorded (the off-peak reserve).
    keep_history: bool,
    /// Whether swaps take no time (no doors are held, no events).
    instant_swaps: bool,
    series: Series,
    /// Whether the loop hints the caches with the state of the events
    /// to come (`Sim::prefetch`): models whose slots and riders
    /// outgrow the caches.
    prefetching: bool,
    events: u64,
    group_swaps: Vec<u64>,
    /// Conservation ledger over the whole run, warm-up included.
    arrivals_total: u64,
    ended_total: u64,
    /// Riders on their way to a cabinet (their request has arisen).
    in_transit: u64,
    /// Total cabinet load over the whole run, for the energy balance.
    tw_cabinets_all: TimeWeighted,
    stored_wh_total: f64,
}

impl<'m> Sim<'m> {
    /// Pops and handles events up to the horizon, hinting the caches
    /// first in large models (see [`Sim::prefetch`]).
    fn run(&mut self) {
        // The one time the loop itself acts: the end of the warm-up, then
        // the horizon. One comparison per event covers both.
        let mut mark = self.window_start;
        let mut refills = 0;
        while let Some((t, bits)) = self.queue.pop_packed() {
            if t >= mark {
                if t >= self.horizon {
                    break;
                }
                if mark == self.window_start {
                    self.open_window();
                }
                mark = self.horizon;
            }
            debug_assert!(t >= self.now, "time went backwards");
            self.now = t;
            if self.prefetching {
                self.prefetch(&mut refills);
            }
            // One dispatch, on the packed tag: matching an unpacked
            // `Event` made LLVM switch twice (`Pack::unpack`, then here).
            let (tag, a, b) = fields(bits);
            match tag {
                tag::ARRIVAL => self.on_arrival(a),
                tag::STAGE_END => {
                    if self.slots[a as usize].generation != b {
                        continue;
                    }
                    self.on_stage_end(a);
                }
                tag::ABANDON => {
                    if self.requests.generation[a as usize] != b {
                        continue;
                    }
                    self.on_abandon(a);
                }
                tag::SWAP_NEED => self.on_swap_need(a),
                tag::REACH_CABINET => self.on_reach_cabinet(a, b),
                tag::PLUG_IN => self.on_plug_in(a),
                tag::HOME_CHARGE_DONE => self.on_home_charge_done(a, b != 0),
                tag::PORT_FREE => self.on_port_free(a),
                tag::SWAP_END => self.on_swap_end(a),
                tag::TICK => self.on_tick(),
                _ => {
                    debug_assert_eq!(tag, tag::DAY);
                    self.on_day();
                    // Not an event of the model: not counted.
                    continue;
                }
            }
            if !self.transformers.pending_list.is_empty() {
                self.settle_headroom();
            }
            self.events += 1;
        }
        self.now = self.horizon;
        if let Some(progress) = self.progress {
            // The last day ends at the horizon, where no event is handled.
            progress.day_done(self.replication, self.model.days);
        }
    }

    /// Hints the caches with the state the events to come read first (a
    /// slot, a rider): when a new bucket of the queue has come into its
    /// heap (`refills` tells), for every event of it, a minute of
    /// simulated time ahead (1,170 events at a million e-bikes, about
    /// 100 KB of state: it stays in the L2 cache until used); and at every
    /// event for the two next in line, in case the lines were evicted or
    /// the events pushed since. Only in large models (`prefetching`):
    /// their state is a hundred MB read in the order of time, and the
    /// first read of each event was a fifth of a million-e-bike run.
    /// Reads nothing the model sees: results are the same to the bit.
    #[inline(never)]
    fn prefetch(&self, refills: &mut u64) {
        if self.queue.refills() != *refills {
            *refills = self.queue.refills();
            for bits in self.queue.near() {
                self.prefetch_first(bits);
            }
        }
        for bits in self.queue.upcoming() {
            self.prefetch_first(bits);
        }
    }

    /// Hints the caches with the line an event reads first.
    #[inline(always)]
    fn prefetch_first(&self, bits: u64) {
        let (tag, a, _) = fields(bits);
        match tag {
            tag::STAGE_END => crate::prefetch::line(self.slots.as_ptr().wrapping_add(a as usize)),
            tag::SWAP_NEED | tag::REACH_CABINET => {
                // A rider is 80 bytes: its first and last byte.
                let rider = self.riders.as_ptr().wrapping_add(a as usize);
                crate::prefetch::line(rider);
                let last = rider
                    .cast::<u8>()
                    .wrapping_add(std::mem::size_of::<Rider>() - 1);
                crate::prefetch::line(last);
            }
            _ => {}
        }
    }

    /// Starts telling `progress` of each simulated day: the first `Day`
    /// event is at the end of day 1.
    fn listen(&mut self, progress: &'m dyn DayProgress) {
        self.progress = Some(progress);
        if MS_PER_DAY < self.horizon {
            self.queue.push(MS_PER_DAY, Event::Day);
        }
    }

    /// A simulated day ended (not the last: see `run`).
    #[cold]
    fn on_day(&mut self) {
        if let Some(progress) = self.progress {
            progress.day_done(self.replication, (self.now / MS_PER_DAY) as u32);
        }
        let next = self.now + MS_PER_DAY;
        if next < self.horizon {
            self.queue.push(next, Event::Day);
        }
    }

    /// The warm-up is over: every statistic starts counting from here.
    /// Counters of requests and sessions test the time themselves; the
    /// time-weighted levels drop what they integrated so far.
    fn open_window(&mut self) {
        let ws = self.window_start;
        let sites = &mut self.sites;
        for s in 0..self.model.sites.len() {
            let live = &mut sites.live[s];
            live.tw_ready.open_window(ws);
            live.tw_charging.open_window(ws);
            live.tw_waiting.open_window(ws);
            live.tw_busy.open_window(ws);
            for tw in &mut live.load {
                tw.open_window(ws);
            }
            sites.billed_area[s] = 0.0;
            sites.ready_area_at_tick[s] = 0.0;
        }
        let transformers = &mut self.transformers;
        for t in 0..transformers.limit_w.len() {
            transformers.tw_total[t].open_window(ws);
            for tw in &mut transformers.tw_parts[t] {
                tw.open_window(ws);
            }
            transformers.parts_area_at_tick[t] = [0.0; 4];
        }
        self.tw_network.open_window(ws);
        self.tw_any_over.open_window(ws);
        self.window_open = true;
    }

    fn finish(mut self) -> Replication {
        let now = self.horizon;
        if !self.window_open {
            // No event fell inside the window.
            self.open_window();
        }
        // Book partial stages so the energy balance closes at the horizon.
        for slot in 0..self.slots.len() {
            if self.slots[slot].phase == Phase::Charging {
                self.settle_stage(slot as u32);
            }
        }
        if self.ticking() {
            self.record_quarter();
        }
        for s in 0..self.model.sites.len() {
            let sites = &mut self.sites;
            let live = &mut sites.live[s];
            live.tw_ready.close(now);
            live.tw_charging.close(now);
            live.tw_waiting.close(now);
            live.tw_busy.close(now);
            for tw in &mut live.load {
                tw.close(now);
            }
            let c = &mut sites.counters[s];
            c.busy_area = live.tw_busy.area();
            // Handed over, the counts are freed: at most one site's
            // counts and histograms are held at once.
            let same = std::mem::take(&mut sites.same_delay[s]);
            for (counts, hist) in [
                (&mut sites.waits[s], &mut c.wait_hist),
                (&mut sites.delays[s], &mut c.delay_hist),
            ] {
                std::mem::take(counts).add_to(hist);
                same.add_to(hist);
            }
            c.ready_area = live.tw_ready.area();
            c.charging_area = live.tw_charging.area();
            c.waiting_area = live.tw_waiting.area();
            let ms_per_h = MS_PER_HOUR as f64;
            c.cabinet_wh = live.load[0].area() / ms_per_h;
            c.pile_wh = live.load[1].area() / ms_per_h;
            c.flying_wire_wh = live.load[2].area() / ms_per_h;
            c.cabinet_peak_w = live.load[0].max();
            // The served requests that did not wait (see `end_request`).
            let zero_waits = c.served - c.served_after_wait;
            let zero_waits = u32::try_from(zero_waits).unwrap_or(u32::MAX);
            c.wait_hist.saturating_record_n(0, zero_waits);
            let zero_delays = c.served - c.served_after_delay;
            let zero_delays = u32::try_from(zero_delays).unwrap_or(u32::MAX);
            c.delay_hist.saturating_record_n(0, zero_delays);
        }
        let mut transformers = Vec::with_capacity(self.transformers.limit_w.len());
        for t in 0..self.transformers.limit_w.len() {
            let tw = &mut self.transformers.tw_total[t];
            tw.close(now);
            transformers.push(TransformerCounters {
                peak_w: tw.max(),
                overload_ms: tw.time_above(),
                full_load_w: self.transformers.full_load_w[t],
            });
        }
        self.tw_network.close(now);
        self.tw_any_over.close(now);
        self.check_conservation();
        let mut group_riders = vec![0u64; self.groups.len()];
        for g in self.riders.iter().map(|r| r.group) {
            group_riders[g as usize] += 1;
        }
        Replication {
            network_peak_w: self.tw_network.max(),
            any_overload_ms: self.tw_any_over.time_above(),
            transformers,
            window_ms: self.horizon - self.window_start,
            events: self.events,
            group_swaps: std::mem::take(&mut self.group_swaps),
            group_riders,
            series: std::mem::take(&mut self.series),
            sites: self.sites.counters,
        }
    }

    /// Debug-build invariants: batteries counted once, every request ended
    /// exactly once or still waiting, cabinet grid energy = stored ÷
    /// efficiency, counts consistent with the slots.
    fn check_conservation(&self) {
        if !cfg!(debug_assertions) {
            return;
        }
        let n_batteries = self.batteries.len();
        let mut seen = vec![false; n_batteries];
        for (slot, &b) in self.slot_battery.iter().enumerate() {
            if b != NONE {
                assert!(!seen[b as usize], "battery {b} counted twice");
                seen[b as usize] = true;
                assert_eq!(self.batteries[b as usize].slot, slot as u32);
                assert_eq!(self.batteries[b as usize].rider, NONE);
                assert!(
                    self.slots[slot].charge.soc.is_finite(),
                    "slot {slot} lost its charge"
                );
            }
        }
        for (rider, b) in self.riders.iter().map(|r| r.battery).enumerate() {
            assert!(!seen[b as usize], "battery {b} counted twice");
            seen[b as usize] = true;
            assert_eq!(self.batteries[b as usize].rider, rider as u32);
            assert_eq!(self.batteries[b as usize].slot, NONE);
            assert!(
                self.riders[rider].charge.soc.is_finite(),
                "rider {rider} lost the charge"
            );
        }
        assert!(seen.iter().all(|&x| x), "a battery is nowhere");
        let waiting: u64 = self.sites.live.iter().map(|l| u64::from(l.waiting)).sum();
        let alive = self.requests.alive.iter().filter(|&&a| a).count() as u64;
        let sure = (self.sites.rider_line.iter().flatten())
            .filter(|w| w.request == NONE)
            .count() as u64;
        assert_eq!(waiting, alive + sure, "waiting riders vs live requests");
        assert_eq!(
            self.arrivals_total,
            self.ended_total + waiting + self.in_transit,
            "every request ends exactly once"
        );
        for s in 0..self.model.sites.len() {
            let dispensable = self
                .slots_of(s)
                .filter(|&i| self.slots[i].dispensable)
                .count();
            assert_eq!(dispensable as u32, self.sites.live[s].ready, "ready count");
            let first = self.sites.live[s].first_slot as usize;
            for &slot in &self.ready_stack[first..first + dispensable] {
                assert!(self.slots[slot as usize].dispensable, "stale ready stack");
            }
            let settled = self.sites.live[s].settled as usize;
            assert!(settled <= dispensable, "settled beyond the ready stack");
            for &slot in &self.ready_stack[first..first + settled] {
                assert!(self.is_settled(slot), "a settled battery is not full");
            }
            let charging = self
                .slots_of(s)
                .filter(|&i| self.slots[i].phase == Phase::Charging)
                .count();
            assert_eq!(
                charging as u32, self.sites.live[s].charging,
                "charging count"
            );
            let queued = self
                .slots_of(s)
                .filter(|&i| self.slots[i].phase == Phase::Queued)
                .count();
            assert_eq!(queued, self.sites.charge_line[s].len(), "charge line");
            let first = self.sites.first_door[s] as usize;
            let doors = &self.door_slot[first..first + self.sites.live[s].n_doors as usize];
            let busy = doors.iter().filter(|&&slot| slot != NONE).count();
            assert_eq!(busy as u32, self.sites.live[s].busy_doors, "busy doors");
            for &slot in doors.iter().filter(|&&slot| slot != NONE) {
                let x = &self.slots[slot as usize];
                assert!(
                    x.phase == Phase::Idle
                        && !x.dispensable
                        && self.slot_battery[slot as usize] != NONE,
                    "a battery held for a swap is charging or on offer"
                );
            }
        }
        // Exact for physical curves; analytic ones draw their mean power.
        if self.staged {
            let mut all = self.tw_cabinets_all;
            all.close(self.horizon);
            let grid_wh = all.area() / MS_PER_HOUR as f64;
            let rel = (grid_wh / self.inv_efficiency - self.stored_wh_total).abs()
                / self.stored_wh_total.max(1.0);
            assert!(rel < 1e-6, "energy balance off by {rel}");
        }
    }

    fn slots_of(&self, site: usize) -> std::ops::Range<usize> {
        let first = self.sites.live[site].first_slot as usize;
        first..first + self.sites.n_slots[site] as usize
    }

    /// Whether the 15-minute clock runs (anything time-of-day dependent).
    fn ticking(&self) -> bool {
        !self.transformers.limit_w.is_empty()
            || !self.riders.is_empty()
            || self.sites.nonsub.iter().any(|&n| n > 0)
            || !matches!(self.strategy, Strategy::Immediate)
    }
}

/// Rounds a duration in hours to the nearest millisecond.
#[inline]
fn hours_to_ms(hours: f64) -> Time {
    debug_assert!(hours >= 0.0);
    // `f64::round` is a libm call on the hot path; for non-negative values
    // adding one half and truncating is the same rounding (ties away from 0).
    // Through `i64`: one instruction where `as u64` is a branchy sequence;
    // both saturate, and durations stay far below `i64::MAX`.
    (hours * MS_PER_HOUR as f64 + 0.5) as i64 as Time
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::Pack;

    thread_local! {
        /// The threshold a test's simulations use for
        /// [`Live::keeps_settled`].
        pub(super) static KEEP_SETTLED_FROM_IN_TEST: std::cell::Cell<u32> =
            const { std::cell::Cell::new(KEEP_SETTLED_FROM) };
        /// Whether a test's simulations hand a battery that just charged
        /// full straight to the line (`Sim::hand_straight`).
        pub(super) static HAND_STRAIGHT_IN_TEST: std::cell::Cell<bool> =
            const { std::cell::Cell::new(true) };
        /// Batteries handed straight to the line on this thread.
        pub(super) static HANDED_STRAIGHT: std::cell::Cell<u64> =
            const { std::cell::Cell::new(0) };
    }

    /// A replication's raw figures (every count, integral and histogram),
    /// with and without batteries handed straight to the line, and how
    /// many were handed so.
    fn with_and_without_hand_straight(model: &Model) -> (String, String, u64) {
        let run = |straight: bool| {
            HAND_STRAIGHT_IN_TEST.with(|c| c.set(straight));
            HANDED_STRAIGHT.with(|c| c.set(0));
            let rep = simulate_replication(model, 2);
            HAND_STRAIGHT_IN_TEST.with(|c| c.set(true));
            (
                format!("{rep:?}"),
                HANDED_STRAIGHT.with(std::cell::Cell::get),
            )
        };
        let (long_way, none) = run(false);
        assert_eq!(none, 0, "the switch turns the fast path off");
        let (straight, handed) = run(true);
        (straight, long_way, handed)
    }

    /// A battery that charges full while riders wait and nothing else is
    /// ready goes to the head of the line without passing the ready stack
    /// (`Sim::hand_straight`): the same replication, bit for bit, as the
    /// long way through `mark_ready`, `serve_line` and `reserve_battery`.
    /// Across what decides whether it applies and what follows: doors
    /// with random swap times and a cap on riders present, impatient
    /// riders (stale entries in line), CC-CV charging (batteries ready
    /// before full), the three strategies under a transformer cap, and
    /// rider-driven demand (battery identities swap, needs follow).
    #[test]
    fn a_battery_handed_straight_to_the_line_changes_nothing() {
        use crate::model::{
            CcCv, ChargeModel, Demand, Dist, RiderGroup, Riders, SiteSpec, Strategy,
            TransformerSpec,
        };
        let transformer = TransformerSpec {
            name: "T".into(),
            rating_kva: 30.0,
            power_factor: 0.95,
            allowed_utilization: 0.8,
            base_peak_kw: 2.0,
            base_profile: [0.5; 24],
            base_basis: None,
        };
        let mut analytic = small_model();
        analytic.days = 16;
        analytic.cabinet.swap_seconds = Dist::Exponential { mean: 120.0 };
        analytic.sites = (0..2)
            .map(|k| SiteSpec {
                name: format!("S{k}"),
                cabinets: 2,
                slots_per_cabinet: 12,
                batteries: 14 + 6 * k,
                demand: Demand::Poisson {
                    swaps_per_hour: 9.0 + 3.0 * f64::from(k),
                },
                patience: Patience::Exponential { mean_minutes: 20.0 },
                max_riders_present: Some(6),
                transformer: Some(0),
                ..SiteSpec::default()
            })
            .collect();
        analytic.grid.transformers = vec![transformer.clone()];
        // Ready before full: the fast path never applies, and must not.
        let mut cc_cv = analytic.clone();
        cc_cv.battery.charge = ChargeModel::CcCv(CcCv::default());
        cc_cv.battery.dispense_soc = 0.9;

        let mut riders = small_model();
        riders.days = 10;
        riders.riders = Riders {
            groups: vec![RiderGroup {
                name: "courier".into(),
                daily_km: Dist::Uniform {
                    low: 60.0,
                    high: 140.0,
                },
                wh_per_km: Dist::Fixed { value: 20.0 },
                trips_weekday: 12.0,
                trips_weekend: 12.0,
                profile_weekday: [1.0; 24],
                profile_weekend: [1.0; 24],
                swap_threshold_soc: Dist::Uniform {
                    low: 0.15,
                    high: 0.3,
                },
                patience_minutes: Dist::Fixed { value: 30.0 },
                speed_kmh: 20.0,
                works_across_district: false,
            }],
            ..Riders::default()
        };
        riders.sites = vec![SiteSpec {
            name: "R".into(),
            cabinets: 1,
            slots_per_cabinet: 12,
            batteries: 8,
            demand: Demand::Riders,
            households: 200,
            ebikes: 150,
            swap_adoption: 0.4,
            mix: vec![(0, 1.0)],
            pile_ports: 4,
            transformer: Some(0),
            ..SiteSpec::default()
        }];
        riders.grid.transformers = vec![transformer];

        let mut instant = small_model();
        instant.days = 8;
        instant.sites[0].demand = Demand::Poisson {
            swaps_per_hour: 9.5,
        };
        instant.sites[0].patience = Patience::Exponential { mean_minutes: 30.0 };

        for (name, model, fires) in [
            ("analytic", analytic, true),
            ("cc-cv", cc_cv, false),
            ("riders", riders, true),
            ("instant", instant, true),
        ] {
            for strategy in [
                Strategy::Immediate,
                Strategy::OffPeakWithReserve {
                    reserve_factor: 0.5,
                },
                Strategy::GridCapped,
            ] {
                let mut model = model.clone();
                model.cabinet.strategy = strategy;
                // A night valley: the reserve strategy holds charges by day.
                model.grid.tariff.valley[..7].fill(true);
                let (straight, long_way, handed) = with_and_without_hand_straight(&model);
                assert_eq!(
                    handed > 100,
                    fires,
                    "{name} {strategy:?}: {handed} handed straight"
                );
                assert_eq!(straight, long_way, "{name} {strategy:?}");
            }
        }
    }

    /// Sites of one charge curve share its segments, and a site with its
    /// own charger power has its own (see `Curve`).
    #[test]
    fn sites_of_one_curve_share_its_segments() {
        use crate::model::{CcCv, ChargeModel};
        let mut model = small_model();
        model.battery.charge = ChargeModel::CcCv(CcCv::default());
        model.battery.dispense_soc = 0.9;
        let site = model.sites[0].clone();
        model.sites = (0..3)
            .map(|k| crate::model::SiteSpec {
                name: format!("S{k}"),
                charger_power_w: (k == 2).then_some(150.0),
                ..site.clone()
            })
            .collect();
        let sim = Sim::new_within(&model, 0, &[]);
        let segments = |s: usize| match &sim.sites.chargers[s].curve {
            Curve::Staged { soc, .. } => soc.clone(),
            Curve::Analytic { .. } => panic!("a CC-CV curve is staged"),
        };
        assert!(std::sync::Arc::ptr_eq(&segments(0), &segments(1)));
        assert!(!std::sync::Arc::ptr_eq(&segments(0), &segments(2)));
        assert_eq!(
            segments(0),
            segments(2),
            "the same breakpoints, other powers"
        );
    }

    /// The cache hints of large models (`Sim::prefetch`) change nothing:
    /// a rider-driven model whose queue runs in buckets gives the same
    /// replication, bit for bit, with the hints on and off, and the run
    /// with them on went through refills and the hints' every branch.
    #[test]
    fn prefetching_changes_nothing() {
        use crate::model::{Demand, Dist, RiderGroup, Riders, SiteSpec};
        let mut model = small_model();
        model.days = 6;
        model.riders = Riders {
            groups: vec![RiderGroup {
                name: "resident".into(),
                daily_km: Dist::Uniform {
                    low: 10.0,
                    high: 60.0,
                },
                wh_per_km: Dist::Fixed { value: 20.0 },
                trips_weekday: 4.0,
                trips_weekend: 3.0,
                profile_weekday: [1.0; 24],
                profile_weekend: [1.0; 24],
                swap_threshold_soc: Dist::Fixed { value: 0.25 },
                patience_minutes: Dist::Fixed { value: 20.0 },
                speed_kmh: 15.0,
                works_across_district: false,
            }],
            ..Riders::default()
        };
        model.sites = (0..3)
            .map(|k| SiteSpec {
                name: format!("R{k}"),
                x_m: 300.0 * f64::from(k),
                cabinets: 4,
                slots_per_cabinet: 12,
                batteries: 40,
                demand: Demand::Riders,
                households: 2000,
                ebikes: 1500,
                swap_adoption: 0.5,
                mix: vec![(0, 1.0)],
                pile_ports: 10,
                ..SiteSpec::default()
            })
            .collect();
        let run = |prefetching: bool| {
            let mut sim = Sim::new_within(&model, 1, &[]);
            sim.prefetching = prefetching;
            sim.run();
            let refills = sim.queue.refills();
            (format!("{:?}", sim.finish()), refills)
        };
        let (off, _) = run(false);
        let (on, refills) = run(true);
        assert!(
            refills > 1_000,
            "{refills} buckets: the queue never ran in buckets"
        );
        assert_eq!(on, off);
    }

    /// Keeping the full ready batteries apart picks the battery one scan
    /// of all of them picks: the same replication, bit for bit, with the
    /// settled part kept at every site, and at none. CC-CV charging keeps
    /// batteries tapering above the dispense threshold (scored apart
    /// from the full ones); a transformer cap pauses and restarts
    /// charges; the off-peak strategy holds them.
    #[test]
    fn settled_batteries_kept_apart_change_no_pick() {
        use crate::model::{
            BatterySpec, CcCv, ChargeModel, Demand, SiteSpec, Strategy, TransformerSpec,
        };
        let mut model = small_model();
        model.days = 6;
        model.battery = BatterySpec {
            capacity_wh: 1000.0,
            charge: ChargeModel::CcCv(CcCv::default()),
            dispense_soc: 0.9,
            return_soc: 0.2,
            // Which full battery goes out then matters: each has its wear.
            fade_per_cycle: 0.002,
            ..BatterySpec::default()
        };
        model.sites = (0..3)
            .map(|k| SiteSpec {
                name: format!("S{k}"),
                cabinets: 4,
                slots_per_cabinet: 24,
                batteries: 60 + 10 * k,
                demand: Demand::Poisson {
                    swaps_per_hour: 6.0 + 4.0 * f64::from(k),
                },
                transformer: Some(0),
                ..SiteSpec::default()
            })
            .collect();
        model.grid.transformers = vec![TransformerSpec {
            name: "T".into(),
            rating_kva: 16.0,
            power_factor: 0.95,
            allowed_utilization: 0.8,
            base_peak_kw: 2.0,
            base_profile: [0.5; 24],
            base_basis: None,
        }];
        for strategy in [
            Strategy::Immediate,
            Strategy::OffPeakWithReserve {
                reserve_factor: 1.2,
            },
            Strategy::GridCapped,
        ] {
            let mut model = model.clone();
            model.cabinet.strategy = strategy;
            let run = |from: u32| {
                KEEP_SETTLED_FROM_IN_TEST.with(|c| c.set(from));
                let rep = simulate_replication(&model, 1);
                KEEP_SETTLED_FROM_IN_TEST.with(|c| c.set(KEEP_SETTLED_FROM));
                let swaps: u64 = rep.sites.iter().map(|x| x.requests).sum();
                (format!("{rep:?}"), swaps)
            };
            let (kept, scanned) = (run(0), run(u32::MAX));
            assert!(kept.1 > 1000, "{strategy:?}: {} requests", kept.1);
            assert_eq!(kept, scanned, "{strategy:?}");
        }
    }

    #[test]
    fn events_round_trip_through_64_bits() {
        let big = u32::MAX - 1;
        for e in [
            Event::Arrival { site: big },
            Event::StageEnd {
                slot: big,
                generation: GEN_MASK,
            },
            Event::Abandon {
                request: 7,
                generation: 0,
            },
            Event::SwapNeed { rider: big },
            Event::ReachCabinet {
                rider: big,
                site: GEN_MASK,
            },
            Event::PlugIn { site: 3 },
            Event::HomeChargeDone {
                site: 9,
                pile: true,
            },
            Event::HomeChargeDone {
                site: 9,
                pile: false,
            },
            Event::PortFree { site: 1 },
            Event::Tick,
            Event::Day,
        ] {
            assert_eq!(Event::unpack(e.pack()), e);
        }
        assert_eq!(next_generation(GEN_MASK), 0);
    }

    /// Handles the events due up to `until` in order, as `Sim::run` does
    /// (stale ones skipped), and moves the clock to `until`.
    fn run_until(sim: &mut Sim, until: Time) {
        while sim.queue.peek_time().is_some_and(|t| t <= until) {
            let (t, event) = sim.queue.pop().expect("an event is due");
            sim.now = t;
            match event {
                Event::Tick => sim.on_tick(),
                Event::SwapEnd { door } => sim.on_swap_end(door),
                Event::StageEnd { slot, generation } => {
                    if sim.slots[slot as usize].generation == generation {
                        sim.on_stage_end(slot);
                    }
                }
                Event::Abandon {
                    request,
                    generation,
                } => {
                    if sim.requests.generation[request as usize] == generation {
                        sim.on_abandon(request);
                    }
                }
                other => panic!("no {other:?} in this test"),
            }
        }
        sim.now = until;
    }

    /// One swap's events in their order (issue 10), at a site of two doors
    /// and one full battery, 90-second swaps and one-hour charges. When
    /// rider 0's swap starts, the full battery is reserved: off the ready
    /// count, but still in its slot, and rider 0 keeps theirs; nothing
    /// goes on charge and the cabinet draws nothing. Rider 1, arriving
    /// during the swap, finds a free door but no battery to take and
    /// waits. Only when the swap ends, 90 s later, is the full battery
    /// handed over and does the returned one go on charge (the cabinet
    /// draws 800 W from then); rider 1's swap starts when it is charged.
    /// Handing over at the start, or charging the returned battery from
    /// the start, fails here.
    #[test]
    fn a_swap_reserves_at_its_start_and_hands_over_at_its_end() {
        use crate::model::{ChargeModel, Demand, Dist, RiderGroup, Riders, SiteSpec};
        let mut model = small_model();
        model.days = 1;
        model.battery.charge = ChargeModel::Deterministic { hours: 1.0 };
        model.cabinet.swap_seconds = Dist::Fixed { value: 90.0 };
        model.riders = Riders {
            groups: vec![RiderGroup {
                name: "resident".into(),
                // No trips: the test says when each rider needs a swap.
                daily_km: Dist::Fixed { value: 0.0 },
                wh_per_km: Dist::Fixed { value: 20.0 },
                trips_weekday: 2.0,
                trips_weekend: 2.0,
                profile_weekday: [1.0; 24],
                profile_weekend: [1.0; 24],
                swap_threshold_soc: Dist::Fixed { value: 0.25 },
                patience_minutes: Dist::Fixed { value: 600.0 },
                speed_kmh: 15.0,
                works_across_district: false,
            }],
            ..Riders::default()
        };
        model.sites = vec![SiteSpec {
            name: "R".into(),
            cabinets: 2,
            slots_per_cabinet: 6,
            batteries: 1,
            demand: Demand::Riders,
            households: 2,
            ebikes: 2,
            swap_adoption: 1.0,
            mix: vec![(0, 1.0)],
            ..SiteSpec::default()
        }];
        let mut sim = Sim::new(&model, 0);
        assert_eq!(sim.riders.len(), 2);
        // The cabinet's battery came first, in slot 0; then the riders'.
        let (full, theirs) = (0, sim.riders[0].battery);
        assert_eq!(sim.slot_battery[0], full);
        let site = |sim: &Sim| {
            let live = sim.sites.live[0];
            let load_w = live.load[cabinet::CABINETS].level();
            (
                live.ready,
                live.busy_doors,
                live.waiting,
                live.charging,
                load_w,
            )
        };

        let start = 2 * MS_PER_HOUR + 17;
        let swap_ms = 90_000;
        run_until(&mut sim, start);
        assert_eq!(site(&sim), (1, 0, 0, 0, 0.0));
        sim.riders[0].need_soc = 0.2;
        sim.on_swap_need(0);
        // Started: reserved, not handed over; nothing charges.
        let reserved = |sim: &Sim| {
            assert_eq!(site(sim), (0, 1, 0, 0, 0.0), "at {}", sim.now);
            assert_eq!(
                sim.slot_battery[0], full,
                "the full battery left at {}",
                sim.now
            );
            assert_eq!(sim.slots[0].phase, Phase::Idle);
            assert!(!sim.slots[0].dispensable);
            assert_eq!(sim.slots[0].charge.soc, 1.0);
            assert_eq!(sim.riders[0].battery, theirs);
            assert_eq!(sim.riders[0].charge.soc, 0.2);
            assert_eq!(sim.sites.counters[0].served, 1, "served at the start");
        };
        reserved(&sim);
        // A second rider finds a free door, but no battery to take.
        sim.riders[1].need_soc = 0.3;
        sim.on_swap_need(1);
        let second_waits = |sim: &Sim| {
            assert_eq!(sim.sites.live[0].waiting, 1, "at {}", sim.now);
            assert_eq!(sim.riders[1].battery, theirs + 1);
            assert_eq!(sim.sites.counters[0].stockouts, 1);
        };
        assert_eq!(sim.sites.live[0].busy_doors, 1, "one door stays free");
        second_waits(&sim);
        run_until(&mut sim, start + swap_ms - 1);
        let live = sim.sites.live[0];
        assert_eq!((live.busy_doors, live.waiting), (1, 1));
        assert_eq!(sim.slot_battery[0], full);
        assert_eq!(sim.riders[0].battery, theirs);
        assert_eq!(
            (live.charging, live.load[cabinet::CABINETS].level()),
            (0, 0.0)
        );

        // The swap ends: handed over, and the returned battery charges.
        run_until(&mut sim, start + swap_ms);
        assert_eq!(site(&sim), (0, 0, 1, 1, 800.0));
        assert_eq!(sim.riders[0].battery, full);
        assert_eq!(sim.riders[0].charge.soc, 1.0);
        assert_eq!(sim.batteries[full as usize].rider, 0);
        assert_eq!(sim.slot_battery[0], theirs);
        assert_eq!(sim.slots[0].phase, Phase::Charging);
        assert_eq!(sim.slots[0].stage_start, start + swap_ms);
        second_waits(&sim);

        // Charged an hour later: rider 1's swap starts with it.
        let charged = start + swap_ms + MS_PER_HOUR;
        run_until(&mut sim, charged - 1);
        assert_eq!(site(&sim), (0, 0, 1, 1, 800.0));
        run_until(&mut sim, charged);
        assert_eq!(site(&sim), (0, 1, 0, 0, 0.0));
        assert_eq!(sim.slot_battery[0], theirs);
        assert_eq!(sim.riders[1].battery, theirs + 1);
        assert_eq!(sim.sites.counters[0].served, 2);
        run_until(&mut sim, charged + swap_ms);
        assert_eq!(sim.riders[1].battery, theirs);
        assert_eq!(site(&sim), (0, 0, 0, 1, 700.0));
    }

    fn small_model() -> Model {
        use crate::model::{BatterySpec, ChargeModel, Demand, SiteSpec};
        Model {
            days: 2,
            replications: 1,
            battery: BatterySpec {
                capacity_wh: 1000.0,
                charge: ChargeModel::Exponential { mean_hours: 1.0 },
                dispense_soc: 0.95,
                return_soc: 0.2,
                ..BatterySpec::default()
            },
            sites: vec![SiteSpec {
                name: "A".into(),
                cabinets: 1,
                slots_per_cabinet: 12,
                batteries: 10,
                demand: Demand::Poisson {
                    swaps_per_hour: 5.0,
                },
                ..SiteSpec::default()
            }],
            ..Model::default()
        }
    }

    /// Records every `(replication, day)` it is told.
    struct Days(std::sync::Mutex<Vec<(u32, u32)>>);

    impl DayProgress for Days {
        fn day_done(&self, replication: u32, day: u32) {
            self.0
                .lock()
                .expect("not poisoned")
                .push((replication, day));
        }
    }

    /// The progress hook hears each day once, in order, the last at the
    /// horizon, and changes nothing: with a warm-up, with days that end
    /// without an event (demand so low that the queue runs dry), and
    /// with the 15-minute clock.
    #[test]
    fn the_day_hook_hears_every_day_in_order_and_changes_nothing() {
        use crate::model::{Demand, TransformerSpec};
        let mut busy = small_model();
        busy.days = 9;
        busy.warmup_days = 3;
        let mut sparse = busy.clone();
        // About one request in four days: most days have no event.
        sparse.sites[0].demand = Demand::Poisson {
            swaps_per_hour: 0.01,
        };
        let mut ticking = busy.clone();
        ticking.warmup_days = 0;
        ticking.grid.transformers = vec![TransformerSpec {
            name: "T".into(),
            rating_kva: 100.0,
            power_factor: 0.95,
            allowed_utilization: 0.8,
            base_peak_kw: 50.0,
            base_profile: [0.5; 24],
            base_basis: None,
        }];
        ticking.sites[0].transformer = Some(0);
        for model in [busy, sparse, ticking] {
            let days = Days(std::sync::Mutex::new(Vec::new()));
            let heard = simulate_replication_with(&model, 2, &days);
            let expected: Vec<(u32, u32)> = (1..=model.days).map(|d| (2, d)).collect();
            assert_eq!(days.0.into_inner().expect("not poisoned"), expected);
            let plain = simulate_replication(&model, 2);
            assert_eq!(heard.events, plain.events);
            assert_eq!(heard.sites[0].requests, plain.sites[0].requests);
            assert_eq!(heard.sites[0].stockouts, plain.sites[0].stockouts);
            assert_eq!(heard.sites[0].ready_area, plain.sites[0].ready_area);
        }
    }

    /// The invariant checks are live: a battery in two slots is caught.
    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "counted twice")]
    fn conservation_check_catches_a_duplicated_battery() {
        let model = small_model();
        let mut sim = Sim::new(&model, 0);
        sim.run();
        sim.slot_battery[11] = sim.slot_battery[0];
        sim.check_conservation();
    }

    /// The invariant checks are live: a request that never ends is caught.
    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "every request ends exactly once")]
    fn conservation_check_catches_a_request_that_never_ended() {
        let model = small_model();
        let mut sim = Sim::new(&model, 0);
        sim.run();
        sim.arrivals_total += 1;
        sim.check_conservation();
    }
}
