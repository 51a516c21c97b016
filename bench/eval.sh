#!/usr/bin/env bash
# bench/eval.sh — answer quality on every development question set.
#
# For each set in ../shared/eval/*.jsonl whose corpus is beside it
# (../shared/corpora/NAME.bundle; a set NAME-hard.jsonl uses NAME's corpus),
# clones the corpus once, ingests it into a fresh index and runs
# `livespec eval` with the clock at the UTC day of the corpus's last commit,
# as the eval README says relative questions are asked. Sets whose corpus is
# absent are skipped and said.
#
# Usage: bench/eval.sh [SET_NAME...]     env: BENCH_OUT=bench/out
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${BENCH_OUT:-$root/bench/out}
shared="$root/../shared"
if [ "$#" -gt 0 ]; then
  sets=("$@")
else
  sets=()
  for f in "$shared"/eval/*.jsonl; do [ -f "$f" ] && sets+=("$(basename "$f" .jsonl)"); done
fi
if [ "${#sets[@]}" -eq 0 ]; then
  echo "bench: no question sets in $shared/eval; skipping"; exit 0
fi
mkdir -p "$out"
(cd "$root" && go build -o "$out/livespec" ./cmd/livespec)
for set in "${sets[@]}"; do
  corpus=${set%-hard}
  bundle="$shared/corpora/$corpus.bundle"
  set_file="$shared/eval/$set.jsonl"
  if [ ! -f "$bundle" ] || [ ! -f "$set_file" ]; then
    echo "bench: $set: corpus or question set absent; skipping"; continue
  fi
  repo="$out/$corpus/repo"
  [ -d "$repo" ] || git clone -q "$bundle" "$repo"
  now=$(TZ=UTC git -C "$repo" log -1 --date=format-local:%Y-%m-%d --format=%cd)
  rm -rf "$out/eval-index-$set"
  echo "== $set (corpus $corpus, --now $now)"
  "$out/livespec" eval "$set_file" --repo "$repo" --index "$out/eval-index-$set" --now "$now"
done
