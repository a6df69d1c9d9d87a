//! Building a replication's initial state from the model.

use std::collections::VecDeque;

use rand::RngExt;
use rand_distr::Poisson;

use super::waits::{WaitCounts, wait_histogram};
use super::{
    Arrivals, Battery, Charge, Charger, Counters, Event, GroupPlan, Live, NONE, Phase, Requests,
    Rider, RiderRare, Series, Sim, Sites, Slot, Transformers,
};
use crate::alloc;
use crate::curve::Curve;
use crate::model::{Demand, DispenseRule, Model, RiderGroup, SiteSpec, Strategy};
use crate::queue::EventQueue;
use crate::reach::Reach;
use crate::rng::{Purpose, key, name_key, stream2};
use crate::sample::sample_dist;
use crate::stats::TimeWeighted;
use crate::{MS_PER_DAY, MS_PER_HOUR, Time};

/// Kinds of rider in a rider's stream key (see `create_riders`).
const RESIDENT: u64 = 1;
const COURIER: u64 = 2;
const DISTRICT: u64 = 3;

/// Slots and riders of more bytes than this (about a core's L2 cache)
/// turn on the loop's cache hints (`Sim::prefetch`); below, the
/// state stays cached and the hints would cost without paying.
const PREFETCH_FROM_BYTES: usize = 1 << 20;

impl<'m> Sim<'m> {
    #[cfg(test)]
    pub(super) fn new(model: &'m Model, replication: u32) -> Self {
        Sim::new_within(model, replication, &[])
    }

