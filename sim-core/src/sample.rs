//! Drawing from the model's distributions.

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use crate::model::Dist;
use crate::rng::StreamRng;

/// One draw from `dist`.
pub(crate) fn sample_dist(dist: &Dist, rng: &mut StreamRng) -> f64 {
    match *dist {
        Dist::Fixed { value } => value,
        Dist::Uniform { low, high } => low + (high - low) * rng.random::<f64>(),
        Dist::Normal {
            mean,
            sd,
            low,
            high,
        } => {
            // Redraw until inside the bounds; give up on absurd bounds.
            for _ in 0..1000 {
                let z: f64 = StandardNormal.sample(rng);
                let x = mean + sd * z;
                if (low..=high).contains(&x) {
                    return x;
                }
            }
            mean.clamp(low, high)
        }
        Dist::LogNormal { mean, sd } => {
            if mean <= 0.0 {
                return 0.0;
            }
            let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
            let mu = mean.ln() - 0.5 * sigma2;
            let z: f64 = StandardNormal.sample(rng);
            (mu + sigma2.sqrt() * z).exp()
        }
        Dist::Exponential { mean } => {
            let e: f64 = rand_distr::Exp1.sample(rng);
            mean * e
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, stream};

    /// Seed 3, 200 000 draws: the sample mean is within 4 standard errors.
    #[test]
    fn sample_means_match_the_distributions() {
        let mut rng = stream(3, 0, Purpose::RiderTraits, 0);
        let cases = [
            (
                Dist::Uniform {
                    low: 2.0,
                    high: 4.0,
                },
                3.0,
                0.577,
            ),
            (
                Dist::LogNormal {
                    mean: 25.0,
                    sd: 10.0,
                },
                25.0,
                10.0,
            ),
            (
                Dist::Normal {
                    mean: 10.0,
                    sd: 2.0,
                    low: 0.0,
                    high: f64::MAX,
                },
                10.0,
                2.0,
            ),
        ];
        for (dist, mean, sd) in cases {
            let n = 200_000;
            let total: f64 = (0..n).map(|_| sample_dist(&dist, &mut rng)).sum();
            let m = total / f64::from(n);
            let se = sd / f64::from(n).sqrt();
            assert!((m - mean).abs() < 4.0 * se, "{dist:?}: mean {m}");
        }
        assert_eq!(sample_dist(&Dist::Fixed { value: 7.5 }, &mut rng), 7.5);
    }
}
