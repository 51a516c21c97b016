#!/usr/bin/env bash
# bench/review.sh — precision and recall of `livespec review`'s drift
# findings.
#
# Builds a repository with planted cases (one branch per case off a base
# application whose spec names its flags, variables, routes, configuration
# keys, error codes and exported names: renamed flag still documented,
# removed route still documented, new env var undocumented, editorial-only
# spec change, code changes with no spec impact, ...), reviews each branch
# and reports precision and recall against the expected findings (targets:
# precision ≥ 0.95, recall ≥ 0.8; it exits 1 below them). Then it reviews
# each of livespec's own last OWN first-parent commits (default 100) and
# lists every finding, for a person to judge.
#
# Usage: bench/review.sh        env: OWN=100
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
go run ./bench/reviewbench -own "${OWN:-100}" -repo "$root"
