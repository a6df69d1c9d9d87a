//! The week's operations against the plan: `swapsim weekly`.
//!
//! For each site of the log that the plan has: the week's swap requests,
//! subscribers and stockouts against the plan's predicted interval, the
//! growth on the week before, the cabinets seen in the log against the
//! plan's, and what to do where demand runs above the plan.

use std::collections::BTreeMap;

use sim_core::{Estimate, Model};

use crate::format::{civil_from_days, date_text, days_from_civil, weekday};
use crate::headroom::Headroom;
use crate::tally::Tally;

/// What the plan predicts for one site, per day.
#[derive(Clone, Debug, PartialEq)]
pub struct Predicted {
    /// The site's name.
    pub site: String,
    /// Swap requests a day: mean and 95 % interval.
    pub requests_per_day: Estimate,
    /// Share of requests that find no battery (mean).
    pub stockout_probability: f64,
}

/// One site's week.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SiteWeek {
    /// The site's name.
    pub site: String,
    /// Its town, from the plan.
    pub town: String,
    /// Swap requests this week (swaps and attempts that found no battery).
    pub requests: u64,
    /// The plan's 95 % prediction interval for the week's requests, with
    /// its mean in the middle: see [`week_interval`].
    pub planned_requests: (f64, f64, f64),
    /// Requests the week before, when the log has that week.
    pub requests_last_week: Option<u64>,
    /// Growth on the week before, as a share.
    pub growth: Option<f64>,
    /// Distinct users this week.
    pub subscribers: u64,
    /// The plan's subscribers: e-bikes × adoption plus couriers.
    pub planned_subscribers: f64,
    /// The plan's 95 % interval for the subscribers: each e-bike
    /// subscribes with the plan's adoption as its chance (binomial), the
    /// couriers as planned.
    pub planned_subscribers_interval: (f64, f64),
    /// Attempts that found no battery this week.
    pub stockouts: u64,
    /// The plan's stockouts for the week's requests.
    pub planned_stockouts: f64,
    /// The plan's 95 % interval for the week's stockouts, as a count of
    /// rare events (Poisson about `planned_stockouts`).
    pub planned_stockouts_interval: (f64, f64),
    /// Cabinet ids seen in the log up to the week's end.
    pub cabinets_seen: usize,
    /// The plan's cabinets.
    pub cabinets_planned: u32,
    /// The plan's swap adoption at the site (its e-bikes' share on a
    /// subscription).
    pub adoption_planned: f64,
    /// This week's adoption, as the plan counts subscribers: the week's
    /// subscribers less the plan's couriers, over the plan's e-bikes;
    /// `None` for a site with no e-bikes.
    pub adoption_today: Option<f64>,
    /// Whether the week's requests run above the plan's interval, by more
    /// than the tolerance.
    pub above_plan: bool,
    /// Batteries to add when the site runs above the plan: the plan's
    /// stock scaled by the week's requests over the plan's mean; else 0.
    pub batteries_to_add: u32,
    /// The action, in words, or empty.
    pub action: String,
    /// The adoption at which the planned sizing stops meeting the plan's
    /// targets ([`crate::headroom()`]), when it was searched for.
    pub headroom: Option<Headroom>,
}

impl SiteWeek {
    /// This week's swap requests a day.
    pub fn requests_per_day(&self) -> f64 {
        self.requests as f64 / 7.0
    }

    /// Whether this week's demand is past what the plan holds at the
    /// site (the requests a day at [`Headroom::holds_up_to`]), whatever
    /// the adoption: riders may swap more often than the plan's.
    pub fn past_headroom(&self) -> bool {
        self.headroom
            .as_ref()
            .and_then(|h| h.requests_per_day)
            .is_some_and(|r| self.requests_per_day() > r)
    }
}

