//! Per-site accumulators, filled one row at a time.
//!
//! Memory grows with the sites, users, cabinets and days of a log, never
//! with its rows: a row updates its user's counters and its day's counts
//! and is dropped.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::format::LocalTime;

/// Bins of the hand-in charge histogram: 2 % each.
pub(crate) const SOC_BINS: usize = 50;

/// One readable row of a log.
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    /// When the swap was attempted.
    pub time: LocalTime,
    /// The site's name.
    pub site: &'a str,
    /// The cabinet.
    pub cabinet: &'a str,
    /// The subscriber.
    pub user: &'a str,
    /// Charge of the battery handed in \[0–1\]; `None` on an attempt that
    /// found no battery and left it empty.
    pub soc_in: Option<f64>,
    /// Charge of the battery handed out \[0–1\], when the log has it.
    pub soc_out: Option<f64>,
    /// `false` for an attempt that found no battery.
    pub swapped: bool,
}

/// Everything a log says, by site, in flat memory.
#[derive(Debug, Default)]
pub struct Tally {
    /// Sites in order of first appearance.
    pub(crate) sites: Vec<SiteTally>,
    index: HashMap<Box<str>, usize>,
    /// Rows counted.
    pub rows: u64,
    /// Earliest and latest time seen.
    pub(crate) span: Option<(LocalTime, LocalTime)>,
    /// Whether any row has a `result` of `无电池`/`no_battery`, or the log
    /// has a `result` column at all (set by the reader).
    pub(crate) has_result: bool,
}

/// One site's counters.
#[derive(Debug)]
pub(crate) struct SiteTally {
    /// The site's name.
    pub(crate) name: String,
    users: HashMap<Box<str>, u32>,
    /// Per user, in order of first appearance.
    pub(crate) user: Vec<UserTally>,
    /// Per day (days since 1970-01-01).
    pub(crate) days: BTreeMap<i32, DayTally>,
    /// Cabinet ids seen, each with the first day it was seen on (days
    /// since 1970-01-01).
    pub(crate) cabinets: BTreeMap<Box<str>, i32>,
    /// Users active in each week, by the week's Monday (days since
    /// 1970-01-01): memory grows with users × weeks, not rows.
    pub(crate) week_users: BTreeMap<i32, HashSet<u32>>,
}

impl SiteTally {
    /// The index of user `id`, new if they were not seen before.
    fn user_index(&mut self, id: &str) -> u32 {
        match self.users.get(id) {
            Some(&u) => u,
            None => {
                self.user.push(UserTally::default());
                let u = (self.user.len() - 1) as u32;
                self.users.insert(id.into(), u);
                u
            }
        }
    }

    /// Adds what `other` counted at the same site.
    fn merge(&mut self, other: SiteTally) {
        // Other's user indices as this site's.
        let mut index = vec![0; other.user.len()];
        for (id, &u) in &other.users {
            index[u as usize] = self.user_index(id);
        }
        for (u, counts) in other.user.iter().enumerate() {
            self.user[index[u] as usize].add(counts);
        }
        for (day, counts) in other.days {
            let d = self.days.entry(day).or_default();
            d.swaps += counts.swaps;
            d.no_battery += counts.no_battery;
        }
        for (cabinet, day) in other.cabinets {
            let first = self.cabinets.entry(cabinet).or_insert(day);
            *first = (*first).min(day);
        }
        for (monday, users) in other.week_users {
            self.week_users
                .entry(monday)
                .or_default()
                .extend(users.into_iter().map(|u| index[u as usize]));
        }
    }
}

/// One user's counters at one site.
#[derive(Clone, Debug)]
pub(crate) struct UserTally {
    /// Swaps made.
    pub(crate) swaps: u32,
    /// Attempts that found no battery.
    pub(crate) no_battery: u32,
    /// Requests (swaps and attempts) by hour: weekdays 0–23, weekends 24–47.
    pub(crate) hours: [u32; 48],
    /// Hand-in charge of the swaps: sum, sum of squares, count, and a
    /// histogram of 2 % bins.
    pub(crate) soc_in_sum: f64,
    pub(crate) soc_in_sq: f64,
    pub(crate) soc_in_n: u32,
    pub(crate) soc_in_bins: [u32; SOC_BINS],
    /// Charge handed out minus charge handed in, summed over the swaps
    /// whose row has both.
    pub(crate) used_sum: f64,
    pub(crate) used_n: u32,
    /// Charge handed out, summed.
    pub(crate) soc_out_sum: f64,
}

