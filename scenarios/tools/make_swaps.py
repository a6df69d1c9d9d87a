#!/usr/bin/env python3
"""Write a sample swap-record log of the Bicheng pilot, drawn from a stated truth.

The log is what an operator's cloud platform would export for the pilot
community of `bishan-pilot.toml` (site 美吉鑫小区, cabinets C01-C06) over
four weeks, 2024-03-25 (a Monday) to 2024-04-21. It is independent of
swapsim's code: the riders here are not the simulator's riders, only a
statement of what they do, so `swapsim calibrate` can be tested on
whether it recovers this truth.

THE TRUTH (times --scale for the rates)
- 300 commuter subscribers. Each has their own swap rate, uniform between
  0.6 and 1.4 times 0.65 swaps a day (mean 0.65), and swaps a Poisson
  number of times each day.
- 40 couriers, each 2.4 swaps a day (Poisson per day).
- Hour of day: the weights COMMUTER_WEEKDAY, COMMUTER_WEEKEND and COURIER
  below (couriers alike every day); the minute is uniform in the hour.
- Charge at hand-in: commuters normal, mean 30 %, sd 8 %, couriers mean
  15 %, sd 5 %, each cut to [2 %, 60 %] and rounded to whole percent.
- Charge handed out: uniform 95-100 %, whole percent.
- Each attempt finds no battery with probability 1 % (a `无电池` row
  with no hand-in charge); the rider tries again 5-20 minutes later at
  another cabinet and swaps.
- Cabinets: uniform over C01-C06.

Usage:
  python3 scenarios/tools/make_swaps.py                  # scenarios/bishan-pilot-swaps.csv
  python3 scenarios/tools/make_swaps.py --scale 1.5 --out /tmp/fast.csv
  python3 scenarios/tools/make_swaps.py --zh --out x.csv # Chinese headers
"""

import argparse
import csv
import datetime
import os
import random

SITE = "美吉鑫小区"
CABINETS = ["C01", "C02", "C03", "C04", "C05", "C06"]
START = datetime.date(2024, 3, 25)  # a Monday
DAYS = 28
COMMUTERS = 300
COMMUTER_RATE = 0.65  # swaps a day, mean over commuters
COMMUTER_SPREAD = (0.6, 1.4)  # each commuter's rate, times the mean
COURIERS = 40
COURIER_RATE = 2.4  # swaps a day
HAND_IN = {"commuter": (30.0, 8.0), "courier": (15.0, 5.0)}  # mean, sd [%]
HAND_IN_RANGE = (2, 60)  # [%]
HANDED_OUT = (95, 100)  # [%]
NO_BATTERY = 0.01
SEED = 20240325

COMMUTER_WEEKDAY = [1, 0.5, 0.3, 0.3, 0.5, 1, 3, 8, 9, 5, 3, 3,
                    4, 3, 3, 3, 4, 8, 9, 6, 4, 3, 2, 1.5]
COMMUTER_WEEKEND = [1, 0.5, 0.3, 0.3, 0.3, 0.5, 1, 2, 4, 6, 7, 7,
                    6, 5, 5, 5, 5, 6, 6, 5, 4, 3, 2, 1.5]
COURIER = [0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 1, 2, 3, 5, 9,
           10, 6, 3, 2, 3, 6, 9, 8, 5, 3, 2, 1]

HEADERS_EN = ["time", "site", "cabinet_id", "user_id", "battery_in", "soc_in",
              "battery_out", "soc_out", "result"]
HEADERS_ZH = ["换电时间", "站点", "柜机编号", "用户ID", "换入电池编号", "换入SOC",
              "换出电池编号", "换出SOC", "结果"]


def poisson(rng, lam):
    """Knuth's method; lam is small here."""
    limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="times every swap rate")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--zh", action="store_true", help="Chinese headers and results")
    parser.add_argument("--out", default=os.path.join(here, "..", "bishan-pilot-swaps.csv"))
    args = parser.parse_args()
    rng = random.Random(args.seed)

    users = []
    for i in range(COMMUTERS):
        rate = COMMUTER_RATE * rng.uniform(*COMMUTER_SPREAD)
        users.append(("U%04d" % (i + 1), "commuter", rate * args.scale))
    for i in range(COURIERS):
        users.append(("K%03d" % (i + 1), "courier", COURIER_RATE * args.scale))
    battery = {u: "BT%05d" % n for n, (u, _, _) in enumerate(users)}
    next_battery = len(users)

    rows = []
    for day in range(DAYS):
        date = START + datetime.timedelta(days=day)
        weekend = date.weekday() >= 5
        for user, kind, rate in users:
            if kind == "courier":
                weights = COURIER
            else:
                weights = COMMUTER_WEEKEND if weekend else COMMUTER_WEEKDAY
            for _ in range(poisson(rng, rate)):
                hour = rng.choices(range(24), weights)[0]
                at = datetime.datetime.combine(date, datetime.time(hour)) + \
                    datetime.timedelta(seconds=rng.randrange(3600))
                cabinet = rng.choice(CABINETS)
                mean, sd = HAND_IN[kind]
                soc_in = round(min(max(rng.gauss(mean, sd), HAND_IN_RANGE[0]), HAND_IN_RANGE[1]))
                if rng.random() < NO_BATTERY:
                    rows.append((at, cabinet, user, "", "", "", "", False))
                    at += datetime.timedelta(seconds=rng.randrange(300, 1200))
                    cabinet = rng.choice([c for c in CABINETS if c != cabinet])
                out_id = "BT%05d" % next_battery
                next_battery += 1
                soc_out = rng.randint(*HANDED_OUT)
                rows.append((at, cabinet, user, battery[user], soc_in, out_id, soc_out, True))
                battery[user] = out_id

    rows.sort(key=lambda r: (r[0], r[2]))
    ok, failed = ("成功", "无电池") if args.zh else ("success", "no_battery")
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADERS_ZH if args.zh else HEADERS_EN)
        for at, cabinet, user, b_in, soc_in, b_out, soc_out, swapped in rows:
            w.writerow([at.strftime("%Y-%m-%d %H:%M:%S"), SITE, cabinet, user, b_in, soc_in,
                        b_out, soc_out, ok if swapped else failed])


if __name__ == "__main__":
    main()