/// One town's week: its sites added up.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct TownWeek {
    /// The town, or empty for the sites that name none.
    pub town: String,
    /// Its sites in the report.
    pub sites: u32,
    /// Swap requests this week.
    pub requests: u64,
    /// The plan's requests for the week (the sum of the sites' means).
    pub planned_requests: f64,
    /// Its 95 % prediction interval: the sites' intervals added as
    /// independent normal ones (half-widths in quadrature).
    pub planned_requests_interval: (f64, f64),
    /// Distinct users this week, summed over the sites.
    pub subscribers: u64,
    /// The plan's subscribers, summed over the sites.
    pub planned_subscribers: f64,
    /// Their 95 % interval, added as the requests' is.
    pub planned_subscribers_interval: (f64, f64),
    /// Attempts that found no battery this week.
    pub stockouts: u64,
    /// The plan's stockouts for the week, summed over the sites.
    pub planned_stockouts: f64,
    /// Their 95 % interval, added as the requests' is.
    pub planned_stockouts_interval: (f64, f64),
    /// Its sites above the plan.
    pub above_plan: u32,
    /// Batteries to add over its sites.
    pub batteries_to_add: u32,
}

impl TownWeek {
    /// Adds one site's week.
    pub fn add(&mut self, s: &SiteWeek) {
        /// `(mean, (low, high))` plus a site's, half-widths in quadrature
        /// (each side's from its own mean; the low end at least 0).
        fn plus(mean: f64, sum: &mut (f64, f64), site: (f64, f64, f64)) {
            let (low, site_mean, high) = site;
            let below = (mean - sum.0).hypot(site_mean - low);
            let above = (sum.1 - mean).hypot(high - site_mean);
            let mean = mean + site_mean;
            *sum = ((mean - below).max(0.0), mean + above);
        }
        self.sites += 1;
        self.requests += s.requests;
        let (low, high) = (s.planned_requests.0, s.planned_requests.2);
        plus(
            self.planned_requests,
            &mut self.planned_requests_interval,
            (low, s.planned_requests.1, high),
        );
        self.planned_requests += s.planned_requests.1;
        self.subscribers += s.subscribers;
        let (low, high) = s.planned_subscribers_interval;
        plus(
            self.planned_subscribers,
            &mut self.planned_subscribers_interval,
            (low, s.planned_subscribers, high),
        );
        self.planned_subscribers += s.planned_subscribers;
        self.stockouts += s.stockouts;
        let (low, high) = s.planned_stockouts_interval;
        plus(
            self.planned_stockouts,
            &mut self.planned_stockouts_interval,
            (low, s.planned_stockouts, high),
        );
        self.planned_stockouts += s.planned_stockouts;
        self.above_plan += u32::from(s.above_plan);
        self.batteries_to_add += s.batteries_to_add;
    }
}

/// The sites rolled up by town, by the towns' names; none when no site
/// names its town (sites without one then make a town named "").
pub fn towns(sites: &[SiteWeek]) -> Vec<TownWeek> {
    if sites.iter().all(|s| s.town.is_empty()) {
        return Vec::new();
    }
    let mut towns: BTreeMap<&str, TownWeek> = BTreeMap::new();
    for site in sites {
        let town = towns.entry(site.town.as_str()).or_insert_with(|| TownWeek {
            town: site.town.clone(),
            ..TownWeek::default()
        });
        town.add(site);
    }
    towns.into_values().collect()
}

/// A week against the plan.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Weekly {
    /// The week, `2024-W14`.
    pub week: String,
    /// Its Monday and Sunday.
    pub from: String,
    /// Its Sunday.
    pub to: String,
    /// Per site of the log that the plan has, in log order.
    pub sites: Vec<SiteWeek>,
    /// The sites rolled up by town ([`towns`]); empty when no site names
    /// its town.
    pub towns: Vec<TownWeek>,
    /// Sites of the log the plan does not have.
    pub unplanned: Vec<String>,
    /// How far above the plan's interval a site may run \[share\].
    pub tolerance: f64,
}

