#!/usr/bin/env bash
# Builds the container images dockopt's image tests read, without a Docker daemon:
# debootstrap makes a Debian bookworm minbase root once, buildah imports it as the base image
# and builds every tests/images/<name>/Dockerfile on it, skopeo exports each image in the four
# forms dockopt reads:
#   $OUT/<name>/oci-gzip/   OCI image layout, gzip layers
#   $OUT/<name>/oci-zstd/   OCI image layout, zstd layers
#   $OUT/<name>/docker.tar  docker-archive (what `docker save` writes; dive reads it)
#   $OUT/<name>/oci.tar     oci-archive
#
# Usage: bash tests/images/setup.sh [--bench] [--force]
#   --bench  also build the big benchmark image (tests/images/bench-*), skipped by default
#   --force  rebuild and re-export every image even when its inputs did not change
#
# Environment:
#   DOCKOPT_IMAGE_CACHE  all state: buildah storage, base.tar, exports
#                        (default ~/.cache/dockopt/images)
#   DOCKOPT_IMAGE_OUT    where the exports go (default $DOCKOPT_IMAGE_CACHE/out)
#   DEBIAN_MIRROR        the mirror debootstrap uses (default http://deb.debian.org/debian)
#   DOCKOPT_IMAGE_KEEP_LAYERS=1  keep the built images in buildah's storage after the export
#                        (a rebuild after a change then reuses their layers); by default only
#                        the base image is kept, which saves gigabytes of disk
#
# An image is rebuilt only when the hash of its build context (Dockerfile included), of its
# prepare.sh output recipe, of the base image and of RECIPE_VERSION changed. At the end the
# script prints the line `DOCKOPT_TEST_IMAGES=$OUT` that the tests need, and writes $OUT to
# $DOCKOPT_IMAGE_CACHE/out-dir.
#
# Per-image hooks, both optional, both part of the hash:
#   <name>/prepare.sh STAGING   run on the host before the build with the copy of the build
#                               context as argument, to add generated files (e.g. an rpm
#                               database made with the host's rpm)
#   <name>/targets              lines "STAGE IMAGE": also build `--target STAGE` of the same
#                               Dockerfile and export it as image IMAGE
#   <name>/verify.sh NAME_DIR   run after the export with $OUT/<name> as argument; a failure
#                               fails the setup (e.g. to prove a layer holds an opaque whiteout)
set -euo pipefail

# Bump to force every image to be rebuilt after a change in how images are built or exported.
RECIPE_VERSION=1
SUITE=bookworm
BASE_IMAGE=localhost/bookworm-minbase:latest
# FROM names the test Dockerfiles use; each is tagged to the local base image.
BASE_ALIASES=(docker.io/library/debian:bookworm-slim docker.io/library/debian:bookworm)

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${DOCKOPT_IMAGE_CACHE:-$HOME/.cache/dockopt/images}
OUT=${DOCKOPT_IMAGE_OUT:-$CACHE/out}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

BENCH=0
FORCE=0
for arg in "$@"; do
    case $arg in
        --bench) BENCH=1 ;;
        --force) FORCE=1 ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "setup: unknown argument: $arg (try --help)" >&2
            exit 2
            ;;
    esac
done

log() { echo "setup: $*" >&2; }
die() {
    echo "setup: error: $*" >&2
    exit 1
}
trap 'echo "setup: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

for tool in buildah skopeo debootstrap tar sha256sum python3; do
    command -v "$tool" >/dev/null || die "$tool not found; run scripts/install-tools.sh"
