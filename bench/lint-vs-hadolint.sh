#!/usr/bin/env bash
# dockopt lint against hadolint 2.15, side by side with hyperfine, on the same files in the
# same run: the 34 corpus Dockerfiles, and a generated 300-line Dockerfile with 60 RUNs.
# Prints the ratio of mean times. Usage: bash bench/lint-vs-hadolint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh >/dev/null
TOOLS="${DOCKOPT_TOOLS:-$HOME/.cache/dockopt/tools}"
HADOLINT="$TOOLS/bin/hadolint"
cargo build --release -q -p dockopt
DOCKOPT="$PWD/target/release/dockopt"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

CORPUS=(../shared/corpus/*/Dockerfile)
python3 bench/gen-dockerfile.py > "$W/Dockerfile"
echo "hadolint: $("$HADOLINT" --version)"
echo "corpus: ${#CORPUS[@]} files, $(cat "${CORPUS[@]}" | wc -l) lines; generated: $(wc -l < "$W/Dockerfile") lines"

ratio() { # $1 = hyperfine JSON; prints mean times and hadolint/dockopt
  python3 - "$1" <<'PY'
import json, sys
r = {x["command"].split()[0].rsplit("/", 1)[-1]: x for x in json.load(open(sys.argv[1]))["results"]}
d, h = r["dockopt"], r["hadolint"]
print(f"  dockopt  {d['mean']*1000:8.2f} ms ± {d['stddev']*1000:.2f}")
print(f"  hadolint {h['mean']*1000:8.2f} ms ± {h['stddev']*1000:.2f}")
print(f"  dockopt is {h['mean']/d['mean']:.1f}x faster")
PY
}

run() { # $1 = label, rest = files
  local label=$1; shift
  hyperfine -N --warmup 3 --runs "${RUNS:-20}" -i --export-json "$W/$label.json" \
    "$DOCKOPT lint $*" "$HADOLINT --no-fail $*" > "$W/$label.txt"
  echo "$label:"; ratio "$W/$label.json"
}

run corpus "${CORPUS[@]}"
run generated-300-lines "$W/Dockerfile"
