//! A tuned plain Rust loop of M/M/c in battery form: the yardstick of
//! DESIGN.md §7 ("within 1.4× the time of a tuned plain Rust loop"),
//! written for `benches/peers/plain.py`, which times it against
//! `swapsim run` as whole processes on the same customers.
//!
//! Not criterion: a plain binary,
//!
//! ```text
//! cargo bench --bench plain_mmc -- [--servers C] [--rate L] [--mean-hours T]
//!     [--days N] [--warmup-days W] [--replications R] [--seed S]
//! ```
//!
//! with `scenarios/mmc10.toml`'s values as defaults (C = 10 batteries,
//! λ = 9 requests per hour, exponential charge of mean T = 1 h, 100 days
//! with 5 of warm-up, 10 replications). It prints one JSON line with the
//! two figures swapsim's M/M/10 is judged on, `prob_wait` and
//! `wait_minutes_mean`, each as the mean over replications with a 95%
//! Student-t interval, as `swapsim run --format json` writes them.
//!
//! What makes it a *plain* loop: two kinds of event and no payload, a
//! 4-ary min-heap of `u128` keys (`time << 64 | sequence << 1 | kind`, so
//! ties pop in insertion order, as in swapsim), Xoshiro256++ with
//! ziggurat exponential draws (one stream for arrivals, one for charges),
//! a FIFO line of arrival times, and no statistics beyond the sums behind
//! those two figures. It keeps swapsim's time base (integer milliseconds,
//! the arrival clock in `f64` hours, a charge lasting at least 1 ms) and
//! its window rules (requests count when they arise at or after the
//! warm-up; waits are booked when the swap starts, before the horizon), so
//! both sides simulate the same process; the random numbers differ, so
//! the figures agree statistically, not digit for digit.

use std::collections::VecDeque;
use std::process::ExitCode;

use rand_core::SeedableRng;
use rand_distr::{Distribution, Exp1};
use rand_xoshiro::Xoshiro256PlusPlus;
use statrs::distribution::{ContinuousCDF, StudentsT};

const MS_PER_HOUR: f64 = 3_600_000.0;
const MS_PER_DAY: u64 = 86_400_000;
/// Event kinds, the key's lowest bit.
const ARRIVAL: u128 = 0;
const CHARGE_END: u128 = 1;

/// The model and the run.
#[derive(Clone, Copy)]
struct Params {
    /// Batteries: the servers.
    servers: u32,
    /// Requests per hour.
    rate_per_h: f64,
    /// Mean charge time \[h\].
    mean_hours: f64,
    days: u64,
    warmup_days: u64,
    replications: u32,
    seed: u64,
}

/// Sums of one replication over its window.
#[derive(Default)]
struct Sums {
    served: u64,
    served_after_wait: u64,
    wait_ms_sum: f64,
}

/// A 4-ary min-heap of keys. Children of `i` are `4i + 1 ..= 4i + 4`.
struct Heap {
    keys: Vec<u128>,
    /// Insertion counter: ties at the same time pop in insertion order.
    seq: u128,
}

impl Heap {
    fn push(&mut self, time_ms: u64, kind: u128) {
        let key = (u128::from(time_ms) << 64) | (self.seq << 1) | kind;
        self.seq += 1;
        let mut i = self.keys.len();
        self.keys.push(key);
        while i > 0 {
            let parent = (i - 1) / 4;
            if self.keys[parent] <= key {
                break;
            }
            self.keys[i] = self.keys[parent];
            i = parent;
        }
        self.keys[i] = key;
    }

    fn pop(&mut self) -> Option<u128> {
        let last = self.keys.pop()?;
        let n = self.keys.len();
        if n == 0 {
            return Some(last);
        }
        let top = self.keys[0];
        let mut i = 0;
        loop {
            let first = 4 * i + 1;
            if first >= n {
                break;
            }
            let end = (first + 4).min(n);
            let mut child = first;
            for c in first + 1..end {
                if self.keys[c] < self.keys[child] {
                    child = c;
                }
            }
            if self.keys[child] >= last {
                break;
            }
            self.keys[i] = self.keys[child];
            i = child;
        }
        self.keys[i] = last;
        Some(top)
    }
}

