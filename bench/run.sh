#!/usr/bin/env bash
# Run every benchmark in bench/ against its peers, one after another (they compete for the same
# two cores otherwise). Usage: bench/run.sh [path/to/c2chain]   (make bench does this)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
c2chain=${1:-$here/../build/c2chain}
for s in run_flows.sh run_collector.sh run_intel.sh run_detect.sh run_geo.sh; do
  if [ -x "$here/$s" ] || [ -f "$here/$s" ]; then
    echo "== $s"
    bash "$here/$s" "$c2chain"
  fi
done