done
[[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap and buildah's chroot isolation need it)"

mkdir -p "$CACHE/tmp" "$OUT"
CACHE=$(cd "$CACHE" && pwd)
OUT=$(cd "$OUT" && pwd)

# All of buildah's and skopeo's state lives in the cache, away from the host's own storage.
cat >"$CACHE/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$CACHE/storage"
runroot = "$CACHE/run"
EOF
export CONTAINERS_STORAGE_CONF=$CACHE/storage.conf
export TMPDIR=$CACHE/tmp
export BUILDAH_ISOLATION=chroot

# --- base image -----------------------------------------------------------------------------

make_base_tar() {
    local rootfs=$CACHE/rootfs
    log "debootstrap $SUITE minbase from $MIRROR (about 30 s)"
    rm -rf "$rootfs"
    debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
        || die "debootstrap failed, see $CACHE/debootstrap.log"
    # Start from clean apt state like the official image; the test images make their own mess.
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*
    # Repeatable bytes: names sorted, one mtime, numeric owners.
    tar --numeric-owner --xattrs --sort=name --mtime='2025-01-01 00:00:00Z' \
        -C "$rootfs" -cf "$CACHE/base.tar.partial" .
    mv "$CACHE/base.tar.partial" "$CACHE/base.tar"
    rm -rf "$rootfs"
}

image_exists() { buildah inspect --type image "$1" >/dev/null 2>&1; }

import_base() {
    log "importing base.tar as $BASE_IMAGE"
    local c
    c=$(buildah from scratch)
    buildah add --quiet "$c" "$CACHE/base.tar" / >/dev/null
    buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        --cmd '["bash"]' --created-by "debootstrap --variant=minbase $SUITE (dockopt test base)" "$c"
    buildah commit --quiet --rm "$c" "$BASE_IMAGE" >/dev/null
}

[[ -s $CACHE/base.tar ]] || make_base_tar
image_exists "$BASE_IMAGE" || import_base
for alias in "${BASE_ALIASES[@]}"; do
    buildah tag "$BASE_IMAGE" "$alias"
done
BASE_ID=$(buildah inspect --type image --format '{{.FromImageID}}' "$BASE_IMAGE")

# --- builds ---------------------------------------------------------------------------------

# Hash of everything that decides an image's bytes: the context files (names, modes, bytes),
# the hooks inside it, the base image and the recipe version.
context_hash() {
    local dir=$1
    {
        echo "recipe $RECIPE_VERSION base $BASE_ID"
        tar --sort=name --mtime='2000-01-01 00:00:00Z' --owner=0 --group=0 --numeric-owner \
            -C "$dir" -cf - . | sha256sum
    } | sha256sum | cut -d' ' -f1
}

# export_image IMAGE_REF DEST_DIR: the four forms, written beside DEST_DIR then moved in place
# so an interrupted run never leaves a half-written export that looks complete.
export_image() {
    local ref=$1 dest=$2 name
    name=$(basename "$dest")
    local tmp=$dest.partial
    rm -rf "$tmp"
    mkdir -p "$tmp"
    local src=containers-storage:$ref
    skopeo copy --quiet "$src" "oci:$tmp/oci-gzip:$name"
    skopeo copy --quiet --dest-compress-format zstd "$src" "oci:$tmp/oci-zstd:$name"
    skopeo copy --quiet "$src" "docker-archive:$tmp/docker.tar:localhost/$name:latest"
    skopeo copy --quiet "$src" "oci-archive:$tmp/oci.tar:$name"
    buildah inspect --type image --format '{{.FromImageID}}' "$ref" >"$tmp/image-id"
    rm -rf "$dest"
    mv "$tmp" "$dest"
}

# Whether an export holds all four forms and was made from inputs with hash $2.
export_current() {
    local dest=$1 hash=$2
    [[ -f $dest/.inputs-sha256 && $(cat "$dest/.inputs-sha256") == "$hash" ]] || return 1
    [[ -f $dest/oci-gzip/index.json && -f $dest/oci-zstd/index.json ]] || return 1
    [[ -f $dest/docker.tar && -f $dest/oci.tar ]]
}

build_one() {
    local dir=$1 name
    name=$(basename "$dir")
    local hash
    hash=$(context_hash "$dir")
    local stamp=$OUT/$name/.inputs-sha256
    if [[ $FORCE -eq 0 ]] && export_current "$OUT/$name" "$hash"; then
        local extra_ok=1
        if [[ -f $dir/targets ]]; then
            while read -r _stage image; do
                [[ -n ${image:-} ]] || continue
                export_current "$OUT/$image" "$hash" || extra_ok=0
            done <"$dir/targets"
        fi
        if [[ $extra_ok -eq 1 ]]; then
            log "$name: up to date"
            return 0
        fi
    fi

    local staging=$CACHE/contexts/$name
    rm -rf "$staging"
    mkdir -p "$staging"
    cp -a "$dir/." "$staging/"
    if [[ -f $dir/prepare.sh ]]; then
        log "$name: prepare.sh"
        bash "$dir/prepare.sh" "$staging" >"$CACHE/$name.prepare.log" 2>&1 \
            || die "$name: prepare.sh failed, see $CACHE/$name.prepare.log"
    fi

    local started=$SECONDS
    log "$name: building"
    buildah build --isolation chroot --layers --pull=never -t "localhost/$name:latest" "$staging" \
        >"$CACHE/$name.build.log" 2>&1 || die "$name: build failed, see $CACHE/$name.build.log"
    export_image "localhost/$name:latest" "$OUT/$name"

    if [[ -f $dir/targets ]]; then
        while read -r stage image; do
            [[ -n ${image:-} ]] || continue
            log "$name: building stage $stage as $image"
            buildah build --isolation chroot --layers --pull=never --target "$stage" \
                -t "localhost/$image:latest" "$staging" >"$CACHE/$image.build.log" 2>&1 \
                || die "$image: build failed, see $CACHE/$image.build.log"
            export_image "localhost/$image:latest" "$OUT/$image"
            echo "$hash" >"$OUT/$image/.inputs-sha256"
        done <"$dir/targets"
    fi

    if [[ -f $dir/verify.sh ]]; then
        bash "$dir/verify.sh" "$OUT/$name" || die "$name: verify.sh failed"
    fi
    echo "$hash" >"$stamp"
    log "$name: done in $((SECONDS - started)) s"
}

dirs=()
for dockerfile in "$HERE"/*/Dockerfile; do
    dir=$(dirname "$dockerfile")
    case $(basename "$dir") in
        bench-*) [[ $BENCH -eq 1 ]] || continue ;;
    esac
    dirs+=("$dir")
done
((${#dirs[@]} > 0)) || die "no tests/images/*/Dockerfile found under $HERE"

for dir in "${dirs[@]}"; do
    build_one "$dir"
done

# Working containers left by builds (a stage with only FROM leaves one behind).
buildah rm --all >/dev/null

# The exports are what the tests read. The built images' layers in buildah's storage would only
# speed up a rebuild after a change and take gigabytes, so they go; the base image stays (its
# ID is part of every image's hash). DOCKOPT_IMAGE_KEEP_LAYERS=1 keeps them.
if [[ ${DOCKOPT_IMAGE_KEEP_LAYERS:-0} != 1 ]]; then
    mapfile -t built < <(buildah images --all --quiet --no-trunc | sed "s/^sha256://" | sort -u | grep -vxF "$BASE_ID" || true)
    if ((${#built[@]} > 0)); then
        buildah rmi --force "${built[@]}" >/dev/null
        log "removed ${#built[@]} built images from buildah's storage (exports kept)"
    fi
fi

# Every image holds the base layer: blobs with the same digest in different OCI layouts are
# stored once, as hard links (about 0.7 GB less on disk). A blob's name is its digest.
declare -A first_blob=()
linked=0
while IFS= read -r -d '' blob; do
    digest=$(basename "$blob")
    if [[ -z ${first_blob[$digest]:-} ]]; then
        first_blob[$digest]=$blob
    elif ! [[ $blob -ef ${first_blob[$digest]} ]]; then
        ln -f "${first_blob[$digest]}" "$blob"
        linked=$((linked + 1))
    fi
done < <(find "$OUT" -path '*/blobs/sha256/*' -type f -print0 | sort -z)
((linked == 0)) || log "hard-linked $linked blobs stored more than once"

echo "$OUT" >"$CACHE/out-dir"
log "images are in $OUT"
echo "DOCKOPT_TEST_IMAGES=$OUT"
