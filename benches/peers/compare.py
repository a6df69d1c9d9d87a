"""Runs the SimPy peers and swapsim on the same scenario files, checks
M/M/10 against Erlang C on both sides, and appends the speed ratios to
benches/RESULTS.md. Called by run.sh, which sets up the virtual environment.

    python compare.py [--no-write] [--repeats N]

Two kinds of runs, per scenario, on both sides:

- a check run with the file's own parameters (days, warm-up, replications,
  seed): KPIs with 95% intervals, side by side; for M/M/10 both must match
  Erlang C within 1.5 half-widths of their own interval;
- speed runs: one long replication (SimPy: SIMPY_DAYS days, swapsim:
  SWAPSIM_DAYS days, so that each side runs for about a second or more),
  the best of `--repeats`. Rates are per event and the models stationary,
  so the lengths need not match; the ratio is swapsim ÷ SimPy events/s.
"""

import datetime
import json
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RESULTS = os.path.join(ROOT, "benches", "RESULTS.md")

# (scenario file, SimPy script)
SCENARIOS = [
    ("scenarios/mmc10.toml", "mmc10.py"),
    ("scenarios/cc-cv-cabinet.toml", "cc_cv_cabinet.py"),
]
SIMPY_DAYS = {"mmc10": 1000, "cc-cv-cabinet": 2000}
SWAPSIM_DAYS = {"mmc10": 20000, "cc-cv-cabinet": 40000}
# The theory check passes within this many half-widths of a side's interval
# (1.5 × t(0.975, 9) ≈ 3.4 standard errors: a false alarm about 1 in 100).
CHECK_HALF_WIDTHS = 1.5
KPIS = ["stockout_probability", "lost_swap_rate", "prob_wait", "wait_minutes_mean"]


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT, **kw).stdout


def peer_executable():
    """Builds `cargo bench --bench peers` and returns its executable."""
    out = sh("cargo", "bench", "--no-run", "--bench", "peers", "--message-format=json")
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "peers":
            if msg.get("executable"):
                return msg["executable"]
    sys.exit("compare.py: no executable for the `peers` bench")


def run_json(cmd):
    return json.loads(sh(*cmd).strip().splitlines()[-1])


def swapsim(exe, scenario, days=None, replications=None):
    cmd = [exe]
    if days:
        cmd += ["--days", str(days)]
    if replications:
        cmd += ["--replications", str(replications)]
    return run_json(cmd + [scenario])


def simpy(script, scenario, days=None, replications=None):
    cmd = [sys.executable, os.path.join(HERE, script), scenario]
    if days:
        cmd += ["--days", str(days)]
    if replications:
        cmd += ["--replications", str(replications)]
    return run_json(cmd)


def best(runs):
    return max(runs, key=lambda r: r["events_per_s"])


def mmc_speed(days, repeats):
    """`sim-core/examples/mmc_speed DAYS`, best of `repeats`: (events, s)."""
    sh("cargo", "build", "--release", "--quiet", "-p", "sim-core", "--example", "mmc_speed")
    exe = os.path.join(ROOT, "target", "release", "examples", "mmc_speed")
    runs = []
    for _ in range(repeats):
        words = sh(exe, str(days)).split()  # "N events in S s: X M events/s"
        runs.append((int(words[0]), float(words[3])))
    return min(runs, key=lambda r: r[1] / r[0])


