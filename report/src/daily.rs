//! A 15-minute series folded onto one day: per quarter of the day, the
//! mean over the days. (The spread of the load over replications and days
//! is computed by the engine from every replication's series: see
//! `sim_core::LoadBand`.)

/// Quarter hours per day.
pub(crate) const QUARTERS_PER_DAY: usize = 96;

/// One statistic per quarter of the day; `NaN` where no day has data.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DayProfile {
    /// Mean over days.
    pub mean: Vec<f64>,
}

impl DayProfile {
    /// Folds `(start minute, value)` points onto the day.
    pub fn of(points: impl IntoIterator<Item = (u64, f64)>) -> DayProfile {
        let mut sums = vec![(0.0, 0_u32); QUARTERS_PER_DAY];
        for (minute, x) in points {
            let (sum, n) = &mut sums[(minute % 1440 / 15) as usize];
            *sum += x;
            *n += 1;
        }
        DayProfile {
            mean: sums
                .into_iter()
                .map(|(sum, n)| if n == 0 { f64::NAN } else { sum / f64::from(n) })
                .collect(),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_fold_onto_their_quarter() {
        // Quarter 0 of three days and quarter 95 of one.
        let p = DayProfile::of([(1440, 1.0), (2880, 2.0), (4320, 6.0), (1440 + 1425, 4.0)]);
        assert_eq!(p.mean[0], 3.0);
        assert_eq!(p.mean[95], 4.0);
        assert!(p.mean[1].is_nan());
        assert_eq!(DayProfile::points(&p.mean), vec![(0.0, 3.0), (23.75, 4.0)]);
        assert_eq!(p.min_mean(), 3.0);
    }
}