impl Default for UserTally {
    fn default() -> Self {
        UserTally {
            swaps: 0,
            no_battery: 0,
            hours: [0; 48],
            soc_in_sum: 0.0,
            soc_in_sq: 0.0,
            soc_in_n: 0,
            soc_in_bins: [0; SOC_BINS],
            used_sum: 0.0,
            used_n: 0,
            soc_out_sum: 0.0,
        }
    }
}

impl UserTally {
    /// Adds another tally of the same user's.
    fn add(&mut self, other: &UserTally) {
        self.swaps += other.swaps;
        self.no_battery += other.no_battery;
        for (a, b) in self.hours.iter_mut().zip(&other.hours) {
            *a += b;
        }
        self.soc_in_sum += other.soc_in_sum;
        self.soc_in_sq += other.soc_in_sq;
        self.soc_in_n += other.soc_in_n;
        for (a, b) in self.soc_in_bins.iter_mut().zip(&other.soc_in_bins) {
            *a += b;
        }
        self.used_sum += other.used_sum;
        self.used_n += other.used_n;
        self.soc_out_sum += other.soc_out_sum;
    }
}

/// One day's counts at a site.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct DayTally {
    /// Swaps made.
    pub(crate) swaps: u32,
    /// Attempts that found no battery.
    pub(crate) no_battery: u32,
}

impl Tally {
    /// Counts one row.
    pub fn add(&mut self, row: &Row<'_>) {
        self.rows += 1;
        self.span = Some(match self.span {
            None => (row.time, row.time),
            Some((a, b)) => (a.min(row.time), b.max(row.time)),
        });
        self.has_result |= !row.swapped;
        let site = self.site(row.site);
        match site.cabinets.get_mut(row.cabinet) {
            Some(first) => *first = (*first).min(row.time.day),
            None => {
                site.cabinets.insert(row.cabinet.into(), row.time.day);
            }
        }
        let u = site.user_index(row.user) as usize;
        let monday = row.time.day - crate::format::weekday(row.time.day) as i32;
        site.week_users.entry(monday).or_default().insert(u as u32);
        let user = &mut site.user[u];
        let day = site.days.entry(row.time.day).or_default();
        let hour = row.time.hour() + if row.time.is_weekend() { 24 } else { 0 };
        user.hours[hour] += 1;
        if !row.swapped {
            user.no_battery += 1;
            day.no_battery += 1;
            return;
        }
        user.swaps += 1;
        day.swaps += 1;
        if let Some(soc) = row.soc_in {
            user.soc_in_sum += soc;
            user.soc_in_sq += soc * soc;
            user.soc_in_n += 1;
            let bin = ((soc * SOC_BINS as f64) as usize).min(SOC_BINS - 1);
            user.soc_in_bins[bin] += 1;
            if let Some(out) = row.soc_out {
                user.used_sum += out - soc;
                user.soc_out_sum += out;
                user.used_n += 1;
            }
        }
    }

    /// Adds what `other` counted (a log's rows read in two parts), the
    /// smaller tally into the larger.
    pub(crate) fn merge(&mut self, mut other: Tally) {
        if other.rows > self.rows {
            std::mem::swap(self, &mut other);
        }
        self.rows += other.rows;
        self.span = match (self.span, other.span) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (a, b) => a.or(b),
        };
        self.has_result |= other.has_result;
        for site in other.sites {
            let name = site.name.clone();
            self.site(&name).merge(site);
        }
    }

    /// The site named `name`, new if it was not seen before.
    fn site(&mut self, name: &str) -> &mut SiteTally {
        let index = match self.index.get(name) {
            Some(&i) => i,
            None => {
                self.sites.push(SiteTally {
                    name: name.to_owned(),
                    users: HashMap::new(),
                    user: Vec::new(),
                    days: BTreeMap::new(),
                    cabinets: BTreeMap::new(),
                    week_users: BTreeMap::new(),
                });
                self.index.insert(name.into(), self.sites.len() - 1);
                self.sites.len() - 1
            }
        };
        &mut self.sites[index]
    }

    /// The sites' names, in order of first appearance.
    pub fn site_names(&self) -> impl Iterator<Item = &str> {
        self.sites.iter().map(|s| s.name.as_str())
    }

    /// The first and last day of the log (days since 1970-01-01), and the
    /// days from one to the other, both counted.
    pub fn window(&self) -> Option<(i32, i32, u32)> {
        self.span
            .map(|(a, b)| (a.day, b.day, (b.day - a.day + 1) as u32))
    }

    /// Cabinet ids seen at `site`.
    pub fn cabinets(&self, site: &str) -> Vec<&str> {
        self.index
            .get(site)
            .map(|&i| self.sites[i].cabinets.keys().map(|c| &**c).collect())
            .unwrap_or_default()
    }
}
