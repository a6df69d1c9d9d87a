//! `timeseries.csv` and `ready.csv`: the 15-minute series of the
//! measurement window, averaged over replications.
//!
//! Both files start every row with the same time columns:
//!
//! - `quarter`: the quarter hour's index in the measurement window, from 0;
//! - `start_minute`: its start in minutes since the start of the
//!   replication, so the first quarter starts at `warmup_days × 1440`;
//! - `day`: the day of the replication it falls in, from 0 (the first
//!   measured day is `warmup_days`);
//! - `hour_of_day`: its hour on the clock, 0 to 23.
//!
//! `timeseries.csv` then has one row per transformer and quarter
//! (transformer-major), with the mean load of each component and their
//! total [kW]; `ready.csv` one row per site and quarter (site-major), with
//! the time-average of dispensable batteries. Scenarios that need no clock
//! (analytic sites only, no transformer) have no series: the files hold the
//! header alone.

use sim_core::{LOAD_COMPONENTS, Timeseries};

/// Minutes per quarter hour.
const QUARTER_MINUTES: u64 = 15;

/// `timeseries.csv`: load per transformer and quarter [kW].
pub(crate) fn load_csv(series: &Timeseries, warmup_days: u32) -> Vec<u8> {
    let mut header = vec![
        "quarter".to_owned(),
        "start_minute".to_owned(),
        "day".to_owned(),
        "hour_of_day".to_owned(),
        "transformer".to_owned(),
    ];
    header.extend(LOAD_COMPONENTS.iter().map(|c| format!("{c}_kw")));
    header.push("total_kw".to_owned());
    let mut csv = csv::Writer::from_writer(Vec::new());
    write(&mut csv, &header);
    let parts = LOAD_COMPONENTS.len();
    for (t, name) in series.transformers.iter().enumerate() {
        for q in 0..series.quarters {
            let start = (t * series.quarters + q) * parts;
            let Some(kw) = series.transformer_kw.get(start..start + parts) else {
                continue;
            };
            let mut row = time_columns(q, warmup_days);
            row.push(name.clone());
            row.extend(kw.iter().map(|&x| kilowatts(x)));
            row.push(kilowatts(kw.iter().sum()));
            write(&mut csv, &row);
        }
    }
    finish(csv)
}

/// `ready.csv`: dispensable batteries per site and quarter.
pub(crate) fn ready_csv(series: &Timeseries, warmup_days: u32) -> Vec<u8> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    let header = [
        "quarter",
        "start_minute",
        "day",
        "hour_of_day",
        "site",
        "ready_batteries",
    ];
    write(&mut csv, &header);
    for (s, name) in series.sites.iter().enumerate() {
        for q in 0..series.quarters {
            let Some(&ready) = series.site_ready.get(s * series.quarters + q) else {
                continue;
            };
            let mut row = time_columns(q, warmup_days);
            row.push(name.clone());
            row.push(format!("{ready:.3}"));
            write(&mut csv, &row);
        }
    }
    finish(csv)
}

/// `quarter`, `start_minute`, `day` and `hour_of_day` of quarter `q`.
fn time_columns(q: usize, warmup_days: u32) -> Vec<String> {
    let start_minute = u64::from(warmup_days) * 1440 + q as u64 * QUARTER_MINUTES;
    vec![
        q.to_string(),
        start_minute.to_string(),
        (start_minute / 1440).to_string(),
        (start_minute % 1440 / 60).to_string(),
    ]
}

/// A load to the watt.
fn kilowatts(kw: f64) -> String {
    format!("{kw:.3}")
}

fn write<S: AsRef<[u8]>>(csv: &mut csv::Writer<Vec<u8>>, row: &[S]) {
    csv.write_record(row)
        .expect("writing CSV to memory cannot fail");
}

fn finish(csv: csv::Writer<Vec<u8>>) -> Vec<u8> {
    csv.into_inner()
        .expect("flushing CSV to memory cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series() -> Timeseries {
        Timeseries {
            quarters: 2,
            transformers: vec!["T,1".to_owned()],
            transformer_kw: vec![1.0, 2.0, 0.5, 0.25, 1.5, 2.5, 0.0, 0.0],
            sites: vec!["美吉鑫小区".to_owned(), "B".to_owned()],
            site_ready: vec![3.0, 2.5, 1.0, 0.125],
        }
    }

    #[test]
    fn load_rows_are_transformer_major_with_a_total() {
        let text = String::from_utf8(load_csv(&series(), 1)).unwrap();
        assert_eq!(
            text,
            "quarter,start_minute,day,hour_of_day,transformer,base_kw,cabinets_kw,piles_kw,\
             flying_wire_kw,total_kw\n\
             0,1440,1,0,\"T,1\",1.000,2.000,0.500,0.250,3.750\n\
             1,1455,1,0,\"T,1\",1.500,2.500,0.000,0.000,4.000\n"
        );
    }

    #[test]
    fn ready_rows_are_site_major() {
        let text = String::from_utf8(ready_csv(&series(), 0)).unwrap();
        assert_eq!(
            text,
            "quarter,start_minute,day,hour_of_day,site,ready_batteries\n\
             0,0,0,0,美吉鑫小区,3.000\n\
             1,15,0,0,美吉鑫小区,2.500\n\
             0,0,0,0,B,1.000\n\
             1,15,0,0,B,0.125\n"
        );
    }

    #[test]
    fn hours_and_days_follow_the_clock() {
        assert_eq!(time_columns(103, 2), ["103", "4425", "3", "1"]);
        assert_eq!(time_columns(30, 0), ["30", "450", "0", "7"]);
    }

    #[test]
    fn no_series_is_a_header_alone() {
        let empty = Timeseries::default();
        assert_eq!(
            load_csv(&empty, 3).iter().filter(|&&b| b == b'\n').count(),
            1
        );
        assert_eq!(
            ready_csv(&empty, 3).iter().filter(|&&b| b == b'\n').count(),
            1
        );
    }
}
