//! Cabinets: dispensing, the charge line, charge stages and the charging
//! strategies.

use super::{Charge, Charger, Event, NONE, Phase, Sim, Slot, hours_to_ms};
use crate::model::{DispenseRule, Strategy};
use crate::{MS_PER_HOUR, Time};

/// Load kinds of a site, as indices into `Live::load`.
pub(super) const CABINETS: usize = 0;

impl Sim<'_> {
    /// Reserves a dispensable battery for a swap by the dispense rule:
    /// stops its charge, takes it off the ready stack and returns its slot.
    /// The battery stays in its slot until the swap ends.
    pub(super) fn reserve_battery(&mut self, site: u32) -> u32 {
        let s = site as usize;
        let first = self.sites.live[s].first_slot as usize;
        let live = &self.sites.live[s];
        let ready = &self.ready_stack[first..first + live.ready as usize];
        debug_assert!(!ready.is_empty(), "swap with no ready battery");
        let slot = if ready.len() > 1 {
            self.pick_ready(ready, live.settled as usize)
        } else {
            ready[0]
        };
        match self.slots[slot as usize].phase {
            // Still tapering above the dispense threshold: stop here.
            Phase::Charging => {
                self.settle_stage(slot);
                self.halt_charge(slot);
            }
            // Ready but waiting to finish its charge (paused, or handed in
            // nearly full): leave the line.
            Phase::Queued => {
                let line = &mut self.sites.charge_line[s];
                if let Some(k) = line.iter().position(|&x| x == slot) {
                    line.remove(k);
                }
                self.slots[slot as usize].phase = Phase::Idle;
            }
            Phase::Idle | Phase::Empty => {}
        }
        self.unmark_ready(slot);
        slot
    }

    /// Ends a swap: the battery reserved in `slot` goes to `rider` (`NONE`
    /// = anonymous analytic rider) and the rider's battery, checked by the
    /// cabinet, goes on charge.
    pub(super) fn hand_over(&mut self, slot: u32, rider: u32) {
        let i = slot as usize;
        let fade = self.model.battery.fade_per_cycle;
        if fade > 0.0 {
            let charge = &mut self.slots[i].charge;
            let health = (1.0 - fade * charge.cycles).max(0.05);
            charge.capacity_wh = self.model.battery.capacity_wh * health;
        }
        if rider == NONE {
            // Anonymous riders: the handed-in battery takes the dispensed
            // one's identity, so the site's stock is conserved by construction.
            self.slots[i].charge.soc = self.model.battery.return_soc;
        } else {
            // The returned battery went into an empty compartment and the
            // full one left another; slots of a site are interchangeable,
            // so the returned battery takes the freed slot, and each
            // battery's charge goes with it.
            let out = self.slot_battery[i] as usize;
            let r = &mut self.riders[rider as usize];
            let incoming = r.battery as usize;
            let leaving = Charge::take(&mut self.slots[i].charge);
            self.slots[i].charge = std::mem::replace(&mut r.charge, leaving);
            r.battery = out as u32;
            self.slot_battery[i] = incoming as u32;
            self.batteries[incoming].slot = slot;
            self.batteries[incoming].rider = NONE;
            self.batteries[out].slot = NONE;
            self.batteries[out].rider = rider;
        }
        self.slots[i].phase = Phase::Empty;
        self.enqueue_charge(slot);
    }

    /// Occupies a free door of `site` with a swap of the battery in `slot`
    /// until `until`.
    pub(super) fn occupy_door(&mut self, site: u32, slot: u32, rider: u32, until: Time) {
        let s = site as usize;
        let first = self.sites.first_door[s] as usize;
        let n = self.sites.live[s].n_doors as usize;
        let door = first
            + self.door_slot[first..first + n]
                .iter()
                .position(|&x| x == NONE)
                .expect("a swap starts only at a free door");
        self.door_slot[door] = slot;
        self.door_rider[door] = rider;
        let (now, live) = (self.now, &mut self.sites.live[s]);
        live.busy_doors += 1;
        live.tw_busy.set(now, live.busy_doors);
        if until < self.horizon {
            self.queue.push(until, Event::SwapEnd { door: door as u32 });
        }
    }

    pub(super) fn on_swap_end(&mut self, door: u32) {
        let d = door as usize;
        let (slot, rider) = (self.door_slot[d], self.door_rider[d]);
        debug_assert_ne!(slot, NONE, "a free door's swap ended");
        let site = self.slots[slot as usize].site;
        self.door_slot[d] = NONE;
        self.door_rider[d] = NONE;
        let s = site as usize;
        let (now, live) = (self.now, &mut self.sites.live[s]);
        live.busy_doors -= 1;
        live.tw_busy.set(now, live.busy_doors);
        self.hand_over(slot, rider);
        if rider != NONE {
            self.schedule_need(rider, self.now);
        }
        self.serve_line(site);
    }

    /// The ready slot the dispense rule picks from `ready`: the highest SOC
    /// now, or the fewest cycles; ties go to the lower slot number,
    /// whatever the stack order. A district site offers dozens of ready
    /// batteries to every swap, so what does not change from one
    /// candidate to the next is read once, outside the loop.
    fn pick_ready(&self, ready: &[u32], settled: usize) -> u32 {
        let slots = &self.slots[..];
        let (now, inv_efficiency) = (self.now, self.inv_efficiency);
        match self.model.cabinet.dispense {
            DispenseRule::HighestSoc => {
                // The settled batteries all score 1.0: of them only the
                // lowest slot can win. The winner is the highest score,
                // ties to the lower slot, in whatever order the candidates
                // are read, so the split picks what one scan of all would.
                let score = |slot: u32| soc_now(&slots[slot as usize], now, inv_efficiency);
                if settled == 0 {
                    return best_of(ready, score);
                }
                let (full, others) = ready.split_at(settled);
                debug_assert!(full.iter().all(|&slot| self.is_settled(slot)));
                match (full.iter().copied().min(), others.is_empty()) {
                    (None, _) => best_of(others, score),
                    (Some(lowest), true) => lowest,
                    (Some(lowest), false) => {
                        let other = best_of(others, score);
                        let x = score(other);
                        if x > 1.0 || (x == 1.0 && other < lowest) {
                            other
                        } else {
                            lowest
                        }
                    }
                }
            }
            DispenseRule::LeastCycled => best_of(ready, |slot| -slots[slot as usize].charge.cycles),
        }
    }

    /// SOC of the battery in `slot` at `now`.
    #[inline]
    pub(super) fn current_soc(&self, slot: u32) -> f64 {
        soc_now(&self.slots[slot as usize], self.now, self.inv_efficiency)
    }

    /// Books the energy of the current stage up to `now` and moves the
    /// battery's SOC there; the stage then restarts at `now`.
    pub(super) fn settle_stage(&mut self, slot: u32) {
        let i = slot as usize;
        let soc = self.current_soc(slot);
        self.book_stored(slot, soc);
        self.slots[i].stage_start = self.now;
    }

    /// Moves the charge of the battery in `slot` to `soc`, booking the
    /// energy stored.
    fn book_stored(&mut self, slot: u32, soc: f64) {
        let charge = &mut self.slots[slot as usize].charge;
        let capacity = charge.capacity_wh;
        let stored = (soc - charge.soc) * capacity;
        charge.cycles += stored / capacity;
        charge.soc = soc;
        self.stored_wh_total += stored;
    }

    /// A battery was put in `slot`: it joins the site's charge line.
    fn enqueue_charge(&mut self, slot: u32) {
        let i = slot as usize;
        let s = self.slots[i].site;
        let soc = self.slots[i].charge.soc;
        if soc >= self.dispensable_from {
            self.mark_ready(slot);
        }
        if soc >= 1.0 - 1e-12 {
            self.slots[i].phase = Phase::Idle;
            return;
        }
        if self.sites.charge_line[s as usize].is_empty() && self.may_start(slot) {
            self.start_charging(slot);
            return;
        }
        self.slots[i].phase = Phase::Queued;
        self.sites.charge_line[s as usize].push_back(slot);
        self.try_start(s);
    }

    /// Starts queued charges, first in first out, while the cap and the
    /// strategy allow.
    pub(super) fn try_start(&mut self, site: u32) {
        let s = site as usize;
        while let Some(&slot) = self.sites.charge_line[s].front() {
            if !self.may_start(slot) {
                return;
            }
            self.sites.charge_line[s].pop_front();
            self.start_charging(slot);
        }
    }

    // Inlining this and the helpers marked below saved 10 to 40
    // instructions per M/M/10 event (`.ci/perf-guard`) each; the others
    // (`begin_stage`, `hand_over`, `add_load`) cost more inlined than called.
    #[inline(always)]
    fn may_start(&self, slot: u32) -> bool {
        let s = self.slots[slot as usize].site as usize;
        if self.sites.live[s].charging >= self.sites.live[s].cap {
            return false;
        }
        match self.strategy {
            Strategy::Immediate => true,
            Strategy::OffPeakWithReserve { .. } => {
                self.in_valley()
                    || self.sites.live[s].ready + self.sites.live[s].charging
                        < self.sites.reserve[s]
            }
            Strategy::GridCapped => {
                let t = self.sites.live[s].transformer;
                if t == NONE {
                    return true;
                }
                let charge = &self.slots[slot as usize].charge;
                let p = self.sites.chargers[s]
                    .curve
                    .nominal_power_w(charge.soc, charge.capacity_wh);
                let t = t as usize;
                self.transformers.tw_total[t].level() + p <= self.transformers.limit_w[t] + 1e-6
            }
        }
    }

    #[inline]
    fn start_charging(&mut self, slot: u32) {
        let s = self.slots[slot as usize].site as usize;
        // A slot not ready has no position (`NONE`).
        if self.slots[slot as usize].ready_pos < self.sites.live[s].settled {
            // Its score moves with its charge now.
            self.unsettle_ready(slot);
        }
        let (now, live) = (self.now, &mut self.sites.live[s]);
        live.charging += 1;
        live.tw_charging.set(now, live.charging);
        self.slots[slot as usize].phase = Phase::Charging;
        self.begin_stage(slot);
    }

    fn begin_stage(&mut self, slot: u32) {
        let i = slot as usize;
        let s = self.slots[i].site as usize;
        let Charge {
            soc,
            capacity_wh: capacity,
            ..
        } = self.slots[i].charge;
        let Charger { curve, rng } = &mut self.sites.chargers[s];
        let stage = curve.stage(soc, capacity, rng);
        let ms = hours_to_ms(stage.hours).max(1);
        let power_w = if self.staged {
            // Spread the stage's energy over its rounded length, so grid
            // energy stays exactly stored energy ÷ efficiency.
            let grid_wh = (stage.soc_end - soc) * capacity * self.inv_efficiency;
            grid_wh * MS_PER_HOUR as f64 / ms as f64
        } else {
            // Analytic durations are random (a 10-second "charge" would draw
            // megawatts): draw the mean power instead, so energy is right
            // on average and load peaks stay physical.
            curve.nominal_power_w(soc, capacity)
        };
        // The slot's fields written through one borrow, after the draw.
        let now = self.now;
        let x = &mut self.slots[i];
        x.stage_start = now;
        x.stage_soc_end = stage.soc_end;
        let generation = x.generation;
        self.set_slot_power(slot, power_w);
        let at = now + ms;
        if at < self.horizon {
            self.queue.push(at, Event::StageEnd { slot, generation });
        }
    }

    /// Always inlined (into a stage start and a charge's end): M/M/10 15
    /// instructions per event fewer than a call.
    #[inline(always)]
    fn set_slot_power(&mut self, slot: u32, new_w: f64) {
        let i = slot as usize;
        let old_w = self.slots[i].power_w;
        if new_w == old_w {
            return;
        }
        self.slots[i].power_w = new_w;
        let site = self.slots[i].site;
        self.add_load(site, CABINETS, new_w - old_w);
        if cfg!(debug_assertions) {
            self.tw_cabinets_all.add(self.now, new_w - old_w);
        }
    }

    pub(super) fn on_stage_end(&mut self, slot: u32) {
        let i = slot as usize;
        let s = self.slots[i].site;
        // Close the stage exactly at its breakpoint (no rounding drift).
        let soc_end = self.slots[i].stage_soc_end;
        self.book_stored(slot, soc_end);

        let became_ready = !self.slots[i].dispensable && soc_end >= self.dispensable_from;
        if soc_end >= 1.0 {
            self.stop_charging(slot);
            self.retire_if_worn(slot);
            if self.slots[i].dispensable {
                self.settle_if_full(slot);
            }
        } else {
            self.begin_stage(slot);
        }
        if became_ready {
            // The returned battery may be ready at once: the line moves on
            // either way.
            if !(soc_end >= 1.0 && self.hand_straight(s, slot)) {
                self.mark_ready(slot);
            }
            self.serve_line(s);
        }
    }

    /// Replaces a full battery whose state of health fell below the limit.
    fn retire_if_worn(&mut self, slot: u32) {
        if !self.retires {
            return;
        }
        let retire = self.model.battery.retire_soh;
        let fade = self.model.battery.fade_per_cycle;
        let charge = &mut self.slots[slot as usize].charge;
        if 1.0 - fade * charge.cycles < retire {
            charge.cycles = 0.0;
            charge.capacity_wh = self.model.battery.capacity_wh;
            if self.now >= self.window_start {
                let s = self.slots[slot as usize].site as usize;
                self.sites.counters[s].retired += 1;
            }
        }
    }

    #[inline(always)]
    pub(super) fn mark_ready(&mut self, slot: u32) {
        let i = slot as usize;
        let s = self.slots[i].site as usize;
        debug_assert!(!self.slots[i].dispensable);
        self.slots[i].dispensable = true;
        let top = self.sites.live[s].ready;
        let first = self.sites.live[s].first_slot as usize;
        self.ready_stack[first + top as usize] = slot;
        self.slots[i].ready_pos = top;
        let (now, live) = (self.now, &mut self.sites.live[s]);
        live.ready = top + 1;
        live.tw_ready.set(now, top + 1);
        self.settle_if_full(slot);
    }

    /// Moves a ready `slot` into its site's settled part of the stack when
    /// the site keeps one and its battery is settled.
    #[inline]
    fn settle_if_full(&mut self, slot: u32) {
        let s = self.slots[slot as usize].site as usize;
        if self.sites.live[s].keeps_settled && self.is_settled(slot) {
            self.settle_ready(slot);
        }
    }

    /// Whether the battery in `slot` scores exactly 1.0 by `highest_soc`,
    /// and keeps that score while it stays ready: not charging, full.
    pub(super) fn is_settled(&self, slot: u32) -> bool {
        let x = &self.slots[slot as usize];
        x.phase != Phase::Charging && x.charge.soc == 1.0
    }

    /// Swaps the entries at positions `a` and `b` of site `s`'s ready stack.
    fn swap_ready(&mut self, s: usize, a: u32, b: u32) {
        if a == b {
            return;
        }
        let first = self.sites.live[s].first_slot as usize;
        let (x, y) = (first + a as usize, first + b as usize);
        self.ready_stack.swap(x, y);
        let (sx, sy) = (self.ready_stack[x], self.ready_stack[y]);
        self.slots[sx as usize].ready_pos = a;
        self.slots[sy as usize].ready_pos = b;
    }

    /// Moves a ready `slot`, outside its site's settled part of the
    /// stack, into it.
    #[inline(never)]
    fn settle_ready(&mut self, slot: u32) {
        let s = self.slots[slot as usize].site as usize;
        let settled = self.sites.live[s].settled;
        let pos = self.slots[slot as usize].ready_pos;
        debug_assert!(pos >= settled && pos < self.sites.live[s].ready);
        self.swap_ready(s, pos, settled);
        self.sites.live[s].settled = settled + 1;
    }

    /// Moves a `slot` in its site's settled part of the stack out of it.
    #[inline(never)]
    fn unsettle_ready(&mut self, slot: u32) {
        let s = self.slots[slot as usize].site as usize;
        let settled = self.sites.live[s].settled;
        let pos = self.slots[slot as usize].ready_pos;
        debug_assert!(pos < settled);
        self.swap_ready(s, pos, settled - 1);
        self.sites.live[s].settled = settled - 1;
    }

    fn unmark_ready(&mut self, slot: u32) {
        let i = slot as usize;
        let s = self.slots[i].site as usize;
        debug_assert!(self.slots[i].dispensable);
        if self.slots[i].ready_pos < self.sites.live[s].settled {
            self.unsettle_ready(slot);
        }
        self.slots[i].dispensable = false;
        let first = self.sites.live[s].first_slot as usize;
        let top = self.sites.live[s].ready - 1;
        let pos = self.slots[i].ready_pos;
        let last = self.ready_stack[first + top as usize];
        self.ready_stack[first + pos as usize] = last;
        self.slots[last as usize].ready_pos = pos;
        self.slots[i].ready_pos = NONE;
        let (now, live) = (self.now, &mut self.sites.live[s]);
        live.ready = top;
        live.tw_ready.set(now, top);
        if !matches!(self.strategy, Strategy::Immediate) {
            // Lower stock may call for charging now (reserve).
            self.try_start(s as u32);
        }
    }

    /// Ends the charge in `slot` with no follow-up: no power, and a stale
    /// pending stage event. The caller decides what the slot does next.
    #[inline(always)]
    pub(super) fn halt_charge(&mut self, slot: u32) {
        let i = slot as usize;
        let s = self.slots[i].site as usize;
        debug_assert_eq!(self.slots[i].phase, Phase::Charging);
        self.slots[i].generation = super::next_generation(self.slots[i].generation);
        self.set_slot_power(slot, 0.0);
        self.slots[i].phase = Phase::Idle;
        let (now, live) = (self.now, &mut self.sites.live[s]);
        live.charging -= 1;
        live.tw_charging.set(now, live.charging);
    }

    /// Ends a finished charge and hands its turn to the next queued slot.
    fn stop_charging(&mut self, slot: u32) {
        self.halt_charge(slot);
        let site = self.slots[slot as usize].site;
        // Nothing queued, as mostly: no call.
        if !self.sites.charge_line[site as usize].is_empty() {
            self.try_start(site);
        }
    }

    /// Pauses a charge for the grid cap: the slot goes back to the head of
    /// its site's line.
    pub(super) fn pause_charge(&mut self, slot: u32) {
        self.settle_stage(slot);
        self.halt_charge(slot);
        let s = self.slots[slot as usize].site as usize;
        self.slots[slot as usize].phase = Phase::Queued;
        self.sites.charge_line[s].push_front(slot);
    }
}

/// The slot of `ready` with the highest score; ties go to the lower slot
/// number.
#[inline(always)]
fn best_of(ready: &[u32], score: impl Fn(u32) -> f64) -> u32 {
    let mut slot = ready[0];
    let mut best = score(slot);
    for &candidate in &ready[1..] {
        let x = score(candidate);
        if x > best || (x == best && candidate < slot) {
            best = x;
            slot = candidate;
        }
    }
    slot
}

/// SOC at `now` of the battery in `slot`, from its SOC at the stage start
/// and the stage's power. One body for single reads and for the dispense
/// scan, so both give the same bits.
#[inline(always)]
fn soc_now(slot: &Slot, now: Time, inv_efficiency: f64) -> f64 {
    let charge = &slot.charge;
    let at_start = charge.soc;
    if slot.phase != Phase::Charging {
        return at_start;
    }
    let elapsed_h = crate::ms_f64(now - slot.stage_start) / MS_PER_HOUR as f64;
    let gained = slot.power_w * elapsed_h / (inv_efficiency * charge.capacity_wh);
    (at_start + gained).min(slot.stage_soc_end)
}
