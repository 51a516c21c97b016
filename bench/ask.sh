#!/usr/bin/env bash
# bench/ask.sh — the whole-process cost of one CLI question.
#
# Runs `livespec ask --index INDEX --json QUESTION` for each question form
# (current, as of a date, a timeline, a topic's changes in a month, a
# year's changes: QUESTIONS below, or one per line of the file $QUESTIONS)
# RUNS times (default 5) and reports, per form, the median wall time and
# the largest peak RSS. With BASE_BIN (and BASE_INDEX, default INDEX: an
# older livespec refuses a newer schema) it runs that binary beside ours,
# in alternation, and reports our median over the baseline's, and whether
# both print the same answer. Targets (issue 18, on the KEPs index):
# current and as_of ≤ 0.3 s, timelines and change reports ≤ 0.5 s, peak
# RSS ≤ 150 MB. The load average is printed, the machine being shared.
#
# Usage: bench/ask.sh INDEX     env: RUNS=5 BIN=bench/out/livespec BASE_BIN= BASE_INDEX= NOW=
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
index=${1:?usage: bench/ask.sh INDEX}
runs=${RUNS:-5}
out=${BENCH_OUT:-$root/bench/out}
mkdir -p "$out"
bin=${BIN:-}
if [ -z "$bin" ]; then
  (cd "$root" && go build -o "$out/livespec" ./cmd/livespec)
  bin="$out/livespec"
fi
basebin=${BASE_BIN:-}
baseindex=${BASE_INDEX:-$index}
nowflag=()
[ -n "${NOW:-}" ] && nowflag=(--now "$NOW")
questions=(
  "current|how do pod security standards work?"
  "as_of|what did the spec say about pod security standards on 2023-01-01?"
  "timeline|how has the sidecar containers proposal evolved?"
  "changes|what changed about dynamic resource allocation in August 2024?"
  "year|what changed in 2023?"
)
if [ -n "${QUESTIONS:-}" ]; then mapfile -t questions < "$QUESTIONS"; fi

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# measure BIN INDEX Q: prints "seconds KB" of one run, the answer in $out/ask.json.
measure() {
  /usr/bin/time -f '%e %M' -o "$out/ask.time" "$1" ask --index "$2" --json "${nowflag[@]}" "$3" > "$out/ask.json" 2>/dev/null || true
  tail -1 "$out/ask.time"
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %8s %8s' form "s" "RSS MB"
[ -n "$basebin" ] && printf ' %8s %8s %8s %5s' "base s" "base MB" ratio same
printf '\n'
for entry in "${questions[@]}"; do
  form=${entry%%|*} q=${entry#*|}
  ts=() bs=() rss=0 brss=0 same=yes
  for i in $(seq "$runs"); do
    read -r t m < <(measure "$bin" "$index" "$q")
    ts+=("$t"); [ "$m" -gt "$rss" ] && rss=$m
    cp "$out/ask.json" "$out/ask-ours.json"
    if [ -n "$basebin" ]; then
      read -r t m < <(measure "$basebin" "$baseindex" "$q")
      bs+=("$t"); [ "$m" -gt "$brss" ] && brss=$m
      cmp -s "$out/ask.json" "$out/ask-ours.json" || same=no
    fi
  done
  tm=$(printf '%s\n' "${ts[@]}" | median)
  printf '%-10s %8.2f %8.0f' "$form" "$tm" "$(echo "$rss / 1024" | bc -l)"
  if [ -n "$basebin" ]; then
    bm=$(printf '%s\n' "${bs[@]}" | median)
    printf ' %8.2f %8.0f %8.2f %5s' "$bm" "$(echo "$brss / 1024" | bc -l)" "$(echo "$tm / $bm" | bc -l)" "$same"
  fi
  printf '\n'
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
