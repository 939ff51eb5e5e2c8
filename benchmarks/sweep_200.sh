#!/bin/bash
# Issue 16's sweep figures: 200 units of the short test recipe with 1 worker, 2 workers and a local
# Ray with 2 workers, each timed; results in FOLDER (default ./sweeps). Needs 'pip install ray'.
# Usage: bash benchmarks/sweep_200.sh [FOLDER]   (docs/benchmarks.md)
set -u
CELL=$(python -c "from cellctl.config.cell_loader import demo_cell_path; print(demo_cell_path())")
R=$(cd "$(dirname "$0")/.." && pwd)/tests/sweep/short_recipe.yaml
MIX=cross_thread=0.05,missing_screw=0.05,stripped=0.05
mkdir -p "${1:-sweeps}" && cd "${1:-sweeps}"
for run in "w1 --workers 1" "w2 --workers 2" "ray2 --workers 2 --ray local"; do
  set -- $run; name=$1; shift
  rm -rf $name; start=$(date +%s.%N)
  cellctl sweep $R --cell $CELL --units 200 --inject-rate $MIX --seed 11 --db $name --json --quiet --plot $name.png "$@" > $name.json 2> $name.err
  rc=$?
  end=$(date +%s.%N)
  echo "$name rc=$rc wall=$(python -c "print(round($end-$start,1))") s load=$(cut -d' ' -f1-3 /proc/loadavg)"
done
