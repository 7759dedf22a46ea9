#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR/tests/fuzz for SECONDS each, seeded from
# tests/fuzz/corpus/<name>/, after replaying tests/fuzz/regressions/<name>/ (inputs
# that once crashed). Fails on the first crash and keeps the crashing input.
# Usage: scripts/fuzz-smoke.sh BUILD_DIR SECONDS
set -euo pipefail
build=$(cd "${1:?usage: fuzz-smoke.sh BUILD_DIR SECONDS}" && pwd)
seconds=${2:?usage: fuzz-smoke.sh BUILD_DIR SECONDS}
root=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
found=0
for bin in "$build"/tests/fuzz/*_fuzz; do
  [ -x "$bin" ] || continue
  found=1
  name=$(basename "$bin")
  work=$(mktemp -d)
  corpus="$root/tests/fuzz/corpus/$name"
  regress="$root/tests/fuzz/regressions/$name"
  if [ -d "$regress" ] && compgen -G "$regress/*" >/dev/null; then
    echo "fuzz: $name: replaying $(ls "$regress" | wc -l) regression inputs"
    "$bin" "$regress"/* >"$work/regress.log" 2>&1 || { cat "$work/regress.log"; echo "fuzz: $name: regression input crashes" >&2; exit 1; }
  fi
  dirs=("$work")
  [ -d "$corpus" ] && dirs+=("$corpus")
  echo "fuzz: $name: ${seconds}s"
  if ! (cd "$work" && "$bin" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/" "${dirs[@]}" >"$work/fuzz.log" 2>&1); then
    tail -40 "$work/fuzz.log"
    echo "fuzz: $name: crash; input kept in $work (copy it to $regress/ once fixed)" >&2
    exit 1
  fi
  grep -E 'stat::number_of_executed_units|Done [0-9]+ runs' "$work/fuzz.log" | tail -1 | sed "s/^/fuzz: $name: /"
  rm -rf "$work"
done
[ "$found" = 1 ] || { echo "fuzz: no fuzz targets found in $build/tests/fuzz" >&2; exit 1; }
