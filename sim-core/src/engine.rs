//! The event loop of one replication.
//!
//! State lives in flat arrays indexed by site, slot, battery and request id;
//! the loop pops one [`Event`] at a time and hands it to a handler. Nothing
//! is allocated per event: the waiting lines and the request slab are sized
//! up front and only grow if a queue outgrows every earlier one.

use std::collections::VecDeque;

use hdrhistogram::Histogram;
use rand_distr::{Distribution, Exp1};

use crate::curve::Curve;
use crate::model::{Demand, Model, Patience};
use crate::queue::EventQueue;
use crate::rng::{Purpose, StreamRng, stream};
use crate::stats::TimeWeighted;
use crate::{MS_PER_DAY, MS_PER_HOUR, Time};

/// Marks an empty reference in the id arrays.
const NONE: u32 = u32::MAX;
/// Largest wait the histograms resolve [ms] (about 400 days).
const MAX_WAIT_MS: u64 = 1 << 35;

/// Everything that can happen. Closed on purpose: the loop is one `match`.
#[derive(Clone, Copy, Debug)]
enum Event {
    /// A swap request arrives at a site (analytic Poisson demand).
    Arrival { site: u32 },
    /// A slot finishes a constant-power charge stage.
    StageEnd { slot: u32, generation: u32 },
    /// A waiting rider runs out of patience.
    Abandon { request: u32, generation: u32 },
}

/// What a slot is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Holds no battery.
    Empty,
    /// Holds a battery that waits for the site's power cap.
    Queued,
    /// Draws power.
    Charging,
    /// Holds a full battery.
    Idle,
}

/// Raw counts and integrals of one site over the measurement window.
#[derive(Clone, Debug)]
pub struct Counters {
    /// Swap requests that arrived in the window.
    pub requests: u64,
    /// Requests that found no dispensable battery on arrival.
    pub stockouts: u64,
    /// Requests that left without a battery.
    pub lost: u64,
    /// Requests served (a battery dispensed).
    pub served: u64,
    /// Served requests that waited a positive time.
    pub served_after_wait: u64,
    /// Sum of waits of served requests [ms].
    pub wait_ms_sum: f64,
    /// Sum of time in the waiting line of every request that ended, served
    /// or not [ms]; with `ended`, the W of Little's law.
    pub queue_ms_sum: f64,
    /// Requests (arrived in the window) that ended: served or lost.
    pub ended: u64,
    /// Waits of served requests [ms].
    pub wait_hist: Histogram<u32>,
    /// ∫ dispensable batteries dt [battery·ms].
    pub ready_area: f64,
    /// ∫ charging slots dt [slot·ms].
    pub charging_area: f64,
    /// ∫ riders waiting dt [rider·ms]; the L of Little's law.
    pub waiting_area: f64,
    /// Grid energy drawn by the cabinets [Wh].
    pub energy_wh: f64,
    /// Highest cabinet load held in the window [W].
    pub peak_w: f64,
    /// Slots at the site.
    pub slots: u32,
}

/// The outcome of one replication.
#[derive(Clone, Debug)]
pub struct Replication {
    /// Per-site counters, in model order.
    pub sites: Vec<Counters>,
    /// Length of the measurement window [ms].
    pub window_ms: Time,
    /// Events handled (stale events excluded).
    pub events: u64,
}

/// Runs replication `replication` of `model` to the end and returns its raw
/// statistics.
pub fn simulate_replication(model: &Model, replication: u32) -> Replication {
    let mut sim = Sim::new(model, replication);
    sim.run();
    sim.finish()
}

/// Per-site state, struct of arrays.
struct Sites {
    rate_per_h: Vec<f64>,
    patience: Vec<Patience>,
    cap: Vec<u32>,
    first_slot: Vec<u32>,
    n_slots: Vec<u32>,
    /// Continuous-time clock of the next arrival [h], so rounding to the
    /// millisecond never accumulates.
    next_arrival_h: Vec<f64>,
    ready: Vec<u32>,
    charging: Vec<u32>,
    /// Slots waiting for a power-cap token, first in first out.
    charge_line: Vec<VecDeque<u32>>,
    /// Waiting riders as (request, generation), first in first out; entries
    /// whose generation moved on have abandoned and are skipped.
    rider_line: Vec<VecDeque<(u32, u32)>>,
    waiting: Vec<u32>,
    rng_arrivals: Vec<StreamRng>,
    rng_charge: Vec<StreamRng>,
    rng_patience: Vec<StreamRng>,
    tw_ready: Vec<TimeWeighted>,
    tw_charging: Vec<TimeWeighted>,
    tw_waiting: Vec<TimeWeighted>,
    tw_power: Vec<TimeWeighted>,
    counters: Vec<Counters>,
}

