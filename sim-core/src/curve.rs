//! Charge curves: how long a slot takes to move a battery between SOC
//! breakpoints, and at what grid power.
//!
//! Every curve is piecewise constant in grid power, so a charge is a short
//! sequence of stages and the engine only schedules an event where the power
//! changes or the battery becomes dispensable.

use std::sync::Arc;

use rand_distr::{Distribution, Exp1};

use crate::model::{BatterySpec, CcCv, ChargeModel};
use crate::rng::StreamRng;

/// A charge curve prepared once per run. Sites with the same curve share
/// one copy of its segments (cloning a curve shares them): a large model
/// reads them at every stage start, and one copy stays cached where a
/// copy per site was two cache misses.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Curve {
    /// One stage of random (exponential) or fixed length that ends with the
    /// battery full; power is the energy spread evenly over the stage.
    Analytic {
        /// Mean (exponential) or fixed (deterministic) duration \[h\].
        hours: f64,
        /// Whether the duration is exponential.
        exponential: bool,
    },
    /// Constant-power segments between SOC breakpoints.
    Staged {
        /// Breakpoints, increasing from 0 to 1 \[SOC\]; `soc\[i\]..soc\[i+1\]` is
        /// segment `i`. The dispense threshold is always a breakpoint.
        soc: Arc<[f64]>,
        /// Grid power of segment `i` \[W\].
        power_w: Arc<[f64]>,
        /// Stored ÷ grid energy.
        efficiency: f64,
    },
}

/// One constant-power stage of a charge.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Stage {
    /// Length \[h\]. The grid power follows from the energy and the length,
    /// once the length is rounded to the engine's clock.
    pub hours: f64,
    /// SOC at the end of the stage.
    pub soc_end: f64,
}

impl Curve {
    pub(crate) fn new(battery: &BatterySpec) -> Curve {
        match &battery.charge {
            ChargeModel::Exponential { mean_hours } => Curve::Analytic {
                hours: *mean_hours,
                exponential: true,
            },
            ChargeModel::Deterministic { hours } => Curve::Analytic {
                hours: *hours,
                exponential: false,
            },
            ChargeModel::CcCv(cc) => staged(cc, battery.dispense_soc),
        }
    }

    /// The stage that starts at `soc` for a battery of `capacity_wh`.
    /// `rng` is only drawn from by the exponential curve.
    #[inline(always)]
    pub(crate) fn stage(&self, soc: f64, capacity_wh: f64, rng: &mut StreamRng) -> Stage {
        match self {
            Curve::Analytic { hours, exponential } => {
                let h = if *exponential {
                    let e: f64 = Exp1.sample(rng);
                    hours * e
                } else {
                    *hours
                };
                Stage {
                    hours: h,
                    soc_end: 1.0,
                }
            }
            Curve::Staged {
                soc: bps,
                power_w,
                efficiency,
            } => {
                // Segments are few (≤ 18); a linear scan beats a search.
                let i = bps[1..]
                    .iter()
                    .position(|&b| soc < b)
                    .unwrap_or(power_w.len() - 1);
                let soc_end = bps[i + 1];
                let p = power_w[i];
                Stage {
                    hours: (soc_end - soc) * capacity_wh / (p * efficiency),
                    soc_end,
                }
            }
        }
    }

    /// Whether stages follow a physical curve (CC-CV), so the grid energy
    /// of a stage is exact; analytic stages draw their mean power.
    pub(crate) fn is_staged(&self) -> bool {
        matches!(self, Curve::Staged { .. })
    }

    /// Stored energy ÷ grid energy.
    pub(crate) fn efficiency(&self) -> f64 {
        match self {
            Curve::Analytic { .. } => 1.0,
            Curve::Staged { efficiency, .. } => *efficiency,
        }
    }
}

fn staged(cc: &CcCv, dispense_soc: f64) -> Curve {
    let steps = cc.taper_steps.max(1);
    let ratio = cc.taper_end_fraction.powf(1.0 / f64::from(steps));
    let span = (1.0 - cc.knee_soc) / f64::from(steps);
    let mut soc = vec![0.0, cc.knee_soc];
    let mut power_w = vec![cc.power_w];
    for k in 1..=steps {
        soc.push(if k == steps {
            1.0
        } else {
            cc.knee_soc + span * f64::from(k)
        });
        power_w.push(cc.power_w * ratio.powi(k as i32));
    }
    // Make the dispense threshold a breakpoint, splitting its segment.
    if let Some(i) = soc.iter().position(|&b| b >= dispense_soc)
        && soc[i] != dispense_soc
    {
        soc.insert(i, dispense_soc);
        power_w.insert(i, power_w[i - 1]);
    }
    Curve::Staged {
        soc: soc.into(),
        power_w: power_w.into(),
        efficiency: cc.efficiency,
    }
}