    /// The sub-model of [`super::simulate_within`]: at the sites marked in
    /// `outside`, only the riders who work across the district.
    pub(super) fn new_within(model: &'m Model, replication: u32, outside: &'m [bool]) -> Self {
        let n_sites = model.sites.len();
        let total_slots: usize = model.sites.iter().map(|s| s.slots() as usize).sum();
        let seed = model.seed;
        let window_start = Time::from(model.warmup_days) * MS_PER_DAY;
        let horizon = Time::from(model.days) * MS_PER_DAY;
        let n_transformers = model.grid.transformers.len();

        let mut sites = Sites {
            arrivals: Vec::with_capacity(n_sites),
            n_slots: Vec::with_capacity(n_sites),
            first_door: Vec::with_capacity(n_sites),
            charge_line: Vec::with_capacity(n_sites),
            rider_line: Vec::with_capacity(n_sites),
            ports_free: Vec::with_capacity(n_sites),
            nonsub: vec![0; n_sites],
            history: vec![[0; 24]; n_sites],
            reserve: vec![0; n_sites],
            chargers: Vec::with_capacity(n_sites),
            rng_patience: Vec::with_capacity(n_sites),
            rng_plugins: Vec::with_capacity(n_sites),
            rng_plugin_traits: Vec::with_capacity(n_sites),
            rng_swap: Vec::with_capacity(n_sites),
            waits: Vec::with_capacity(n_sites),
            delays: Vec::with_capacity(n_sites),
            same_delay: Vec::with_capacity(n_sites),
            live: vec![Live::default(); n_sites],
            billed_area: vec![0.0; n_sites],
            ready_area_at_tick: vec![0.0; n_sites],
            counters: Vec::with_capacity(n_sites),
        };
        let mut slots = alloc::with_capacity(total_slots, "the slots' state");
        let mut first_slot = 0u32;
        let mut first_door = 0u32;
        let mut distinct_curves: Vec<Curve> = Vec::new();
        for (i, spec) in model.sites.iter().enumerate() {
            let i = i as u32;
            // Streams follow the site's name, not its place in the list.
            let site_key = name_key(&spec.name);
            sites.arrivals.push(Arrivals {
                mean_gap_h: match spec.demand {
                    Demand::Poisson { swaps_per_hour } if swaps_per_hour > 0.0 => {
                        1.0 / swaps_per_hour
                    }
                    _ => 0.0,
                },
                next_h: 0.0,
                rng: stream2(seed, replication, Purpose::Arrivals, site_key),
            });
            let live = &mut sites.live[i as usize];
            live.patience = spec.patience;
            live.cap = spec.max_concurrent_charging.unwrap_or(u32::MAX);
            debug_assert!(spec.batteries <= spec.max_batteries(), "{}", spec.name);
            live.first_slot = first_slot;
            sites.n_slots.push(spec.slots());
            // A few candidates are scanned faster than kept apart.
            live.keeps_settled = model.cabinet.dispense == DispenseRule::HighestSoc
                && spec.batteries >= keep_settled_from();
            sites.first_door.push(first_door);
            live.n_doors = spec.cabinets;
            live.max_present = spec.max_riders_present.unwrap_or(u32::MAX);
            live.transformer = spec.transformer.map_or(NONE, |t| t as u32);
            sites
                .charge_line
                .push(VecDeque::with_capacity(spec.slots() as usize));
            sites.rider_line.push(VecDeque::with_capacity(64));
            sites.ports_free.push(spec.pile_ports);
            let curve = Curve::new(&model.battery.at_site(spec));
            // Sites of the same curve share its segments (see `Curve`).
            let curve = match distinct_curves.iter().find(|c| **c == curve) {
                Some(shared) => shared.clone(),
                None => {
                    distinct_curves.push(curve.clone());
                    curve
                }
            };
            sites.chargers.push(Charger {
                curve,
                rng: stream2(seed, replication, Purpose::ChargeTime, site_key),
            });
            sites
                .rng_patience
                .push(stream2(seed, replication, Purpose::Patience, site_key));
            sites
                .rng_plugins
                .push(stream2(seed, replication, Purpose::PlugIns, site_key));
            sites.rng_plugin_traits.push(stream2(
                seed,
                replication,
                Purpose::PlugInTraits,
                site_key,
            ));
            sites
                .rng_swap
                .push(stream2(seed, replication, Purpose::SwapTime, site_key));
            sites.waits.push(WaitCounts::default());
            sites.delays.push(WaitCounts::default());
            sites.same_delay.push(WaitCounts::default());
            let couriers: u32 = spec.couriers.iter().map(|&(_, n)| n).sum();
            sites.counters.push(Counters {
                requests: 0,
                requests_by_hour: [0; 24],
                stockouts: 0,
                stockouts_by_hour: [0; 24],
                pile_by_hour: [0; 24],
                flying_wire_by_hour: [0; 24],
                lost: 0,
                balked: 0,
                served: 0,
                served_after_wait: 0,
                wait_ms_sum: 0.0,
                queue_ms_sum: 0.0,
                ended: 0,
                wait_hist: wait_histogram(),
                delay_ms_sum: 0.0,
                delay_hist: wait_histogram(),
                served_after_delay: 0,
                swaps_here: 0,
                ready_area: 0.0,
                charging_area: 0.0,
                waiting_area: 0.0,
                busy_area: 0.0,
                cabinet_wh: 0.0,
                pile_wh: 0.0,
                flying_wire_wh: 0.0,
                cabinet_cost_cny: 0.0,
                cabinet_peak_w: 0.0,
                pile_sessions: 0,
                flying_wire_sessions: 0,
                pile_ms: 0.0,
                flying_wire_ms: 0.0,
                slots: spec.slots(),
                cabinets: spec.cabinets,
                batteries: spec.batteries,
                subscribers: 0,
                ebikes: spec.ebikes + couriers,
                retired: 0,
            });
            for _ in 0..spec.slots() {
                slots.push(Slot::new(i));
            }
            first_slot += spec.slots();
            first_door += spec.cabinets;
        }

        let mut transformers = Transformers {
            limit_w: Vec::with_capacity(n_transformers),
            full_load_w: Vec::with_capacity(n_transformers),
            base_peak_w: Vec::with_capacity(n_transformers),
            base_profile: Vec::with_capacity(n_transformers),
            sites: vec![Vec::new(); n_transformers],
            tw_total: Vec::with_capacity(n_transformers),
            tw_parts: vec![[TimeWeighted::default(); 4]; n_transformers],
            over: vec![false; n_transformers],
            parts_area_at_tick: vec![[0.0; 4]; n_transformers],
            pending: vec![false; n_transformers],
            pending_list: Vec::with_capacity(n_transformers),
        };
        for t in &model.grid.transformers {
            let limit_w = t.limit_kw() * 1000.0;
            transformers.limit_w.push(limit_w);
            transformers
                .full_load_w
                .push(t.rating_kva * t.power_factor * 1000.0);
            transformers.base_peak_w.push(t.base_peak_kw * 1000.0);
            transformers.base_profile.push(t.base_profile);
            transformers
                .tw_total
                .push(TimeWeighted::with_threshold(limit_w));
        }
        for (s, spec) in model.sites.iter().enumerate() {
            if let Some(t) = spec.transformer {
                transformers.sites[t].push(s as u32);
            }
        }

        let groups = model.riders.groups.iter().map(GroupPlan::new).collect();
        // Upper bounds (a sub-model keeps fewer riders): what the arrays
        // reserve, so a machine that cannot hold them says so (`alloc`).
        let riders = rider_bound(model);
        let batteries = model
            .sites
            .iter()
            .map(|s| s.batteries as usize)
            .sum::<usize>()
            .saturating_add(riders);
        let capacity_wh = model.battery.capacity_wh;
        let mut sim = Sim {
            model,
            replication,
            outside,
            progress: None,
            staged: Curve::new(&model.battery).is_staged(),
            inv_efficiency: 1.0 / Curve::new(&model.battery).efficiency(),
            dispensable_from: model.battery.dispense_soc - 1e-12,
            retires: {
                // As `retire_if_worn` tested: no limit or no fade, none.
                let b = &model.battery;
                let never = b.retire_soh <= 0.0 || b.fade_per_cycle <= 0.0;
                !never
            },
            now: 0,
            window_start,
            window_open: false,
            horizon,
            queue: EventQueue::with_capacity(total_slots + 4 * n_sites + 64),
            sites,
            slots,
            ready_stack: alloc::filled(total_slots, NONE, "the slots' ready stack"),
            slot_battery: alloc::filled(total_slots, NONE, "the slots' batteries"),
            batteries: alloc::with_capacity(batteries, "the batteries' state"),
            requests: Requests {
                origin: Vec::new(),
                cabinet: Vec::new(),
                rider: Vec::new(),
                joined: Vec::new(),
                counted: Vec::new(),
                generation: Vec::new(),
                alive: Vec::new(),
                free: Vec::new(),
            },
            riders: alloc::with_capacity(riders, "the riders' state"),
            rider_rare: alloc::with_capacity(riders, "the riders' streams and patience"),
            groups,
            transformers,
            tw_network: TimeWeighted::default(),
            n_over: 0,
            tw_any_over: TimeWeighted::with_threshold(0.5),
            door_slot: alloc::filled(first_door as usize, NONE, "the cabinet doors"),
            door_rider: alloc::filled(first_door as usize, NONE, "the cabinet doors"),
            reach: Reach::default(),
            work_cum: Vec::new(),
            plug_share: normalised(&model.riders.home.plug_in_profile),
            strategy: model.cabinet.strategy,
            // Hourly demand feeds the off-peak reserve and the planner's
            // peak-hour estimate; analytic runs skip the bookkeeping.
            keep_history: matches!(model.cabinet.strategy, Strategy::OffPeakWithReserve { .. })
                || model.sites.iter().any(|s| s.demand == Demand::Riders),
            instant_swaps: model.cabinet.swap_seconds == crate::Dist::Fixed { value: 0.0 },
            series: Series::default(),
            prefetching: false,
            events: 0,
            group_swaps: vec![0; model.riders.groups.len()],
            arrivals_total: 0,
            ended_total: 0,
            in_transit: 0,
            tw_cabinets_all: TimeWeighted::default(),
            stored_wh_total: 0.0,
        };
        sim.stock_cabinets(capacity_wh);
        sim.create_riders(capacity_wh);
        for home in sim.riders.iter().map(|r| r.home) {
            sim.sites.counters[home as usize].subscribers += 1;
        }
        sim.prefetching = std::mem::size_of_val(&sim.slots[..])
            + std::mem::size_of_val(&sim.riders[..])
            > PREFETCH_FROM_BYTES;
        sim.reach = Reach::new(model);
        sim.start_grid();
        for site in 0..n_sites as u32 {
            sim.schedule_arrival(site);
            sim.schedule_plug_in(site);
        }
        for rider in 0..sim.riders.len() as u32 {
            sim.schedule_need(rider, 0);
        }
        if sim.ticking() {
            let quarters = ((horizon - window_start) / super::QUARTER_MS) as usize;
            sim.series = Series {
                quarters,
                transformer_kw: alloc::with_capacity(
                    quarters.saturating_mul(4 * n_transformers),
                    "the transformers' quarter-hour load series",
                ),
                site_ready: alloc::filled(
                    quarters.saturating_mul(n_sites),
                    0.0,
                    "the sites' quarter-hour stock series",
                ),
            };
            if super::QUARTER_MS < horizon {
                sim.queue.push(super::QUARTER_MS, Event::Tick);
            }
        }
        sim
    }