/// Why a week cannot be reported against a log. Fatal to `weekly`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WeeklyError {
    /// The week ends before the log's first record or starts after its
    /// last: its zero requests would read as a collapse in demand.
    #[error(
        "{week} ({} to {}) is outside the log, which runs from {} ({}) to {} ({}): expected \
         a week from {} to {}",
        date_text(*monday),
        date_text(monday + 6),
        week_of(*first),
        date_text(*first),
        week_of(*last),
        date_text(*last),
        week_of(*first),
        week_of(*last)
    )]
    OutsideLog {
        /// The week asked for, `2024-W20`.
        week: String,
        /// Its Monday (days since 1970-01-01).
        monday: i32,
        /// The day of the log's first record.
        first: i32,
        /// The day of the log's last record.
        last: i32,
    },
}

/// The ISO week `YYYY-Www` that `day` (days since 1970-01-01) is in:
/// the week of its Thursday, which is in the week's year.
fn week_of(day: i32) -> String {
    let thursday = day - weekday(day) as i32 + 3;
    let (year, _, _) = civil_from_days(thursday);
    let week = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
    format!("{year}-W{week:02}")
}

/// The Monday (days since 1970-01-01) of an ISO week `YYYY-Www`.
pub fn iso_week(text: &str) -> Result<i32, String> {
    let bad = || format!("expected an ISO week like 2024-W14, found '{text}'");
    let (year, week) = text.trim().split_once("-W").ok_or_else(bad)?;
    let year: i32 = year.parse().map_err(|_| bad())?;
    let week: i32 = week.parse().map_err(|_| bad())?;
    if !(1970..=9999).contains(&year) {
        return Err(bad());
    }
    // Week 1 holds 4 January.
    let jan4 = days_from_civil(year, 1, 4);
    let first_monday = jan4 - weekday(jan4) as i32;
    let next_jan4 = days_from_civil(year + 1, 1, 4);
    let weeks = (next_jan4 - weekday(next_jan4) as i32 - first_monday) / 7;
    if !(1..=weeks).contains(&week) {
        return Err(format!("{year} has weeks 1 to {weeks}, found '{text}'"));
    }
    Ok(first_monday + (week - 1) * 7)
}

/// 1.96: the normal quantile of a two-sided 95 % interval.
const Z95: f64 = 1.96;

/// A week's 95 % prediction interval for a count whose daily mean the
/// plan estimates as `day` (mean and 95 % interval over replications): the
/// week's count varies about 7 × the mean as a Poisson count does
/// (variance = mean; requests are the riders' Poisson trips summed), and
/// the mean itself is known to its interval: variance 7μ + (7·se)², with
/// se the interval's upper half-width over 1.96. Returns (low, mean, high),
/// low at least 0.
pub fn week_interval(day: Estimate) -> (f64, f64, f64) {
    let mean = 7.0 * day.mean.max(0.0);
    let se = (day.ci95_high - day.mean).max(0.0) / Z95;
    let half = Z95 * (mean + (7.0 * se).powi(2)).sqrt();
    ((mean - half).max(0.0), mean, mean + half)
}

