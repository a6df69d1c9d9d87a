//! The scenario inputs a log measures, each with its 95 % interval and
//! sample size.

use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::tally::{SOC_BINS, Tally, UserTally};

/// The courier threshold of the issue: users averaging at least this many
/// swaps a day over the log's window are couriers \[swaps/d\].
pub const DEFAULT_COURIER_THRESHOLD: f64 = 1.5;

/// An estimate with its 95 % interval and the size of its sample.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Interval {
    /// The point estimate.
    pub value: f64,
    /// Lower end of the 95 % interval.
    pub low: f64,
    /// Upper end of the 95 % interval.
    pub high: f64,
    /// Sample size.
    pub n: u64,
}

impl Interval {
    /// The mean of `values` with a Student-t interval (zero width below
    /// two values).
    pub fn mean(values: impl IntoIterator<Item = f64>) -> Interval {
        let (mut n, mut sum, mut sq) = (0u64, 0.0, 0.0);
        for v in values {
            n += 1;
            sum += v;
            sq += v * v;
        }
        if n == 0 {
            return Interval {
                value: 0.0,
                low: 0.0,
                high: 0.0,
                n: 0,
            };
        }
        let mean = sum / n as f64;
        let half = if n >= 2 {
            let var = ((sq - sum * mean) / (n - 1) as f64).max(0.0);
            t95(n - 1) * (var / n as f64).sqrt()
        } else {
            0.0
        };
        Interval {
            value: mean,
            low: mean - half,
            high: mean + half,
            n,
        }
    }

    /// A share `hits / n` with its Wilson score interval.
    pub fn share(hits: u64, n: u64) -> Interval {
        if n == 0 {
            return Interval {
                value: 0.0,
                low: 0.0,
                high: 1.0,
                n,
            };
        }
        let z = 1.959_963_984_540_054_f64;
        let (k, nf) = (hits as f64, n as f64);
        let p = k / nf;
        let denom = 1.0 + z * z / nf;
        let centre = (p + z * z / (2.0 * nf)) / denom;
        let half = z * (p * (1.0 - p) / nf + z * z / (4.0 * nf * nf)).sqrt() / denom;
        Interval {
            value: p,
            low: (centre - half).max(0.0),
            high: (centre + half).min(1.0),
            n,
        }
    }
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom.
fn t95(df: u64) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64).map_or(1.96, |t| t.inverse_cdf(0.975))
}

/// The charge at hand-in \[0–1\].
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Charge {
    /// The mean, with its interval and the swaps it is over.
    pub mean: Interval,
    /// Standard deviation over swaps.
    pub sd: f64,
    /// 5th percentile (to the 2 % bin).
    pub p05: f64,
    /// Median (to the 2 % bin).
    pub p50: f64,
    /// 95th percentile (to the 2 % bin).
    pub p95: f64,
    /// Mean charge handed out, over the swaps whose row has it.
    pub handed_out: Option<f64>,
    /// Mean charge handed out minus mean charge handed in, over the swaps
    /// whose row has both: the charge a rider uses between swaps.
    pub used: Option<f64>,
}

/// What a group of users (commuters or couriers) does.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Behaviour {
    /// Users.
    pub users: u64,
    /// Swaps per user and day of the window, the interval over users.
    pub swaps_per_user_day: Interval,
    /// Share of requests by hour on weekdays (sums to 1, or all 0).
    pub profile_weekday: [f64; 24],
    /// Share of requests by hour on weekends.
    pub profile_weekend: [f64; 24],
    /// Requests behind each profile: weekdays, weekends.
    pub profile_n: (u64, u64),
    /// The charge at hand-in.
    pub hand_in: Charge,
}

