//! One replication of a synthetic city (`swapsim_suite::city`), timed as
//! a whole: the cost per e-bike at a size, and the peak memory of a
//! process that holds it, which criterion cannot give.
//!
//! ```text
//! cargo run --release --example city -- 1m [DAYS]
//! ```
//!
//! SIZE is a count of resident e-bikes with an optional `k` or `m`
//! (`10k`, `200k`, `1m`); DAYS defaults to 30. Prints one line: sites,
//! e-bikes, events, the wall and CPU time of building the model and of
//! the replication, and the process's peak resident memory (Linux).

use std::time::Instant;

use swapsim_suite::city::tiled_district;
use swapsim_suite::process::{peak_rss_kib, thread_cpu_seconds};

fn main() {
    let mut args = std::env::args().skip(1);
    let size = args.next().unwrap_or_else(|| usage("a SIZE"));
    let ebikes = parse_size(&size).unwrap_or_else(|| usage("SIZE like 200k or 1m"));
    let days = args
        .next()
        .map_or(Some(30), |d| d.parse().ok())
        .unwrap_or_else(|| usage("DAYS as a whole number"));

    let built = Instant::now();
    let model = tiled_district(ebikes, days);
    let build_s = built.elapsed().as_secs_f64();
    let cpu_before = thread_cpu_seconds();
    let started = Instant::now();
    let replication = sim_core::simulate_replication(&model, 0);
    let wall = started.elapsed().as_secs_f64();
    let cpu = thread_cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let total: u64 = model.sites.iter().map(|s| u64::from(s.ebikes)).sum();
    println!(
        "{size}: {} sites, {total} e-bikes, {days} days, {} events; model {build_s:.2} s; \
         replication {wall:.3} s wall, {} CPU, {:.1} ns/event, {:.2} µs/e-bike; peak RSS {}",
        model.sites.len(),
        replication.events,
        cpu.map_or("?".into(), |c| format!("{c:.3} s")),
        cpu.unwrap_or(wall) * 1e9 / replication.events as f64,
        cpu.unwrap_or(wall) * 1e6 / total as f64,
        peak_rss_kib().map_or("?".into(), |kb| format!("{:.1} MiB", kb as f64 / 1024.0)),
    );
}

fn parse_size(s: &str) -> Option<u64> {
    let (digits, scale) = match s.as_bytes().last()? {
        b'k' | b'K' => (&s[..s.len() - 1], 1_000),
        b'm' | b'M' => (&s[..s.len() - 1], 1_000_000),
        _ => (s, 1),
    };
    digits.parse::<u64>().ok()?.checked_mul(scale)
}

fn usage(what: &str) -> ! {
    eprintln!("usage: city SIZE [DAYS]: expected {what}");
    std::process::exit(2)
}
