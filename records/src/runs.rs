//! Runs of days: a log split wherever more than [`GAP_DAYS`] days pass
//! without a row, so that a few rows whose clock was wrong (dated
//! 9999-12-31, or the epoch 1970-01-01) are told from the log's bulk and
//! reported as bad rows, instead of stretching its window to millions
//! of days.
//!
//! The rule: sort the days that have rows; wherever two neighbours are
//! more than [`GAP_DAYS`] apart, a new run starts. The bulk is the run
//! with the most rows (ties: the later); every row of another run is a
//! bad row. A month without a single swap is not a network in service,
//! so a log that really has two periods is told so, row and column, and
//! `--skip-bad-rows` keeps the larger.
//!
//! Rows are counted into their run's own tally as they stream past, in
//! any order; when a row joins two runs, their tallies merge (the
//! smaller into the larger). A log in time order has one run throughout.

use crate::tally::{Row, Tally};

/// Most days between two rows of one run \[d\]: a month.
pub const GAP_DAYS: i32 = 31;

/// Days with rows, none more than [`GAP_DAYS`] from the next, and what
/// their rows say.
#[derive(Debug)]
pub(crate) struct Run {
    /// Its first day (days since 1970-01-01).
    pub(crate) first: i32,
    /// Its last day.
    pub(crate) last: i32,
    /// Its rows, counted.
    pub(crate) tally: Tally,
    /// Its first row in the file \[1-based\].
    pub(crate) first_row: u64,
    /// That row's time as written.
    pub(crate) first_time: String,
}

/// A log's rows by runs of days.
#[derive(Debug, Default)]
pub(crate) struct Runs {
    /// By first day; each run more than [`GAP_DAYS`] days from the next.
    runs: Vec<Run>,
    /// The run of the row before (a log comes mostly in time order).
    current: usize,
}

impl Runs {
    /// Counts `row`, number `row_number` of the file, whose time cell
    /// reads `time`.
    pub(crate) fn add(&mut self, row_number: u64, time: &str, row: &Row<'_>) {
        let day = row.time.day;
        let i = match self.runs.get(self.current) {
            Some(r) if r.first <= day && day <= r.last => self.current,
            _ => self.place(day, row_number, time),
        };
        self.current = i;
        self.runs[i].tally.add(row);
    }

    /// The run that `day` belongs to: an existing one, grown, two joined,
    /// or a new one.
    fn place(&mut self, day: i32, row_number: u64, time: &str) -> usize {
        let at = self.runs.partition_point(|r| r.last < day);
        let joins_before = at > 0 && day - self.runs[at - 1].last <= GAP_DAYS;
        let joins_after = at < self.runs.len() && self.runs[at].first - day <= GAP_DAYS;
        match (joins_before, joins_after) {
            (false, false) => {
                self.runs.insert(
                    at,
                    Run {
                        first: day,
                        last: day,
                        tally: Tally::default(),
                        first_row: row_number,
                        first_time: time.to_owned(),
                    },
                );
                at
            }
            (true, false) => {
                self.runs[at - 1].last = day;
                at - 1
            }
            (false, true) => {
                let run = &mut self.runs[at];
                run.first = run.first.min(day);
                at
            }
            (true, true) => {
                let after = self.runs.remove(at);
                let before = &mut self.runs[at - 1];
                before.last = after.last;
                if after.first_row < before.first_row {
                    before.first_row = after.first_row;
                    before.first_time = after.first_time;
                }
                before.tally.merge(after.tally);
                at - 1
            }
        }
    }

    /// The bulk (the run with the most rows; ties, the later), and the
    /// runs before and after it; `None` without rows.
    pub(crate) fn split(self) -> Option<(Run, Vec<Run>, Vec<Run>)> {
        let bulk = (0..self.runs.len()).max_by_key(|&i| (self.runs[i].tally.rows, i))?;
        let mut before = self.runs;
        let after = before.split_off(bulk + 1);
        let bulk = before.pop()?;
        Some((bulk, before, after))
    }
}

#[cfg(test)]
mod tests {
    use crate::{ReadOptions, estimate, read_csv};

    /// A log of 91 days, a row a day by one of 7 users at one of 3
    /// cabinets, with the rows in `order` (indices of days).
    fn log(order: &[usize]) -> String {
        let mut text = "time,site,cabinet_id,user_id,soc_in,result\n".to_owned();
        for &d in order {
            let day =
                crate::format::date_text(crate::format::days_from_civil(2024, 1, 1) + d as i32);
            let result = if d % 10 == 0 { "无电池" } else { "成功" };
            text += &format!(
                "{day} 0{}:30,A,C{},u{},{},{result}\n",
                d % 10,
                d % 3,
                d % 7,
                20 + d % 50
            );
        }
        text
    }

    #[test]
    fn rows_in_any_order_count_as_rows_in_time_order() {
        let in_order: Vec<usize> = (0..91).collect();
        // Days 0, 45 and 90 start three runs; day 20 grows the first,
        // day 35 joins it to the second, day 70 joins that to the third.
        let mut shuffled = vec![0, 45, 90, 20, 35, 70];
        shuffled.extend(
            (0..91)
                .filter(|d| ![0, 45, 90, 20, 35, 70].contains(d))
                .rev(),
        );
        let read = |text: String| {
            let log = read_csv(text.as_bytes(), "swaps.csv", &ReadOptions::default()).unwrap();
            assert_eq!((log.tally.rows, log.skipped_rows), (91, 0));
            estimate(&log.tally, crate::DEFAULT_COURIER_THRESHOLD)
        };
        let (a, b) = (read(log(&in_order)), read(log(&shuffled)));
        assert_eq!(
            (a.days, &a.first_day, &a.last_day),
            (b.days, &b.first_day, &b.last_day)
        );
        let (a, b) = (&a.sites[0], &b.sites[0]);
        assert_eq!(a.subscribers, b.subscribers);
        assert_eq!(a.daily_requests, b.daily_requests);
        assert_eq!(a.cabinets, b.cabinets);
        assert_eq!(a.stockout_share, b.stockout_share);
        assert!((a.requests_per_day.value - b.requests_per_day.value).abs() < 1e-12);
        assert!((a.commuters.hand_in.mean.value - b.commuters.hand_in.mean.value).abs() < 1e-12);
        assert!(
            a.profile
                .iter()
                .zip(&b.profile)
                .all(|(x, y)| (x - y).abs() < 1e-12)
        );
    }
}
