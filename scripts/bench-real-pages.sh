#!/usr/bin/env bash
# Times `eldercheck check` over the real-pages corpus (278 saved pages, 55 MB) and prints wall time,
# pages per second and peak memory. Usage: scripts/bench-real-pages.sh [RUNS] [CORPUS_DIR]
# RENDER=never (default: static figures) | auto | always (every page in headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
corpus=${2:-${ELDERCHECK_REAL_PAGES:-../shared/real-pages}}
if [ ! -f "$corpus/manifest.json" ]; then
  echo "real-pages corpus not found at $corpus" >&2
  exit 2
fi
cargo build --release --quiet
pages=$(find "$corpus" -name '*.htm*' | wc -l)
bytes=$(find "$corpus" -name '*.htm*' -printf '%s\n' | awk '{s+=$1} END {print s}')
render=${RENDER:-never}
echo "corpus: $pages pages, --render $render, $((bytes / 1024 / 1024)) MiB, $(nproc) cores"
for i in $(seq "$runs"); do
  /usr/bin/time -f "%e %M" -o /tmp/eldercheck-bench.$$ \
    ./target/release/eldercheck check "$corpus" --render "$render" --format json --out - -q > /dev/null || true
  read -r secs kb < /tmp/eldercheck-bench.$$
  awk -v s="$secs" -v kb="$kb" -v p="$pages" -v i="$i" \
    'BEGIN { printf "run %d: %.2f s, %.0f pages/s, peak RSS %.0f MiB\n", i, s, p / s, kb / 1024 }'
done
rm -f /tmp/eldercheck-bench.$$
