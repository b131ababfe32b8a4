"""Process hygiene for the two processes that hold testimony in the clear: ``intake run`` (open
drafts, keys) and ``intake decrypt`` (the reports).

* ``RLIMIT_CORE`` 0, soft and hard, whatever the shell's ``ulimit`` — a crash writes no core file
  (and a child cannot raise it again);
* ``prctl(PR_SET_DUMPABLE, 0)``: no core dump, and no ``ptrace``/``/proc/<pid>/mem`` reading by
  other processes of the same user (root still can: see docs/threat-model.md);
* umask 077: everything written (SQLite's -wal and -shm, blobs, sealed files, reports) is
  private to the user, whatever a path's own mode says.

Linux only for ``prctl``; elsewhere that step is reported as not done, never faked. Swap is the
deployment's to forbid (systemd ``MemorySwapMax=0``; see deploy/): ``mlockall`` would need a
capability or a memlock limit of the whole heap, and fails open when refused.
"""

from __future__ import annotations

import ctypes
import os
import resource
import sys
from collections.abc import Iterator
from contextlib import contextmanager

PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3
PRIVATE_UMASK = 0o077


def _prctl(option: int, arg: int) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    result = int(libc.prctl(option, arg, 0, 0, 0))
    if result < 0:
        raise OSError(ctypes.get_errno(), "prctl failed")
    return result


def dumpable() -> bool | None:
    """Whether this process may be dumped/traced (None where that cannot be asked)."""
    if not sys.platform.startswith("linux"):
        return None
    return _prctl(PR_GET_DUMPABLE, 0) != 0


def harden(*, for_good: bool = True) -> list[str]:
    """No core dumps, not dumpable, umask 077; returns what could not be done (empty: all).

    ``for_good`` also sets the hard core limit to 0, which not even this process can undo.
    """
    missing = []
    _, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0 if for_good else hard))
    if sys.platform.startswith("linux"):
        try:
            _prctl(PR_SET_DUMPABLE, 0)
        except OSError as exc:
            missing.append(f"prctl(PR_SET_DUMPABLE, 0) failed: {exc.strerror}")
    else:
        missing.append("not Linux: the process stays dumpable (only RLIMIT_CORE is 0)")
    os.umask(PRIVATE_UMASK)
    return missing


@contextmanager
def hardened() -> Iterator[list[str]]:
    """:func:`harden` for the length of one command (``intake decrypt``, which starts no child):
    the umask and the soft core limit are restored after it, so a caller running the command
    in-process keeps its own; the process stays undumpable (an ``exec`` resets that)."""
    umask = os.umask(PRIVATE_UMASK)
    core = resource.getrlimit(resource.RLIMIT_CORE)
    try:
        yield harden(for_good=False)
    finally:
        resource.setrlimit(resource.RLIMIT_CORE, core)
        os.umask(umask)
