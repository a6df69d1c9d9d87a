//! A 15-minute series folded onto one day: per quarter of the day, the
//! mean and the 5th and 95th percentiles over the days.

/// Quarter hours per day.
pub(crate) const QUARTERS_PER_DAY: usize = 96;

/// One statistic per quarter of the day; `NaN` where no day has data.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DayProfile {
    /// Mean over days.
    pub mean: Vec<f64>,
    /// 5th percentile over days.
    pub low: Vec<f64>,
    /// 95th percentile over days.
    pub high: Vec<f64>,
}

impl DayProfile {
    /// Folds `(start minute, value)` points onto the day.
    pub fn of(points: impl IntoIterator<Item = (u64, f64)>) -> DayProfile {
        let mut buckets = vec![Vec::new(); QUARTERS_PER_DAY];
        for (minute, x) in points {
            buckets[(minute % 1440 / 15) as usize].push(x);
        }
        let mut profile = DayProfile {
            mean: Vec::with_capacity(QUARTERS_PER_DAY),
            low: Vec::with_capacity(QUARTERS_PER_DAY),
            high: Vec::with_capacity(QUARTERS_PER_DAY),
        };
        for mut b in buckets {
            b.sort_by(f64::total_cmp);
            profile.mean.push(if b.is_empty() {
                f64::NAN
            } else {
                b.iter().sum::<f64>() / b.len() as f64
            });
            profile.low.push(quantile(&b, 0.05));
            profile.high.push(quantile(&b, 0.95));
        }
        profile
    }

    /// `(hour of day, value)` at each quarter's start that has data.
    pub fn points(values: &[f64]) -> Vec<(f64, f64)> {
        values
            .iter()
            .enumerate()
            .filter(|(_, x)| x.is_finite())
            .map(|(q, &x)| (q as f64 / 4.0, x))
            .collect()
    }

    /// The smallest mean of any quarter (∞ without data).
    pub fn min_mean(&self) -> f64 {
        self.mean
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .fold(f64::INFINITY, f64::min)
    }
}

/// The `q` quantile of sorted `values` by linear interpolation (type 7);
/// `NaN` for none.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q;
            let (lo, frac) = (h.floor() as usize, h - h.floor());
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + frac * (sorted[hi] - sorted[lo])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_fold_onto_their_quarter() {
        // Quarter 0 of three days and quarter 95 of one.
        let p = DayProfile::of([(1440, 1.0), (2880, 2.0), (4320, 6.0), (1440 + 1425, 4.0)]);
        assert_eq!(p.mean[0], 3.0);
        assert!((p.low[0] - 1.1).abs() < 1e-12);
        assert!((p.high[0] - 5.6).abs() < 1e-12);
        assert_eq!((p.mean[95], p.low[95], p.high[95]), (4.0, 4.0, 4.0));
        assert!(p.mean[1].is_nan());
        assert_eq!(DayProfile::points(&p.mean), vec![(0.0, 3.0), (23.75, 4.0)]);
        assert_eq!(p.min_mean(), 3.0);
    }
}
