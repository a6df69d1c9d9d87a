//! Model builders shared by tests and benches.

use sim_core::{BatterySpec, CcCv, ChargeModel, Demand, Model, Patience, SiteSpec};

/// One site with one cabinet of `slots` slots, `batteries` batteries and
/// Poisson demand of `lambda_per_h`; 1 kWh batteries handed in at 20% SOC.
/// A swap needs an empty compartment, so `batteries` < `slots`; the idle
/// compartments change no analytic result.
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

/// A 24-hour profile with weight 1 in the hours `[from, to)` of each pair
/// and `low` elsewhere.
pub fn peaks(hours: &[(usize, usize)], low: f64) -> [f64; 24] {
    let mut p = [low; 24];
    for &(from, to) in hours {
        for x in &mut p[from..to] {
            *x = 1.0;
        }
    }
    p
}

/// A small rider-driven district: three communities 600 m apart on one
/// 630 kVA transformer, commuters and couriers, piles at one site, the
/// Chongqing-style TOU tariff (valley 0–8 h). Parameters follow DOMAIN.md.
pub fn small_district() -> Model {
    use sim_core::{
        CabinetRules, Choice, ChoicePolicy, Dist, DistrictCouriers, Grid, HomeCharging, RiderGroup,
        Riders, Tariff, TransformerSpec,
    };
    let commuter = RiderGroup {
        name: "commuter".into(),
        daily_km: Dist::LogNormal {
            mean: 25.0,
            sd: 8.0,
        },
        wh_per_km: Dist::Uniform {
            low: 14.0,
            high: 20.0,
        },
        trips_weekday: 2.3,
        trips_weekend: 1.8,
        profile_weekday: peaks(&[(7, 9), (17, 19)], 0.15),
        profile_weekend: peaks(&[(9, 21)], 0.1),
        swap_threshold_soc: Dist::Uniform {
            low: 0.2,
            high: 0.5,
        },
        patience_minutes: Dist::LogNormal { mean: 8.0, sd: 5.0 },
        speed_kmh: 15.0,
        works_across_district: false,
    };
    let courier = RiderGroup {
        name: "courier".into(),
        daily_km: Dist::Normal {
            mean: 110.0,
            sd: 20.0,
            low: 40.0,
            high: 200.0,
        },
        wh_per_km: Dist::Uniform {
            low: 18.0,
            high: 22.0,
        },
        trips_weekday: 20.0,
        trips_weekend: 20.0,
        profile_weekday: peaks(&[(11, 13), (17, 20)], 0.3),
        profile_weekend: peaks(&[(11, 13), (17, 20)], 0.3),
        swap_threshold_soc: Dist::Uniform {
            low: 0.15,
            high: 0.3,
        },
        patience_minutes: Dist::Fixed { value: 5.0 },
        speed_kmh: 20.0,
        works_across_district: true,
    };
    let site =
        |name: &str, x: f64, households: u32, cabinets: u32, batteries: u32, piles: u32| SiteSpec {
            name: name.into(),
            cabinets,
            slots_per_cabinet: 12,
            batteries,
            demand: Demand::Riders,
            x_m: x,
            households,
            ebikes: households * 3 / 4,
            swap_adoption: 0.3,
            mix: vec![(0, 1.0)],
            courier_work_weight: 1.0,
            pile_ports: piles,
            transformer: Some(0),
            ..SiteSpec::default()
        };
    let mut base_profile = peaks(&[(19, 22)], 0.45);
    base_profile[0..6].copy_from_slice(&[0.3; 6]);
    let mut price = [0.52; 24];
    let mut valley = [false; 24];
    for h in 0..8 {
        price[h] = 0.34;
        valley[h] = true;
    }
    for h in (11..17).chain(20..22) {
        price[h] = 0.62;
    }
    Model {
        name: "small-district".into(),
        days: 21,
        warmup_days: 3,
        seed: 7,
        replications: 6,
        battery: BatterySpec {
            capacity_wh: 1150.0,
            charge: cc_cv(450.0),
            dispense_soc: 0.95,
            return_soc: 0.2,
            fade_per_cycle: 0.0002,
            retire_soh: 0.7,
        },
        cabinet: CabinetRules {
            swap_seconds: sim_core::Dist::Fixed { value: 45.0 },
            ..CabinetRules::default()
        },
        sites: vec![
            site("美吉鑫小区", 0.0, 1300, 3, 30, 20),
            site("B", 600.0, 800, 2, 20, 0),
            site("C", 1200.0, 500, 1, 10, 0),
        ],
        riders: Riders {
            groups: vec![commuter, courier],
            district_couriers: vec![DistrictCouriers {
                group: 1,
                count: 40,
            }],
            choice: Choice {
                policy: ChoicePolicy::AppInformed,
                max_detour_m: 1500.0,
            },
            home: HomeCharging {
                dwell_hours: Dist::LogNormal {
                    mean: 10.0,
                    sd: 3.0,
                },
                nonsub_depth: Dist::Uniform {
                    low: 0.4,
                    high: 0.8,
                },
                plug_in_profile: peaks(&[(18, 23)], 0.1),
                ..HomeCharging::default()
            },
        },
        grid: Grid {
            transformers: vec![TransformerSpec {
                name: "T1".into(),
                rating_kva: 630.0,
                power_factor: 0.9,
                allowed_utilization: 0.8,
                // 2600 households × 6 kW × 0.5 diversity × a 0.25 share.
                base_peak_kw: 390.0,
                base_profile,
                base_basis: None,
            }],
            tariff: Tariff {
                price_per_kwh: price,
                valley,
                residential_cny_per_kwh: 0.52,
            },
        },
        ..Model::default()
    }
}