/// Per-slot state, struct of arrays.
struct Slots {
    site: Vec<u32>,
    battery: Vec<u32>,
    phase: Vec<Phase>,
    dispensable: Vec<bool>,
    /// Per site, from its first slot: the slots holding a dispensable
    /// battery, `ready[site]` of them, in no particular order.
    ready_stack: Vec<u32>,
    /// Position of a dispensable slot in its site's `ready_stack`.
    ready_pos: Vec<u32>,
    generation: Vec<u32>,
    /// Start of the current stage.
    stage_start: Vec<Time>,
    /// Grid power of the current stage [W].
    power_w: Vec<f64>,
    /// SOC at the end of the current stage.
    stage_soc_end: Vec<f64>,
}

/// Per-battery state, struct of arrays.
struct Batteries {
    /// SOC when last updated (stage boundaries and swaps).
    soc: Vec<f64>,
    capacity_wh: Vec<f64>,
    /// Equivalent full cycles: stored energy ÷ capacity.
    cycles: Vec<f64>,
    /// Slot holding the battery, or `NONE` when it is on a bike.
    slot: Vec<u32>,
}

/// Waiting-rider slab.
struct Requests {
    site: Vec<u32>,
    arrived: Vec<Time>,
    generation: Vec<u32>,
    alive: Vec<bool>,
    free: Vec<u32>,
}

struct Sim<'m> {
    model: &'m Model,
    curve: Curve,
    /// 1 ÷ charging efficiency.
    inv_efficiency: f64,
    now: Time,
    window_start: Time,
    horizon: Time,
    queue: EventQueue<Event>,
    sites: Sites,
    slots: Slots,
    batteries: Batteries,
    requests: Requests,
    events: u64,
    /// Conservation ledger over the whole run, warm-up included.
    arrivals_total: u64,
    ended_total: u64,
    /// Total cabinet load over the whole run, for the energy balance.
    tw_power_all: TimeWeighted,
    stored_wh_total: f64,
}

