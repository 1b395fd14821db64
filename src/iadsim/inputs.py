"""Reading an input file whole, within a size limit, without ever blocking for good.

Every file iadsim reads (scenarios and the files beside them, raids CSVs) goes
through :func:`read_limited`. A regular file is read up to one byte past the
limit, so the caller can tell "too large" without reading a huge file. A pipe,
a FIFO or a device is opened without blocking and read while data arrives: a
FIFO with no writer, or a device that never answers, ends in an ``OSError``
after :data:`WAIT_S` seconds instead of a hang.
"""

from __future__ import annotations

import errno
import os
import select
import stat
from pathlib import Path

__all__ = ["WAIT_S", "read_limited"]

WAIT_S = 10.0
"""Longest wait for the next bytes of a pipe or device, in seconds."""

_CHUNK = 1 << 16


def read_limited(path: str | Path, limit: int, *, wait: float = WAIT_S) -> bytes:
    """Return at most ``limit + 1`` bytes of ``path``.

    Raises:
        FileNotFoundError: no such file.
        IsADirectoryError: ``path`` is a folder.
        OSError: the file cannot be read, or a pipe or device sent nothing for
            ``wait`` seconds (``errno.ETIMEDOUT``).
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
        regular = stat.S_ISREG(mode)
        if regular:
            os.set_blocking(fd, True)
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            if not regular:
                ready, _, _ = select.select([fd], [], [], wait)
                if not ready:
                    raise OSError(
                        errno.ETIMEDOUT,
                        f"nothing arrived for {wait:g} s; a pipe or device with no writer?",
                    )
            try:
                chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            except BlockingIOError:
                continue
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
