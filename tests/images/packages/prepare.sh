#!/usr/bin/env bash
# Makes a real rpm database (sqlite backend, as in Fedora and RHEL 9) with the host's rpm:
# builds the two fixture packages in rpm/*.spec and records them with `rpm --justdb`.
# The result, rpm/rpmdb.sqlite in the staging context, is copied into the image.
set -euo pipefail
staging=$1
command -v rpmbuild >/dev/null || { echo "rpmbuild not found; run scripts/install-tools.sh" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/top" "$work/db"
for spec in "$staging"/rpm/*.spec; do
    rpmbuild --quiet --define "_topdir $work/top" -bb "$spec"
done
rpm --dbpath "$work/db" --initdb
# Debian's rpm warns that it should not install packages; --justdb only records them.
rpm --dbpath "$work/db" -i --justdb --nodeps --ignorearch --ignoreos "$work"/top/RPMS/noarch/*.rpm
# Reading the database back checkpoints sqlite's WAL into the main file.
rpm --dbpath "$work/db" -qa | sort
cp "$work/db/rpmdb.sqlite" "$staging/rpm/rpmdb.sqlite"
# The copied file alone must hold both packages.
mkdir "$work/check"
cp "$staging/rpm/rpmdb.sqlite" "$work/check/"
count=$(rpm --dbpath "$work/check" -qa | grep -c '^dockopt-fixture-')
[[ $count -eq 2 ]] || { echo "rpmdb.sqlite lists $count fixture packages, expected 2" >&2; exit 1; }
