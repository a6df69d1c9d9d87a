//! Charging outside the cabinets: pile ports at the site and flying wire
//! from the flats, for bikes not on a subscription and for unserved riders.

use rand_distr::{Distribution, Exp1};

use super::setup::{HOUR, hour_of_day};
use super::{Event, Sim, hours_to_ms};
use crate::Time;
use crate::sample::sample_dist;

/// Load kinds of a site, as indices into `Live::load`.
pub(super) const PILES: usize = 1;
pub(super) const FLYING_WIRE: usize = 2;

impl Sim<'_> {
    /// Schedules the site's next plug-in of a bike not on a subscription:
    /// a Poisson process whose rate follows the hourly plug-in profile,
    /// sampled exactly by walking the hours with one exponential draw.
    pub(super) fn schedule_plug_in(&mut self, site: u32) {
        let s = site as usize;
        let bikes = self.sites.nonsub[s];
        let interval = self.model.sites[s]
            .nonsub_interval_days
            .unwrap_or(self.model.riders.home.nonsub_interval_days);
        if bikes == 0 || interval <= 0.0 {
            return;
        }
        let per_day = f64::from(bikes) / interval;
        let mut mass: f64 = Exp1.sample(&mut self.sites.rng_plugins[s]);
        let mut t = self.now;
        // At most two days of zero-rate hours before giving up.
        for _ in 0..48 {
            let hour = hour_of_day(t);
            let hour_end = (t / HOUR + 1) * HOUR;
            let rate_per_ms = per_day * self.plug_share[hour] / HOUR as f64;
            let span = (hour_end - t) as f64;
            if rate_per_ms > 0.0 && mass < rate_per_ms * span {
                let at = t + (mass / rate_per_ms) as Time;
                if at < self.horizon {
                    self.queue.push(at, Event::PlugIn { site });
                }
                return;
            }
            mass -= rate_per_ms * span;
            t = hour_end;
            if t >= self.horizon {
                return;
            }
        }
    }

    pub(super) fn on_plug_in(&mut self, site: u32) {
        self.schedule_plug_in(site);
        let s = site as usize;
        let home = &self.model.riders.home;
        let rng = &mut self.sites.rng_plugin_traits[s];
        let depth = sample_dist(&home.nonsub_depth, rng).clamp(0.0, 1.0);
        let dwell_h = sample_dist(&home.dwell_hours, rng).max(0.1);
        let wanted_wh = depth * home.nonsub_battery_wh;
        self.home_charge(site, wanted_wh, hours_to_ms(dwell_h));
    }

    /// Starts a home charge at `site` on a free pile port, else by flying
    /// wire, for `wanted_wh` stored energy, cut short by the dwell. Returns
    /// the energy stored \[Wh\].
    pub(super) fn home_charge(&mut self, site: u32, wanted_wh: f64, dwell_ms: Time) -> f64 {
        let s = site as usize;
        let home = &self.model.riders.home;
        let power_w = home.charger_w;
        if wanted_wh <= 0.0 || power_w <= 0.0 {
            return 0.0;
        }
        let needed_ms = hours_to_ms(wanted_wh / home.efficiency / power_w).max(1);
        let charge_ms = needed_ms.min(dwell_ms.max(1));
        let stored_wh = power_w * home.efficiency * charge_ms as f64 / HOUR as f64;
        let pile = self.sites.ports_free[s] > 0;
        let measured = self.now >= self.window_start;
        if pile {
            self.sites.ports_free[s] -= 1;
            let free_at = self.now + dwell_ms.max(charge_ms);
            if free_at < self.horizon {
                self.queue.push(free_at, Event::PortFree { site });
            }
            if measured {
                let c = &mut self.sites.counters[s];
                c.pile_sessions += 1;
                c.pile_by_hour[hour_of_day(self.now)] += 1;
                c.pile_ms += charge_ms as f64;
            }
        } else if measured {
            let c = &mut self.sites.counters[s];
            c.flying_wire_sessions += 1;
            c.flying_wire_by_hour[hour_of_day(self.now)] += 1;
            c.flying_wire_ms += charge_ms as f64;
        }
        self.add_load(site, if pile { PILES } else { FLYING_WIRE }, power_w);
        let done = self.now + charge_ms;
        if done < self.horizon {
            self.queue.push(done, Event::HomeChargeDone { site, pile });
        }
        stored_wh
    }

    pub(super) fn on_home_charge_done(&mut self, site: u32, pile: bool) {
        let power_w = self.model.riders.home.charger_w;
        self.add_load(site, if pile { PILES } else { FLYING_WIRE }, -power_w);
    }

    pub(super) fn on_port_free(&mut self, site: u32) {
        self.sites.ports_free[site as usize] += 1;
    }
}
