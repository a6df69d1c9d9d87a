//! Model builders shared by tests and benches.

use sim_core::{BatterySpec, CcCv, ChargeModel, Demand, Model, Patience, SiteSpec};

/// One site with one cabinet of `slots` slots, `batteries` batteries and
/// Poisson demand of `lambda_per_h`; 1 kWh batteries handed in at 20% SOC.
pub fn cabinet(
    batteries: u32,
    slots: u32,
    charge: ChargeModel,
    lambda_per_h: f64,
    patience: Patience,
) -> Model {
    Model {
        name: "analytic".into(),
        days: 400,
        warmup_days: 10,
        seed: 1,
        replications: 16,
        battery: BatterySpec {
            capacity_wh: 1000.0,
            charge,
            dispense_soc: 0.95,
            return_soc: 0.2,
            ..BatterySpec::default()
        },
        sites: vec![SiteSpec {
            name: "A".into(),
            cabinets: 1,
            slots_per_cabinet: slots,
            batteries,
            demand: Demand::Poisson {
                swaps_per_hour: lambda_per_h,
            },
            patience,
            max_concurrent_charging: None,
            ..SiteSpec::default()
        }],
        ..Model::default()
    }
}

/// Exponential charge of mean `hours`.
pub fn exponential(hours: f64) -> ChargeModel {
    ChargeModel::Exponential { mean_hours: hours }
}

/// The default CC-CV curve at `power_w`.
pub fn cc_cv(power_w: f64) -> ChargeModel {
    ChargeModel::CcCv(CcCv {
        power_w,
        ..CcCv::default()
    })
}
