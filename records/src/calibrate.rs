//! A scenario with a log's estimates applied: `swapsim calibrate`.
//!
//! The calibrated file is the scenario's text, unchanged, followed by one
//! block (as a plan file is): the two rider groups measured by the log,
//! which replace the default `commuter` and `courier` groups, and a
//! `[[site_override]]` per site with its subscribers (`swap_adoption`) and
//! couriers. Each key has the estimate's interval and sample size in the
//! comment above it, which the report shows as its source.
//!
//! How the estimates become keys:
//! - commuters of a site (users below the courier threshold) →
//!   `swap_adoption` = commuters ÷ `ebikes` (and `ebikes` = commuters when
//!   the log has more);
//! - couriers of a site → `couriers = { courier = n }`;
//! - swaps per user and day → the group's `daily_km`: a rider swaps when
//!   the charge used since the last swap is spent; the simulator hands out
//!   the fullest battery (100 % when stock allows), so km a day = swaps a
//!   day × capacity × (1 − the hand-in charge) ÷ Wh per km (the default
//!   12–20 Wh/km kept);
//! - the charge at hand-in → `swap_threshold_soc`: a rider hands in a little
//!   below their threshold, half a trip's charge on average, so the
//!   threshold is the hand-in charge plus half a trip;
//! - hour-of-day requests, weekdays and weekends → the group's `profile`.
//!
//! A scenario that declares its own `[[group]]`s keeps them as written:
//! a group cannot be declared twice, and its riders may not be the log's
//! commuters and couriers. The measured groups are then written as
//! comments, to copy into the scenario's groups by hand, and only the
//! per-site estimates apply: `swap_adoption` (every resident group of the
//! site's `mix`), and the couriers when exactly one group works across the
//! district; [`Calibrated::warnings`] says what was left.

use std::fmt::Write as _;

use sim_core::{Demand, Model};

use crate::estimate::{Behaviour, Estimates, Interval};

/// The line that starts the block [`calibrate`] appends; a scenario that
/// has one (calibrated before) is calibrated again from the text above it.
pub const CALIBRATE_MARKER: &str = "# ---- calibrated by `swapsim calibrate`";

/// Commuters' trips a day, weekdays and weekends: the default group's
/// [S]/[E] (the log shows swaps, not trips).
const COMMUTER_TRIPS: (f64, f64) = (2.3, 1.8);
/// Couriers' trips a day: the default group's [E].
const COURIER_TRIPS: (f64, f64) = (20.0, 16.0);
/// Energy use of both groups \[Wh/km\]: the commuters' default, 12–20 [S/E].
const WH_PER_KM: (f64, f64) = (12.0, 20.0);
/// Spread of the riders' daily distance, as a share of its mean: the
/// default commuter's 6 km in 25.
const DAILY_KM_CV: f64 = 0.24;

/// How to calibrate.
#[derive(Clone, Debug)]
pub struct CalibrateOptions {
    /// Skip sites that are in the log but not in the scenario, or the
    /// reverse, instead of failing.
    pub partial: bool,
    /// The log's name, for the block's comments.
    pub log_name: String,
}

/// A calibrated scenario.
#[derive(Clone, Debug)]
pub struct Calibrated {
    /// The scenario text with the calibrated block.
    pub text: String,
    /// Sites of the log not in the scenario (skipped with `partial`).
    pub log_only: Vec<String>,
    /// Rider-driven sites of the scenario not in the log (kept as they are).
    pub scenario_only: Vec<String>,
    /// What could not be applied, in words (a scenario's own groups).
    pub warnings: Vec<String>,
}

/// Why a scenario cannot be calibrated from a log. Each is fatal.
#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    /// The log and the scenario do not have the same sites.
    #[error(
        "the log and the scenario differ in sites:{}{} (--partial calibrates the sites they share)",
        if log_only.is_empty() { String::new() } else { format!(" in the log but not the scenario: {}", quoted(log_only)) },
        if scenario_only.is_empty() { String::new() } else { format!("{}in the scenario but not the log: {}", if log_only.is_empty() { " " } else { "; " }, quoted(scenario_only)) }
    )]
    SitesDiffer {
        /// In the log only.
        log_only: Vec<String>,
        /// Rider-driven sites in the scenario only.
        scenario_only: Vec<String>,
    },
    /// The log and the scenario share no site.
    #[error(
        "the log and the scenario share no site: the log has {}",
        quoted(log_sites)
    )]
    NoSharedSite {
        /// The log's sites.
        log_sites: Vec<String>,
    },
    /// A site in the log has Poisson `demand`, not riders.
    #[error("site '{site}' has `demand` (Poisson requests), so it has no riders to calibrate")]
    Analytic {
        /// The site.
        site: String,
    },
}

