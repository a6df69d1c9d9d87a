#!/usr/bin/env bash
# swapsim and SimPy side by side: installs SimPy in a local virtual
# environment (target/peers/.venv, ignored with target/), runs both sides
# on the same scenario files, checks M/M/10 against Erlang C on both, and
# appends the results to benches/RESULTS.md.
#
#   benches/peers/run.sh [--no-write] [--repeats N]
#
# Needs python3 (with venv) and network access to PyPI the first time.
# Exit codes: 0 done, 1 a side missed Erlang C, 2 setup error.
set -euo pipefail
cd "$(dirname "$0")/../.."

SIMPY_VERSION=4.1.2
venv=target/peers/.venv

if [ ! -x "$venv/bin/python" ]; then
  mkdir -p target/peers
  python3 -m venv "$venv" || { echo "run.sh: python3 -m venv failed" >&2; exit 2; }
fi
if ! "$venv/bin/python" -c "import simpy, sys; sys.exit(simpy.__version__ != '$SIMPY_VERSION')" 2>/dev/null; then
  "$venv/bin/pip" install --quiet "simpy==$SIMPY_VERSION"
fi
# tomllib is in the standard library from Python 3.11.
if ! "$venv/bin/python" -c "import tomllib" 2>/dev/null; then
  "$venv/bin/pip" install --quiet tomli
fi

# No __pycache__ beside the scripts (only target/ is ignored).
export PYTHONDONTWRITEBYTECODE=1
exec "$venv/bin/python" benches/peers/compare.py "$@"
