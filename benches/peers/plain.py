"""swapsim against a tuned plain Rust loop on M/M/10, as whole processes
(DESIGN.md §7: within 1.4× its time, on the same customers).

    python3 benches/peers/plain.py [--pairs N] [--days N] [--replications N] [--no-build]

Builds `swapsim` (release) and `cargo bench --bench plain_mmc`
(`benches/peers/plain_mmc.rs`), then runs

    swapsim run scenarios/mmc10.toml --threads 1 --format json -q --days D --replications R
    plain_mmc --days D --replications R      (the same model, warm-up and window)

alternately, `--pairs` times each (default 5), swapsim first in odd pairs
and second in even ones. Defaults: 10 replications of 926 days, 5 of them
warm-up (the file's), about 2,000,000 customers. For each side it prints
the median wall time, the median CPU time (user + system, from wait4: less
moved by other processes on a shared machine than wall time) and the ratio swapsim ÷ plain, with the 1-minute load average before and
after; and it checks both sides' P(wait) and mean wait against Erlang
C(10, 9) within 1.5 half-widths of their own interval, as compare.py does
(exit 1 if a side misses). `--no-build` takes the binaries as they are in
target/ (while another cargo command holds the build directory). Needs
only python3 and cargo.
"""

import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from compare import CHECK_HALF_WIDTHS, check, erlang_c  # noqa: E402

SCENARIO = "scenarios/mmc10.toml"
TARGET = 1.4


def arg(name, default):
    if name in sys.argv:
        return int(sys.argv[sys.argv.index(name) + 1])
    return default


def build():
    """Builds both sides; returns (swapsim, plain_mmc) executables."""
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "-p", "swapsim-cli"], check=True, cwd=ROOT
    )
    out = subprocess.run(
        ["cargo", "bench", "--no-run", "--bench", "plain_mmc", "--message-format=json"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    plain = None
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "plain_mmc":
            plain = msg.get("executable") or plain
    if not plain:
        sys.exit("plain.py: no executable for the `plain_mmc` bench")
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "release", "swapsim"), plain


def built():
    """The binaries as they are: target/release/swapsim and the newest
    plain_mmc bench executable."""
    import glob

    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    plains = [
        p
        for p in glob.glob(os.path.join(target, "release", "deps", "plain_mmc-*"))
        if os.access(p, os.X_OK) and not p.endswith(".d")
    ]
    if not plains:
        sys.exit("plain.py: no plain_mmc executable; run without --no-build")
    return os.path.join(target, "release", "swapsim"), max(plains, key=os.path.getmtime)


def timed(cmd):
    """Runs `cmd`; returns (wall s, CPU s, parsed JSON stdout). (No peak RSS:
    Linux carries ru_maxrss over exec, so the child would report Python's.)"""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=ROOT)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"plain.py: {cmd[0]} exited with {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, json.loads(out)


def main():
    pairs = arg("--pairs", 5)
    days = arg("--days", 926)
    replications = arg("--replications", 10)
    swapsim, plain = built() if "--no-build" in sys.argv else build()
    sides = {
        "swapsim": [
            swapsim, "run", SCENARIO, "--threads", "1", "--format", "json", "-q",
            "--days", str(days), "--replications", str(replications),
        ],
        "plain": [plain, "--days", str(days), "--replications", str(replications)],
    }
    runs = {name: [] for name in sides}
    load_before = os.getloadavg()[0]
    for k in range(pairs):
        order = ["swapsim", "plain"] if k % 2 == 0 else ["plain", "swapsim"]
        for name in order:
            runs[name].append(timed(sides[name]))
    load_after = os.getloadavg()[0]

    c = erlang_c(10, 9.0)
    theory = {"prob_wait": c, "wait_minutes_mean": 60.0 * c / (10.0 - 9.0)}
    med = {
        name: (
            statistics.median(r[0] for r in rs),
            statistics.median(r[1] for r in rs),
        )
        for name, rs in runs.items()
    }
    served = runs["plain"][0][2]["served"]
    print(
        f"M/M/10, {replications} replications of {days} days (about {served:,} customers), "
        f"median of {pairs} alternating pairs; load average {load_before:.2f} before, "
        f"{load_after:.2f} after"
    )
    print()
    print("| side | wall s | CPU s | P(wait) | mean wait [min] |")
    print("|---|---:|---:|---:|---:|")
    failures = []
    for name, rs in runs.items():
        result = rs[-1][2]["network"]
        cells = []
        for kpi, digits in (("prob_wait", 4), ("wait_minutes_mean", 2)):
            ok = check(theory[kpi], result[kpi])
            if not ok:
                failures.append(f"{name} {kpi}")
            cells.append(f"{result[kpi]['mean']:.{digits}f}" + (" ✓" if ok else " ✗"))
        wall, cpu = med[name]
        print(f"| {name} | {wall:.3f} | {cpu:.3f} | {cells[0]} | {cells[1]} |")
    print(
        f"| Erlang C(10, 9) | | | {theory['prob_wait']:.4f} | {theory['wait_minutes_mean']:.2f} |"
    )
    print()
    wall_ratio = med["swapsim"][0] / med["plain"][0]
    cpu_ratio = med["swapsim"][1] / med["plain"][1]
    verdict = "met" if wall_ratio <= TARGET else "missed"
    print(
        f"swapsim ÷ plain: {wall_ratio:.2f}× wall, {cpu_ratio:.2f}× CPU "
        f"(target ≤ {TARGET}× wall: {verdict}); a side passes Erlang C within "
        f"{CHECK_HALF_WIDTHS} half-widths"
    )
    if failures:
        print("plain.py: Erlang C check FAILED: " + ", ".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
