#!/usr/bin/env bash
# How long headless Chromium takes to load and lay out report.html for the real-pages corpus, minus its own start-up
# (measured on an empty page). Usage: scripts/bench-report-open.sh [RUNS] [CORPUS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
corpus=${2:-${ELDERCHECK_REAL_PAGES:-../shared/real-pages}}
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "Chromium not installed (apt-get install -y chromium)" >&2; exit 2; }
cargo build --release --quiet
out=$(mktemp -d)
./target/release/eldercheck check "$corpus" --out "$out" --format html -q || true
echo '<!DOCTYPE html><title>x</title>' > "$out/empty.html"
load() {
  local start end
  start=$(date +%s.%N)
  "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$out/profile" --dump-dom "file://$1" > /dev/null 2>&1
  end=$(date +%s.%N)
  awk -v a="$end" -v b="$start" 'BEGIN { print a - b }' 
}
echo "report.html: $(du -h "$out/report.html" | cut -f1)"
for i in $(seq "$runs"); do
  empty=$(load "$out/empty.html")
  report=$(load "$out/report.html")
  awk -v r="$report" -v e="$empty" -v i="$i" 'BEGIN { printf "run %d: report %.2f s, empty page %.2f s, report alone %.2f s\n", i, r, e, r - e }' 
done
rm -rf "$out"
