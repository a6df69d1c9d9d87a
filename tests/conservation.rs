//! Conservation invariants. The engine checks them itself in debug builds
//! (batteries in exactly one slot, every request ended exactly once,
//! grid energy = stored ÷ efficiency) and panics when one breaks; these
//! tests drive every feature at once so those checks run, and add the
//! accounting identities visible from outside.

use sim_core::{Demand, Patience, SiteSpec, run_replications};
use swapsim_suite::models::{cabinet, cc_cv};

#[test]
fn invariants_hold_with_every_feature_on() {
    // The engine's own checks only exist with debug assertions; the test
    // profile keeps them on (Cargo.toml [profile.test]), and sim-core's
    // `conservation_check_catches_*` unit tests show they can fail.
    let mut model = cabinet(
        10,
        12,
        cc_cv(350.0),
        2.0,
        Patience::Exponential { mean_minutes: 8.0 },
    );
    model.days = 60;
    model.warmup_days = 5;
    model.replications = 4;
    model.sites[0].max_concurrent_charging = Some(4);
    let mut second: SiteSpec = model.sites[0].clone();
    second.name = "美吉鑫小区".into();
    second.cabinets = 2;
    second.batteries = 20;
    second.patience = Patience::Infinite;
    second.demand = Demand::Poisson {
        swaps_per_hour: 3.0,
    };
    second.max_concurrent_charging = None;
    model.sites.push(second);

    for rep in run_replications(&model, 0) {
        for c in &rep.sites {
            // Requests of the window either ended (served or lost) or were
            // still waiting at the horizon: a handful at most.
            assert!(c.ended <= c.requests);
            assert!(c.requests - c.ended < 50, "{} open", c.requests - c.ended);
            assert_eq!(c.ended, c.served + c.lost);
            assert!(c.stockouts >= c.served_after_wait);
            assert!(c.cabinet_wh > 0.0);
            assert_eq!(c.wait_hist.len(), c.served);
        }
    }
}