impl<'m> Sim<'m> {
    fn new(model: &'m Model, replication: u32) -> Self {
        let n_sites = model.sites.len();
        let total_slots: usize = model.sites.iter().map(|s| s.slots() as usize).sum();
        let total_batteries: usize = model.sites.iter().map(|s| s.batteries as usize).sum();
        let seed = model.seed;
        let mut sites = Sites {
            rate_per_h: Vec::with_capacity(n_sites),
            patience: Vec::with_capacity(n_sites),
            cap: Vec::with_capacity(n_sites),
            first_slot: Vec::with_capacity(n_sites),
            n_slots: Vec::with_capacity(n_sites),
            next_arrival_h: vec![0.0; n_sites],
            ready: vec![0; n_sites],
            charging: vec![0; n_sites],
            charge_line: Vec::with_capacity(n_sites),
            rider_line: Vec::with_capacity(n_sites),
            waiting: vec![0; n_sites],
            rng_arrivals: Vec::with_capacity(n_sites),
            rng_charge: Vec::with_capacity(n_sites),
            rng_patience: Vec::with_capacity(n_sites),
            tw_ready: vec![TimeWeighted::default(); n_sites],
            tw_charging: vec![TimeWeighted::default(); n_sites],
            tw_waiting: vec![TimeWeighted::default(); n_sites],
            tw_power: vec![TimeWeighted::default(); n_sites],
            counters: Vec::with_capacity(n_sites),
        };
        let mut slots = Slots {
            site: Vec::with_capacity(total_slots),
            battery: vec![NONE; total_slots],
            phase: vec![Phase::Empty; total_slots],
            dispensable: vec![false; total_slots],
            ready_stack: vec![NONE; total_slots],
            ready_pos: vec![NONE; total_slots],
            generation: vec![0; total_slots],
            stage_start: vec![0; total_slots],
            power_w: vec![0.0; total_slots],
            stage_soc_end: vec![0.0; total_slots],
        };
        let mut first = 0u32;
        for (i, spec) in model.sites.iter().enumerate() {
            let i = i as u32;
            let Demand::Poisson { swaps_per_hour } = spec.demand;
            sites.rate_per_h.push(swaps_per_hour);
            sites.patience.push(spec.patience);
            sites.cap.push(spec.max_concurrent_charging.unwrap_or(u32::MAX));
            sites.first_slot.push(first);
            sites.n_slots.push(spec.slots());
            sites.charge_line.push(VecDeque::with_capacity(spec.slots() as usize));
            sites.rider_line.push(VecDeque::with_capacity(64));
            sites.rng_arrivals.push(stream(seed, replication, Purpose::Arrivals, i));
            sites.rng_charge.push(stream(seed, replication, Purpose::ChargeTime, i));
            sites.rng_patience.push(stream(seed, replication, Purpose::Patience, i));
            sites.counters.push(Counters {
                requests: 0,
                stockouts: 0,
                lost: 0,
                served: 0,
                served_after_wait: 0,
                wait_ms_sum: 0.0,
                queue_ms_sum: 0.0,
                ended: 0,
                wait_hist: Histogram::new_with_bounds(1, MAX_WAIT_MS, 2)
                    .expect("static histogram bounds are valid"),
                ready_area: 0.0,
                charging_area: 0.0,
                waiting_area: 0.0,
                energy_wh: 0.0,
                peak_w: 0.0,
                slots: spec.slots(),
            });
            for _ in 0..spec.slots() {
                slots.site.push(i);
            }
            first += spec.slots();
        }
        let capacity_wh = model.battery.capacity_wh;
        let batteries = Batteries {
            soc: vec![1.0; total_batteries],
            capacity_wh: vec![capacity_wh; total_batteries],
            cycles: vec![0.0; total_batteries],
            slot: vec![NONE; total_batteries],
        };
        let window_start = Time::from(model.warmup_days) * MS_PER_DAY;
        let horizon = Time::from(model.days) * MS_PER_DAY;
        let mut sim = Sim {
            model,
            curve: Curve::new(&model.battery),
            inv_efficiency: 1.0 / Curve::new(&model.battery).efficiency(),
            now: 0,
            window_start,
            horizon,
            queue: EventQueue::with_capacity(total_slots + 2 * n_sites + 64),
            sites,
            slots,
            batteries,
            requests: Requests {
                site: Vec::new(),
                arrived: Vec::new(),
                generation: Vec::new(),
                alive: Vec::new(),
                free: Vec::new(),
            },
            events: 0,
            arrivals_total: 0,
            ended_total: 0,
            tw_power_all: TimeWeighted::default(),
            stored_wh_total: 0.0,
        };
        sim.stock_initial_batteries();
        for site in 0..n_sites as u32 {
            sim.schedule_arrival(site);
        }
        sim
    }

    /// Every site starts with its batteries full and ready, in its first slots.
    fn stock_initial_batteries(&mut self) {
        let mut battery = 0u32;
        for (site, spec) in self.model.sites.iter().enumerate() {
            let first = self.sites.first_slot[site];
            for k in 0..spec.batteries {
                let slot = first + k;
                self.slots.battery[slot as usize] = battery;
                self.slots.phase[slot as usize] = Phase::Idle;
                self.batteries.slot[battery as usize] = slot;
                self.mark_ready(slot);
                battery += 1;
            }
        }
    }

    fn run(&mut self) {
        while let Some((t, event)) = self.queue.pop() {
            if t >= self.horizon {
                break;
            }
            debug_assert!(t >= self.now, "time went backwards");
            self.now = t;
            match event {
                Event::Arrival { site } => self.on_arrival(site),
                Event::StageEnd { slot, generation } => {
                    if self.slots.generation[slot as usize] != generation {
                        continue;
                    }
                    self.on_stage_end(slot);
                }
                Event::Abandon {
                    request,
                    generation,
                } => {
                    if self.requests.generation[request as usize] != generation {
                        continue;
                    }
                    self.on_abandon(request);
                }
            }
            self.events += 1;
        }
        self.now = self.horizon;
    }

