#!/usr/bin/env bash
# Median wall-clock time of `<binary> version` over N runs (after one warm-up run, which also
# unpacks the bundled native library), and the binary's size: the figures the README reports.
#   packaging/measure-startup.sh path/to/cerver-relay [runs]      (GNU date: Linux)
set -euo pipefail

binary=${1:?usage: packaging/measure-startup.sh path/to/cerver-relay [runs]}
runs=${2:-20}
[ -x "$binary" ] || {
  echo "measure-startup: $binary is not an executable" >&2
  exit 2
}

"$binary" version >/dev/null
samples=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  "$binary" version >/dev/null
  end=$(date +%s%N)
  samples+=($(((end - start) / 1000)))
done

size=$(wc -c <"$binary" | tr -d ' ')
printf '%s\n' "${samples[@]}" | sort -n | awk -v runs="$runs" -v size="$size" '
  { v[NR] = $1 / 1000 }
  END {
    median = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "binary     %d bytes (%.1f MiB)\n", size, size / 1048576
    printf "version    median %.1f ms over %d runs (min %.1f, max %.1f)\n", median, runs, v[1], v[NR]
  }'
