//! Statistics: time-weighted levels inside the measurement window, and the
//! mean with a 95% Student-t interval across replications.

use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::Time;

/// The integral of a piecewise-constant level, with its peak and the time
/// spent above a threshold.
///
/// The accumulator counts from its last [`TimeWeighted::open_window`]: the
/// engine opens every accumulator once, when the clock reaches the end of
/// the warm-up, so nothing before it counts. Until then it integrates the
/// warm-up, which the opening throws away. That keeps the hot path free of
/// window tests: a change of level is a multiply-add, a max and a
/// compare. `set` must be called with non-decreasing times.
#[derive(Clone, Copy, Debug)]
pub struct TimeWeighted {
    level: f64,
    since: Time,
    /// ∫ level dt since the window opened \[level·ms\].
    area: f64,
    /// Largest level held for a positive time since the window opened.
    max: f64,
    /// Level above which time is counted in `time_above`; infinite = never.
    threshold: f64,
    /// Time since the window opened with the level above `threshold` \[ms\].
    time_above: f64,
}

impl Default for TimeWeighted {
    fn default() -> Self {
        TimeWeighted {
            level: 0.0,
            since: 0,
            area: 0.0,
            max: 0.0,
            threshold: f64::INFINITY,
            time_above: 0.0,
        }
    }
}

impl TimeWeighted {
    /// An accumulator that also counts the time spent above `threshold`.
    pub fn with_threshold(threshold: f64) -> Self {
        TimeWeighted {
            threshold,
            ..TimeWeighted::default()
        }
    }

    /// Current level.
    #[inline]
    pub fn level(&self) -> f64 {
        self.level
    }

    /// Changes the level at `now`, closing the previous piece.
    #[inline]
    pub fn set(&mut self, now: Time, level: f64) {
        self.close(now);
        self.level = level;
    }

    /// Adds `delta` to the level at `now`.
    #[inline]
    pub fn add(&mut self, now: Time, delta: f64) {
        let level = self.level + delta;
        self.set(now, level);
    }

    /// Accounts for the current piece up to `now` without changing the level.
    #[inline]
    pub fn close(&mut self, now: Time) {
        debug_assert!(now >= self.since, "time went backwards");
        let dt = crate::ms_f64(now - self.since);
        // A piece of zero length adds exactly nothing to the sums.
        self.area += self.level * dt;
        if self.level > self.threshold {
            self.time_above += dt;
        }
        if dt > 0.0 && self.level > self.max {
            self.max = self.level;
        }
        self.since = now;
    }

    /// Starts counting at `at`: everything integrated so far is dropped;
    /// the level carries on.
    pub fn open_window(&mut self, at: Time) {
        debug_assert!(at >= self.since, "window opens in the past");
        self.since = at;
        self.area = 0.0;
        self.max = 0.0;
        self.time_above = 0.0;
    }

    /// ∫ level dt over the window \[level·ms\].
    pub fn area(&self) -> f64 {
        self.area
    }

    /// Largest level held inside the window.
    pub fn max(&self) -> f64 {
        self.max
    }

    /// Time inside the window with the level above the threshold \[ms\].
    pub fn time_above(&self) -> f64 {
        self.time_above
    }
}

/// The integral of a piecewise-constant count (ready batteries, charging
/// slots, riders waiting, busy doors), in integers.
///
/// [`TimeWeighted`] with a whole level, for the levels the engine changes
/// on nearly every event, with no peak or threshold to keep. It keeps the
/// integral by parts: over a window from `w` to `T`,
/// `∫ level dt = level(T)·T − level(w)·w − Σ Δlevel·t` over the changes in
/// between, so a change adds `Δlevel·t` to one sum and reads no earlier
/// time (M/M/10: 6 instructions per event fewer than closing a piece per
/// change). The sums wrap modulo 2⁶⁴ and the area, below 2⁶⁴, comes out
/// exact. So it is the same number `TimeWeighted` gives as long as that
/// one's `f64` sums stay exact (below 2^53 level·ms, about 2,800 riders
/// waiting for 100 years), whatever pieces the time is cut into. Same
/// window rules as `TimeWeighted`: counts from the last
/// [`CountWeighted::open_window`], `set` with non-decreasing times.
#[derive(Clone, Copy, Debug, Default)]
pub struct CountWeighted {
    level: u32,
    /// `level(w)·w + Σ Δlevel·t` since the window opened at `w`, modulo
    /// 2⁶⁴ \[level·ms\].
    moments: u64,
    /// The time the last [`CountWeighted::close`] accounted up to.
    closed_at: Time,
    /// The time of the last change, to check the order of calls (not kept
    /// in release builds: one more store per change cost M/M/10 6
    /// instructions per event).
    #[cfg(debug_assertions)]
    last_set: Time,
}

