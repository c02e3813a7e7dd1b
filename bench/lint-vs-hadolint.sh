#!/usr/bin/env bash
# dockopt lint against hadolint 2.15, side by side with hyperfine, on the same files in the
# same run: the 34 corpus Dockerfiles, and a generated 300-line Dockerfile with 60 RUNs.
# dockopt's own rules only (`--shellcheck=never`), then with ShellCheck run on every RUN
# script (`--shellcheck`), which is the like-for-like comparison since hadolint always runs
# ShellCheck. dockopt keeps ShellCheck's results in a cache (here a private one), so the
# ShellCheck runs are timed twice: cold (the cache emptied before every run, hyperfine
# --prepare) and warm (filled by the warmup runs). Prints the ratio of mean times.
# Usage: bash bench/lint-vs-hadolint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh >/dev/null
TOOLS="${DOCKOPT_TOOLS:-$HOME/.cache/dockopt/tools}"
HADOLINT="$TOOLS/bin/hadolint"
cargo build --release -q -p dockopt
DOCKOPT="$PWD/target/release/dockopt"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# dockopt's ShellCheck cache lives here, not in the user's cache.
export XDG_CACHE_HOME="$W/cache"

CORPUS=(../shared/corpus/*/Dockerfile)
python3 bench/gen-dockerfile.py > "$W/Dockerfile"
echo "hadolint: $("$HADOLINT" --version)"
echo "shellcheck: $(shellcheck --version | sed -n 's/^version: //p')"
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

run() { # $1 = label, $2 = dockopt's ShellCheck flag, $3 = cold|warm|- (no ShellCheck), rest = files
  local label=$1 flag=$2 cache=$3; shift 3
  local prepare=()
  if [ "$cache" = cold ]; then prepare=(--prepare "rm -rf $XDG_CACHE_HOME"); fi
  hyperfine -N --warmup 3 --runs "${RUNS:-20}" -i "${prepare[@]}" --export-json "$W/$label.json" \
    "$DOCKOPT lint $flag $*" "$HADOLINT --no-fail $*" > "$W/$label.txt"
  local note=""
  if [ "$cache" != - ]; then note=", $cache cache"; fi
  echo "$label (dockopt lint $flag$note):"; ratio "$W/$label.json"
}

run corpus --shellcheck=never - "${CORPUS[@]}"
run generated-300-lines --shellcheck=never - "$W/Dockerfile"
run corpus-with-shellcheck-cold --shellcheck cold "${CORPUS[@]}"
run generated-300-lines-with-shellcheck-cold --shellcheck cold "$W/Dockerfile"
run corpus-with-shellcheck-warm --shellcheck warm "${CORPUS[@]}"
run generated-300-lines-with-shellcheck-warm --shellcheck warm "$W/Dockerfile"