/// The week from `monday` in `tally`, against `plan` (the plan's model)
/// and what its run predicts per site. A site runs above the plan when its
/// week's requests exceed the top of the plan's prediction interval
/// ([`week_interval`]) by more than `tolerance` (a share: the model's own
/// bias on the sample log is about 6 %).
///
/// A week that ends before the log's first record or starts after its
/// last is an error naming the log's first and last week: the log says
/// nothing of it, and its zero requests would read as demand gone.
pub fn weekly(
    tally: &Tally,
    monday: i32,
    week: &str,
    plan: &Model,
    predicted: &[Predicted],
    tolerance: f64,
) -> Result<Weekly, WeeklyError> {
    if let Some((first, last, _)) = tally.window()
        && (monday + 6 < first || monday > last)
    {
        return Err(WeeklyError::OutsideLog {
            week: week.to_owned(),
            monday,
            first,
            last,
        });
    }
    let mut sites = Vec::new();
    let mut unplanned = Vec::new();
    for site in &tally.sites {
        let (Some(spec), Some(p)) = (
            plan.sites.iter().find(|s| s.name == site.name),
            predicted.iter().find(|p| p.site == site.name),
        ) else {
            unplanned.push(site.name.clone());
            continue;
        };
        let sum = |from: i32| -> (u64, u64, bool) {
            let mut any = false;
            let (mut requests, mut stockouts) = (0, 0);
            for (_, t) in site.days.range(from..from + 7) {
                any = true;
                requests += u64::from(t.swaps + t.no_battery);
                stockouts += u64::from(t.no_battery);
            }
            (requests, stockouts, any)
        };
        let (requests, stockouts, _) = sum(monday);
        let (last, _, had_last) = sum(monday - 7);
        let requests_last_week = had_last.then_some(last);
        let growth = requests_last_week
            .filter(|&l| l > 0)
            .map(|l| requests as f64 / l as f64 - 1.0);
        let planned_requests = week_interval(p.requests_per_day);
        let above_plan = requests as f64 > planned_requests.2 * (1.0 + tolerance);
        let couriers: u32 = spec.couriers.iter().map(|(_, n)| n).sum();
        let (ebikes, adoption) = (f64::from(spec.ebikes), spec.swap_adoption);
        let planned_subscribers = ebikes * adoption + f64::from(couriers);
        let spread = Z95 * (ebikes * adoption * (1.0 - adoption)).max(0.0).sqrt();
        let planned_subscribers_interval = (
            (planned_subscribers - spread).max(f64::from(couriers)),
            planned_subscribers + spread,
        );
        let planned_stockouts = planned_requests.1 * p.stockout_probability;
        let spread = Z95 * planned_stockouts.sqrt();
        let planned_stockouts_interval = (
            (planned_stockouts - spread).max(0.0),
            planned_stockouts + spread,
        );
        let subscribers = site.week_users.get(&monday).map_or(0, |u| u.len() as u64);
        let adoption_today = (spec.ebikes > 0).then(|| {
            subscribers.saturating_sub(u64::from(couriers)) as f64 / f64::from(spec.ebikes)
        });
        let (batteries_to_add, action) = if above_plan && planned_requests.1 > 0.0 {
            // Batteries in proportion to demand: the plan's stock scaled by
            // the week's requests over the plan's mean.
            let scale = requests as f64 / planned_requests.1;
            let add = (f64::from(spec.batteries) * (scale - 1.0)).ceil() as u32;
            (
                add,
                format!(
                    "re-plan: demand {:+.0} % on the plan; about {add} batteries more",
                    100.0 * (scale - 1.0)
                ),
            )
        } else {
            (0, String::new())
        };
        sites.push(SiteWeek {
            site: site.name.clone(),
            town: spec.town.clone(),
            requests,
            planned_requests,
            requests_last_week,
            growth,
            subscribers,
            planned_subscribers,
            planned_subscribers_interval,
            stockouts,
            planned_stockouts,
            planned_stockouts_interval,
            cabinets_seen: site
                .cabinets
                .values()
                .filter(|&&first| first <= monday + 6)
                .count(),
            cabinets_planned: spec.cabinets,
            adoption_planned: spec.swap_adoption,
            adoption_today,
            above_plan,
            batteries_to_add,
            action,
            headroom: None,
        });
    }
    Ok(Weekly {
        week: week.to_owned(),
        from: date_text(monday),
        to: date_text(monday + 6),
        towns: towns(&sites),
        sites,
        unplanned,
        tolerance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_weeks_start_on_their_monday() {
        assert_eq!(date_text(iso_week("2024-W14").unwrap()), "2024-04-01");
        assert_eq!(date_text(iso_week("2024-W01").unwrap()), "2024-01-01");
        assert_eq!(date_text(iso_week("2021-W01").unwrap()), "2021-01-04");
        assert_eq!(date_text(iso_week("2020-W53").unwrap()), "2020-12-28");
        assert!(iso_week("2021-W53").is_err());
        assert!(iso_week("2024-14").is_err());
    }

    #[test]
    fn every_day_is_in_the_week_whose_monday_is_before_it() {
        for week in [
            "2020-W53", "2021-W01", "2024-W01", "2024-W13", "2024-W52", "2026-W01",
        ] {
            let monday = iso_week(week).unwrap();
            for day in monday..monday + 7 {
                assert_eq!(week_of(day), week, "{}", date_text(day));
            }
        }
    }

    /// A week of a daily mean of 100 [98, 102]: mean 700, variance 700
    /// (Poisson) + (7 × 2 / 1.96)², half-width 1.96 × √751.0 = 53.71.
    #[test]
    fn a_weeks_interval_is_poisson_about_the_plans_mean_widened_by_its_own() {
        let day = Estimate {
            mean: 100.0,
            ci95_low: 98.0,
            ci95_high: 102.0,
        };
        let (low, mean, high) = week_interval(day);
        let half = 1.96 * (700.0_f64 + (7.0 * 2.0 / 1.96_f64).powi(2)).sqrt();
        assert!((half - 53.71).abs() < 0.01, "{half}");
        assert_eq!(mean, 700.0);
        assert!((high - 700.0 - half).abs() < 1e-9 && (700.0 - low - half).abs() < 1e-9);
        // A mean known exactly still varies as a count; none is never below 0.
        let exact = Estimate {
            mean: 0.1,
            ci95_low: 0.1,
            ci95_high: 0.1,
        };
        let (low, mean, high) = week_interval(exact);
        assert_eq!(low, 0.0);
        assert!((high - mean - 1.96 * mean.sqrt()).abs() < 1e-9);
    }

    /// Towns add their sites' means, and their half-widths in quadrature.
    #[test]
    fn a_town_adds_its_sites_intervals_in_quadrature() {
        let site = |requests: (f64, f64, f64), subscribers: (f64, f64, f64)| SiteWeek {
            site: String::new(),
            town: "t".into(),
            requests: 0,
            planned_requests: requests,
            requests_last_week: None,
            growth: None,
            subscribers: 0,
            planned_subscribers: subscribers.1,
            planned_subscribers_interval: (subscribers.0, subscribers.2),
            stockouts: 0,
            planned_stockouts: 4.0,
            planned_stockouts_interval: (0.0, 8.0),
            cabinets_seen: 0,
            cabinets_planned: 0,
            adoption_planned: 0.0,
            adoption_today: None,
            above_plan: false,
            batteries_to_add: 0,
            action: String::new(),
            headroom: None,
        };
        let mut town = TownWeek::default();
        town.add(&site((90.0, 100.0, 110.0), (27.0, 30.0, 33.0)));
        town.add(&site((176.0, 200.0, 224.0), (36.0, 40.0, 44.0)));
        assert_eq!(town.planned_requests, 300.0);
        // √(10² + 24²) = 26.
        assert_eq!(town.planned_requests_interval, (274.0, 326.0));
        // √(3² + 4²) = 5.
        assert_eq!(town.planned_subscribers, 70.0);
        assert_eq!(town.planned_subscribers_interval, (65.0, 75.0));
        // Below, each site's interval is cut at 0: 4 and 4 below, 4 and 4 above.
        assert_eq!(town.planned_stockouts, 8.0);
        let (low, high) = town.planned_stockouts_interval;
        assert!(
            (low - (8.0 - 32.0_f64.sqrt())).abs() < 1e-9
                && (high - (8.0 + 32.0_f64.sqrt())).abs() < 1e-9
        );
    }
}
