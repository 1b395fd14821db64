"""Atomic, checksummed files: write to a temporary name, fsync, rename; verify before reading."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["TMP_SUFFIX", "atomic_write", "read_verified", "sha256_of"]

TMP_SUFFIX = ".tmp"
"""Suffix of a file still being written; such files are never read and are swept away."""


def sha256_of(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # some platforms cannot open a directory; the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> str:
    """Write ``data`` to ``path`` so that ``path`` holds either nothing or all of it.

    The bytes go to ``path.tmp``, are flushed to disk, and the file is renamed
    over ``path``; the directory is flushed too. Returns the SHA-256 of ``data``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + TMP_SUFFIX)
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)
    return sha256_of(data)


def read_verified(path: Path, sha256: str, size: int) -> bytes | None:
    """The bytes of ``path`` if its size and checksum match, else ``None`` (missing or damaged)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) != size or sha256_of(data) != sha256:
        return None
    return data
