#!/usr/bin/env bash
# `dockopt image inspect` against dive 0.13 on the same big image, side by side.
#
# Builds the benchmark image (tests/images/bench-big, via `setup.sh --bench`) when its exports
# are missing, builds dockopt in release, then:
#   - hyperfine: `dive --ci` on docker.tar, `dockopt image inspect --format json` on the same
#     docker.tar, and dockopt on the gzip OCI layout of the same image;
#   - /usr/bin/time -v once per command for peak RSS and CPU time;
#   - prints the time and memory ratios (dive / dockopt, above 1 means dockopt is better) and
#     dockopt's throughput on gzip layers: uncompressed layer bytes / wall time, and that
#     divided by the cores it kept busy ((user + sys) / wall).
#
# Environment: DOCKOPT_TOOLS (dive's venv, see scripts/install-tools.sh), DOCKOPT_IMAGE_CACHE
# and DOCKOPT_IMAGE_OUT (see tests/images/setup.sh), CARGO_TARGET_DIR, RUNS (default 3).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=${DOCKOPT_TOOLS:-$HOME/.cache/dockopt/tools}
CACHE=${DOCKOPT_IMAGE_CACHE:-$HOME/.cache/dockopt/images}
OUT=${DOCKOPT_IMAGE_OUT:-$CACHE/out}
RUNS=${RUNS:-3}
DIVE=$TOOLS/bin/dive

die() {
    echo "inspect-vs-dive: error: $*" >&2
    exit 1
}
trap 'echo "inspect-vs-dive: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

[[ -x $DIVE ]] || die "dive not found at $DIVE; run scripts/install-tools.sh"
command -v hyperfine >/dev/null || die "hyperfine not found; run scripts/install-tools.sh"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found; run scripts/install-tools.sh"

IMG=$OUT/bench-big
if [[ ! -f $IMG/docker.tar || ! -d $IMG/oci-gzip ]]; then
    bash "$ROOT/tests/images/setup.sh" --bench
fi
[[ -f $IMG/docker.tar && -d $IMG/oci-gzip ]] || die "benchmark image missing in $IMG"

echo "inspect-vs-dive: building dockopt (release)" >&2
(cd "$ROOT" && cargo build --release --quiet -p dockopt)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
DOCKOPT=$TARGET/release/dockopt
[[ -x $DOCKOPT ]] || die "dockopt binary not found at $DOCKOPT"

WORK=$CACHE/bench
rm -rf "$WORK"
mkdir -p "$WORK"
# dive reads .dive-ci from the working directory; run it in an empty one and give thresholds
# that always pass, so its exit code is 0 and only the analysis is timed.
cd "$WORK"
DIVE_CMD="$DIVE --ci --source docker-archive --lowestEfficiency 0 --highestUserWastedPercent 1 --highestWastedBytes disabled $IMG/docker.tar"
DOCKOPT_TAR_CMD="$DOCKOPT image inspect --format json $IMG/docker.tar"
DOCKOPT_GZ_CMD="$DOCKOPT image inspect --format json $IMG/oci-gzip"

# Each command must succeed once before it is timed.
for cmd in "$DIVE_CMD" "$DOCKOPT_TAR_CMD" "$DOCKOPT_GZ_CMD"; do
    bash -c "$cmd" >/dev/null 2>"$WORK/check.err" || {
        cat "$WORK/check.err" >&2
        die "command failed: $cmd"
    }
done

hyperfine --warmup 1 --runs "$RUNS" --export-json "$WORK/hyperfine.json" \
    -n "dive --ci (docker.tar)" "$DIVE_CMD" \
    -n "dockopt inspect (docker.tar)" "$DOCKOPT_TAR_CMD" \
    -n "dockopt inspect (oci-gzip)" "$DOCKOPT_GZ_CMD"

# One run each under GNU time for peak RSS and CPU seconds.
measure() {
    local name=$1 cmd=$2
    /usr/bin/time -v -o "$WORK/$name.time" bash -c "$cmd" >/dev/null 2>&1
}
measure dive "$DIVE_CMD"
measure dockopt-tar "$DOCKOPT_TAR_CMD"
measure dockopt-gz "$DOCKOPT_GZ_CMD"

python3 - "$WORK" "$IMG/docker.tar" "$(nproc)" <<'PY'
import json, re, sys, tarfile

work, docker_tar, nproc = sys.argv[1], sys.argv[2], int(sys.argv[3])

def gnu_time(name):
    text = open(f"{work}/{name}.time").read()
    def field(label):
        m = re.search(rf"{re.escape(label)}: (.+)", text)
        if not m:
            sys.exit(f"no '{label}' in {name}.time")
        return m.group(1).strip()
    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    seconds = 0.0
    for part in wall.split(":"):
        seconds = seconds * 60 + float(part)
    return {
        "rss_kib": int(field("Maximum resident set size (kbytes)")),
        "cpu_s": float(field("User time (seconds)")) + float(field("System time (seconds)")),
        "wall_s": seconds,
    }

# Uncompressed layer bytes: the layer tars inside the docker-archive are stored uncompressed.
with tarfile.open(docker_tar) as archive:
    manifest = json.load(archive.extractfile("manifest.json"))
    layers = manifest[0]["Layers"]
    uncompressed = sum(archive.getmember(layer).size for layer in layers)

runs = {r["command"]: r for r in json.load(open(f"{work}/hyperfine.json"))["results"]}
dive = runs["dive --ci (docker.tar)"]
tar = runs["dockopt inspect (docker.tar)"]
gz = runs["dockopt inspect (oci-gzip)"]
t_dive, t_tar, t_gz = gnu_time("dive"), gnu_time("dockopt-tar"), gnu_time("dockopt-gz")

mb = uncompressed / 1e6
cores_gz = t_gz["cpu_s"] / t_gz["wall_s"] if t_gz["wall_s"] > 0 else float("nan")
print()
print(f"image: {len(layers)} layers, {mb:.0f} MB uncompressed; machine: {nproc} cores")
print(f"{'command':32} {'mean s':>8} {'stddev':>8} {'peak RSS MiB':>13} {'CPU s':>7}")
for label, r, t in [("dive --ci (docker.tar)", dive, t_dive),
                    ("dockopt inspect (docker.tar)", tar, t_tar),
                    ("dockopt inspect (oci-gzip)", gz, t_gz)]:
    print(f"{label:32} {r['mean']:8.2f} {r['stddev'] or 0:8.2f} {t['rss_kib'] / 1024:13.0f} {t['cpu_s']:7.2f}")
print()
print(f"time ratio   dive / dockopt (same docker.tar): {dive['mean'] / tar['mean']:.1f}x")
print(f"memory ratio dive / dockopt (same docker.tar): {t_dive['rss_kib'] / t_tar['rss_kib']:.1f}x")
print(f"dockopt on oci-gzip: {mb / gz['mean']:.0f} MB/s uncompressed, "
      f"{cores_gz:.2f} cores busy, {mb / gz['mean'] / cores_gz:.0f} MB/s per core")
PY
