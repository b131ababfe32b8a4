"""Detecting a restart after a crash: a ``running`` marker file in the data directory.

The bot creates the marker when it starts and removes it on a clean shutdown. Finding it at start
means the previous run ended without cleaning up — a crash, ``kill -9``, OOM kill or power loss.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

MARKER_NAME = "running"


class RunMarker:
    """The ``running`` marker in ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / MARKER_NAME

    def start(self) -> bool:
        """Create the marker; return True if it was already there (the last run did not stop
        cleanly). The file holds only the process id, for the operator's curiosity."""
        crashed = self.path.exists()
        tmp = self.path.with_name(MARKER_NAME + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, f"{os.getpid()}\n".encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        return crashed

    def stop(self) -> None:
        """Remove the marker: this run is ending cleanly."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