/// `'a', 'b'`.
fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The scenario `source` (read as `model`) with the estimates applied.
pub fn calibrate(
    source: &str,
    model: &Model,
    estimates: &Estimates,
    options: &CalibrateOptions,
) -> Result<Calibrated, CalibrateError> {
    let source = match source.find(CALIBRATE_MARKER) {
        Some(at) => source[..at].trim_end_matches(['\n', '\r']),
        None => source,
    };
    let declares_groups = source
        .parse::<toml::Table>()
        .is_ok_and(|t| t.contains_key("group"));
    let log_only: Vec<String> = estimates
        .sites
        .iter()
        .filter(|e| !model.sites.iter().any(|s| s.name == e.site))
        .map(|e| e.site.clone())
        .collect();
    let scenario_only: Vec<String> = model
        .sites
        .iter()
        .filter(|s| s.demand == Demand::Riders)
        .filter(|s| !estimates.sites.iter().any(|e| e.site == s.name))
        .map(|s| s.name.clone())
        .collect();
    let differ = !log_only.is_empty() || !scenario_only.is_empty();
    if differ && !options.partial {
        return Err(CalibrateError::SitesDiffer {
            log_only,
            scenario_only,
        });
    }
    let shared: Vec<_> = estimates
        .sites
        .iter()
        .filter_map(|e| Some((e, model.sites.iter().find(|s| s.name == e.site)?)))
        .collect();
    if shared.is_empty() {
        return Err(CalibrateError::NoSharedSite {
            log_sites: estimates.sites.iter().map(|e| e.site.clone()).collect(),
        });
    }
    if let Some((e, _)) = shared.iter().find(|(_, s)| s.demand != Demand::Riders) {
        return Err(CalibrateError::Analytic {
            site: e.site.clone(),
        });
    }

    let mut out = source.to_owned();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "\n{CALIBRATE_MARKER} from {} ({} to {}, {} days): overrides below replace the values above ----",
        options.log_name, estimates.first_day, estimates.last_day, estimates.days
    );
    let battery = &model.battery;
    let groups = [
        ("commuter", &estimates.commuters, COMMUTER_TRIPS, false),
        ("courier", &estimates.couriers, COURIER_TRIPS, true),
    ];
    let mut warnings = Vec::new();
    // The group that takes each site's couriers: `courier`, or the
    // scenario's one group working across the district.
    let mut courier_group = Some("courier".to_owned());
    if declares_groups {
        let names = |across: bool| -> Vec<String> {
            model
                .riders
                .groups
                .iter()
                .filter(|g| g.works_across_district == across)
                .map(|g| g.name.clone())
                .collect()
        };
        let (residents, couriers) = (names(false), names(true));
        warnings.push(format!(
            "the scenario declares its own [[group]]s ({}): kept as written; what the log \
             measures of commuters and couriers (swaps a day, hourly profile, charge at hand-in) \
             is written as comments to copy into them, and each site's swap_adoption applies to \
             its resident groups ({})",
            quoted(
                &model
                    .riders
                    .groups
                    .iter()
                    .map(|g| g.name.clone())
                    .collect::<Vec<_>>()
            ),
            if residents.is_empty() {
                "none".to_owned()
            } else {
                quoted(&residents)
            }
        ));
        courier_group = match couriers.as_slice() {
            [one] => Some(one.clone()),
            _ => {
                warnings.push(format!(
                    "the log's couriers are not applied: the scenario has {} (couriers are \
                     riders of a group with works_across_district = true); each site's count \
                     is in its comment, set `couriers` by hand",
                    if couriers.is_empty() {
                        "no group that works across the district".to_owned()
                    } else {
                        format!(
                            "{} groups that work across the district ({})",
                            couriers.len(),
                            quoted(&couriers)
                        )
                    }
                ));
                None
            }
        };
        let _ = writeln!(
            out,
            "\n# The scenario's own [[group]]s are kept. The log measures these groups; copy \
             their keys into yours to apply them:"
        );
        for (name, b, trips, across) in groups {
            let mut group = String::new();
            write_group(&mut group, name, b, trips, across, estimates, battery);
            for line in group.lines() {
                if line.is_empty() {
                    out.push('\n');
                } else if line.starts_with('#') {
                    let _ = writeln!(out, "{line}");
                } else {
                    let _ = writeln!(out, "# {line}");
                }
            }
        }
    } else {
        for (name, b, trips, across) in groups {
            write_group(&mut out, name, b, trips, across, estimates, battery);
        }
    }
    for (e, site) in shared {
        let _ = write!(
            out,
            "\n[[site_override]]\nsite = {}\n",
            toml_string(&e.site)
        );
        let commuters = e.commuters.users;
        let users = e.subscribers;
        let (ebikes, adoption) = if u64::from(site.ebikes) >= commuters && site.ebikes > 0 {
            (None, commuters as f64 / f64::from(site.ebikes))
        } else {
            (Some(commuters.min(u64::from(u32::MAX)) as u32), 1.0)
        };
        if let Some(ebikes) = ebikes {
            let _ = writeln!(
                out,
                "# The log has {commuters} commuters, more than the site's {} e-bikes",
                site.ebikes
            );
            let _ = writeln!(out, "ebikes = {ebikes}");
        }
        let _ = writeln!(
            out,
            "# {commuters} of {users} users active {} to {} swap below {} a day (commuters), \
             on {} e-bikes; swaps per subscriber a day {}",
            estimates.first_day,
            estimates.last_day,
            estimates.courier_threshold,
            ebikes.unwrap_or(site.ebikes),
            interval(&e.swaps_per_subscriber_day, 3, "users"),
        );
        let _ = writeln!(out, "swap_adoption = {}", round(adoption, 4));
        let _ = writeln!(
            out,
            "# {} users averaged {} swaps a day or more: courier share {}",
            e.couriers.users,
            estimates.courier_threshold,
            percent_interval(&e.courier_share, "users"),
        );
        match &courier_group {
            Some(group) => {
                let _ = writeln!(
                    out,
                    "couriers = {{ {} = {} }}",
                    toml_key(group),
                    e.couriers.users
                );
            }
            None => {
                let _ = writeln!(out, "# couriers not set: no one group to take them");
            }
        }
        let _ = writeln!(
            out,
            "# Measured, not inputs: swap requests a day {}{}",
            interval(&e.requests_per_day, 1, "days"),
            e.stockout_share.as_ref().map_or(String::new(), |s| format!(
                "; stockout share {}",
                percent_interval(s, "requests")
            ))
        );
        let _ = writeln!(
            out,
            "# cabinets in the log: {} ({})",
            e.cabinets.len(),
            e.cabinets.join(", ")
        );
    }
    Ok(Calibrated {
        text: out,
        log_only,
        scenario_only,
        warnings,
    })
}