    // ----- demand -------------------------------------------------------

    fn schedule_arrival(&mut self, site: u32) {
        let s = site as usize;
        let rate = self.sites.rate_per_h[s];
        if rate <= 0.0 {
            return;
        }
        let gap: f64 = Exp1.sample(&mut self.sites.rng_arrivals[s]);
        self.sites.next_arrival_h[s] += gap / rate;
        let t = hours_to_ms(self.sites.next_arrival_h[s]);
        if t < self.horizon {
            self.queue.push(t, Event::Arrival { site });
        }
    }

    fn on_arrival(&mut self, site: u32) {
        self.schedule_arrival(site);
        let s = site as usize;
        let measured = self.now >= self.window_start;
        self.arrivals_total += 1;
        if measured {
            self.sites.counters[s].requests += 1;
        }
        if self.sites.ready[s] > 0 {
            debug_assert_eq!(self.sites.waiting[s], 0, "a rider waits beside a ready battery");
            self.dispense(site);
            self.end_request(site, self.now, true);
            return;
        }
        if measured {
            self.sites.counters[s].stockouts += 1;
        }
        let patience_ms = match self.sites.patience[s] {
            Patience::None => 0,
            Patience::Infinite => Time::MAX,
            Patience::Exponential { mean_minutes } => {
                let e: f64 = Exp1.sample(&mut self.sites.rng_patience[s]);
                hours_to_ms(e * mean_minutes / 60.0)
            }
        };
        if patience_ms == 0 {
            self.end_request(site, self.now, false);
            return;
        }
        let request = self.new_request(site);
        let generation = self.requests.generation[request as usize];
        self.sites.rider_line[s].push_back((request, generation));
        self.sites.waiting[s] += 1;
        let level = f64::from(self.sites.waiting[s]);
        self.sites.tw_waiting[s].set(self.now, self.window_start, level);
        if patience_ms != Time::MAX {
            let at = self.now.saturating_add(patience_ms);
            if at < self.horizon {
                self.queue.push(
                    at,
                    Event::Abandon {
                        request,
                        generation,
                    },
                );
            }
        }
    }

    fn on_abandon(&mut self, request: u32) {
        let site = self.requests.site[request as usize];
        let arrived = self.requests.arrived[request as usize];
        self.release_request(request);
        self.leave_line(site);
        self.end_request(site, arrived, false);
    }

    /// Serves waiting riders, first come first served, while batteries are ready.
    fn serve_line(&mut self, site: u32) {
        let s = site as usize;
        while self.sites.ready[s] > 0 {
            let Some((request, generation)) = self.sites.rider_line[s].pop_front() else {
                return;
            };
            if self.requests.generation[request as usize] != generation {
                continue; // abandoned earlier
            }
            let arrived = self.requests.arrived[request as usize];
            self.release_request(request);
            self.leave_line(site);
            self.dispense(site);
            self.end_request(site, arrived, true);
        }
    }

    fn leave_line(&mut self, site: u32) {
        let s = site as usize;
        self.sites.waiting[s] -= 1;
        let level = f64::from(self.sites.waiting[s]);
        self.sites.tw_waiting[s].set(self.now, self.window_start, level);
    }

    /// Closes a request: served now, or lost now.
    fn end_request(&mut self, site: u32, arrived: Time, served: bool) {
        self.ended_total += 1;
        if arrived < self.window_start {
            return;
        }
        let c = &mut self.sites.counters[site as usize];
        let wait = self.now - arrived;
        c.ended += 1;
        c.queue_ms_sum += wait as f64;
        if served {
            c.served += 1;
            c.wait_ms_sum += wait as f64;
            if wait > 0 {
                c.served_after_wait += 1;
            }
            c.wait_hist.saturating_record(wait);
        } else {
            c.lost += 1;
        }
    }