/// One replication: returns its sums and the events handled.
fn replication(p: &Params, r: u32) -> (Sums, u64) {
    let stream = |purpose: u64| {
        Xoshiro256PlusPlus::seed_from_u64(p.seed ^ (u64::from(r) << 32) ^ (purpose << 56))
    };
    let (mut rng_arrivals, mut rng_charge) = (stream(1), stream(2));
    let horizon = p.days * MS_PER_DAY;
    let window_start = p.warmup_days * MS_PER_DAY;
    let mean_gap_h = 1.0 / p.rate_per_h;
    let mut heap = Heap {
        keys: Vec::with_capacity(64),
        seq: 0,
    };
    // Arrival times of riders waiting in line, and whether each counts.
    let mut line: VecDeque<(u64, bool)> = VecDeque::with_capacity(1024);
    let mut ready = p.servers;
    let mut sums = Sums::default();
    let mut events = 0u64;

    let e: f64 = Exp1.sample(&mut rng_arrivals);
    let mut clock_h = mean_gap_h * e;
    let first = (clock_h * MS_PER_HOUR + 0.5) as u64;
    if first < horizon {
        heap.push(first, ARRIVAL);
    }
    while let Some(key) = heap.pop() {
        let now = (key >> 64) as u64;
        if now >= horizon {
            break;
        }
        events += 1;
        // Who starts a swap now, if anyone: (arrival time, counted).
        let swap = if key & 1 == ARRIVAL {
            let e: f64 = Exp1.sample(&mut rng_arrivals);
            clock_h += mean_gap_h * e;
            let next = (clock_h * MS_PER_HOUR + 0.5) as u64;
            if next < horizon {
                heap.push(next, ARRIVAL);
            }
            let counted = now >= window_start;
            if ready > 0 && line.is_empty() {
                ready -= 1;
                Some((now, counted))
            } else {
                line.push_back((now, counted));
                None
            }
        } else {
            // The charged battery goes straight to the head of the line.
            let head = line.pop_front();
            if head.is_none() {
                ready += 1;
            }
            head
        };
        if let Some((arrived, counted)) = swap {
            if counted {
                let wait = now - arrived;
                sums.served += 1;
                sums.served_after_wait += u64::from(wait > 0);
                sums.wait_ms_sum += wait as f64;
            }
            // The returned battery goes on charge.
            let e: f64 = Exp1.sample(&mut rng_charge);
            let ms = ((p.mean_hours * e * MS_PER_HOUR + 0.5) as u64).max(1);
            if now + ms < horizon {
                heap.push(now + ms, CHARGE_END);
            }
        }
    }
    (sums, events)
}

/// Mean and 95% Student-t interval, as swapsim reports a KPI.
fn interval(xs: &[f64]) -> serde_json::Value {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let half = if xs.len() < 2 {
        0.0
    } else {
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let t = StudentsT::new(0.0, 1.0, n - 1.0)
            .map(|t| t.inverse_cdf(0.975))
            .unwrap_or(1.96);
        t * (var / n).sqrt()
    };
    serde_json::json!({"mean": mean, "ci95_low": mean - half, "ci95_high": mean + half})
}

fn main() -> ExitCode {
    let p = match parse_args(std::env::args().skip(1)) {
        Ok(p) => p,
        Err(message) => {
            eprintln!("plain_mmc: {message}");
            return ExitCode::from(2);
        }
    };
    let (mut prob_wait, mut wait_min) = (Vec::new(), Vec::new());
    let (mut events, mut customers) = (0u64, 0u64);
    for r in 0..p.replications {
        let (s, e) = replication(&p, r);
        events += e;
        customers += s.served;
        let served = s.served.max(1) as f64;
        prob_wait.push(s.served_after_wait as f64 / served);
        wait_min.push(s.wait_ms_sum / served / 60_000.0);
    }
    let out = serde_json::json!({
        "side": "plain",
        "replications": p.replications,
        "days": p.days,
        "warmup_days": p.warmup_days,
        "events": events,
        "served": customers,
        "network": {
            "prob_wait": interval(&prob_wait),
            "wait_minutes_mean": interval(&wait_min),
        },
    });
    println!("{out}");
    ExitCode::SUCCESS
}

fn parse_args(mut raw: impl Iterator<Item = String>) -> Result<Params, String> {
    let mut p = Params {
        servers: 10,
        rate_per_h: 9.0,
        mean_hours: 1.0,
        days: 100,
        warmup_days: 5,
        replications: 10,
        seed: 1,
    };
    while let Some(flag) = raw.next() {
        if flag == "--bench" {
            continue;
        }
        let value = raw
            .next()
            .ok_or_else(|| format!("`{flag}` needs a value"))?;
        let bad = || format!("`{flag}`: bad value `{value}`");
        match flag.as_str() {
            "--servers" => p.servers = value.parse().map_err(|_| bad())?,
            "--rate" => p.rate_per_h = value.parse().map_err(|_| bad())?,
            "--mean-hours" => p.mean_hours = value.parse().map_err(|_| bad())?,
            "--days" => p.days = value.parse().map_err(|_| bad())?,
            "--warmup-days" => p.warmup_days = value.parse().map_err(|_| bad())?,
            "--replications" => p.replications = value.parse().map_err(|_| bad())?,
            "--seed" => p.seed = value.parse().map_err(|_| bad())?,
            _ => return Err(format!("unknown flag `{flag}`")),
        }
    }
    if p.replications == 0 || p.days <= p.warmup_days || p.rate_per_h <= 0.0 {
        return Err("need replications ≥ 1, days > warm-up and a positive rate".into());
    }
    Ok(p)
}
