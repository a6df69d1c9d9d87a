//! Reading and calibrating a swap log of a million rows (issue 14).
//!
//! The log is built in memory once: 1,000,000 swap rows over 28 days at
//! one site, 42,000 users (about 0.85 swaps a user and day), times,
//! cabinets, users and charges from a fixed xorshift stream. One iteration
//! reads the CSV text row by row into the tallies ([`records::read_csv`])
//! and estimates every input ([`records::estimate`]); the throughput is in
//! rows. Peak memory is measured with the CLI (`benches/RESULTS.md`). Run
//! with `cargo bench --bench records`.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Rows of the log.
const ROWS: u64 = 1_000_000;
/// Users behind them.
const USERS: u64 = 42_000;

/// A fixed xorshift64 stream: the same log on every machine.
struct Stream(u64);

impl Stream {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

/// The log as CSV text, English headers, one site.
fn log() -> String {
    let mut s = Stream(0x9E37_79B9_7F4A_7C15);
    let mut out = String::with_capacity(90 * ROWS as usize);
    out.push_str("time,site,cabinet_id,user_id,battery_in,soc_in,battery_out,soc_out,result\n");
    for i in 0..ROWS {
        let day = 25 + i * 28 / ROWS;
        let (month, day) = if day <= 31 { (3, day) } else { (4, day - 31) };
        let (h, m, sec) = (s.next(24), s.next(60), s.next(60));
        let result = if s.next(100) == 0 {
            "no_battery"
        } else {
            "success"
        };
        let _ = writeln!(
            out,
            "2024-{month:02}-{day:02} {h:02}:{m:02}:{sec:02},美吉鑫小区,C{:02},U{:05},BT{:06},{},BT{:06},{},{result}",
            1 + s.next(6),
            s.next(USERS),
            s.next(1_000_000),
            5 + s.next(50),
            s.next(1_000_000),
            95 + s.next(6),
        );
    }
    out
}

fn import_and_calibrate(c: &mut Criterion) {
    let text = log();
    let mut group = c.benchmark_group("records");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(ROWS));
    group.bench_function("read+estimate 1M rows", |b| {
        b.iter(|| {
            let log = records::read_csv(text.as_bytes(), "swaps.csv", &Default::default())
                .expect("the log reads");
            black_box(records::estimate(
                &log.tally,
                records::DEFAULT_COURIER_THRESHOLD,
            ))
        });
    });
    group.finish();
}

criterion_group!(benches, import_and_calibrate);
criterion_main!(benches);