    /// Every site starts with its batteries full and ready, in its first slots.
    fn stock_cabinets(&mut self, capacity_wh: f64) {
        for (site, spec) in self.model.sites.iter().enumerate() {
            let first = self.sites.live[site].first_slot;
            for k in 0..spec.batteries {
                let slot = first + k;
                let battery = self.new_battery();
                let x = &mut self.slots[slot as usize];
                x.charge = Charge::new(capacity_wh, 1.0);
                x.phase = Phase::Idle;
                self.slot_battery[slot as usize] = battery;
                self.batteries[battery as usize].slot = slot;
                self.mark_ready(slot);
            }
        }
    }

    fn new_battery(&mut self) -> u32 {
        self.batteries.push(Battery {
            slot: NONE,
            rider: NONE,
        });
        (self.batteries.len() - 1) as u32
    }

    /// Subscribers of each site (residents by the mix, then resident
    /// couriers), then district couriers; bikes not on a subscription are
    /// counted per site for their plug-in process.
    ///
    /// A rider's streams are keyed by who they are: (home site name, group
    /// name, resident or courier, ordinal there), and for district couriers
    /// (group name, ordinal in the district). More subscribers at one site
    /// add riders without touching anybody else's draws.
    fn create_riders(&mut self, capacity_wh: f64) {
        let model = self.model;
        let group_key: Vec<u64> = model
            .riders
            .groups
            .iter()
            .map(|g| name_key(&g.name))
            .collect();
        for (s, spec) in model.sites.iter().enumerate() {
            if spec.demand != Demand::Riders {
                continue;
            }
            let site_key = name_key(&spec.name);
            let subscribers = subscribers(spec);
            let outside = !self.outside.is_empty() && self.outside[s];
            self.sites.nonsub[s] = if outside {
                0
            } else {
                spec.ebikes - subscribers
            };
            // Outside a sub-model, only riders who work across the district.
            let kept = |group: usize| !outside || model.riders.groups[group].works_across_district;
            let mut left = subscribers;
            for (k, &(group, share)) in spec.mix.iter().enumerate() {
                let n = if k + 1 == spec.mix.len() {
                    left
                } else {
                    ((f64::from(subscribers) * share).round() as u32).min(left)
                };
                left -= n;
                if !kept(group) {
                    continue;
                }
                for ordinal in 0..n {
                    let rider_key =
                        key(&[site_key, group_key[group], RESIDENT, u64::from(ordinal)]);
                    self.add_rider(group, s as u32, capacity_wh, rider_key);
                }
            }
            for &(group, n) in &spec.couriers {
                if !kept(group) {
                    continue;
                }
                for ordinal in 0..n {
                    let rider_key = key(&[site_key, group_key[group], COURIER, u64::from(ordinal)]);
                    self.add_rider(group, s as u32, capacity_wh, rider_key);
                }
            }
        }
        // District couriers live where they work, by the work weights.
        self.work_cum = cumulative(model.sites.iter().map(|s| s.courier_work_weight));
        let mut ordinals = vec![0u64; model.riders.groups.len()];
        for pool in &model.riders.district_couriers {
            for _ in 0..pool.count {
                let ordinal = &mut ordinals[pool.group];
                let rider_key = key(&[DISTRICT, group_key[pool.group], *ordinal]);
                *ordinal += 1;
                let mut homes = stream2(
                    model.seed,
                    self.replication,
                    Purpose::RiderTraits,
                    key(&[rider_key, DISTRICT]),
                );
                let home = pick(&self.work_cum, homes.random::<f64>()).unwrap_or(0);
                self.add_rider(pool.group, home, capacity_wh, rider_key);
            }
        }
    }

