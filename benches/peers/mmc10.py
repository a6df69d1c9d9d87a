"""M/M/10 in battery form, in SimPy: the peer of scenarios/mmc10.toml.

B batteries start full in one cabinet. Swap requests arrive as a Poisson
process of rate λ; a rider takes a ready battery at once if there is one,
otherwise waits in line (infinite patience) for the next battery to finish
charging. The handed-in battery charges for an exponential time of mean T
hours; charging is never capped. So charging batteries are the busy
servers of an M/M/B queue: P(wait) = Erlang C(B, λT).

Written the way a SimPy user would: a `Store` of ready batteries whose
`get` queues riders first come first served, one process per rider and one
per charge.

Events counted (as swapsim counts handled events on this model): one per
arrival plus one per completed charge, before the horizon. SimPy's own
bookkeeping events (store gets and puts, process starts) are not counted.

    python mmc10.py [scenarios/mmc10.toml] [--days N] [--replications N]
"""

import random

import simpy

import common


def replication(p, r):
    """Runs replication `r`; returns (events, counters)."""
    env = simpy.Environment()
    # One generator per purpose, as swapsim's streams (not the same numbers).
    arrivals_rng = random.Random(f"{p['seed']}/{r}/arrivals")
    charge_rng = random.Random(f"{p['seed']}/{r}/charge")
    ready = simpy.Store(env, capacity=p["slots"])
    ready.items.extend(range(p["batteries"]))  # full at the start
    counters = common.Counters()
    events = [0]

    def charge(battery):
        yield env.timeout(charge_rng.expovariate(1.0 / p["mean_hours"]))
        events[0] += 1
        yield ready.put(battery)

    def rider():
        arrived = env.now
        counted = arrived >= p["warmup_h"]
        if counted:
            counters.requests += 1
        get = ready.get()
        if not get.triggered and counted:
            counters.stockouts += 1
        battery = yield get
        env.process(charge(battery))  # the handed-in battery, same identity
        if counted:
            wait = env.now - arrived
            counters.served += 1
            counters.served_after_wait += wait > 0
            counters.wait_h_sum += wait

    def arrivals():
        while True:
            yield env.timeout(arrivals_rng.expovariate(p["lambda_per_h"]))
            events[0] += 1
            env.process(rider())

    env.process(arrivals())
    env.run(until=p["horizon_h"])
    return events[0], counters


def main():
    path, days, replications = common.arguments("scenarios/mmc10.toml")
    s = common.load(path)
    site = s["site"][0]
    assert site["patience"]["model"] == "infinite", "a delay system"
    assert s["battery"]["charge"]["model"] == "exponential"
    days = days or s["scenario"]["days"]
    warmup = s["scenario"].get("warmup_days", 0)
    replications = replications or s["scenario"]["replications"]
    p = {
        "seed": s["scenario"]["seed"],
        "slots": site["cabinets"] * site["slots_per_cabinet"],
        "batteries": site["batteries"],
        "lambda_per_h": site["demand"]["swaps_per_hour"],
        "mean_hours": s["battery"]["charge"]["mean_hours"],
        "warmup_h": 24.0 * warmup,
        "horizon_h": 24.0 * days,
    }
    common.run(s["scenario"]["name"], days, warmup, replications, lambda r: replication(p, r))


if __name__ == "__main__":
    main()
