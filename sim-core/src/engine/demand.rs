//! Swap demand: analytic Poisson arrivals, riders and their trips, cabinet
//! choice, the waiting line and the fallback to home charging.

use rand::RngExt;
use rand_distr::{Distribution, Exp1};

use super::setup::{HOUR, hour_of_day, pick, pick_hour};
use super::{Event, NONE, Sim, Waiting, hours_to_ms};
use crate::model::{ChoicePolicy, Patience, Strategy};
use crate::reach::distance_m;
use crate::rng::{Purpose, key, stream2};
use crate::{MAX_TRIPS_PER_DAY, MS_PER_DAY, Time};

impl Sim<'_> {
    // ----- analytic demand ------------------------------------------------

    /// Always inlined (one call per arrival): M/M/10 10.5 instructions per
    /// event fewer than a call.
    #[inline(always)]
    pub(super) fn schedule_arrival(&mut self, site: u32) {
        let s = site as usize;
        let clock = &mut self.sites.arrivals[s];
        let mean_gap_h = clock.mean_gap_h;
        if mean_gap_h <= 0.0 {
            return;
        }
        let gap: f64 = Exp1.sample(&mut clock.rng);
        clock.next_h += gap * mean_gap_h;
        let t = hours_to_ms(clock.next_h);
        if t < self.horizon {
            self.queue.push(t, Event::Arrival { site });
        }
    }

    pub(super) fn on_arrival(&mut self, site: u32) {
        self.schedule_arrival(site);
        let counted = self.request_arises(site);
        self.at_cabinet(site, site, NONE, counted);
    }

    /// Books a new request at its origin; returns whether it is measured.
    fn request_arises(&mut self, origin: u32) -> bool {
        self.arrivals_total += 1;
        let counted = self.now >= self.window_start;
        if counted {
            let c = &mut self.sites.counters[origin as usize];
            c.requests += 1;
            if self.keep_history {
                c.requests_by_hour[hour_of_day(self.now)] += 1;
            }
        }
        counted
    }

    fn count_stockout(&mut self, origin: u32) {
        let c = &mut self.sites.counters[origin as usize];
        c.stockouts += 1;
        if self.keep_history {
            c.stockouts_by_hour[hour_of_day(self.now)] += 1;
        }
    }

    // ----- riders ---------------------------------------------------------

    /// Schedules the rider's next swap need, from `from` on.
    pub(super) fn schedule_need(&mut self, rider: u32, from: Time) {
        if let Some((t, soc)) = self.next_need(rider, from) {
            self.riders[rider as usize].need_soc = soc;
            self.queue.push(t, Event::SwapNeed { rider });
        }
    }

    /// When the rider's battery next falls below the threshold: the end of
    /// the trip that crosses it. Trips that change nothing get no event;
    /// they are drawn here, day by day, from a stream per (rider, day).
    /// Returns the time and the battery's SOC then.
    fn next_need(&self, rider: u32, from: Time) -> Option<(Time, f64)> {
        let r = rider as usize;
        let trip_wh = self.riders[r].trip_wh;
        if trip_wh <= 0.0 {
            return None;
        }
        let plan = &self.groups[self.riders[r].group as usize];
        let charge = &self.riders[r].charge;
        let mut budget_wh = (charge.soc - self.riders[r].threshold_soc) * charge.capacity_wh;
        let mut day = from / MS_PER_DAY;
        let mut times = [0 as Time; MAX_TRIPS_PER_DAY];
        loop {
            let day_start = day * MS_PER_DAY;
            if day_start >= self.horizon {
                return None;
            }
            // Day 0 is a Monday.
            let weekend = day % 7 >= 5;
            let (has_trips, cum) = if weekend {
                (plan.has_weekend_trips, &plan.cum_weekend)
            } else {
                (plan.has_weekday_trips, &plan.cum_weekday)
            };
            if has_trips {
                let mut rng = stream2(
                    self.model.seed,
                    self.replication,
                    Purpose::Trips,
                    key(&[self.riders[r].key, day]),
                );
                let n = if weekend {
                    plan.trips_weekend.sample(&mut rng)
                } else {
                    plan.trips_weekday.sample(&mut rng)
                };
                let n = (n as usize).min(MAX_TRIPS_PER_DAY);
                for t in &mut times[..n] {
                    let hour = pick_hour(cum, rng.random::<f64>());
                    let within = (rng.random::<f64>() * HOUR as f64) as Time;
                    *t = day_start + hour * HOUR + within;
                }
                times[..n].sort_unstable();
                for &t in &times[..n] {
                    if t < from {
                        continue;
                    }
                    budget_wh -= trip_wh;
                    if budget_wh < 0.0 {
                        let at = t + self.riders[r].trip_ms;
                        let capacity = self.riders[r].charge.capacity_wh;
                        let soc = (self.riders[r].threshold_soc + budget_wh / capacity).max(0.0);
                        return (at < self.horizon).then_some((at, soc));
                    }
                }
            }
            day += 1;
        }
    }

    /// The rider needs a swap where they are now.
    pub(super) fn on_swap_need(&mut self, rider: u32) {
        let r = rider as usize;
        // The trips since the last swap drained the battery to here.
        self.riders[r].charge.soc = self.riders[r].need_soc;
        let group = self.riders[r].group as usize;
        let origin = if self.groups[group].works_across_district {
            let u = self.rider_rare[r].workplace.random::<f64>();
            pick(&self.work_cum, u).unwrap_or(self.riders[r].home)
        } else {
            self.riders[r].home
        };
        if !self.outside.is_empty() && self.outside[origin as usize] {
            // Outside a planner's sub-model: a full battery, at once.
            self.riders[r].charge.soc = 1.0;
            self.schedule_need(rider, self.now);
            return;
        }
        let counted = self.request_arises(origin);
        self.riders[r].origin = origin;
        self.riders[r].counted = counted;
        let Some((site, distance_m, nearest_m)) = self.choose_cabinet(origin) else {
            // No cabinet within reach: a stockout and a lost swap at once.
            if counted {
                self.count_stockout(origin);
            }
            self.end_request(origin, counted, 0, None, false);
            self.fall_back(rider);
            return;
        };
        let speed = self.groups[group].speed_kmh.max(1.0);
        let ride_ms = |m: f64| {
            if m > 0.0 {
                hours_to_ms(m / 1000.0 / speed).max(1)
            } else {
                0
            }
        };
        // The swap delay runs from when the nearest cabinet could be
        // reached: only the detour beyond it counts.
        self.riders[r].need_at = self.now + ride_ms(nearest_m);
        if distance_m <= 0.0 {
            self.at_cabinet(site, origin, rider, counted);
        } else {
            let at = self.now + ride_ms(distance_m);
            if at < self.horizon {
                self.in_transit += 1;
                self.queue.push(at, Event::ReachCabinet { rider, site });
            } else {
                // The run ends on the way: the request stays open.
                self.in_transit += 1;
            }
        }
    }

    pub(super) fn on_reach_cabinet(&mut self, rider: u32, site: u32) {
        self.in_transit -= 1;
        let r = rider as usize;
        let (origin, counted) = (self.riders[r].origin, self.riders[r].counted);
        self.at_cabinet(site, origin, rider, counted);
    }

    /// The cabinet site a rider at `origin` heads for, with its distance
    /// and the distance of the nearest cabinet site \[m\].
    fn choose_cabinet(&self, origin: u32) -> Option<(u32, f64, f64)> {
        let reach = self.reach.of(origin);
        let nearest = *reach.first()?;
        let site = match self.model.riders.choice.policy {
            ChoicePolicy::Home | ChoicePolicy::Nearest => nearest,
            // The app shows live stock and the line: the nearest site with
            // a battery for everyone in line and room to join it.
            ChoicePolicy::AppInformed => reach
                .iter()
                .copied()
                .find(|&s| {
                    let s = s as usize;
                    self.sites.live[s].ready > self.sites.live[s].waiting
                        && self.present(s) < self.sites.live[s].max_present
                })
                .unwrap_or(nearest),
        };
        let nearest_m = distance_m(self.model, origin, nearest);
        let distance_m = if site == nearest {
            nearest_m
        } else {
            distance_m(self.model, origin, site)
        };
        Some((site, distance_m, nearest_m))
    }

    /// Riders at `site`: waiting in line or at a door.
    #[inline]
    fn present(&self, site: usize) -> u32 {
        let live = &self.sites.live[site];
        live.waiting + live.busy_doors
    }

    /// Whether the head of the line could start a swap now.
    #[inline]
    fn can_start(&self, site: usize) -> bool {
        let live = &self.sites.live[site];
        live.ready > 0 && (self.instant_swaps || live.busy_doors < self.sites.live[site].n_doors)
    }

    // ----- at the cabinet -------------------------------------------------

    /// A request reaches the cabinets of `site`. The rider balks at a full
    /// site, starts a swap at once when nobody is in line and a door and a
    /// battery are free, and otherwise waits in line as patience allows.
    fn at_cabinet(&mut self, site: u32, origin: u32, rider: u32, counted: bool) {
        let s = site as usize;
        if self.keep_history {
            self.sites.history[s][hour_of_day(self.now)] += 1;
        }
        if self.present(s) >= self.sites.live[s].max_present {
            if counted {
                self.sites.counters[origin as usize].balked += 1;
            }
            self.end_request(origin, counted, 0, None, false);
            self.fall_back(rider);
            return;
        }
        if self.sites.live[s].waiting == 0 && self.can_start(s) {
            self.start_swap(site, origin, rider, counted, self.now);
            return;
        }
        // With more ready batteries than riders ahead, the rider's battery
        // is sure (the line is served in order and stock only grows until
        // their turn): they wait for a door, however impatient. Otherwise
        // it is a stockout and patience decides.
        let covered = self.sites.live[s].ready > self.sites.live[s].waiting;
        if counted && !covered {
            self.count_stockout(origin);
        }
        let patience_ms = if covered {
            Time::MAX
        } else if rider == NONE {
            match self.sites.live[s].patience {
                Patience::None => 0,
                Patience::Infinite => Time::MAX,
                Patience::Exponential { mean_minutes } => {
                    let e: f64 = Exp1.sample(&mut self.sites.rng_patience[s]);
                    hours_to_ms(e * mean_minutes / 60.0)
                }
            }
        } else {
            self.rider_rare[rider as usize].patience_ms
        };
        if patience_ms == 0 {
            self.end_request(origin, counted, 0, None, false);
            self.fall_back(rider);
            return;
        }
        let mut waiting = Waiting {
            joined: self.now,
            origin,
            rider,
            request: NONE,
            generation: 0,
            counted,
        };
        if patience_ms != Time::MAX {
            // The rider may leave: a request an `Abandon` can end.
            let request = self.new_request(origin, site, rider, counted);
            let generation = self.requests.generation[request as usize];
            (waiting.request, waiting.generation) = (request, generation);
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
        self.sites.rider_line[s].push_back(waiting);
        let (now, live) = (self.now, &mut self.sites.live[s]);
        live.waiting += 1;
        live.tw_waiting.set(now, live.waiting);
    }

    /// Starts a swap for a rider who reached the cabinets at `joined`: the
    /// request is served now, the battery is reserved, and the rider holds
    /// a door for the swap time (an instant swap hands over at once).
    /// Always inlined into its two callers (a rider reaching the cabinets,
    /// the line moving up): M/M/10 3 instructions per event fewer.
    #[inline(always)]
    fn start_swap(&mut self, site: u32, origin: u32, rider: u32, counted: bool, joined: Time) {
        let slot = self.reserve_battery(site);
        self.swap_from(site, slot, origin, rider, counted, joined);
    }

    /// [`Sim::start_swap`] with the battery in `slot` already reserved.
    #[inline(always)]
    fn swap_from(
        &mut self,
        site: u32,
        slot: u32,
        origin: u32,
        rider: u32,
        counted: bool,
        joined: Time,
    ) {
        let s = site as usize;
        // An anonymous analytic rider has no ride: the delay is the wait.
        let delay_ms =
            (rider != NONE).then(|| self.now.saturating_sub(self.riders[rider as usize].need_at));
        self.end_request(origin, counted, self.now - joined, delay_ms, true);
        if self.now >= self.window_start {
            self.sites.counters[s].swaps_here += 1;
            if rider != NONE {
                let g = self.riders[rider as usize].group as usize;
                self.group_swaps[g] += 1;
            }
        }
        let swap_ms = if self.instant_swaps {
            0
        } else {
            let seconds = crate::sample::sample_dist(
                &self.model.cabinet.swap_seconds,
                &mut self.sites.rng_swap[s],
            );
            hours_to_ms(seconds.max(0.0) / 3600.0)
        };
        if swap_ms == 0 {
            self.hand_over(slot, rider);
            if rider != NONE {
                self.schedule_need(rider, self.now);
            }
        } else {
            self.occupy_door(site, slot, rider, self.now + swap_ms);
        }
    }

    pub(super) fn on_abandon(&mut self, request: u32) {
        let i = request as usize;
        let (origin, cabinet, rider) = (
            self.requests.origin[i],
            self.requests.cabinet[i],
            self.requests.rider[i],
        );
        let (joined, counted) = (self.requests.joined[i], self.requests.counted[i]);
        self.release_request(request);
        self.leave_line(cabinet);
        self.drop_left(cabinet);
        self.end_request(origin, counted, self.now - joined, None, false);
        self.fall_back(rider);
    }

    /// Drops the entries of riders who left `site`'s line once they are
    /// most of it. They stay until the line reaches them otherwise, and a
    /// line that does not move (no battery ready) held every request of
    /// the run: 100,000 couriers at a site whose batteries never charged
    /// took 40 MB in 2 days past the resource estimate (found by
    /// `tests/fuzz.rs`). So a line holds at most about twice its riders;
    /// each drop is paid for by as many abandonments, and the order of
    /// those still waiting stays as it was.
    fn drop_left(&mut self, site: u32) {
        let s = site as usize;
        let line = &mut self.sites.rider_line[s];
        if line.len() <= 2 * self.sites.live[s].waiting as usize + 64 {
            return;
        }
        let generation = &self.requests.generation;
        line.retain(|w| w.request == NONE || generation[w.request as usize] == w.generation);
    }

    /// Starts swaps for waiting riders, first come first served, while a
    /// door and a battery are free.
    pub(super) fn serve_line(&mut self, site: u32) {
        let s = site as usize;
        while self.can_start(s) {
            let Some(w) = self.take_head(site) else {
                return;
            };
            self.start_swap(site, w.origin, w.rider, w.counted, w.joined);
        }
    }

    /// Takes the first rider still in `site`'s line out of it (entries of
    /// riders who left earlier are dropped on the way), for a swap to
    /// start; `None` when nobody is left.
    #[inline(always)]
    fn take_head(&mut self, site: u32) -> Option<Waiting> {
        while let Some(w) = self.sites.rider_line[site as usize].pop_front() {
            if w.request != NONE {
                if self.requests.generation[w.request as usize] != w.generation {
                    continue; // left earlier
                }
                self.release_request(w.request);
            }
            self.leave_line(site);
            return Some(w);
        }
        None
    }

    /// A battery in `slot` of `site` has just charged full, with riders in
    /// line and no other battery ready: the head of the line gets it
    /// straight away, as `mark_ready` and `serve_line` would give it (the
    /// dispense rule has one candidate), without putting it on the ready
    /// stack and taking it off again at the same instant (M/M/10: two
    /// riders in three are served so; the counts and integrals are the
    /// same, to the bit). Returns whether a rider took it; `false` when
    /// the fast path does not apply or every entry in line had left.
    ///
    /// It applies when a swap could start but for the battery (no swap
    /// time, or a free door; then no other battery is ready either, or
    /// the line would have moved), and nothing done in between by the
    /// long way depends on the battery having been ready: no charge waits
    /// in line that taking a ready battery would start (`unmark_ready`
    /// re-checks the line under the reserve strategies). Both guards are
    /// conservative: `a_battery_handed_straight_to_the_line_changes_nothing`
    /// compares the two ways under every strategy.
    #[inline(always)]
    pub(super) fn hand_straight(&mut self, site: u32, slot: u32) -> bool {
        #[cfg(test)]
        if !super::tests::HAND_STRAIGHT_IN_TEST.with(std::cell::Cell::get) {
            return false;
        }
        let s = site as usize;
        let live = &self.sites.live[s];
        if live.ready != 0
            || live.waiting == 0
            || !(self.instant_swaps || live.busy_doors < live.n_doors)
            || !(matches!(self.strategy, Strategy::Immediate)
                || self.sites.charge_line[s].is_empty())
        {
            return false;
        }
        let Some(w) = self.take_head(site) else {
            return false;
        };
        self.swap_from(site, slot, w.origin, w.rider, w.counted, w.joined);
        #[cfg(test)]
        super::tests::HANDED_STRAIGHT.with(|c| c.set(c.get() + 1));
        true
    }

    fn leave_line(&mut self, site: u32) {
        let s = site as usize;
        let (now, live) = (self.now, &mut self.sites.live[s]);
        live.waiting -= 1;
        live.tw_waiting.set(now, live.waiting);
    }

    /// Closes a request at its origin: served (a swap starts) after
    /// `queued_ms` in line and a swap delay of `delay_ms` (`None`: the
    /// same as the wait), or lost after `queued_ms` in line.
    /// Always inlined: M/M/10 4.7 instructions per event fewer.
    #[inline(always)]
    fn end_request(
        &mut self,
        origin: u32,
        counted: bool,
        queued_ms: Time,
        delay_ms: Option<Time>,
        served: bool,
    ) {
        self.ended_total += 1;
        if !counted {
            return;
        }
        let c = &mut self.sites.counters[origin as usize];
        c.ended += 1;
        c.queue_ms_sum += crate::ms_f64(queued_ms);
        if served {
            c.served += 1;
            c.wait_ms_sum += crate::ms_f64(queued_ms);
            if queued_ms > 0 {
                c.served_after_wait += 1;
            }
            // Zero waits and delays, the common case, go in at once in
            // `finish`; so do the waits that are also delays.
            match delay_ms {
                None => {
                    c.delay_ms_sum += crate::ms_f64(queued_ms);
                    if queued_ms > 0 {
                        c.served_after_delay += 1;
                        self.sites.same_delay[origin as usize].record(queued_ms);
                    }
                }
                Some(delay_ms) => {
                    if queued_ms > 0 {
                        self.sites.waits[origin as usize].record(queued_ms);
                    }
                    c.delay_ms_sum += crate::ms_f64(delay_ms);
                    if delay_ms > 0 {
                        c.served_after_delay += 1;
                        self.sites.delays[origin as usize].record(delay_ms);
                    }
                }
            }
        } else {
            c.lost += 1;
        }
    }

    fn new_request(&mut self, origin: u32, cabinet: u32, rider: u32, counted: bool) -> u32 {
        let r = &mut self.requests;
        let id = match r.free.pop() {
            Some(id) => id,
            None => {
                r.origin.push(0);
                r.cabinet.push(0);
                r.rider.push(NONE);
                r.joined.push(0);
                r.counted.push(false);
                r.generation.push(0);
                r.alive.push(false);
                (r.origin.len() - 1) as u32
            }
        };
        let i = id as usize;
        debug_assert!(!r.alive[i], "request {id} reused while alive");
        r.origin[i] = origin;
        r.cabinet[i] = cabinet;
        r.rider[i] = rider;
        r.joined[i] = self.now;
        r.counted[i] = counted;
        r.alive[i] = true;
        id
    }

    /// Ends a waiting request's life; its pending events and line entry go stale.
    fn release_request(&mut self, request: u32) {
        let r = &mut self.requests;
        let i = request as usize;
        debug_assert!(r.alive[i], "request {request} ended twice");
        r.alive[i] = false;
        r.generation[i] = super::next_generation(r.generation[i]);
        r.free.push(request);
    }

    // ----- fallback ---------------------------------------------------------

    /// "Swap first, charge second": an unserved rider charges at home, on a
    /// free pile port of the home site, else by flying wire, and rides on
    /// once the bike is unplugged.
    fn fall_back(&mut self, rider: u32) {
        if rider == NONE {
            return;
        }
        let r = rider as usize;
        let home = self.riders[r].home;
        let dwell_h = crate::sample::sample_dist(
            &self.model.riders.home.dwell_hours,
            &mut self.rider_rare[r].fallback,
        )
        .max(0.1);
        let dwell_ms = hours_to_ms(dwell_h);
        let capacity = self.riders[r].charge.capacity_wh;
        let wanted_wh = (1.0 - self.riders[r].charge.soc) * capacity;
        let stored_wh = self.home_charge(home, wanted_wh, dwell_ms);
        let charge = &mut self.riders[r].charge;
        charge.soc = (charge.soc + stored_wh / capacity).min(1.0);
        charge.cycles += stored_wh / capacity;
        self.schedule_need(rider, self.now + dwell_ms);
    }
}
