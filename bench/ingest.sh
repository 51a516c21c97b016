#!/usr/bin/env bash
# bench/ingest.sh — ingest benchmark on the spec corpora.
#
# For each corpus bundle (default: every ../shared/corpora/*.bundle; skipped
# when absent) it reports, with medians of RUNS runs (default 3):
#   - `git log -p --first-parent -- '*.md' > /dev/null`, the baseline run beside it;
#   - a full `livespec ingest` into a fresh index, and its ratio to the baseline;
#   - an incremental ingest of the branch's last first-parent commit;
#   - peak RSS of the full ingest, index size, versions and distinct texts.
#
# With BASE=REV it also builds livespec at REV (a git worktree) and runs
# its full ingest beside each of ours, in alternation, so that a change is
# measured against its baseline on the same noisy machine ("base s" and
# "vs base", ours over the baseline's median).
#
# With FACTS=1 it measures instead what lifecycle facts cost a full ingest
# (issue 12's target: under 10%): BenchmarkIngestFacts (internal/e2e), one
# process per run, alternating a full ingest that reads no facts ("nofacts")
# with one that does ("facts"), RUNS times each. It reports the medians of
# wall and CPU (user+sys) seconds, facts over nofacts, and the load average
# before and after (the machine may be shared: CPU time is the steadier
# figure).
#
# Usage: bench/ingest.sh [BUNDLE...]     env: RUNS=3 BENCH_OUT=bench/out BASE=REV FACTS=1
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3}
out=${BENCH_OUT:-$root/bench/out}
mkdir -p "$out"
bundles=("$@")
if [ ${#bundles[@]} -eq 0 ]; then
  shopt -s nullglob
  bundles=("$root"/../shared/corpora/*.bundle)
fi
if [ ${#bundles[@]} -eq 0 ]; then
  echo "bench: no corpus bundles found (../shared/corpora/*.bundle); skipping"; exit 0
fi
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
elapsed() { local t0; t0=$(now); "$@" >/dev/null 2>&1; echo "$(now) - $t0" | bc -l; }
load() { cut -d' ' -f1 /proc/loadavg; }

if [ "${FACTS:-}" = 1 ]; then
  (cd "$root" && go test -c -o "$out/e2e.test" ./internal/e2e)
  printf '%-28s %9s %9s %6s %9s %9s %6s %11s\n' corpus "nofacts s" "facts s" ratio "nofacts c" "facts c" ratio "load"
  for b in "${bundles[@]}"; do
    name=$(basename "$b" .bundle)
    work="$out/$name"
    [ -d "$work/repo" ] || git clone -q "$b" "$work/repo"
    mkdir -p "$work/tmp"
    declare -A wall=() cpu=()
    l0=$(load)
    for i in $(seq "$runs"); do
      for m in nofacts facts; do
        (cd "$root/internal/e2e" && TMPDIR="$work/tmp" LIVESPEC_BENCH_REPO="$work/repo" /usr/bin/time -f '%e %U %S' -o "$work/time" \
          "$out/e2e.test" -test.run '^$' -test.bench "^BenchmarkIngestFacts\$/^$m\$" -test.benchtime 1x > "$work/$m.out" 2>&1) ||
          { cat "$work/$m.out"; exit 1; }
        read -r e u s < <(tail -1 "$work/time")
        wall[$m]+="$e "
        cpu[$m]+="$(echo "$u + $s" | bc -l) "
      done
    done
    med() { printf '%s\n' $1 | median; }
    wn=$(med "${wall[nofacts]}") wf=$(med "${wall[facts]}") cn=$(med "${cpu[nofacts]}") cf=$(med "${cpu[facts]}")
    printf '%-28s %9.2f %9.2f %6.3f %9.2f %9.2f %6.3f %11s\n' "$name" "$wn" "$wf" "$(echo "$wf / $wn" | bc -l)" \
      "$cn" "$cf" "$(echo "$cf / $cn" | bc -l)" "$l0→$(load)"
    echo "  runs (nofacts, facts; wall): ${wall[nofacts]}| ${wall[facts]}"
    echo "  runs (nofacts, facts; cpu):  ${cpu[nofacts]}| ${cpu[facts]}"
    unset wall cpu
  done
  exit 0
fi

(cd "$root" && go build -o "$out/livespec" ./cmd/livespec)
bin="$out/livespec"
basebin=""
if [ -n "${BASE:-}" ]; then
  wt="$out/base-worktree"
  git -C "$root" worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
  git -C "$root" worktree add -q --detach "$wt" "$BASE"
  (cd "$wt" && go build -o "$out/livespec-base" ./cmd/livespec)
  git -C "$root" worktree remove --force "$wt"
  basebin="$out/livespec-base"
fi

printf '%-28s %9s %9s %6s %9s %9s %9s %10s %10s' corpus "git s" "ingest s" ratio "incr s" "RSS MB" "index MB" versions texts
[ -n "$basebin" ] && printf ' %9s %8s' "base s" "vs base"
printf '\n'

for b in "${bundles[@]}"; do
  name=$(basename "$b" .bundle)
  work="$out/$name"
  [ -d "$work/repo" ] || git clone -q "$b" "$work/repo"
  repo="$work/repo"
  base=() full=() incr=() prev=()
  rss=0
  for i in $(seq "$runs"); do
    base+=("$(elapsed bash -c "git -C '$repo' log -p --first-parent -- '*.md' > /dev/null")")
    rm -rf "$work/index"
    t0=$(now)
    if [ -x /usr/bin/time ]; then
      /usr/bin/time -f '%M' -o "$work/rss" "$bin" ingest --repo "$repo" --index "$work/index" > "$work/summary" 2>"$work/stderr"
      rss=$(tail -1 "$work/rss")
    else
      "$bin" ingest --repo "$repo" --index "$work/index" > "$work/summary" 2>"$work/stderr"
    fi
    full+=("$(echo "$(now) - $t0" | bc -l)")
    if [ -n "$basebin" ]; then
      rm -rf "$work/base-index"
      prev+=("$(elapsed "$basebin" ingest --repo "$repo" --index "$work/base-index")")
    fi
  done
  # Incremental: index the history up to the last first-parent commit's
  # parent in a scratch clone, then move the branch forward one commit.
  rm -rf "$work/incr"
  git clone -q "$repo" "$work/incr"
  branch=$(git -C "$work/incr" symbolic-ref --short HEAD)
  git -C "$work/incr" reset -q --hard HEAD^1
  for i in $(seq "$runs"); do
    git -C "$work/incr" reset -q --hard "origin/$branch^1"
    "$bin" ingest --repo "$work/incr" --index "$work/incr-index" >/dev/null 2>&1
    git -C "$work/incr" reset -q --hard "origin/$branch"
    incr+=("$(elapsed "$bin" ingest --repo "$work/incr" --index "$work/incr-index")")
    # the next round re-ingests from the parent: a force-push back
  done
  gm=$(printf '%s\n' "${base[@]}" | median)
  fm=$(printf '%s\n' "${full[@]}" | median)
  im=$(printf '%s\n' "${incr[@]}" | median)
  size=$(du -cb "$work/index"/livespec.db* | tail -1 | cut -f1)
  versions=$(grep -o '[0-9]* versions' "$work/summary" | cut -d' ' -f1)
  texts=$(grep -o '[0-9]* distinct texts' "$work/summary" | cut -d' ' -f1)
  printf '%-28s %9.2f %9.2f %6.1f %9.2f %9.0f %9.1f %10s %10s' "$name" "$gm" "$fm" "$(echo "$fm / $gm" | bc -l)" "$im" \
    "$(echo "$rss / 1024" | bc -l)" "$(echo "$size / 1048576" | bc -l)" "$versions" "$texts"
  if [ -n "$basebin" ]; then
    pm=$(printf '%s\n' "${prev[@]}" | median)
    printf ' %9.2f %8.2f' "$pm" "$(echo "$fm / $pm" | bc -l)"
  fi
  printf '\n'
done
