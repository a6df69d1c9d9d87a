//! What a run will take before it starts: memory and events, from the
//! model alone, so a run that cannot fit is refused instead of aborting
//! on a failed allocation hours later.
//!
//! The memory figure adds up the engine's own arrays (their element sizes
//! are taken from the types, so they follow the code), the replications'
//! results kept until they are summarised, and the summary. Calibrated
//! against peak RSS in `benches/RESULTS.md`: the estimate errs high.

use std::mem::size_of;

use super::{Counters, Slot, TransformerCounters, Waiting};
use crate::model::{ChargeModel, Demand, Model, Patience, SiteSpec, Strategy};
use crate::rng::StreamRng;
use crate::stats::TimeWeighted;

/// What a run of a model will take \[bytes, events\].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Resources {
    /// Peak memory, about \[bytes\].
    pub memory_bytes: u64,
    /// Events handled over all replications, about.
    pub events: f64,
}

/// Memory of the process before any replication: the binary, the
/// allocator and the model \[bytes\]; the smallest measured peak RSS.
const BASE_BYTES: u64 = 8 << 20;

/// Bytes of a site's state in a running replication beyond its
/// histograms and streams: lines, time-weighted accumulators, counters
/// and bookkeeping (measured slack included).
const SITE_BYTES: u64 = 1024;

/// Bytes a rider takes in a running replication besides its battery's
/// place: its hot fields with the battery's charge, its rare ones (two
/// streams, the patience) and a pending event with the queue's growth
/// room.
const RIDER_BYTES: u64 =
    size_of::<super::Rider>() as u64 + size_of::<super::RiderRare>() as u64 + 2 * EVENT_BYTES;

/// One entry of the future-event list \[bytes\].
const EVENT_BYTES: u64 = 16;

/// A battery's place: its slot and rider \[bytes\] (its charge is
/// counted in the slot or the rider that holds it).
const BATTERY_BYTES: u64 = size_of::<super::Battery>() as u64;

impl Resources {
    /// The estimate for `replications` replications of `days` days of
    /// `model` on `threads` threads (at least 1: the caller resolves "all
    /// cores"). A pure function of its arguments.
    pub fn estimate(model: &Model, days: u32, replications: u32, threads: usize) -> Resources {
        let run = Resources::unsummarised(model, days, replications, threads);
        Resources {
            memory_bytes: run
                .memory_bytes
                .saturating_add(summary_bytes(model, days, replications)),
            ..run
        }
    }

    /// [`Resources::estimate`] without the summary: `replications`
    /// replications run and their results kept until they are written,
    /// as a shard of a run (`run --shard`) does; the merge summarises.
    pub fn unsummarised(model: &Model, days: u32, replications: u32, threads: usize) -> Resources {
        let live = live_bytes(model, days);
        let kept = kept_bytes(model, days);
        let concurrent = (threads.max(1) as u64).min(u64::from(replications.max(1)));
        let memory_bytes = BASE_BYTES
            .saturating_add(concurrent.saturating_mul(live))
            .saturating_add(u64::from(replications).saturating_mul(kept));
        let events = events_per_day(model) * f64::from(days) * f64::from(replications);
        Resources {
            memory_bytes,
            // Extreme distributions (a mean of 1e308 km a day) overflow to
            // infinity, or NaN from inf × 0: either way, unbounded.
            events: if events.is_nan() {
                f64::INFINITY
            } else {
                events
            },
        }
    }
}

impl Resources {
    /// Memory of the process before any replication \[bytes\]: the
    /// binary, the allocator and the model.
    pub const BASE_BYTES: u64 = BASE_BYTES;

    /// The estimate for summarising `replications` replications of `days`
    /// days of `model` that were run elsewhere (`swapsim merge` of a
    /// run's shards): every replication's result kept, as a run keeps
    /// them, and the summary; no replication runs, so no engine state and
    /// no events. The text the results are read from is the caller's to
    /// add: it is on disk, not in the model.
    pub fn summarise(model: &Model, days: u32, replications: u32) -> Resources {
        Resources {
            memory_bytes: BASE_BYTES
                .saturating_add(u64::from(replications).saturating_mul(kept_bytes(model, days)))
                .saturating_add(summary_bytes(model, days, replications)),
            events: 0.0,
        }
    }

    /// A run's summarised result of `days` days of `model` \[bytes\]:
    /// its per-site estimates and averaged series, as the summary of one
    /// replication holds them. What a sweep's merge keeps of each point.
    pub fn result_bytes(model: &Model, days: u32) -> u64 {
        summary_bytes(model, days, 1)
    }
}