/// What a log says of one site.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SiteEstimate {
    /// The site's name.
    pub site: String,
    /// Distinct users active in the window.
    pub subscribers: u64,
    /// Share of the users who are couriers, with its Wilson interval.
    pub courier_share: Interval,
    /// Swaps per subscriber and day, over all the site's users.
    pub swaps_per_subscriber_day: Interval,
    /// Swap requests (swaps and attempts that found no battery) a day,
    /// the interval over the window's days.
    pub requests_per_day: Interval,
    /// Requests on each day of the window, in order.
    pub daily_requests: Vec<u32>,
    /// Share of requests by hour over every day of the window.
    pub profile: [f64; 24],
    /// Requests that found no battery, as a share of requests, when the
    /// log has `result`.
    pub stockout_share: Option<Interval>,
    /// Cabinet ids seen.
    pub cabinets: Vec<String>,
    /// The site's commuters (below the courier threshold).
    pub commuters: Behaviour,
    /// The site's couriers.
    pub couriers: Behaviour,
}

/// What a log says, by site, and by group over all sites.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Estimates {
    /// First day of the window, `YYYY-MM-DD`.
    pub first_day: String,
    /// Last day of the window.
    pub last_day: String,
    /// Days in the window.
    pub days: u32,
    /// Day of the week of the first day (0 = Monday … 6 = Sunday).
    pub first_weekday: u32,
    /// The courier threshold used \[swaps/d\].
    pub courier_threshold: f64,
    /// Per site, in order of first appearance in the log.
    pub sites: Vec<SiteEstimate>,
    /// Commuters of every site.
    pub commuters: Behaviour,
    /// Couriers of every site.
    pub couriers: Behaviour,
}

/// Estimates from a tally; `courier_threshold` in swaps a day.
pub fn estimate(tally: &Tally, courier_threshold: f64) -> Estimates {
    let (first, last, days) = tally.window().unwrap_or((0, 0, 1));
    let is_courier = |u: &UserTally| f64::from(u.swaps) / f64::from(days) >= courier_threshold;
    let mut sites = Vec::with_capacity(tally.sites.len());
    for site in &tally.sites {
        let couriers = site.user.iter().filter(|u| is_courier(u)).count() as u64;
        let n = site.user.len() as u64;
        let daily_requests: Vec<u32> = (first..=last)
            .map(|d| site.days.get(&d).map_or(0, |t| t.swaps + t.no_battery))
            .collect();
        let (swaps, failed): (u64, u64) = site.days.values().fold((0, 0), |(s, f), t| {
            (s + u64::from(t.swaps), f + u64::from(t.no_battery))
        });
        let mut hours = [0u64; 24];
        for u in &site.user {
            for (h, c) in u.hours.iter().enumerate() {
                hours[h % 24] += u64::from(*c);
            }
        }
        sites.push(SiteEstimate {
            site: site.name.clone(),
            subscribers: n,
            courier_share: Interval::share(couriers, n),
            swaps_per_subscriber_day: Interval::mean(
                site.user
                    .iter()
                    .map(|u| f64::from(u.swaps) / f64::from(days)),
            ),
            requests_per_day: Interval::mean(daily_requests.iter().map(|&r| f64::from(r))),
            daily_requests,
            profile: shares(&hours).0,
            stockout_share: tally
                .has_result
                .then(|| Interval::share(failed, swaps + failed)),
            cabinets: site.cabinets.keys().map(|c| c.to_string()).collect(),
            commuters: behaviour(site.user.iter().filter(|u| !is_courier(u)), days),
            couriers: behaviour(site.user.iter().filter(|u| is_courier(u)), days),
        });
    }
    let all = || tally.sites.iter().flat_map(|s| s.user.iter());
    Estimates {
        first_day: crate::format::date_text(first),
        last_day: crate::format::date_text(last),
        days,
        first_weekday: crate::format::weekday(first),
        courier_threshold,
        sites,
        commuters: behaviour(all().filter(|u| !is_courier(u)), days),
        couriers: behaviour(all().filter(|u| is_courier(u)), days),
    }
}

/// Shares of counts, and their total.
fn shares(counts: &[u64; 24]) -> ([f64; 24], u64) {
    let total: u64 = counts.iter().sum();
    let mut out = [0.0; 24];
    if total > 0 {
        for (o, c) in out.iter_mut().zip(counts) {
            *o = *c as f64 / total as f64;
        }
    }
    (out, total)
}

