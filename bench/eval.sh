#!/usr/bin/env bash
# bench/eval.sh — answer quality on the OpenAPI corpus and its question set.
#
# Clones ../shared/corpora/oai-openapi-specification.bundle (skipped when
# absent), ingests it into a fresh index and runs `livespec eval` with the
# clock at the day after the snapshot's last commit (2026-08-20), when the
# question set was written ("over the last two years" depends on it).
#
# Usage: bench/eval.sh [NOW]     env: BENCH_OUT=bench/out
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${BENCH_OUT:-$root/bench/out}
now=${1:-2026-08-21}
bundle="$root/../shared/corpora/oai-openapi-specification.bundle"
set_file="$root/../shared/eval/oai-openapi-specification.jsonl"
if [ ! -f "$bundle" ] || [ ! -f "$set_file" ]; then
  echo "bench: OpenAPI corpus or question set absent; skipping"; exit 0
fi
mkdir -p "$out"
(cd "$root" && go build -o "$out/livespec" ./cmd/livespec)
repo="$out/oai-openapi-specification/repo"
[ -d "$repo" ] || git clone -q "$bundle" "$repo"
rm -rf "$out/eval-index"
"$out/livespec" eval "$set_file" --repo "$repo" --index "$out/eval-index" --now "$now"
