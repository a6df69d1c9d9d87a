//! Energy and money counted where they are drawn (issue 10): cabinets,
//! pile ports and flats each have their energy and their payer, and the
//! total covers all three, so moving charging out of flats is a shift, not
//! new consumption.

use sim_core::{Model, run};
use swapsim_suite::models::small_district;

/// The small district (seed 7, 6 replications × 18 measured days) with
/// `ports` pile ports at its first site and none elsewhere.
fn with_ports(ports: u32) -> Model {
    let mut model = small_district();
    model.sites[0].pile_ports = ports;
    model
}

/// Piles instead of flying wire: the same plug-ins and fallbacks (common
/// random numbers) draw the same energy at the same price, so the total
/// energy and its cost do not move, while the pile share rises and the
/// flats' share falls by the same amount.
#[test]
fn moving_charging_out_of_flats_is_a_shift_not_new_consumption() {
    let none = run(&with_ports(0), 0).network;
    let many = run(&with_ports(300), 0).network;
    assert_eq!(none.pile_energy_kwh_per_day.mean, 0.0);
    assert!(many.pile_energy_kwh_per_day.mean > 10.0, "{many:?}");
    let rel = |a: f64, b: f64| (a - b).abs() / b.abs().max(1e-9);
    assert!(
        rel(many.energy_kwh_per_day.mean, none.energy_kwh_per_day.mean) < 1e-9,
        "total {} vs {}",
        many.energy_kwh_per_day.mean,
        none.energy_kwh_per_day.mean
    );
    assert!(
        rel(
            many.energy_cost_cny_per_day.mean,
            none.energy_cost_cny_per_day.mean
        ) < 1e-9
    );
    let moved = many.pile_energy_kwh_per_day.mean;
    let fell = none.home_energy_kwh_per_day.mean - many.home_energy_kwh_per_day.mean;
    assert!(
        rel(fell, moved) < 1e-9,
        "flats fell {fell}, piles rose {moved}"
    );
    assert_eq!(
        many.cabinet_energy_kwh_per_day.mean,
        none.cabinet_energy_kwh_per_day.mean
    );
}

/// The operator pays for cabinet energy at the time-of-use tariff;
/// residents pay for piles and flats at the residential price (¥0.52 here).
/// The totals are the sums of their parts, replication by replication.
#[test]
fn each_payer_pays_its_own_price() {
    let model = with_ports(40);
    let result = run(&model, 0);
    let price = model.grid.tariff.residential_cny_per_kwh;
    for k in std::iter::once(&result.network).chain(result.sites.iter().map(|s| &s.kpis)) {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
        assert!(close(
            k.pile_energy_cost_cny_per_day.mean,
            k.pile_energy_kwh_per_day.mean * price
        ));
        assert!(close(
            k.home_energy_cost_cny_per_day.mean,
            k.home_energy_kwh_per_day.mean * price
        ));
        assert!(close(
            k.energy_kwh_per_day.mean,
            k.cabinet_energy_kwh_per_day.mean
                + k.pile_energy_kwh_per_day.mean
                + k.home_energy_kwh_per_day.mean
        ));
        assert!(close(
            k.energy_cost_cny_per_day.mean,
            k.cabinet_energy_cost_cny_per_day.mean
                + k.pile_energy_cost_cny_per_day.mean
                + k.home_energy_cost_cny_per_day.mean
        ));
    }
    // Cabinets charge at every price of the day: between the valley
    // (¥0.34) and the peak (¥0.62) per kWh on average.
    let k = &result.network;
    let average = k.cabinet_energy_cost_cny_per_day.mean / k.cabinet_energy_kwh_per_day.mean;
    assert!((0.34..=0.62).contains(&average), "cabinet ¥{average}/kWh");
}