def erlang_b(servers, a):
    b = 1.0
    for k in range(1, servers + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(servers, a):
    b = erlang_b(servers, a)
    return servers * b / (servers - a * (1.0 - b))


def load():
    return os.getloadavg()[0]


def fmt_int(n):
    return f"{n:,}"


def fmt_ci(e, digits):
    return f"{e['mean']:.{digits}f} [{e['ci95_low']:.{digits}f}, {e['ci95_high']:.{digits}f}]"


def check(theory, estimate):
    half = max(estimate["ci95_high"] - estimate["mean"], 0.0)
    return abs(estimate["mean"] - theory) <= CHECK_HALF_WIDTHS * half


def main():
    write = "--no-write" not in sys.argv
    repeats = 3
    if "--repeats" in sys.argv:
        repeats = int(sys.argv[sys.argv.index("--repeats") + 1])
    exe = peer_executable()
    lines, failures = [], []
    loads = [load()]

    # Check runs: the files as they are.
    checks = {}
    for scenario, script in SCENARIOS:
        path = os.path.join(ROOT, scenario)
        checks[scenario] = (swapsim(exe, path), simpy(script, path))
    loads.append(load())

    # Speed runs.
    speed = {}
    for scenario, script in SCENARIOS:
        path = os.path.join(ROOT, scenario)
        name = checks[scenario][0]["scenario"]
        ours = best([swapsim(exe, path, SWAPSIM_DAYS[name], 1) for _ in range(repeats)])
        theirs = best([simpy(script, path, SIMPY_DAYS[name], 1) for _ in range(repeats)])
        speed[name] = (ours, theirs)
    speed_example = mmc_speed(SWAPSIM_DAYS["mmc10"], repeats)
    loads.append(load())

    now = datetime.datetime.now(datetime.timezone.utc)
    lscpu = sh("sh", "-c", "lscpu | head").rstrip()
    rustc = sh("rustc", "--version").strip()
    import simpy as simpy_module

    lines.append(f"## Peers: swapsim and SimPy side by side, {now:%Y-%m-%d %H:%M} UTC")
    lines.append("")
    lines.append(
        "Written by `benches/peers/run.sh` (models and event counting: "
        "`benches/peers/README.md`). "
        f"{rustc}; Python {sys.version.split()[0]}, SimPy {simpy_module.__version__}. "
        "Load average (1 min) before, between and after the runs: "
        + ", ".join(f"{x:.2f}" for x in loads)
        + " on 2 cores."
    )
    lines.append("")
    lines.append("```text")
    lines.append(lscpu)
    lines.append("```")
    lines.append("")
    lines.append(
        f"Speed: one replication on one core, best of {repeats}; "
        "time spent simulating only (no start-up, no file parsing)."
    )
    lines.append("")
    lines.append("| scenario | side | days | events | seconds | events/s | swapsim ÷ SimPy |")
    lines.append("|---|---|---:|---:|---:|---:|---:|")
    for name, (ours, theirs) in speed.items():
        ratio = ours["events_per_s"] / theirs["events_per_s"]
        for side, r in (("swapsim", ours), ("SimPy", theirs)):
            lines.append(
                f"| `{name}` | {side} | {fmt_int(r['days'])} | {fmt_int(r['events'])} | "
                f"{r['seconds']:.3f} | {r['events_per_s'] / 1e6:.3f} M | "
                + (f"**{ratio:.0f}×**" if side == "swapsim" else "")
                + " |"
            )
    ev, secs = speed_example
    mmc_ratio = ev / secs / speed["mmc10"][1]["events_per_s"]
    lines.append(
        f"| `mmc10` | swapsim, `mmc_speed {SWAPSIM_DAYS['mmc10']}` | "
        f"{fmt_int(SWAPSIM_DAYS['mmc10'])} | {fmt_int(ev)} | {secs:.3f} | "
        f"{ev / secs / 1e6:.3f} M | {mmc_ratio:.0f}× |"
    )
    lines.append("")
    mmc = speed["mmc10"][0]["events_per_s"] / speed["mmc10"][1]["events_per_s"]
    verdict = "met" if mmc >= 200 else f"**missed**, {mmc:.0f}× is {1 - mmc / 200:.0%} short"
    lines.append(f"Target ≥ 200× SimPy on M/M/10: {verdict}.")
    lines.append("")

    # M/M/10 against Erlang C.
    ours, theirs = checks["scenarios/mmc10.toml"]
    c = erlang_c(10, 9.0)
    theory = {"prob_wait": c, "wait_minutes_mean": 60.0 * c / (10.0 - 9.0)}
    lines.append(
        f"M/M/10 against Erlang C(10, 9), each side with the file's parameters "
        f"({ours['replications']} replications of {ours['days']} days, "
        f"{ours['warmup_days']} warm-up; 95% intervals; a side passes within "
        f"{CHECK_HALF_WIDTHS} half-widths):"
    )
    lines.append("")
    lines.append("| KPI | Erlang C | swapsim | SimPy |")
    lines.append("|---|---:|---:|---:|")
    for kpi, digits in (("prob_wait", 4), ("wait_minutes_mean", 2)):
        cells = []
        for side, r in (("swapsim", ours), ("SimPy", theirs)):
            ok = check(theory[kpi], r["network"][kpi])
            if not ok:
                failures.append(f"{side} {kpi}")
            cells.append(fmt_ci(r["network"][kpi], digits) + (" ✓" if ok else " ✗"))
        lines.append(f"| `{kpi}` | {theory[kpi]:.{digits}f} | {cells[0]} | {cells[1]} |")
    lines.append("")

    # CC-CV side by side.
    ours, theirs = checks["scenarios/cc-cv-cabinet.toml"]
    lines.append(
        f"CC-CV cabinet, each side with the file's parameters ({ours['replications']} "
        f"replications of {ours['days']} days, {ours['warmup_days']} warm-up); "
        "no formula, the two models should agree within their intervals:"
    )
    lines.append("")
    lines.append("| KPI | swapsim | SimPy |")
    lines.append("|---|---:|---:|")
    for kpi in KPIS:
        lines.append(
            f"| `{kpi}` | {fmt_ci(ours['network'][kpi], 4)} | {fmt_ci(theirs['network'][kpi], 4)} |"
        )
    lines.append("")

    text = "\n".join(lines) + "\n"
    print(text)
    if failures:
        print("compare.py: Erlang C check FAILED: " + ", ".join(failures), file=sys.stderr)
    if write:
        with open(RESULTS, "a", encoding="utf-8") as f:
            f.write("\n" + text)
        print(f"compare.py: appended to {os.path.relpath(RESULTS, ROOT)}", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
