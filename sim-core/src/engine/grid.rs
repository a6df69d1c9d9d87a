//! The grid side: load per site and transformer, the 15-minute clock, the
//! tariff, the base load and the grid-capped strategy's headroom.

use super::setup::{HOUR, hour_of_day};
use super::{Event, NONE, Phase, Sim};
use crate::Time;
use crate::model::Strategy;

/// Length of a series bucket and of the clock's step \[ms\].
pub(crate) const QUARTER_MS: Time = 15 * 60 * 1000;

/// Index of the base load in the transformer parts.
const BASE: usize = 0;

impl Sim<'_> {
    /// Sets every transformer's base load for hour 0.
    pub(super) fn start_grid(&mut self) {
        for t in 0..self.transformers.limit_w.len() {
            let w = self.transformers.base_peak_w[t] * self.transformers.base_profile[t][0];
            self.add_transformer_load(t, BASE, w);
        }
        self.update_reserves();
    }

    /// Changes the load of `kind` (cabinets, piles, flying wire) at `site`
    /// by `delta_w`, and of its transformer.
    pub(super) fn add_load(&mut self, site: u32, kind: usize, delta_w: f64) {
        let s = site as usize;
        let (now, live) = (self.now, &mut self.sites.live[s]);
        live.load[kind].add(now, delta_w);
        let t = live.transformer;
        if t != NONE {
            // Site kinds 0..3 are transformer parts 1..4 (0 is the base).
            self.add_transformer_load(t as usize, kind + 1, delta_w);
        }
    }

    fn add_transformer_load(&mut self, t: usize, part: usize, delta_w: f64) {
        let now = self.now;
        self.transformers.tw_parts[t][part].add(now, delta_w);
        self.transformers.tw_total[t].add(now, delta_w);
        self.tw_network.add(now, delta_w);
        // The same test as the transformer's own time above its limit.
        let over = self.transformers.tw_total[t].level() > self.transformers.limit_w[t];
        if over != self.transformers.over[t] {
            self.transformers.over[t] = over;
            if over {
                self.n_over += 1;
            } else {
                self.n_over -= 1;
            }
            self.tw_any_over
                .set(now, f64::from(u8::from(self.n_over > 0)));
        }
        if matches!(self.strategy, Strategy::GridCapped) && !self.transformers.pending[t] {
            self.transformers.pending[t] = true;
            self.transformers.pending_list.push(t as u32);
        }
    }

    /// Grid-capped strategy, after an event changed some transformer's load:
    /// pause cabinet charges while a transformer is over its allowed load,
    /// then start queued charges that fit under it.
    pub(super) fn settle_headroom(&mut self) {
        while let Some(t) = self.transformers.pending_list.pop() {
            let t = t as usize;
            self.transformers.pending[t] = false;
            let limit = self.transformers.limit_w[t];
            let sites = std::mem::take(&mut self.transformers.sites[t]);
            'shed: while self.transformers.tw_total[t].level() > limit + 1e-6 {
                for &s in &sites {
                    let slots = self.slots_of(s as usize);
                    // Pause the most recently queued first: scan from the end.
                    if let Some(slot) = slots
                        .rev()
                        .find(|&i| self.slots[i].phase == Phase::Charging)
                    {
                        self.pause_charge(slot as u32);
                        continue 'shed;
                    }
                }
                break; // nothing left to pause: base, piles or wire alone exceed it
            }
            for &s in &sites {
                self.try_start(s);
            }
            self.transformers.sites[t] = sites;
            // Starting charges re-flagged this transformer; it fits by construction.
            if self.transformers.pending[t] {
                self.transformers.pending[t] = false;
                self.transformers.pending_list.retain(|&x| x as usize != t);
            }
        }
    }

    /// Whether the tariff's valley period is on now (always, without one).
    pub(super) fn in_valley(&self) -> bool {
        let valley = &self.model.grid.tariff.valley;
        !valley.iter().any(|&v| v) || valley[hour_of_day(self.now)]
    }

    /// The 15-minute clock.
    pub(super) fn on_tick(&mut self) {
        self.record_quarter();
        if self.now.is_multiple_of(HOUR) {
            let hour = hour_of_day(self.now);
            for t in 0..self.transformers.limit_w.len() {
                let target =
                    self.transformers.base_peak_w[t] * self.transformers.base_profile[t][hour];
                let delta = target - self.transformers.tw_parts[t][BASE].level();
                if delta != 0.0 {
                    self.add_transformer_load(t, BASE, delta);
                }
            }
            if matches!(self.strategy, Strategy::OffPeakWithReserve { .. }) {
                self.update_reserves();
                for s in 0..self.model.sites.len() as u32 {
                    self.try_start(s);
                }
            }
        }
        let next = self.now + QUARTER_MS;
        if next < self.horizon {
            self.queue.push(next, Event::Tick);
        }
    }

    /// Closes the quarter that ends now: series and energy cost.
    pub(super) fn record_quarter(&mut self) {
        let (now, ws) = (self.now, self.window_start);
        if now <= ws {
            return;
        }
        let quarter = ((now - ws) / QUARTER_MS) as usize;
        if quarter == 0 || quarter > self.series.quarters {
            return;
        }
        let q = quarter - 1;
        let price = self.model.grid.tariff.price_per_kwh[hour_of_day(now - 1)];
        let per_quarter = QUARTER_MS as f64;
        for t in 0..self.transformers.limit_w.len() {
            for part in 0..4 {
                let tw = &mut self.transformers.tw_parts[t][part];
                tw.close(now);
                let area = tw.area();
                let last = &mut self.transformers.parts_area_at_tick[t][part];
                let kw = (area - *last) / per_quarter / 1000.0;
                *last = area;
                self.series.transformer_kw.push(kw as f32);
            }
        }
        let quarters = self.series.quarters;
        for s in 0..self.model.sites.len() {
            let tw = &mut self.sites.live[s].tw_ready;
            tw.close(now);
            let area = tw.area();
            let ready = (area - self.sites.ready_area_at_tick[s]) / per_quarter;
            self.sites.ready_area_at_tick[s] = area;
            self.series.site_ready[s * quarters + q] = ready as f32;

            // The operator pays for cabinet energy at the time-of-use
            // price; residents pay a flat price, applied in the results.
            let cab = &mut self.sites.live[s].load[0];
            cab.close(now);
            let billed = cab.area();
            let wh = (billed - self.sites.billed_area[s]) / HOUR as f64;
            self.sites.billed_area[s] = billed;
            self.sites.counters[s].cabinet_cost_cny += wh / 1000.0 * price;
        }
    }

    /// Off-peak reserve per site: the factor × the requests expected from
    /// now until the valley starts, from the site's own history; unbounded
    /// on the first day, before there is any.
    fn update_reserves(&mut self) {
        let Strategy::OffPeakWithReserve { reserve_factor } = self.strategy else {
            return;
        };
        let valley = self.model.grid.tariff.valley;
        if !valley.iter().any(|&v| v) {
            return;
        }
        let days = self.now / (24 * HOUR);
        if days == 0 {
            // The first day has no history of the hours ahead: an empty one
            // would be a zero reserve and no charging until the valley, so
            // charge as needed until a day has been seen.
            self.sites.reserve.fill(u32::MAX);
            return;
        }
        let days = days as f64;
        let hour = hour_of_day(self.now);
        for s in 0..self.model.sites.len() {
            let mut expected = 0.0;
            let mut h = hour;
            while !valley[h] {
                expected += f64::from(self.sites.history[s][h]) / days;
                h = (h + 1) % 24;
            }
            self.sites.reserve[s] = (reserve_factor * expected).ceil() as u32;
        }
    }
}