    fn add_rider(&mut self, group: usize, home: u32, capacity_wh: f64, rider_key: u64) {
        let id = self.riders.len() as u32;
        let spec: &RiderGroup = &self.model.riders.groups[group];
        let (seed, rep) = (self.model.seed, self.replication);
        let mut traits = stream2(seed, rep, Purpose::RiderTraits, rider_key);
        let threshold = sample_dist(&spec.swap_threshold_soc, &mut traits).clamp(0.01, 0.9);
        let patience_min = sample_dist(&spec.patience_minutes, &mut traits).max(0.0);
        let daily_km = sample_dist(&spec.daily_km, &mut traits).max(0.0);
        let wh_per_km = sample_dist(&spec.wh_per_km, &mut traits).max(0.0);
        let trips_per_day = (5.0 * spec.trips_weekday + 2.0 * spec.trips_weekend) / 7.0;
        let trip_km = if trips_per_day > 0.0 {
            daily_km / trips_per_day
        } else {
            0.0
        };
        // Riders start anywhere between their threshold and full.
        let soc = threshold + (1.0 - threshold) * traits.random::<f64>();
        let battery = self.new_battery();
        self.batteries[battery as usize].rider = id;
        self.riders.push(Rider {
            group: group as u32,
            home,
            battery,
            origin: home,
            threshold_soc: threshold,
            trip_wh: trip_km * wh_per_km,
            trip_ms: super::hours_to_ms(trip_km / spec.speed_kmh.max(1.0)).max(1),
            need_soc: soc,
            need_at: 0,
            key: rider_key,
            counted: false,
            charge: Charge::new(capacity_wh, soc),
        });
        self.rider_rare.push(RiderRare {
            fallback: stream2(seed, rep, Purpose::Fallback, rider_key),
            workplace: stream2(seed, rep, Purpose::WorkPlace, rider_key),
            patience_ms: super::hours_to_ms(patience_min / 60.0),
        });
    }
}

