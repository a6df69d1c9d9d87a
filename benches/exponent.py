"""Time per e-bike at 200k and 1m e-bikes, and the exponent of time against
e-bikes between them (issue 15's scaling target: below 1.05).

    python3 benches/exponent.py [CITY[,CITY2...]] [--rounds N] [--days D]

Each CITY is a build of `examples/city.rs` (default: builds it and takes
target/release/examples/city). Every round runs 200k, then 1m, with each
binary, in alternating order, and reads the simulating thread's CPU time
from the example's output (less moved by other processes than wall time).
Prints µs per e-bike per round and the exponent per round, with medians:
compare binaries only within one invocation (the same minutes). Needs only
python3 and cargo.
"""

import math
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def option(name, default):
    if name in sys.argv:
        return int(sys.argv[sys.argv.index(name) + 1])
    return default


def main():
    rounds = option("--rounds", 5)
    days = str(option("--days", 30))
    given = [a for a in sys.argv[1:] if not a.startswith("--") and not a.isdigit()]
    if given:
        bins = given[0].split(",")
    else:
        subprocess.run(
            ["cargo", "build", "--release", "--quiet", "--example", "city"], check=True, cwd=ROOT
        )
        bins = [os.path.join(ROOT, "target", "release", "examples", "city")]
    cpu = {(b, s): [] for b in bins for s in ("200k", "1m")}
    ebikes = {}
    for i in range(rounds):
        for b in bins if i % 2 == 0 else bins[::-1]:
            for size in ("200k", "1m"):
                out = subprocess.run([b, size, days], capture_output=True, text=True, check=True).stdout
                cpu[(b, size)].append(float(re.search(r"wall, ([0-9.]+) s CPU", out).group(1)))
                ebikes[size] = int(re.search(r"([0-9]+) e-bikes", out).group(1))
    scale = math.log(ebikes["1m"] / ebikes["200k"])
    for b in bins:
        small = [t * 1e6 / ebikes["200k"] for t in cpu[(b, "200k")]]
        large = [t * 1e6 / ebikes["1m"] for t in cpu[(b, "1m")]]
        exponents = [1 + math.log(y / x) / scale for x, y in zip(small, large)]
        print(b)
        print("  200k µs per e-bike:", " ".join(f"{x:.2f}" for x in small))
        print("  1m µs per e-bike:  ", " ".join(f"{x:.2f}" for x in large))
        print(
            "  exponent per round:",
            " ".join(f"{x:.3f}" for x in exponents),
            f"(median {statistics.median(exponents):.3f}; target below 1.05)",
        )


if __name__ == "__main__":
    main()
