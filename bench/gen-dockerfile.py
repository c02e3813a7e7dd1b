#!/usr/bin/env python3
"""Writes a realistic 300-line Dockerfile with 60 RUN instructions to stdout.

Deterministic: the same file every time, so timings compare across runs and machines."""

managers = [
    ("apt-get update && apt-get install -y curl ca-certificates", "rm -rf /var/lib/apt/lists/*"),
    ("pip install -r requirements-{i}.txt", "true"),
    ("npm ci --omit=dev", "npm cache clean --force"),
    ("go build -o /out/app{i} ./cmd/app{i}", "true"),
    ("curl -fsSL https://example.com/tool-{i}.tar.gz | tar -xz -C /opt", "true"),
    ("for n in 1 2 3; do apk add --no-cache git && break || sleep 2; done", "true"),
]

lines = ["# syntax=docker/dockerfile:1", "FROM debian:bookworm-slim AS base", "ARG VERSION=1.0", "WORKDIR /app", ""]
for i in range(60):
    install, cleanup = managers[i % len(managers)]
    if i == 30:
        lines.append("FROM base AS final")
    lines.append(f"# step {i}: install and clean up")
    lines.append(f"RUN set -eux; \\")
    lines.append(f"    {install.format(i=i)}; \\")
    lines.append(f"    {cleanup}")
    if i != 30:
        lines.append("")
lines.append("USER 1000")
lines.append('CMD ["/out/app1"]')
# Trim blank lines between blocks until the file is exactly 300 lines long.
while len(lines) > 300 and "" in lines[5:]:
    lines.pop(lines.index("", 5))
assert len(lines) == 300, len(lines)
print("\n".join(lines))