    fn new_request(&mut self, site: u32) -> u32 {
        let r = &mut self.requests;
        let id = match r.free.pop() {
            Some(id) => id,
            None => {
                r.site.push(0);
                r.arrived.push(0);
                r.generation.push(0);
                r.alive.push(false);
                (r.site.len() - 1) as u32
            }
        };
        let i = id as usize;
        debug_assert!(!r.alive[i], "request {id} reused while alive");
        r.site[i] = site;
        r.arrived[i] = self.now;
        r.alive[i] = true;
        id
    }

    /// Ends a waiting request's life; its pending events and line entry go stale.
    fn release_request(&mut self, request: u32) {
        let r = &mut self.requests;
        let i = request as usize;
        debug_assert!(r.alive[i], "request {request} ended twice");
        r.alive[i] = false;
        r.generation[i] = r.generation[i].wrapping_add(1);
        r.free.push(request);
    }

    // ----- cabinets -----------------------------------------------------

    /// Hands the highest-SOC dispensable battery to a rider and charges the
    /// one handed in, in the same slot.
    fn dispense(&mut self, site: u32) {
        let s = site as usize;
        let first = self.sites.first_slot[s] as usize;
        let ready = &self.slots.ready_stack[first..first + self.sites.ready[s] as usize];
        debug_assert!(!ready.is_empty(), "dispense with no ready battery");
        let mut slot = ready[0];
        let mut best_soc = if ready.len() > 1 { self.current_soc(slot) } else { 0.0 };
        for &candidate in &ready[1..] {
            let soc = self.current_soc(candidate);
            // Ties go to the lower slot number, whatever the stack order.
            if soc > best_soc || (soc == best_soc && candidate < slot) {
                best_soc = soc;
                slot = candidate;
            }
        }
        let i = slot as usize;
        if self.slots.phase[i] == Phase::Charging {
            // Still tapering above the dispense threshold: stop here.
            self.settle_stage(slot);
            self.stop_charging(slot);
        }
        self.unmark_ready(slot);

        // Anonymous riders: the handed-in battery takes the dispensed one's
        // identity, so the site's stock is conserved by construction.
        let battery = self.slots.battery[i] as usize;
        self.batteries.soc[battery] = self.model.battery.return_soc;
        self.slots.phase[i] = Phase::Queued;
        self.request_power(slot);
    }

    /// SOC of the battery in `slot` at `now`.
    #[inline]
    fn current_soc(&self, slot: u32) -> f64 {
        let i = slot as usize;
        let battery = self.slots.battery[i] as usize;
        let soc = self.batteries.soc[battery];
        if self.slots.phase[i] != Phase::Charging {
            return soc;
        }
        let elapsed_h = (self.now - self.slots.stage_start[i]) as f64 / MS_PER_HOUR as f64;
        let gained = self.slots.power_w[i] * self.curve.efficiency() * elapsed_h
            / self.batteries.capacity_wh[battery];
        (soc + gained).min(self.slots.stage_soc_end[i])
    }

    /// Books the energy of the current stage up to `now` and moves the
    /// battery's SOC there; the stage then restarts at `now`.
    fn settle_stage(&mut self, slot: u32) {
        let i = slot as usize;
        let battery = self.slots.battery[i] as usize;
        let soc = self.current_soc(slot);
        let stored = (soc - self.batteries.soc[battery]) * self.batteries.capacity_wh[battery];
        self.stored_wh_total += stored;
        self.batteries.cycles[battery] += stored / self.batteries.capacity_wh[battery];
        self.batteries.soc[battery] = soc;
        self.slots.stage_start[i] = self.now;
    }

    /// Starts charging `slot` if the site's cap allows, else queues it.
    fn request_power(&mut self, slot: u32) {
        let s = self.slots.site[slot as usize] as usize;
        if self.sites.charging[s] < self.sites.cap[s] {
            self.sites.charging[s] += 1;
            let level = f64::from(self.sites.charging[s]);
            self.sites.tw_charging[s].set(self.now, self.window_start, level);
            self.slots.phase[slot as usize] = Phase::Charging;
            self.begin_stage(slot);
        } else {
            self.slots.phase[slot as usize] = Phase::Queued;
            self.sites.charge_line[s].push_back(slot);
        }
    }

