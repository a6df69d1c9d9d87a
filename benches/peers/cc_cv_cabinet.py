"""One swap cabinet with CC-CV charging and a power cap, in SimPy: the peer
of scenarios/cc-cv-cabinet.toml, with swapsim's semantics:

- The site's batteries start full in its slots. Swap requests arrive as a
  Poisson process; a rider hands in a battery at `return_soc` and takes the
  ready battery (SOC ≥ `dispense_soc`) with the highest SOC now, the
  lowest slot among equals; the handed-in battery goes into that slot.
- A handed-in battery charges in constant-power stages: CC at `power_w` to
  the knee, then `taper_steps` steps whose power falls geometrically to
  `taper_end_fraction` of it, ending at SOC 1; `dispense_soc` is a stage
  boundary. Stage length = ΔSOC × capacity ÷ (power × efficiency).
- At most `max_concurrent_charging` batteries charge at once (a `Resource`:
  the others wait for a token, first in first out). A battery holds its
  token until full, or until it is dispensed while tapering above the
  dispense threshold.
- A rider who finds no ready battery waits in line with exponential
  patience, and leaves when it runs out. Each newly ready battery goes to
  the first rider in line.
- Batteries wear: capacity falls by `fade_per_cycle` per equivalent full
  cycle (SOC gained), applied when a battery is dispensed; a battery that
  reaches full below `retire_soh` is replaced by a new one. The file leaves
  both at the scenario layer's defaults (scenarios/src/battery.rs), which
  shortens charges by about 15% on average, so the peer models it too. As
  in swapsim, the battery a rider hands in takes over the identity (and the
  wear) of the one they take.

Events counted (as swapsim counts handled events): arrivals, charge stages
that run to their end (a stage cut short by a dispense is not counted) and
abandonments, before the horizon.

    python cc_cv_cabinet.py [scenarios/cc-cv-cabinet.toml] [--days N] [--replications N]
"""

import collections
import random

import simpy

import common


def stages(charge, dispense_soc):
    """SOC breakpoints and stage powers, as sim-core's `curve::staged`."""
    steps = max(charge.get("taper_steps", 4), 1)
    ratio = charge.get("taper_end_fraction", 0.1) ** (1.0 / steps)
    knee, power = charge["knee_soc"], charge["power_w"]
    span = (1.0 - knee) / steps
    soc, power_w = [0.0, knee], [power]
    for k in range(1, steps + 1):
        soc.append(1.0 if k == steps else knee + span * k)
        power_w.append(power * ratio**k)
    i = next(i for i, b in enumerate(soc) if b >= dispense_soc)
    if soc[i] != dispense_soc:
        soc.insert(i, dispense_soc)
        power_w.insert(i, power_w[i - 1])
    return soc, power_w


# The scenario layer's defaults (scenarios/src/battery.rs).
DEFAULT_FADE_PER_CYCLE = 0.0002
DEFAULT_RETIRE_SOH = 0.7


class Battery:
    """A battery in the cabinet."""

    def __init__(self, slot, soc, capacity_wh):
        self.slot = slot  # a handed-in battery goes where its swap came from
        self.soc = soc
        self.capacity_wh = capacity_wh
        self.cycles = 0.0  # equivalent full cycles: SOC gained
        self.charging = None  # the charge process while it holds a token
        self.stage_start = 0.0
        self.power_w = 0.0
        self.stage_soc_end = soc


