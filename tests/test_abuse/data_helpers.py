"""Crafted PNG files for the data abuse tests (valid chunk checksums, damaged content)."""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path


def chunk(kind: bytes, body: bytes) -> bytes:
    """One PNG chunk with its length and a valid CRC."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """The (kind, body) chunks of a PNG file."""
    found, position = [], 8
    while position < len(data):
        size, kind = struct.unpack(">I4s", data[position : position + 8])
        found.append((kind, data[position + 8 : position + 8 + size]))
        position += 12 + size
    return found


def png(parts: list[tuple[bytes, bytes]]) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunk(kind, body) for kind, body in parts)


def damage_idat(file: Path, how: str) -> None:
    """Rewrite ``file`` with its zlib stream ``short`` or ``corrupt``, checksums valid."""
    parts = chunks(file.read_bytes())
    data = b"".join(body for kind, body in parts if kind == b"IDAT")
    if how == "short":
        data = zlib.compress(zlib.decompress(data)[: len(zlib.decompress(data)) // 2])
    elif how == "unterminated":
        data = data[: len(data) // 2]
    else:
        middle = len(data) // 2
        flipped = bytes(byte ^ 0xFF for byte in data[middle : middle + 8])
        data = data[:middle] + flipped + data[middle + 8 :]
    header = [part for part in parts if part[0] == b"IHDR"]
    file.write_bytes(png([*header, (b"IDAT", data), (b"IEND", b"")]))


def huge_png(width: int, height: int) -> bytes:
    """A PNG header announcing ``width x height`` grayscale pixels, with one row of data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return png([(b"IHDR", header), (b"IDAT", zlib.compress(b"\0" * (width + 1))), (b"IEND", b"")])


def private_tree(mura_root: Path, target: Path, *, csvs: bool = True) -> Path:
    """A copy of the session's synthetic tree (with or without its CSVs)."""
    shutil.copytree(mura_root / "MURA-v1.1", target / "MURA-v1.1")
    if not csvs:
        for csv in (target / "MURA-v1.1").glob("*.csv"):
            csv.unlink()
    return target
