//! Swap records: the operator's swap log, read and measured.
//!
//! Once cabinets run, the operator's cloud platform logs every swap. This
//! crate reads such a log (CSV or `.xlsx`, Chinese or English headers; the
//! format is in `scenarios/README.md`) row by row into per-site tallies
//! ([`read_log`] → [`Tally`]), estimates the scenario inputs it measures
//! ([`estimate`]: subscribers, swaps per subscriber and day, the courier
//! share, hour-of-day profiles, the charge at hand-in, the stockout share),
//! writes them into a scenario ([`calibrate`]), compares a simulated
//! run with the log ([`backtest`]) and sets a week of it against a plan
//! ([`weekly`]), with the adoption at which the plan stops holding
//! ([`headroom()`]).
//!
//! Architecture invariant: this crate prints nothing and knows no exit
//! codes; it reads scenarios only through the `scenarios` crate and runs
//! them only through `sim-core`. Memory grows with sites, users and days,
//! never with rows.
//!
//! ```
//! let csv = "time,site,cabinet_id,user_id,soc_in\n\
//!            2024-03-25 07:41,美吉鑫小区,C01,u1,31\n\
//!            2024-03-26 18:02,美吉鑫小区,C02,u1,28%\n";
//! let log = records::read_csv(csv.as_bytes(), "swaps.csv", &Default::default()).unwrap();
//! let e = records::estimate(&log.tally, records::DEFAULT_COURIER_THRESHOLD);
//! assert_eq!(e.days, 2);
//! assert_eq!(e.sites[0].subscribers, 1);
//! assert!((e.sites[0].commuters.hand_in.mean.value - 0.295).abs() < 1e-9);
//! ```

mod backtest;
mod calibrate;
mod estimate;
mod format;
mod headroom;
mod read;
mod runs;
mod tally;
mod weekly;

pub use backtest::{Backtest, DEFAULT_TOLERANCE, PROFILE_TOLERANCE, SiteFit, backtest};
pub use calibrate::{CALIBRATE_MARKER, CalibrateError, CalibrateOptions, Calibrated, calibrate};
pub use estimate::{
    Behaviour, Charge, DEFAULT_COURIER_THRESHOLD, Estimates, Interval, SiteEstimate, estimate,
    total_variation,
};
pub use format::{Column, LocalTime, date_text, parse_result, parse_soc, parse_time};
pub use headroom::{HEADROOM_RESOLUTION, Headroom, headroom};
pub use read::{Log, ReadError, ReadOptions, RowProblem, read_csv, read_log, read_xlsx};
pub use runs::GAP_DAYS;
pub use tally::{Row, Tally};
pub use weekly::{
    Predicted, SiteWeek, TownWeek, Weekly, WeeklyError, iso_week, towns, week_interval, weekly,
};