impl CountWeighted {
    /// Changes the level at `now`. Read the area only after a
    /// [`CountWeighted::close`] at or after the last change.
    #[inline]
    pub fn set(&mut self, now: Time, level: u32) {
        #[cfg(debug_assertions)]
        {
            self.assert_not_before(now, "time went backwards");
            self.last_set = now;
        }
        let delta = u64::from(level).wrapping_sub(u64::from(self.level));
        self.moments = self.moments.wrapping_add(delta.wrapping_mul(now));
        self.level = level;
    }

    /// Accounts for the current piece up to `now` without changing the level.
    #[inline]
    pub fn close(&mut self, now: Time) {
        #[cfg(debug_assertions)]
        self.assert_not_before(now, "time went backwards");
        self.closed_at = now;
    }

    /// Starts counting at `at`: everything integrated so far is dropped;
    /// the level carries on.
    pub fn open_window(&mut self, at: Time) {
        #[cfg(debug_assertions)]
        self.assert_not_before(at, "window opens in the past");
        self.moments = u64::from(self.level).wrapping_mul(at);
        self.closed_at = at;
    }

    /// ∫ level dt over the window up to the last [`CountWeighted::close`],
    /// which must be at or after the last change \[level·ms\].
    pub fn area(&self) -> f64 {
        #[cfg(debug_assertions)]
        assert!(self.closed_at >= self.last_set, "area read before a close");
        let at_close = u64::from(self.level).wrapping_mul(self.closed_at);
        at_close.wrapping_sub(self.moments) as f64
    }

    /// Debug builds: calls come in time order, `t` no earlier than the last
    /// change or close.
    #[cfg(debug_assertions)]
    fn assert_not_before(&self, t: Time, what: &str) {
        assert!(t >= self.closed_at.max(self.last_set), "{what}");
    }
}

/// Mean and 95% Student-t interval of `samples` (one value per replication).
///
/// With fewer than two samples the interval collapses to the mean: there is
/// no spread to estimate.
pub fn mean_ci95(samples: &[f64]) -> (f64, f64, f64) {
    let n = samples.len();
    if n == 0 {
        return (0.0, 0.0, 0.0);
    }
    let mean = samples.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, mean, mean);
    }
    let var = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half = t_critical_975(n - 1) * (var / n as f64).sqrt();
    (mean, mean - half, mean + half)
}

/// The `q` quantile (0 to 1) of `sorted` (ascending) by linear
/// interpolation between order statistics (Hyndman and Fan's type 7, the
/// default of R and numpy); `NaN` for no samples.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    debug_assert!(sorted.is_sorted_by(|a, b| a <= b), "samples are sorted");
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - h.floor()) * (sorted[hi] - sorted[lo])
        }
    }
}