/// One `[[group]]` from what its users do.
fn write_group(
    out: &mut String,
    name: &str,
    b: &Behaviour,
    trips: (f64, f64),
    across: bool,
    estimates: &Estimates,
    battery: &sim_core::BatterySpec,
) {
    let dispense = battery.dispense_soc;
    let measured = b.users > 0 && b.hand_in.mean.n > 0;
    let handed_out = b
        .hand_in
        .handed_out
        .unwrap_or(0.5 * (dispense + 1.0))
        .clamp(dispense, 1.0);
    // Defaults where the log has no such user: the default groups' figures.
    let (rate, hand_in, sd) = if measured {
        (
            b.swaps_per_user_day.value,
            b.hand_in.mean.value,
            b.hand_in.sd,
        )
    } else if across {
        (2.0, 0.2, 0.06)
    } else {
        (0.65, 0.35, 0.09)
    };
    // The simulator dispenses the fullest battery, which has charged to
    // 100 % when stock allows: its riders use up to 100 % less the
    // hand-in charge per swap, whatever the site hands out.
    let used = (1.0 - hand_in).max(0.05);
    let wh_per_km = 0.5 * (WH_PER_KM.0 + WH_PER_KM.1);
    let daily_km = (rate * battery.capacity_wh * used / wh_per_km).max(0.1);
    let trips_avg = (5.0 * trips.0 + 2.0 * trips.1) / 7.0;
    let trip_soc = daily_km * wh_per_km / trips_avg / battery.capacity_wh;
    let high_limit = dispense - 0.01;
    let mean = (hand_in + 0.5 * trip_soc).clamp(0.02, high_limit - 0.01);
    let sd = (sd * sd - trip_soc * trip_soc / 12.0).max(1e-4).sqrt();
    let low = (mean - 2.5 * sd).max(0.01);
    let high = (mean + 2.5 * sd).min(high_limit);
    let _ = writeln!(out, "\n[[group]]\nname = \"{name}\"");
    if measured {
        let _ = writeln!(
            out,
            "# {} users; swaps a day {}; charge used per swap in the model {:.1} % (the log: \
             {:.1} % out, {:.1} % in)",
            b.users,
            interval(&b.swaps_per_user_day, 3, "users"),
            100.0 * used,
            100.0 * handed_out,
            100.0 * hand_in
        );
    } else {
        let _ = writeln!(
            out,
            "# No {name}s in the log ({} to {}): the default group's swaps a day",
            estimates.first_day, estimates.last_day
        );
    }
    let _ = writeln!(
        out,
        "daily_km = {{ dist = \"lognormal\", mean = {}, sd = {} }}",
        round(daily_km, 2),
        round(daily_km * DAILY_KM_CV, 2)
    );
    let _ = writeln!(
        out,
        "wh_per_km = {{ dist = \"uniform\", low = {}, high = {} }}   # default [S/E]",
        WH_PER_KM.0, WH_PER_KM.1
    );
    let _ = writeln!(
        out,
        "trips_per_day = {{ weekday = {}, weekend = {} }}   # default [S/E]",
        trips.0, trips.1
    );
    if measured {
        let _ = writeln!(
            out,
            "# Charge at hand-in {:.1} % (95 % {:.1}–{:.1} %, sd {:.1} %, 5–95 % {:.0}–{:.0} %, \
             n = {} swaps), plus half a trip's {:.1} %",
            100.0 * b.hand_in.mean.value,
            100.0 * b.hand_in.mean.low,
            100.0 * b.hand_in.mean.high,
            100.0 * b.hand_in.sd,
            100.0 * b.hand_in.p05,
            100.0 * b.hand_in.p95,
            b.hand_in.mean.n,
            100.0 * trip_soc
        );
    }
    let _ = writeln!(
        out,
        "swap_threshold_soc = {{ dist = \"normal\", mean = {}, sd = {}, low = {}, high = {} }}",
        round(mean, 4),
        round(sd, 4),
        round(low, 4),
        round(high, 4)
    );
    // A rider asks for a swap when the trip that crosses the threshold
    // ends: the trips start a trip's ride earlier than the requests.
    let speed_kmh = if across { 20.0 } else { 15.0 };
    let ride_hours = daily_km / trips_avg / speed_kmh;
    let weekday = profile(&earlier(&b.profile_weekday, ride_hours));
    let weekend = profile(&earlier(&b.profile_weekend, ride_hours));
    match (weekday, weekend) {
        (Some(weekday), Some(weekend)) => {
            let _ = writeln!(
                out,
                "# Requests by hour, per mille, {ride_hours:.2} h earlier (a trip's ride): \
                 weekdays n = {}, weekends n = {}",
                b.profile_n.0, b.profile_n.1
            );
            let _ = writeln!(
                out,
                "profile = {{ weekday = {weekday}, weekend = {weekend} }}"
            );
        }
        (Some(p), None) | (None, Some(p)) => {
            let _ = writeln!(
                out,
                "# Requests by hour, per mille, {ride_hours:.2} h earlier (a trip's ride), \
                 of every day: n = {}",
                b.profile_n.0 + b.profile_n.1
            );
            let _ = writeln!(out, "profile = {p}");
        }
        (None, None) => {
            let _ = writeln!(
                out,
                "profile = \"{}\"   # default",
                if across { "courier" } else { "commuter" }
            );
        }
    }
    if across {
        let _ = writeln!(
            out,
            "patience_minutes = {{ dist = \"lognormal\", mean = 5, sd = 3 }}   # default [E]\n\
             speed_kmh = 20   # default\nworks_across_district = true"
        );
    } else {
        let _ = writeln!(
            out,
            "patience_minutes = {{ dist = \"lognormal\", mean = 8, sd = 5 }}   # default [E]\n\
             speed_kmh = 15   # default\nworks_across_district = false"
        );
    }
}