def replication(p, r):
    """Runs replication `r`; returns (events, counters)."""
    env = simpy.Environment()
    arrivals_rng = random.Random(f"{p['seed']}/{r}/arrivals")
    patience_rng = random.Random(f"{p['seed']}/{r}/patience")
    cap = simpy.Resource(env, capacity=p["cap"])
    ready = [Battery(slot, 1.0, p["capacity_wh"]) for slot in range(p["batteries"])]
    line = collections.deque()  # waiting riders' events, first come first served
    counters = common.Counters()
    events = [0]
    bps, powers = p["soc"], p["power_w"]

    def current_soc(b):
        if b.charging is None:
            return b.soc
        gained = b.power_w * (env.now - b.stage_start) * p["efficiency"] / b.capacity_wh
        return min(b.soc + gained, b.stage_soc_end)

    def become_ready(b):
        if line:
            line.popleft().succeed(b)
        else:
            ready.append(b)

    def charge(b):
        with cap.request() as token:
            yield token
            b.charging = env.active_process
            try:
                while b.soc < 1.0:
                    i = next((i for i in range(len(powers)) if b.soc < bps[i + 1]), len(powers) - 1)
                    b.stage_soc_end, b.power_w = bps[i + 1], powers[i]
                    b.stage_start = env.now
                    hours = (b.stage_soc_end - b.soc) * b.capacity_wh / (b.power_w * p["efficiency"])
                    yield env.timeout(hours)
                    events[0] += 1
                    was_ready = b.soc >= p["dispense_soc"] - 1e-12
                    b.cycles += b.stage_soc_end - b.soc
                    b.soc = b.stage_soc_end
                    worn = p["fade"] > 0 and 1.0 - p["fade"] * b.cycles < p["retire_soh"]
                    if b.soc >= 1.0 and worn:
                        b.cycles, b.capacity_wh = 0.0, p["capacity_wh"]  # replaced
                    if not was_ready and b.soc >= p["dispense_soc"] - 1e-12:
                        become_ready(b)
                b.charging = None
            except simpy.Interrupt:
                pass  # dispensed while tapering: the token goes back

    def swap(b):
        """Hands `b` to the rider and charges the battery they handed in,
        which takes over `b`'s identity."""
        if b.charging is not None:
            b.cycles += current_soc(b) - b.soc
            b.charging.interrupt()
            b.charging = None
        health = max(1.0 - p["fade"] * b.cycles, 0.05)
        b.capacity_wh = p["capacity_wh"] * health
        b.soc = p["return_soc"]
        env.process(charge(b))

    def rider():
        arrived = env.now
        counted = arrived >= p["warmup_h"]
        if counted:
            counters.requests += 1
        if ready:
            # Highest SOC; ties (full batteries) to the lowest slot, as swapsim.
            b = max(ready, key=lambda b: (current_soc(b), -b.slot))
            ready.remove(b)
            swap(b)
            if counted:
                counters.served += 1
            return
        if counted:
            counters.stockouts += 1
        served = env.event()
        line.append(served)
        yield served | env.timeout(patience_rng.expovariate(1.0 / p["patience_h"]))
        if served.triggered:
            swap(served.value)
            if counted:
                wait = env.now - arrived
                counters.served += 1
                counters.served_after_wait += wait > 0
                counters.wait_h_sum += wait
        else:
            line.remove(served)
            events[0] += 1
            if counted:
                counters.lost += 1

    def arrivals():
        while True:
            yield env.timeout(arrivals_rng.expovariate(p["lambda_per_h"]))
            events[0] += 1
            env.process(rider())

    env.process(arrivals())
    env.run(until=p["horizon_h"])
    return events[0], counters


def main():
    path, days, replications = common.arguments("scenarios/cc-cv-cabinet.toml")
    s = common.load(path)
    site, battery = s["site"][0], s["battery"]
    charge = battery["charge"]
    assert charge["model"] == "cc_cv" and site["patience"]["model"] == "exponential"
    days = days or s["scenario"]["days"]
    warmup = s["scenario"].get("warmup_days", 0)
    replications = replications or s["scenario"]["replications"]
    soc, power_w = stages(charge, battery["dispense_soc"])
    p = {
        "seed": s["scenario"]["seed"],
        "batteries": site["batteries"],
        "cap": site["max_concurrent_charging"],
        "lambda_per_h": site["demand"]["swaps_per_hour"],
        "patience_h": site["patience"]["mean_minutes"] / 60.0,
        "capacity_wh": battery["capacity_wh"],
        "efficiency": charge["efficiency"],
        "dispense_soc": battery["dispense_soc"],
        "return_soc": battery["return_soc"],
        "fade": battery.get("fade_per_cycle", DEFAULT_FADE_PER_CYCLE),
        "retire_soh": battery.get("retire_soh", DEFAULT_RETIRE_SOH),
        "soc": soc,
        "power_w": power_w,
        "warmup_h": 24.0 * warmup,
        "horizon_h": 24.0 * days,
    }
    common.run(s["scenario"]["name"], days, warmup, replications, lambda r: replication(p, r))


if __name__ == "__main__":
    main()