impl BatterySpec {
    /// Mean time for a cabinet slot to take a handed-in battery (at
    /// `return_soc`) to dispensable, with no power cap \[h\].
    pub fn mean_hours_to_dispensable(&self) -> f64 {
        match &self.charge {
            ChargeModel::Exponential { mean_hours } => *mean_hours,
            ChargeModel::Deterministic { hours } => *hours,
            ChargeModel::CcCv(_) => {
                let curve = Curve::new(self);
                let mut rng = crate::rng::stream(0, 0, crate::rng::Purpose::ChargeTime, 0);
                let mut soc = self.return_soc;
                let mut hours = 0.0;
                while soc < self.dispense_soc {
                    let st = curve.stage(soc, self.capacity_wh, &mut rng);
                    hours += st.hours;
                    soc = st.soc_end;
                }
                hours
            }
        }
    }
}

impl Curve {
    /// Grid power the next stage from `soc` would draw, at its nominal rate
    /// (the mean for random analytic stages) \[W\].
    pub(crate) fn nominal_power_w(&self, soc: f64, capacity_wh: f64) -> f64 {
        match self {
            Curve::Analytic { hours, .. } => {
                if *hours > 0.0 {
                    (1.0 - soc) * capacity_wh / hours
                } else {
                    0.0
                }
            }
            Curve::Staged {
                soc: bps, power_w, ..
            } => {
                let i = bps[1..]
                    .iter()
                    .position(|&b| soc < b)
                    .unwrap_or(power_w.len() - 1);
                power_w[i]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, stream};

    fn cc_battery(dispense_soc: f64) -> BatterySpec {
        BatterySpec {
            capacity_wh: 1000.0,
            charge: ChargeModel::CcCv(CcCv::default()),
            dispense_soc,
            return_soc: 0.2,
            ..BatterySpec::default()
        }
    }

    #[test]
    fn cc_cv_stages_integrate_to_full_and_conserve_energy() {
        // Taper breakpoints are 0.85, 0.90, 0.95, 1.0; 0.93 splits one.
        let battery = cc_battery(0.93);
        let curve = Curve::new(&battery);
        let mut rng = stream(1, 0, Purpose::ChargeTime, 0);
        let (mut soc, mut grid_wh, mut hours, mut stages) = (0.2, 0.0, 0.0, 0);
        let mut hit_dispense = false;
        while soc < 1.0 {
            let st = curve.stage(soc, 1000.0, &mut rng);
            // Grid power of the stage: stored energy ÷ efficiency ÷ time.
            let power_w = (st.soc_end - soc) * 1000.0 / 0.92 / st.hours;
            assert!((40.0 - 1e-9..=400.0 + 1e-9).contains(&power_w), "{power_w}");
            grid_wh += power_w * st.hours;
            hours += st.hours;
            soc = st.soc_end;
            hit_dispense |= soc == 0.93;
            stages += 1;
        }
        assert!(hit_dispense, "the dispense threshold must end a stage");
        assert_eq!(stages, 6); // CC + 4 taper steps, one split at 0.93
        // Stored 800 Wh at 92% efficiency.
        assert!((grid_wh * 0.92 - 800.0).abs() < 1e-9);
        assert!(stages >= 5);
        // CC from 0.2: 0.6 kWh / (0.4 kW · 0.92) = 1.63 h. The taper takes
        // "about as long again" as a CC phase from empty (DOMAIN.md).
        let taper_hours = hours - 600.0 / (400.0 * 0.92);
        let cc_from_empty = 800.0 / (400.0 * 0.92);
        let ratio = taper_hours / cc_from_empty;
        assert!((0.8..1.5).contains(&ratio), "taper/CC = {ratio}");
    }

    #[test]
    fn mean_hours_to_dispensable_stops_at_threshold() {
        let b = cc_battery(0.8);
        let expected = 600.0 / (400.0 * 0.92);
        assert!((b.mean_hours_to_dispensable() - expected).abs() < 1e-12);
    }
}