/// An hourly profile moved `hours` earlier (around the clock), each
/// hour's share split between the two hours it now overlaps.
fn earlier(shares: &[f64; 24], hours: f64) -> [f64; 24] {
    let hours = hours.rem_euclid(24.0);
    let whole = hours.floor() as usize;
    let part = hours - hours.floor();
    let mut out = [0.0; 24];
    for (h, share) in shares.iter().enumerate() {
        // Hour h moved back by `hours` covers [h - hours, h + 1 - hours).
        let start = (h + 24 - whole) % 24;
        out[(start + 23) % 24] += part * share;
        out[start] += (1.0 - part) * share;
    }
    out
}

/// 24 shares as per-mille weights, or `None` when all are 0.
fn profile(shares: &[f64; 24]) -> Option<String> {
    if shares.iter().all(|s| *s <= 0.0) {
        return None;
    }
    let weights: Vec<String> = shares
        .iter()
        .map(|s| format!("{}", round(1000.0 * s, 1)))
        .collect();
    Some(format!("[{}]", weights.join(", ")))
}

/// `0.650 (95 % 0.620–0.680, n = 300 users)`.
fn interval(i: &Interval, digits: usize, unit: &str) -> String {
    format!(
        "{:.digits$} (95 % {:.digits$}–{:.digits$}, n = {} {unit})",
        i.value, i.low, i.high, i.n
    )
}

