#!/usr/bin/env python3
"""Writes scenarios/bishan-district-sites.csv: a synthetic Bishan district.

The layout is made up; the figures it draws from are DOMAIN.md's:

- 6 subdistricts and 9 towns [S] (their names are Bishan's public
  administrative divisions, not from DOMAIN.md); about 300,000 households and
  0.2-0.25 M e-bikes in the district [E]; about 0.75 e-bikes per household
  [S/E].
- Communities of 300-3,000 households, larger in the subdistricts (the
  urban core) than in the towns [E].
- The transformer feeding a community's cabinets and piles is a standard
  size (400-1,250 kVA) [E]. It feeds only some of the community's
  households: as many as the provincial design standard puts on it (6 kW
  per household, diversity 0.7/0.6/0.5 [S]) at 60-95 % of its 80 % loading
  limit [S].
- Swap adoption is lower in the towns [E]; cabinets are sized to the
  expected swaps: a commuter subscriber swaps about 0.65 times a day, a
  courier twice [S/D], and a 12-slot cabinet serves about 25 swaps a day
  (China Tower sites average about 33 [S/D]).

Deterministic: a fixed seed and the standard library only. Regenerate with

    python3 scenarios/tools/make_district.py

and commit the CSV with the script. The totals are printed to stderr.
"""

import csv
import math
import random
import sys
from pathlib import Path

SEED = 20240320  # the plan's start date, 2024-03-20
OUT = Path(__file__).resolve().parent.parent / "bishan-district-sites.csv"

# (name, kind, communities, centre x [m], centre y [m]); the centres are
# a rough sketch of the district, about 30 km across, not a survey.
AREAS = [
    ("璧城街道", "urban", 30, 0, 0),
    ("璧泉街道", "urban", 24, 2500, -2500),
    ("青杠街道", "urban", 16, -6000, 7000),
    ("来凤街道", "urban", 16, -9000, -7000),
    ("丁家街道", "urban", 12, -15000, 3000),
    ("大路街道", "urban", 12, 9000, 8000),
    ("河边镇", "town", 8, 14000, -4000),
    ("福禄镇", "town", 8, -3000, 14000),
    ("大兴镇", "town", 8, -12000, 12000),
    ("正兴镇", "town", 7, 7000, 15000),
    ("广普镇", "town", 7, 16000, 9000),
    ("三合镇", "town", 7, -18000, -6000),
    ("八塘镇", "town", 7, 4000, -14000),
    ("七塘镇", "town", 7, -4000, -16000),
    ("健龙镇", "town", 6, 12000, -12000),
]

KVA = [400, 500, 630, 800, 1000, 1250]  # standard sizes [E]
POWER_FACTOR = 0.9  # the scenario default
LOADING_LIMIT = 0.8  # <= 80 % of the rating [S]
DESIGN_KW = 6.0  # per household, 81-120 m2 [S]

SWAPS_PER_SUBSCRIBER = 0.65  # default commuter group, 1 kWh battery [D]
SWAPS_PER_COURIER = 2.0  # [S]
SWAPS_PER_CABINET = 25.0  # a 12-slot cabinet's comfortable day [E]
DISTRICT_COURIERS = 3000  # the [[couriers]] of bishan-district.toml


def diversity(households):
    """Diversity factor of the design load [S]."""
    if households <= 50:
        return 0.7
    if households < 200:
        return 0.6
    return 0.5


def fed_households(kva, rng):
    """Households a transformer of `kva` feeds at 60-95 % of its limit."""
    target_kw = kva * POWER_FACTOR * LOADING_LIMIT * rng.uniform(0.6, 0.95)
    households = int(target_kw / (DESIGN_KW * 0.5))
    for _ in range(3):  # settle the diversity band
        households = int(target_kw / (DESIGN_KW * diversity(households)))
    return households


def main():
    rng = random.Random(SEED)
    rows = []
    for area, kind, count, cx, cy in AREAS:
        urban = kind == "urban"
        spread = 1500 if urban else 900
        short = area[:-2] if urban else area[:-1]
        for i in range(1, count + 1):
            centre = rng.lognormvariate(math.log(1500 if urban else 650), 0.45)
            households = int(min(3000, max(300, centre)))
            ebikes = round(households * rng.uniform(0.6, 0.9))
            adoption = round(rng.uniform(0.15, 0.30) if urban else rng.uniform(0.06, 0.18), 2)
            couriers = round(households * rng.uniform(0.0, 0.012)) if urban else 0
            work_weight = round(rng.uniform(1.0, 2.5) if urban else rng.uniform(0.2, 0.5), 1)
            # Bigger communities put their cabinets on bigger transformers.
            size = min(len(KVA) - 1, int(households / 3000 * len(KVA) + rng.uniform(-1, 1.5)))
            kva = KVA[max(0, size)]
            pile_ports = 0 if rng.random() < 0.3 else round(ebikes * rng.uniform(0.01, 0.05))
            rows.append(
                {
                    "name": f"{short}-{i:02d}",
                    "town": area,
                    "x_m": round(cx + rng.uniform(-spread, spread)),
                    "y_m": round(cy + rng.uniform(-spread, spread)),
                    "households": households,
                    "ebikes": ebikes,
                    "swap_adoption": adoption,
                    "couriers": couriers,
                    "courier_work_weight": work_weight,
                    "pile_ports": pile_ports,
                    "transformer_kva": kva,
                    "transformer_households": min(households, fed_households(kva, rng)),
                }
            )
    # Couriers, district-wide or resident, swap where they work: spread
    # over the sites by their work weight.
    total_weight = sum(r["courier_work_weight"] for r in rows)
    all_couriers = DISTRICT_COURIERS + sum(r["couriers"] for r in rows)
    for r in rows:
        swaps = (
            r["ebikes"] * r["swap_adoption"] * SWAPS_PER_SUBSCRIBER
            + all_couriers * r["courier_work_weight"] / total_weight * SWAPS_PER_COURIER
        )
        cabinets = max(1, round(swaps / SWAPS_PER_CABINET))
        r["cabinets"] = cabinets
        r["batteries"] = cabinets * 11  # one slot per cabinet free for hand-ins
    columns = [
        "name", "town", "x_m", "y_m", "households", "ebikes", "swap_adoption",
        "cabinets", "batteries", "pile_ports", "transformer_kva",
        "transformer_households", "courier_work_weight", "couriers",
    ]
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    def total(key):
        return sum(r[key] for r in rows)

    subscribers = sum(r["ebikes"] * r["swap_adoption"] for r in rows)
    print(
        f"{len(rows)} sites, {total('households')} households, {total('ebikes')} e-bikes, "
        f"{subscribers:.0f} subscribers, {total('couriers')} resident couriers, "
        f"{total('cabinets')} cabinets, {total('batteries')} batteries, "
        f"{total('pile_ports')} pile ports -> {OUT.name}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
