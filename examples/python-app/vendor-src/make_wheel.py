"""Builds vendor/greeting-1.0.0-py3-none-any.whl from vendor-src/greeting.

The wheel is written byte for byte the same on every run (sorted entries, one timestamp), so
regenerating it does not change the build context. Only the standard library is used:
    python3 vendor-src/make_wheel.py
"""

import base64
import hashlib
import pathlib
import zipfile

NAME = "greeting"
VERSION = "1.0.0"
HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE.parent / "vendor" / f"{NAME}-{VERSION}-py3-none-any.whl"
STAMP = (2025, 1, 1, 0, 0, 0)
DIST_INFO = f"{NAME}-{VERSION}.dist-info"


def record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def main() -> None:
    files = {}
    for path in sorted((HERE / NAME).rglob("*.py")):
        files[path.relative_to(HERE).as_posix()] = path.read_bytes()
    files[f"{DIST_INFO}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {VERSION}\n"
        "Summary: A tiny greeting library for the dockopt example\n"
    ).encode()
    files[f"{DIST_INFO}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: make_wheel.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    ).encode()
    record = "".join(f"{name},{record_hash(data)},{len(data)}\n" for name, data in files.items())
    record += f"{DIST_INFO}/RECORD,,\n"
    files[f"{DIST_INFO}/RECORD"] = record.encode()

    OUT.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(OUT, "w", zipfile.ZIP_DEFLATED) as whl:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, STAMP)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            whl.writestr(info, data)
    print(OUT)


if __name__ == "__main__":
    main()
