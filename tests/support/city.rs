//! A synthetic city of any size made from the shipped district, for the
//! scaling benches (`benches/scaling.rs`) and `examples/city.rs`.
//!
//! `bishan-district.toml` is tiled: its first `k` communities in table
//! order; past its 175 rows the table repeats as a copy of the district
//! placed east of the last one, far enough that no rider's detour crosses
//! between copies. District couriers scale with the e-bikes. So every
//! size is the same kind of district, and the cost per e-bike should stay
//! flat (DESIGN.md §7: memory and time linear in the entities).

use std::path::Path;

use sim_core::Model;

/// The district tiled to about `ebikes` resident e-bikes, with one
/// replication of `days` days and no warm-up.
///
/// Sites are taken in table order and the count stops where the total is
/// closest to `ebikes`. A site copied from row `i` of copy `c` (0 = the
/// original) is named `"{name} #{c + 1}"`, sits `c` district widths east
/// and gets its own copy of its transformer. Couriers who work across the
/// district scale with the resident e-bikes kept.
pub fn tiled_district(ebikes: u64, days: u32) -> Model {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bishan-district.toml");
    let base = scenarios::load(&path).unwrap_or_else(|e| panic!("bishan-district: {e}"));
    let mut model = base.clone();
    model.replications = 1;
    model.days = days;
    model.warmup_days = 0;
    model.sites.clear();
    model.grid.transformers.clear();

    // A copy sits one district width plus two detours east of the last.
    let (west, east) = base.sites.iter().fold((f64::MAX, f64::MIN), |(w, e), s| {
        (w.min(s.x_m), e.max(s.x_m))
    });
    let shift_m = east - west + 2.0 * base.riders.choice.max_detour_m + 1000.0;

    let mut total = 0u64;
    for i in 0.. {
        let (copy, row) = (i / base.sites.len(), i % base.sites.len());
        let mut site = base.sites[row].clone();
        let next = total + u64::from(site.ebikes);
        // Stop at the count closest to the aim.
        if next.abs_diff(ebikes) > total.abs_diff(ebikes) {
            break;
        }
        total = next;
        if copy > 0 {
            site.name = format!("{} #{}", site.name, copy + 1);
            site.x_m += shift_m * copy as f64;
        }
        if let Some(t) = site.transformer {
            let mut transformer = base.grid.transformers[t].clone();
            if copy > 0 {
                transformer.name = format!("{} #{}", transformer.name, copy + 1);
            }
            site.transformer = Some(model.grid.transformers.len());
            model.grid.transformers.push(transformer);
        }
        model.sites.push(site);
    }

    let base_ebikes: u64 = base.sites.iter().map(|s| u64::from(s.ebikes)).sum();
    let share = total as f64 / base_ebikes as f64;
    for couriers in &mut model.riders.district_couriers {
        couriers.count = (f64::from(couriers.count) * share).round() as u32;
    }
    model.name = format!(
        "bishan-district, {} sites, {total} e-bikes",
        model.sites.len()
    );
    model
}
