//! Tolerances from replication intervals, for tests that compare a
//! simulated KPI with a formula.

use sim_core::Estimate;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Student-t quantile `p` with `dof` degrees of freedom.
pub fn t_quantile(p: f64, dof: f64) -> f64 {
    StudentsT::new(0.0, 1.0, dof)
        .expect("positive degrees of freedom")
        .inverse_cdf(p)
}

/// Asserts that `estimate` (a mean over `replications` with its 95%
/// interval) is within a 99.9% interval of `theory`, widened by the
/// relative `slack` for what the formula leaves out (warm-up, rounding):
/// |mean − theory| ≤ half95 · t(0.9995, n−1) / t(0.975, n−1) + slack·|theory|.
/// With fixed seeds the outcome is deterministic; the wide interval keeps a
/// correct model off the edge of a 95% band. The interval must also be
/// informative (narrower than a quarter of the theory value), or the check
/// would prove nothing.
#[track_caller]
pub fn assert_matches(what: &str, estimate: Estimate, theory: f64, replications: u32, slack: f64) {
    let dof = f64::from(replications - 1);
    let widen = t_quantile(0.9995, dof) / t_quantile(0.975, dof);
    let half95 = (estimate.ci95_high - estimate.mean).max(0.0);
    let tolerance = half95 * widen + slack * theory.abs();
    let error = (estimate.mean - theory).abs();
    assert!(
        error <= tolerance,
        "{what}: simulated {:.5} [{:.5}, {:.5}], theory {theory:.5}, |error| {error:.5} > tolerance {tolerance:.5}",
        estimate.mean,
        estimate.ci95_low,
        estimate.ci95_high,
    );
    assert!(
        half95 < 0.25 * theory.abs().max(1e-3),
        "{what}: interval too wide ({half95})"
    );
}

/// The replications' 99.9% Student-t interval of `estimate` (a mean over
/// `replications` with its 95% interval): the 95% half-width, widened by
/// t(0.9995, n−1) / t(0.975, n−1), either side of the mean. The wider of
/// the two sides of the 95% interval is taken, for a share whose interval
/// was clipped at 0 or 1.
pub fn interval_999(estimate: Estimate, replications: u32) -> (f64, f64) {
    let dof = f64::from(replications - 1);
    let widen = t_quantile(0.9995, dof) / t_quantile(0.975, dof);
    let half95 = (estimate.ci95_high - estimate.mean).max(estimate.mean - estimate.ci95_low);
    let half = half95.max(0.0) * widen;
    (estimate.mean - half, estimate.mean + half)
}

/// Asserts that `exact` lies inside the simulation's own 99.9% interval
/// ([`interval_999`]), with no slack: for a formula that leaves nothing
/// out of the simulated model. The interval must also be informative
/// (its half-width under 5% of `exact`). Returns the interval.
#[track_caller]
pub fn assert_inside(what: &str, estimate: Estimate, exact: f64, replications: u32) -> (f64, f64) {
    let (low, high) = interval_999(estimate, replications);
    assert!(
        (low..=high).contains(&exact),
        "{what}: exact {exact:.5} outside the simulation's 99.9% interval [{low:.5}, {high:.5}] (mean {:.5})",
        estimate.mean,
    );
    assert!(
        high - low < 0.1 * exact.abs().max(1e-3),
        "{what}: interval too wide [{low:.5}, {high:.5}]"
    );
    (low, high)
}