/// The summary of `replications` results \[bytes\]: per-site KPI
/// samples of every replication, the averaged series (f64) and the load
/// bands' scratch.
fn summary_bytes(model: &Model, days: u32, replications: u32) -> u64 {
    let sites = model.sites.len() as u64;
    let measured_days = u64::from(days.saturating_sub(model.warmup_days.min(days)));
    u64::from(replications)
        .saturating_mul(sites.saturating_add(1))
        .saturating_mul(40 * 8)
        .saturating_add(series_cells(model, days).saturating_mul(8))
        .saturating_add(u64::from(replications).saturating_mul(measured_days) * 8)
}

/// Quarter hours times series (four load parts per transformer, the stock
/// of each site) in the measured window.
fn series_cells(model: &Model, days: u32) -> u64 {
    let measured_days = u64::from(days.saturating_sub(model.warmup_days.min(days)));
    let per_quarter = 4 * model.grid.transformers.len() as u64 + model.sites.len() as u64;
    (measured_days * 96).saturating_mul(per_quarter)
}

/// A site's waits while a replication runs \[bytes\]: its three wait
/// counts grown to hold a wait of ten minutes (they start empty and grow
/// with the longest wait, 15 KB at the longest), and its two histograms
/// as they start, at 1 KB (the counts go into them at the end, one site
/// at a time).
fn histogram_bytes() -> u64 {
    let mut counts = super::waits::WaitCounts::default();
    counts.record(10 * 60_000);
    let start = super::waits::wait_histogram().distinct_values() as u64 * 4 + 256;
    3 * counts.bytes() as u64 + 2 * start
}

/// A kept replication's wait histogram: most sites' stay near their
/// first bucket \[bytes\].
fn kept_histogram_bytes() -> u64 {
    2 * super::waits::wait_histogram().distinct_values() as u64 * 4 + 256
}

/// A replication's result, kept until the summary \[bytes\].
fn kept_bytes(model: &Model, days: u32) -> u64 {
    let sites = model.sites.len() as u64;
    let per_site = size_of::<Counters>() as u64 + 2 * kept_histogram_bytes();
    sites
        .saturating_mul(per_site)
        .saturating_add(
            model.grid.transformers.len() as u64 * size_of::<TransformerCounters>() as u64,
        )
        .saturating_add(series_cells(model, days).saturating_mul(4))
}

/// One running replication's state \[bytes\].
fn live_bytes(model: &Model, days: u32) -> u64 {
    let sites = model.sites.len() as u64;
    let mut slots = 0u64;
    let mut doors = 0u64;
    let mut batteries = 0u64;
    let mut riders = 0u64;
    for s in &model.sites {
        slots += u64::from(s.slots());
        doors += u64::from(s.cabinets);
        batteries += u64::from(s.batteries);
        if s.demand == Demand::Riders {
            riders += u64::from(s.ebikes);
            riders += s.couriers.iter().map(|&(_, n)| u64::from(n)).sum::<u64>();
        }
    }
    riders += model
        .riders
        .district_couriers
        .iter()
        .map(|p| u64::from(p.count))
        .sum::<u64>();
    let per_site = SITE_BYTES
        + histogram_bytes()
        + 6 * size_of::<StreamRng>() as u64
        + 4 * size_of::<TimeWeighted>() as u64
        + size_of::<super::Live>() as u64
        + size_of::<Counters>() as u64
        // The charging line holds up to the site's slots; the rider line
        // starts at 64.
        + 64 * 8;
    // A slot: its state, its battery's id, the ready stack, the charging
    // line, a pending stage end with the queue's growth room.
    let per_slot = size_of::<Slot>() as u64 + 4 + 4 + 4 + 2 * EVENT_BYTES;
    let reach = crate::reach::entries_bound(model).saturating_mul(4) + sites * 8;
    let lines = model
        .sites
        .iter()
        .map(|s| piled_up(model, s, days))
        .fold(0u64, u64::saturating_add);
    sites
        .saturating_mul(per_site)
        .saturating_add(slots.saturating_mul(per_slot))
        .saturating_add(doors * 8)
        .saturating_add(
            batteries
                .saturating_add(riders)
                .saturating_mul(BATTERY_BYTES),
        )
        .saturating_add(riders.saturating_mul(RIDER_BYTES))
        .saturating_add(reach)
        .saturating_add(lines)
        .saturating_add(series_cells(model, days).saturating_mul(4))
}

