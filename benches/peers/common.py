"""Helpers shared by the SimPy peers: scenario files, intervals, output.

The peers read the same scenario files as swapsim (`scenarios/*.toml`), so
both sides run on identical parameters, and print one JSON line shaped like
the line of `cargo bench --bench peers` (benches/peers/swapsim.rs).
"""

import json
import math
import sys
import time

try:
    import tomllib
except ImportError:  # Python < 3.11: run.sh installs tomli
    import tomli as tomllib

# Student-t 0.975 quantiles by degrees of freedom, as sim-core's interval.
T975 = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
]

MINUTES_PER_HOUR = 60.0


def load(path):
    """The scenario file at `path` as a dict."""
    with open(path, "rb") as f:
        return tomllib.load(f)


def estimate(values):
    """Mean and 95% Student-t interval over replications."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return {"mean": mean, "ci95_low": mean, "ci95_high": mean}
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    t = T975[n - 2] if n - 1 <= len(T975) else 1.96
    half = t * sd / math.sqrt(n)
    return {"mean": mean, "ci95_low": mean - half, "ci95_high": mean + half}


class Counters:
    """One replication's request counters, as sim-core's `Counters`:
    requests count when they arise inside [warm-up, horizon)."""

    def __init__(self):
        self.requests = 0
        self.stockouts = 0
        self.lost = 0
        self.served = 0
        self.served_after_wait = 0
        self.wait_h_sum = 0.0

    def values(self, window_days):
        """The KPIs swapsim reports, for this replication."""
        def ratio(num, den):
            return num / den if den > 0 else 0.0

        return {
            "swap_requests_per_day": self.requests / window_days,
            "stockout_probability": ratio(self.stockouts, self.requests),
            "lost_swap_rate": ratio(self.lost, self.requests),
            "prob_wait": ratio(self.served_after_wait, self.served),
            "wait_minutes_mean": ratio(self.wait_h_sum, self.served) * MINUTES_PER_HOUR,
        }


def run(scenario, days, warmup_days, replications, replication):
    """Runs `replication(r)` (which returns its event count and counters)
    for every replication, timing the simulation alone, and prints the
    JSON line."""
    events, seconds, per_rep = 0, 0.0, []
    for r in range(replications):
        started = time.perf_counter()
        n, counters = replication(r)
        seconds += time.perf_counter() - started
        events += n
        per_rep.append(counters.values(days - warmup_days))
    report(scenario, days, warmup_days, replications, events, seconds, per_rep)


def report(scenario, days, warmup_days, replications, events, seconds, per_rep):
    """Prints the JSON line of one peer run."""
    network = {name: estimate([v[name] for v in per_rep]) for name in per_rep[0]}
    line = {
        "side": "simpy",
        "scenario": scenario,
        "days": days,
        "warmup_days": warmup_days,
        "replications": replications,
        "events": events,
        "seconds": seconds,
        "events_per_s": events / max(seconds, 1e-12),
        "network": network,
    }
    print(json.dumps(line))


def arguments(default_path):
    """`[FILE] [--days N] [--replications N]` from the command line."""
    args = sys.argv[1:]
    path, days, replications = default_path, None, None
    while args:
        a = args.pop(0)
        if a == "--days":
            days = int(args.pop(0))
        elif a == "--replications":
            replications = int(args.pop(0))
        else:
            path = a
    return path, days, replications