    fn begin_stage(&mut self, slot: u32) {
        let i = slot as usize;
        let s = self.slots.site[i] as usize;
        let battery = self.slots.battery[i] as usize;
        let stage = self.curve.stage(
            self.batteries.soc[battery],
            self.batteries.capacity_wh[battery],
            &mut self.sites.rng_charge[s],
        );
        // Spread the stage's energy over its rounded length, so grid energy
        // stays exactly stored energy ÷ efficiency.
        let ms = hours_to_ms(stage.hours).max(1);
        let soc = self.batteries.soc[battery];
        let grid_wh = (stage.soc_end - soc) * self.batteries.capacity_wh[battery]
            * self.inv_efficiency;
        let power_w = grid_wh / (ms as f64 / MS_PER_HOUR as f64);
        let old = self.slots.power_w[i];
        self.set_slot_power(slot, power_w, old);
        self.slots.stage_start[i] = self.now;
        self.slots.stage_soc_end[i] = stage.soc_end;
        let at = self.now + ms;
        if at < self.horizon {
            let generation = self.slots.generation[i];
            self.queue.push(at, Event::StageEnd { slot, generation });
        }
    }

    fn set_slot_power(&mut self, slot: u32, new_w: f64, old_w: f64) {
        let i = slot as usize;
        let s = self.slots.site[i] as usize;
        self.slots.power_w[i] = new_w;
        if new_w != old_w {
            self.sites.tw_power[s].add(self.now, self.window_start, new_w - old_w);
            if cfg!(debug_assertions) {
                self.tw_power_all.add(self.now, 0, new_w - old_w);
            }
        }
    }

    fn on_stage_end(&mut self, slot: u32) {
        let i = slot as usize;
        let s = self.slots.site[i];
        let battery = self.slots.battery[i] as usize;
        // Close the stage exactly at its breakpoint (no rounding drift).
        let soc_end = self.slots.stage_soc_end[i];
        let stored = (soc_end - self.batteries.soc[battery]) * self.batteries.capacity_wh[battery];
        self.stored_wh_total += stored;
        self.batteries.cycles[battery] += stored / self.batteries.capacity_wh[battery];
        self.batteries.soc[battery] = soc_end;

        let became_ready =
            !self.slots.dispensable[i] && soc_end >= self.model.battery.dispense_soc - 1e-12;
        if soc_end >= 1.0 {
            self.stop_charging(slot);
            self.slots.phase[i] = Phase::Idle;
        } else {
            self.begin_stage(slot);
        }
        if became_ready {
            self.mark_ready(slot);
            self.serve_line(s);
        }
    }

    fn mark_ready(&mut self, slot: u32) {
        let i = slot as usize;
        let s = self.slots.site[i] as usize;
        debug_assert!(!self.slots.dispensable[i]);
        self.slots.dispensable[i] = true;
        let top = self.sites.ready[s];
        let first = self.sites.first_slot[s] as usize;
        self.slots.ready_stack[first + top as usize] = slot;
        self.slots.ready_pos[i] = top;
        self.sites.ready[s] = top + 1;
        self.sites.tw_ready[s].set(self.now, self.window_start, f64::from(top + 1));
    }

    fn unmark_ready(&mut self, slot: u32) {
        let i = slot as usize;
        let s = self.slots.site[i] as usize;
        debug_assert!(self.slots.dispensable[i]);
        self.slots.dispensable[i] = false;
        let first = self.sites.first_slot[s] as usize;
        let top = self.sites.ready[s] - 1;
        let pos = self.slots.ready_pos[i];
        let last = self.slots.ready_stack[first + top as usize];
        self.slots.ready_stack[first + pos as usize] = last;
        self.slots.ready_pos[last as usize] = pos;
        self.slots.ready_pos[i] = NONE;
        self.sites.ready[s] = top;
        self.sites.tw_ready[s].set(self.now, self.window_start, f64::from(top));
    }

    /// Ends the charge in `slot`: no power, a stale pending stage event, and
    /// the cap token goes to the next queued slot.
    fn stop_charging(&mut self, slot: u32) {
        let i = slot as usize;
        let s = self.slots.site[i] as usize;
        debug_assert_eq!(self.slots.phase[i], Phase::Charging);
        self.slots.generation[i] = self.slots.generation[i].wrapping_add(1);
        let old = self.slots.power_w[i];
        self.set_slot_power(slot, 0.0, old);
        self.slots.phase[i] = Phase::Idle;
        self.sites.charging[s] -= 1;
        let level = f64::from(self.sites.charging[s]);
        self.sites.tw_charging[s].set(self.now, self.window_start, level);
        if let Some(next) = self.sites.charge_line[s].pop_front() {
            self.request_power(next);
        }
    }

