#!/usr/bin/env bash
# Proves that the exported image really holds an opaque whiteout for /etc/app: some layer of
# docker.tar must list etc/app/.wh..wh..opq, and that layer must also hold the new file.
set -euo pipefail
out=$1
python3 - "$out/docker.tar" <<'PY'
import json, sys, tarfile

with tarfile.open(sys.argv[1]) as archive:
    manifest = json.load(archive.extractfile("manifest.json"))
    for layer in manifest[0]["Layers"]:
        with tarfile.open(fileobj=archive.extractfile(layer)) as tar:
            names = {n.lstrip("./") for n in tar.getnames()}
        if "etc/app/.wh..wh..opq" in names:
            if "etc/app/new.conf" not in names:
                sys.exit(f"layer {layer} has the opaque marker but not etc/app/new.conf")
            print(f"opaque whiteout etc/app/.wh..wh..opq found in layer {layer}")
            sys.exit(0)
sys.exit("no layer holds etc/app/.wh..wh..opq")
PY
