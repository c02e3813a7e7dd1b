#!/usr/bin/env bash
# Adds a 1 MiB incompressible file with fixed bytes to the tree, so the duplicated tree weighs
# enough to stand out in reports without shipping binary data in the repository.
set -euo pipefail
staging=$1
python3 -c '
import random, sys
rng = random.Random(20250101)
sys.stdout.buffer.write(rng.randbytes(1 << 20))
' >"$staging/tree/lib/blob.bin"