impl GroupPlan {
    fn new(g: &RiderGroup) -> GroupPlan {
        let poisson = |mean: f64| Poisson::new(mean.max(1e-9)).expect("positive mean");
        GroupPlan {
            trips_weekday: poisson(g.trips_weekday),
            trips_weekend: poisson(g.trips_weekend),
            has_weekday_trips: g.trips_weekday > 0.0,
            has_weekend_trips: g.trips_weekend > 0.0,
            cum_weekday: cumulative24(&g.profile_weekday),
            cum_weekend: cumulative24(&g.profile_weekend),
            speed_kmh: g.speed_kmh,
            works_across_district: g.works_across_district,
        }
    }
}

/// A site's subscribers: its e-bikes times the swap adoption, rounded.
fn subscribers(spec: &SiteSpec) -> u32 {
    ((f64::from(spec.ebikes) * spec.swap_adoption).round() as u32).min(spec.ebikes)
}

/// Riders of the whole model: every site's subscribers and couriers, and
/// the district couriers.
fn rider_bound(model: &Model) -> usize {
    let at_sites: usize = model
        .sites
        .iter()
        .filter(|s| s.demand == Demand::Riders)
        .map(|s| {
            subscribers(s) as usize + s.couriers.iter().map(|&(_, n)| n as usize).sum::<usize>()
        })
        .sum();
    let district: usize = model
        .riders
        .district_couriers
        .iter()
        .map(|p| p.count as usize)
        .sum();
    at_sites.saturating_add(district)
}

/// Weights scaled to sum 1 (all zero stays all zero).
fn normalised(w: &[f64; 24]) -> [f64; 24] {
    let total: f64 = w.iter().sum();
    let mut out = [0.0; 24];
    if total > 0.0 {
        for (o, x) in out.iter_mut().zip(w) {
            *o = x / total;
        }
    }
    out
}

fn cumulative24(w: &[f64; 24]) -> [f64; 24] {
    let mut out = [0.0; 24];
    let mut acc = 0.0;
    for (o, x) in out.iter_mut().zip(w) {
        acc += x;
        *o = acc;
    }
    out
}

fn cumulative(w: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    w.map(|x| {
        acc += x.max(0.0);
        acc
    })
    .collect()
}

/// Index drawn from cumulative weights `cum` with a uniform `u` in [0, 1).
pub(super) fn pick(cum: &[f64], u: f64) -> Option<u32> {
    let total = *cum.last()?;
    if total <= 0.0 {
        return None;
    }
    let x = u * total;
    let i = cum.partition_point(|&c| c <= x);
    Some(i.min(cum.len() - 1) as u32)
}

/// Hour of day drawn from cumulative hour weights.
pub(super) fn pick_hour(cum: &[f64; 24], u: f64) -> Time {
    Time::from(pick(cum, u).unwrap_or(0))
}

/// Milliseconds per hour, as used by the trip clock.
pub(super) const HOUR: Time = MS_PER_HOUR;

/// Hour of the day (0–23) at `t`; day 0 starts at midnight.
#[inline]
pub(super) fn hour_of_day(t: Time) -> usize {
    ((t / HOUR) % 24) as usize
}

/// [`KEEP_SETTLED_FROM`], or a test's own threshold.
fn keep_settled_from() -> u32 {
    #[cfg(test)]
    return super::tests::KEEP_SETTLED_FROM_IN_TEST.with(std::cell::Cell::get);
    #[cfg(not(test))]
    super::KEEP_SETTLED_FROM
}