/// What `users` do over a window of `days`.
fn behaviour<'a>(users: impl Iterator<Item = &'a UserTally> + Clone, days: u32) -> Behaviour {
    let mut weekday = [0u64; 24];
    let mut weekend = [0u64; 24];
    let mut bins = [0u64; SOC_BINS];
    let (mut n, mut sum, mut sq) = (0u64, 0.0, 0.0);
    let (mut used_n, mut used_sum, mut out_sum) = (0u64, 0.0, 0.0);
    let mut count = 0;
    for u in users.clone() {
        count += 1;
        for h in 0..24 {
            weekday[h] += u64::from(u.hours[h]);
            weekend[h] += u64::from(u.hours[24 + h]);
        }
        for (b, c) in bins.iter_mut().zip(&u.soc_in_bins) {
            *b += u64::from(*c);
        }
        n += u64::from(u.soc_in_n);
        sum += u.soc_in_sum;
        sq += u.soc_in_sq;
        used_n += u64::from(u.used_n);
        used_sum += u.used_sum;
        out_sum += u.soc_out_sum;
    }
    let (profile_weekday, n_weekday) = shares(&weekday);
    let (profile_weekend, n_weekend) = shares(&weekend);
    let mean = if n > 0 { sum / n as f64 } else { 0.0 };
    let sd = if n >= 2 {
        ((sq - sum * mean) / (n - 1) as f64).max(0.0).sqrt()
    } else {
        0.0
    };
    let half = if n >= 2 {
        t95(n - 1) * sd / (n as f64).sqrt()
    } else {
        0.0
    };
    let quantile = |q: f64| -> f64 {
        let target = q * n as f64;
        let mut seen = 0u64;
        for (i, c) in bins.iter().enumerate() {
            seen += c;
            if seen as f64 >= target && seen > 0 {
                return (i as f64 + 0.5) / SOC_BINS as f64;
            }
        }
        0.0
    };
    Behaviour {
        users: count,
        swaps_per_user_day: Interval::mean(users.map(|u| f64::from(u.swaps) / f64::from(days))),
        profile_weekday,
        profile_weekend,
        profile_n: (n_weekday, n_weekend),
        hand_in: Charge {
            mean: Interval {
                value: mean,
                low: mean - half,
                high: mean + half,
                n,
            },
            sd,
            p05: quantile(0.05),
            p50: quantile(0.5),
            p95: quantile(0.95),
            handed_out: (used_n > 0).then(|| out_sum / used_n as f64),
            used: (used_n > 0).then(|| used_sum / used_n as f64),
        },
    }
}

/// Total variation distance between two distributions over the same
/// hours: half the sum of absolute differences, 0 (equal) to 1.
pub fn total_variation(a: &[f64], b: &[f64]) -> f64 {
    let (sa, sb): (f64, f64) = (a.iter().sum(), b.iter().sum());
    if sa <= 0.0 || sb <= 0.0 {
        return 1.0;
    }
    0.5 * a
        .iter()
        .zip(b)
        .map(|(x, y)| (x / sa - y / sb).abs())
        .sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_cover_their_estimates() {
        let m = Interval::mean([1.0, 2.0, 3.0]);
        assert_eq!(m.value, 2.0);
        // t(2) = 4.303, sd 1, n 3.
        assert!((m.high - 2.0 - 4.303 / 3f64.sqrt()).abs() < 1e-3, "{m:?}");
        let s = Interval::share(10, 100);
        assert!(
            s.low < 0.1 && s.high > 0.1 && s.low > 0.04 && s.high < 0.18,
            "{s:?}"
        );
        assert_eq!(total_variation(&[1.0, 0.0], &[0.0, 2.0]), 1.0);
        assert_eq!(total_variation(&[1.0, 1.0], &[2.0, 2.0]), 0.0);
    }
}