/// Bytes of the requests that pile up in the line of `site` over `days`
/// days, about: at an analytic site, requests arriving faster than it can
/// serve them wait to the end of the run when riders wait for ever (3,050
/// swaps an hour at a site whose batteries barely charge took 15 MB in 2
/// days, 10 GB in ten years), or about as long as their mean patience
/// (a mean of 3·10¹³ minutes, 3,600 swaps an hour: 30 MB in 2 days; both
/// found by `tests/fuzz.rs`). Its serving rate is at most its charging
/// batteries over their charge time (none under a strategy that may hold
/// charges back) and its doors over the swap time. Riders are counted
/// apart: each waits in one line at a time.
fn piled_up(model: &Model, site: &SiteSpec, days: u32) -> u64 {
    let Demand::Poisson { swaps_per_hour } = site.demand else {
        return 0;
    };
    let hours = 24.0 * f64::from(days);
    // A line entry at its peak: the deque's doubled room and, while it
    // grows, the old buffer beside the new one.
    let entry = 3 * size_of::<Waiting>() as u64;
    let (waits_h, bytes) = match site.patience {
        Patience::None => return 0,
        Patience::Infinite => (hours, entry),
        // Each also holds a request of the slab (its six fields, with
        // room to grow) and a pending abandonment.
        Patience::Exponential { mean_minutes } => (
            hours.min(2.0 * mean_minutes / 60.0),
            entry + 3 * REQUEST_BYTES + 2 * EVENT_BYTES,
        ),
    };
    let charging = match model.cabinet.strategy {
        Strategy::Immediate => {
            let batteries = site
                .max_concurrent_charging
                .map_or(site.batteries, |cap| cap.min(site.batteries));
            f64::from(batteries) / model.battery.at_site(site).mean_hours_to_dispensable()
        }
        Strategy::OffPeakWithReserve { .. } | Strategy::GridCapped => 0.0,
    };
    let swap_hours = model.cabinet.swap_seconds.mean() / 3600.0;
    let doors = if swap_hours > 0.0 {
        f64::from(site.cabinets) / swap_hours
    } else {
        f64::INFINITY
    };
    let excess = swaps_per_hour - charging.min(doors);
    if excess.is_nan() || excess <= 0.0 {
        return 0;
    }
    // Saturating: a float past u64 casts to u64::MAX. A site that turns
    // riders away past a count holds no more.
    let piled = (excess * waits_h) as u64;
    site.max_riders_present
        .map_or(piled, |most| piled.min(u64::from(most)))
        .saturating_mul(bytes)
}

/// A request of the slab of those that may be abandoned: its origin,
/// cabinet, rider, time, generation and flags \[bytes\].
const REQUEST_BYTES: u64 = 4 + 4 + 4 + 8 + 4 + 1 + 1;

/// Events of one replication-day, about: a swap is a request, a swap's
/// end and the charge of the battery it returns, stage by stage; a
/// plug-in of a bike not on a subscription starts and ends; the clock
/// ticks 96 times and turns the day once.
fn events_per_day(model: &Model) -> f64 {
    let stages = match &model.battery.charge {
        ChargeModel::CcCv(c) => f64::from(c.taper_steps) + 2.0,
        _ => 1.0,
    };
    let per_swap = 3.0 + stages;
    let mut swaps = 0.0;
    let mut plug_ins = 0.0;
    let capacity = model.battery.capacity_wh.max(1.0);
    let group_swaps_per_rider: Vec<f64> = model
        .riders
        .groups
        .iter()
        .map(|g| {
            let wh = g.daily_km.mean().max(0.0) * g.wh_per_km.mean().max(0.0);
            let usable = (1.0 - g.swap_threshold_soc.mean().clamp(0.01, 0.9)) * capacity;
            // A rider's need also wakes for each trip's check.
            wh / usable + 1.0
        })
        .collect();
    let per_rider = group_swaps_per_rider.iter().copied().fold(0.0, f64::max);
    for s in &model.sites {
        match s.demand {
            Demand::Poisson { swaps_per_hour } => swaps += 24.0 * swaps_per_hour.max(0.0),
            Demand::Riders => {
                let couriers: u32 = s.couriers.iter().map(|&(_, n)| n).sum();
                let subscribers = f64::from(s.ebikes) * s.swap_adoption;
                swaps += (subscribers + f64::from(couriers)) * per_rider;
                let interval = s
                    .nonsub_interval_days
                    .unwrap_or(model.riders.home.nonsub_interval_days)
                    .max(1e-3);
                plug_ins += (f64::from(s.ebikes) - subscribers).max(0.0) / interval;
            }
        }
    }
    let district: u32 = model.riders.district_couriers.iter().map(|p| p.count).sum();
    swaps += f64::from(district) * per_rider;
    swaps * per_swap + 2.0 * plug_ins + 97.0 + model.sites.len() as f64
}