    // ----- the end --------------------------------------------------------

    fn finish(mut self) -> Replication {
        let now = self.horizon;
        let ws = self.window_start;
        // Book partial stages so the energy balance closes at the horizon.
        for slot in 0..self.slots.site.len() {
            if self.slots.phase[slot] == Phase::Charging {
                self.settle_stage(slot as u32);
            }
        }
        let n_sites = self.model.sites.len();
        for s in 0..n_sites {
            let sites = &mut self.sites;
            sites.tw_ready[s].close(now, ws);
            sites.tw_charging[s].close(now, ws);
            sites.tw_waiting[s].close(now, ws);
            sites.tw_power[s].close(now, ws);
            let c = &mut sites.counters[s];
            c.ready_area = sites.tw_ready[s].area();
            c.charging_area = sites.tw_charging[s].area();
            c.waiting_area = sites.tw_waiting[s].area();
            c.energy_wh = sites.tw_power[s].area() / MS_PER_HOUR as f64;
            c.peak_w = sites.tw_power[s].max();
        }
        self.check_conservation();
        Replication {
            sites: self.sites.counters,
            window_ms: self.horizon - self.window_start,
            events: self.events,
        }
    }

    /// Debug-build invariants: batteries counted once, every request ended
    /// exactly once or still waiting, grid energy = stored ÷ efficiency.
    fn check_conservation(&self) {
        if !cfg!(debug_assertions) {
            return;
        }
        // Each battery sits in exactly one slot, and that slot points back.
        let mut seen = vec![false; self.batteries.slot.len()];
        for (slot, &b) in self.slots.battery.iter().enumerate() {
            if b != NONE {
                assert!(!seen[b as usize], "battery {b} in two slots");
                seen[b as usize] = true;
                assert_eq!(self.batteries.slot[b as usize], slot as u32);
            }
        }
        assert!(seen.iter().all(|&x| x), "a battery is missing from every slot");
        let waiting: u64 = self.sites.waiting.iter().map(|&w| u64::from(w)).sum();
        let alive = self.requests.alive.iter().filter(|&&a| a).count() as u64;
        assert_eq!(waiting, alive, "waiting riders vs live requests");
        assert_eq!(
            self.arrivals_total,
            self.ended_total + waiting,
            "every request ends exactly once"
        );
        for s in 0..self.model.sites.len() {
            let dispensable = self.slots_of(s).filter(|&i| self.slots.dispensable[i]).count();
            assert_eq!(dispensable as u32, self.sites.ready[s], "ready count");
            let first = self.sites.first_slot[s] as usize;
            for &slot in &self.slots.ready_stack[first..first + dispensable] {
                assert!(self.slots.dispensable[slot as usize], "stale ready stack");
            }
            let charging = self
                .slots_of(s)
                .filter(|&i| self.slots.phase[i] == Phase::Charging)
                .count();
            assert_eq!(charging as u32, self.sites.charging[s], "charging count");
        }
        let mut all = self.tw_power_all;
        all.close(self.horizon, 0);
        let grid_wh = all.area() / MS_PER_HOUR as f64;
        let rel = (grid_wh * self.curve.efficiency() - self.stored_wh_total).abs()
            / self.stored_wh_total.max(1.0);
        assert!(rel < 1e-6, "energy balance off by {rel}");
    }

    fn slots_of(&self, site: usize) -> std::ops::Range<usize> {
        let first = self.sites.first_slot[site] as usize;
        first..first + self.sites.n_slots[site] as usize
    }
}

/// Rounds a duration in hours to the nearest millisecond.
#[inline]
fn hours_to_ms(hours: f64) -> Time {
    debug_assert!(hours >= 0.0);
    // `f64::round` is a libm call on the hot path; for non-negative values
    // adding one half and truncating is the same rounding (ties away from 0).
    (hours * MS_PER_HOUR as f64 + 0.5) as Time
}
