//! A line has a length (issue 10) at rider-driven sites: a rider who finds
//! `max_riders_present` riders at the site (in line or at a door) balks at
//! once: the request is lost, counted in `balk_rate`, and the rider falls
//! back to charging at home (a pile port, else flying wire). The
//! app-informed choice skips a full site.
//!
//! The small district's commuters, every e-bike on a subscription (so
//! every pile and flying-wire session is a rider falling back), one door
//! and four-minute swaps, so riders meet at the door; batteries to spare,
//! so no rider waits for one. Seed 7, 4 replications × 8 measured days.

use sim_core::{
    ChoicePolicy, Dist, Kpis, Model, RunResult, SiteSpec, run, run_replications, summarise,
};
use swapsim_suite::models::small_district;

/// Site A alone: 150 subscribers, one cabinet of 64 slots holding 60
/// batteries, four-minute swaps, a cap of `cap` riders present.
fn one_site(cap: Option<u32>) -> Model {
    let mut model = small_district();
    model.riders.district_couriers.clear();
    model.cabinet.swap_seconds = Dist::Fixed { value: 240.0 };
    let a = SiteSpec {
        name: "A".into(),
        households: 200,
        ebikes: 150,
        swap_adoption: 1.0,
        cabinets: 1,
        slots_per_cabinet: 64,
        batteries: 60,
        pile_ports: 5,
        max_riders_present: cap,
        ..model.sites[0].clone()
    };
    model.sites = vec![a];
    (model.days, model.warmup_days, model.replications) = (10, 2, 4);
    model
}

/// Without a cap riders meet at the door (0.088 waiting on average), but
/// nobody leaves the line (their battery is sure) and nobody charges at
/// home. With a cap of one rider, riders who find the door busy balk
/// (measured 24.4% of 70 requests a day): every balk is a lost swap and
/// every lost swap a balk, and each balking rider starts a home charge at
/// once, so the pile and flying-wire sessions (8.2 and 8.8 a day) are
/// exactly the balks, in every replication. Nobody ever waits in line,
/// and at most one rider is present: the mean present is the door's busy
/// share (0.146, against 0.291 present without the cap).
#[test]
fn riders_who_find_the_line_full_balk_and_charge_at_home() {
    let open = run(&one_site(None), 0).network;
    assert!(open.riders_waiting_mean.mean > 0.0, "riders must meet");
    assert_eq!(open.stockout_probability.ci95_high, 0.0);
    assert_eq!(open.balk_rate.ci95_high, 0.0);
    assert_eq!(open.lost_swap_rate.ci95_high, 0.0);
    assert_eq!(open.pile_sessions_per_day.ci95_high, 0.0);
    assert_eq!(open.flying_wire_sessions_per_day.ci95_high, 0.0);

    let model = one_site(Some(1));
    let reps = run_replications(&model, 0);
    for (r, rep) in reps.iter().enumerate() {
        let c = &rep.sites[0];
        assert!(c.balked > 10, "replication {r}: {} balks", c.balked);
        assert_eq!(c.lost, c.balked, "replication {r}");
        assert_eq!(c.stockouts, 0, "replication {r}");
        assert_eq!(
            c.pile_sessions + c.flying_wire_sessions,
            c.balked,
            "replication {r}: every balk falls back"
        );
        assert_eq!(c.served + c.lost, c.ended, "replication {r}");
    }
    let capped = summarise(&model, &reps).network;
    assert!(
        capped.balk_rate.ci95_low > 0.01,
        "balk rate {:?}",
        capped.balk_rate
    );
    assert_eq!(capped.lost_swap_rate, capped.balk_rate);
    assert!(capped.pile_sessions_per_day.mean > 0.0);
    assert_eq!(capped.riders_waiting_mean.ci95_high, 0.0);
    assert_eq!(capped.riders_present_mean, capped.door_utilization);
    assert!(capped.riders_present_mean.mean < open.riders_present_mean.mean);
}

/// A, where the riders live, with a cap of one; B, 800 m east, with
/// stock, no riders and no cap; the given cabinet choice.
fn two_sites(policy: ChoicePolicy) -> Model {
    let mut model = one_site(Some(1));
    model.riders.choice.policy = policy;
    let b = SiteSpec {
        name: "B".into(),
        x_m: 800.0,
        households: 0,
        ebikes: 0,
        courier_work_weight: 0.0,
        pile_ports: 0,
        max_riders_present: None,
        ..model.sites[0].clone()
    };
    model.sites.push(b);
    model
}

fn site<'a>(result: &'a RunResult, name: &str) -> &'a Kpis {
    &result
        .sites
        .iter()
        .find(|s| s.name == name)
        .expect("site in the result")
        .kpis
}

/// Riders who take the nearest cabinet find A full and balk, as at A
/// alone (24.4%), and B serves nobody. App-informed riders see that A is
/// full and ride to B instead: nobody balks, nothing is lost, and B's
/// door serves them (18 swaps a day). Without the cap in the app's choice
/// they would pick A (it has batteries) and balk there.
#[test]
fn the_app_sends_riders_past_a_full_site() {
    let nearest = run(&two_sites(ChoicePolicy::Nearest), 0);
    let a = site(&nearest, "A");
    assert!(a.balk_rate.ci95_low > 0.01, "{:?}", a.balk_rate);
    assert_eq!(a.lost_swap_rate, a.balk_rate);
    assert_eq!(site(&nearest, "B").swaps_per_cabinet_day.ci95_high, 0.0);

    let app = run(&two_sites(ChoicePolicy::AppInformed), 0);
    let a = site(&app, "A");
    assert_eq!(a.balk_rate.ci95_high, 0.0);
    assert_eq!(a.lost_swap_rate.ci95_high, 0.0);
    assert_eq!(a.pile_sessions_per_day.ci95_high, 0.0);
    assert_eq!(a.flying_wire_sessions_per_day.ci95_high, 0.0);
    let b = site(&app, "B");
    assert!(b.swaps_per_cabinet_day.ci95_low > 1.0, "{b:?}");
    assert_eq!(b.swap_requests_per_day.mean, 0.0, "requests count at A");
    // Those detours show in A's swap delay, not in its wait.
    assert!(a.swap_delay_minutes_mean.mean > a.wait_minutes_mean.mean);
}