/// `11.8 % (95 % 8.8–15.6 %, n = 340 users)`.
fn percent_interval(i: &Interval, unit: &str) -> String {
    format!(
        "{:.1} % (95 % {:.1}–{:.1} %, n = {} {unit})",
        100.0 * i.value,
        100.0 * i.low,
        100.0 * i.high,
        i.n
    )
}

/// `x` to `digits` decimals, written without trailing zeros.
fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// `name` as a TOML key: bare when it can be, else quoted.
fn toml_key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        name.to_owned()
    } else {
        toml_string(name)
    }
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ReadOptions, estimate, read_csv};

    const PILOT: &str = include_str!("../../scenarios/bishan-pilot.toml");

    fn estimates(csv: &str) -> Estimates {
        let log = read_csv(csv.as_bytes(), "swaps.csv", &ReadOptions::default()).unwrap();
        estimate(&log.tally, 1.5)
    }

    fn options() -> CalibrateOptions {
        CalibrateOptions {
            partial: false,
            log_name: "swaps.csv".into(),
        }
    }

    #[test]
    fn calibrating_again_replaces_the_block_and_the_text_is_deterministic() {
        let csv = "time,site,cabinet_id,user_id,soc_in,soc_out\n\
                   2024-03-25 07:41,美吉鑫小区,C01,u1,31,98\n\
                   2024-03-25 12:02,美吉鑫小区,C02,k1,12,99\n\
                   2024-03-25 18:02,美吉鑫小区,C02,k1,15,99\n\
                   2024-03-26 08:10,美吉鑫小区,C03,u2,40,97\n\
                   2024-03-26 12:10,美吉鑫小区,C03,k1,20,97\n";
        let e = estimates(csv);
        let model = scenarios::parse(PILOT, "p.toml").unwrap();
        let once = calibrate(PILOT, &model, &e, &options()).unwrap();
        assert!(once.text.starts_with(PILOT));
        let read = scenarios::parse(&once.text, "c.toml").unwrap();
        assert_eq!(read.sites[0].couriers, [(1, 1)]);
        assert!((read.sites[0].swap_adoption - 0.002).abs() < 1e-12);
        let again = calibrate(&once.text, &read, &e, &options()).unwrap();
        assert_eq!(again.text, once.text);
    }

    #[test]
    fn a_log_of_failed_attempts_only_keeps_the_default_riders_and_checks() {
        let csv = "time,site,cabinet_id,user_id,soc_in,result\n\
                   2024-03-25 07:41,美吉鑫小区,C01,u1,,无电池\n";
        let e = estimates(csv);
        let model = scenarios::parse(PILOT, "p.toml").unwrap();
        let text = calibrate(PILOT, &model, &e, &options()).unwrap().text;
        assert!(text.contains("# No commuters in the log"), "{text}");
        scenarios::parse(&text, "c.toml").unwrap_or_else(|d| panic!("{d:?}"));
    }

    /// Two users a day at the pilot: a commuter and a courier (3 swaps).
    const TWO_USERS: &str = "time,site,cabinet_id,user_id,soc_in\n\
                             2024-03-25 07:41,美吉鑫小区,C01,u1,30\n\
                             2024-03-25 09:00,美吉鑫小区,C01,k1,15\n\
                             2024-03-25 12:00,美吉鑫小区,C01,k1,15\n\
                             2024-03-25 18:00,美吉鑫小区,C01,k1,15\n";

    #[test]
    fn a_scenario_with_its_own_groups_keeps_them_and_gets_the_site_estimates() {
        let groups = GROUPS.replace("name = \"courier\"", "name = \"外卖骑手\"");
        let source = format!("{PILOT}\n{groups}").replace(
            "couriers = { courier = 40 }",
            "couriers = { \"外卖骑手\" = 40 }",
        );
        let model = scenarios::parse(&source, "p.toml").unwrap();
        let e = estimates(TWO_USERS);
        let c = calibrate(&source, &model, &e, &options()).unwrap();
        // The groups are the scenario's, the measured ones commented out.
        let read = scenarios::parse(&c.text, "c.toml").unwrap_or_else(|d| panic!("{d:?}"));
        assert_eq!(read.riders.groups, model.riders.groups);
        assert!(
            c.text.contains("\n# [[group]]\n# name = \"commuter\"\n"),
            "{}",
            c.text
        );
        // The site's estimates apply: one commuter on 1000 e-bikes, the
        // courier in the one group that works across the district.
        assert!((read.sites[0].swap_adoption - 0.001).abs() < 1e-12);
        let courier = read
            .riders
            .groups
            .iter()
            .position(|g| g.name == "外卖骑手")
            .unwrap();
        assert_eq!(read.sites[0].couriers, [(courier, 1)]);
        assert!(
            c.text.contains("couriers = { \"外卖骑手\" = 1 }"),
            "{}",
            c.text
        );
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(c.warnings[0].contains("own [[group]]s ('commuter', '外卖骑手')"));
        // Calibrating the result again gives the same text.
        let again = calibrate(&c.text, &read, &e, &options()).unwrap();
        assert_eq!(again.text, c.text);
    }

    #[test]
    fn couriers_without_one_group_to_take_them_are_left_with_a_warning() {
        let groups = GROUPS.replace("works_across_district = true", "");
        let source = format!("{PILOT}\n{groups}").replace("couriers = { courier = 40 }", "");
        let model = scenarios::parse(&source, "p.toml").unwrap();
        let c = calibrate(&source, &model, &estimates(TWO_USERS), &options()).unwrap();
        let read = scenarios::parse(&c.text, "c.toml").unwrap_or_else(|d| panic!("{d:?}"));
        assert!(read.sites[0].couriers.is_empty());
        assert!(c.text.contains("# couriers not set"), "{}", c.text);
        assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
        assert!(
            c.warnings[1].contains("no group that works across the district"),
            "{:?}",
            c.warnings
        );
    }

    const GROUPS: &str = r#"
[[group]]
name = "commuter"
daily_km = 25
wh_per_km = 16
trips_per_day = 2
profile = "commuter"
swap_threshold_soc = 0.3

[[group]]
name = "courier"
daily_km = 120
wh_per_km = 14
trips_per_day = 20
profile = "courier"
swap_threshold_soc = 0.2
works_across_district = true
"#;
}