/// The 97.5% quantile of Student's t with `dof` degrees of freedom.
pub fn t_critical_975(dof: usize) -> f64 {
    StudentsT::new(0.0, 1.0, dof as f64)
        .map(|t| t.inverse_cdf(0.975))
        .unwrap_or(1.959_963_984_540_054)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_weighted_ignores_warmup_and_integrates_exactly() {
        let mut tw = TimeWeighted::default();
        tw.set(0, 9.0); // level 9 from 0: warm-up only
        tw.set(4, 5.0); // level 5 from 4, but the window opens at 10
        tw.open_window(10);
        tw.set(20, 2.0); // 5 × (20 − 10) = 50
        tw.set(20, 7.0); // held for no time: neither area nor peak
        tw.set(20, 2.0);
        tw.close(30); // + 2 × 10 = 20
        assert_eq!(tw.area(), 70.0);
        assert_eq!(tw.max(), 5.0);
    }

    #[test]
    fn time_above_threshold_counts_only_the_window() {
        let mut tw = TimeWeighted::with_threshold(3.0);
        tw.set(0, 5.0); // above, but before the window
        tw.open_window(10);
        tw.set(20, 3.0); // 10 ms above in the window; 3 is not above 3
        tw.set(30, 4.0);
        tw.close(35); // 5 ms above
        assert_eq!(tw.time_above(), 15.0);
    }

    #[test]
    fn counts_integrate_as_time_weighted_does() {
        let mut count = CountWeighted::default();
        let mut tw = TimeWeighted::default();
        let steps: [(Time, u32); 6] = [(0, 9), (4, 5), (20, 2), (20, 7), (20, 2), (33, 4)];
        for (i, &(t, level)) in steps.iter().enumerate() {
            if i == 2 {
                count.open_window(10);
                tw.open_window(10);
            }
            count.set(t, level);
            tw.set(t, f64::from(level));
        }
        count.close(1_000_000_007);
        tw.close(1_000_000_007);
        assert_eq!(count.area(), tw.area());
        // 5 × (20 − 10) + 2 × (33 − 20) + 4 × (1,000,000,007 − 33)
        assert_eq!(
            count.area(),
            50.0 + 2.0 * 13.0 + 4.0 * (1_000_000_007.0 - 33.0)
        );
    }

    /// Level × time overflows 64 bits long before the area does: the
    /// wrapping sums still give the area exactly.
    #[test]
    fn counts_stay_exact_when_level_times_time_wraps() {
        let mut count = CountWeighted::default();
        let t0: Time = 1 << 40;
        count.set(t0 / 2, 7);
        count.open_window(t0);
        count.set(t0 + 1_000, 4_000_000_000);
        count.set(t0 + 1_000 + 1_000_000_000, 3);
        count.close(t0 + 2_000_000_000);
        let area: u64 = 7 * 1_000 + 4_000_000_000 * 1_000_000_000 + 3 * (1_000_000_000 - 1_000);
        assert_eq!(count.area(), area as f64);
        // Read mid-way, as the 15-minute series does.
        count.close(t0 + 3_000_000_000);
        assert_eq!(count.area(), (area + 3 * 1_000_000_000) as f64);
    }

    /// The area is read after a close at or after the last change; a
    /// debug build says so when it is not.
    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "area read before a close")]
    fn counts_read_before_a_close_are_refused_in_debug_builds() {
        let mut count = CountWeighted::default();
        count.open_window(0);
        count.set(10, 1);
        let _ = count.area();
    }

    #[test]
    fn student_t_interval_matches_tables() {
        // t_{0.975, 9} = 2.262157 (standard tables).
        assert!((t_critical_975(9) - 2.262_157).abs() < 1e-5);
        let (m, lo, hi) = mean_ci95(&[1.0, 2.0, 3.0, 4.0]);
        // sd = 1.290994, se = 0.645497, t_{0.975,3} = 3.182446
        assert_eq!(m, 2.5);
        assert!((hi - m - 3.182_446 * 0.645_497).abs() < 1e-5);
        assert!((m - lo - (hi - m)).abs() < 1e-12);
        assert_eq!(mean_ci95(&[4.0]), (4.0, 4.0, 4.0));
    }

    #[test]
    fn quantiles_interpolate_like_r_type_7() {
        // R: quantile(c(1, 2, 6), c(0.05, 0.5, 0.95)) = 1.1, 2, 5.6
        let sorted = [1.0, 2.0, 6.0];
        assert!((quantile_sorted(&sorted, 0.05) - 1.1).abs() < 1e-12);
        assert_eq!(quantile_sorted(&sorted, 0.5), 2.0);
        assert!((quantile_sorted(&sorted, 0.95) - 5.6).abs() < 1e-12);
        assert_eq!(quantile_sorted(&[3.0], 0.95), 3.0);
        assert!(quantile_sorted(&[], 0.5).is_nan());
    }
}
