"""Reading back what ``intake decrypt`` wrote into its output folder, under the rules for sticks.

The output folder is on the staff laptop, but it may have been copied from elsewhere, restored,
or prepared by someone else. So its summaries, custody records and index cache are read like
anything from a stick (:mod:`intake.safefs`): never through a symbolic link, regular files only (a
FIFO would block the run), at most so many bytes, and decoded within bounds
(:mod:`intake.submission.strictjson`). A file that fails is "not there" for the caller, which then
rebuilds it or leaves the folder out with a line; it never ends the run.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from intake import safefs
from intake.submission import strictjson
from intake.submission.document import MAX_SUBMISSION_JSON

#: a summary or custody record says less than the submission.json it is made from
MAX_RECORD_BYTES = MAX_SUBMISSION_JSON
#: the index cache's id list and state (10,000 submissions: well under 1 MB each)
MAX_CACHE_BYTES = 64 * 1024 * 1024
#: what reading one of these files may raise
UNREADABLE = (OSError, safefs.UnsafePathError, strictjson.StrictJSONError)


def read_json(path: Path, limit: int = MAX_RECORD_BYTES) -> Any:
    """The JSON in the regular file ``path``; None if it is missing, a link, not a regular file,
    larger than ``limit`` or not JSON :mod:`~intake.submission.strictjson` accepts."""
    try:
        return strictjson.loads(safefs.read_bounded(path, limit))
    except UNREADABLE:
        return None


def read_ascii(path: Path, limit: int = MAX_CACHE_BYTES) -> str:
    """The text of the regular file ``path`` (a list of ids: ASCII only); raises
    :class:`safefs.UnsafePathError` (a link, a FIFO, too large, not ASCII) or ``OSError``."""
    data = safefs.read_bounded(path, limit)
    if not data.isascii():
        raise safefs.UnsafePathError(f"{path} is not the list of ids it should be; refused")
    return data.decode("ascii")


def own_folder(path: Path) -> str | None:
    """Make ``path`` a real folder of ours (mode 0700) in a folder already checked. Something else
    in its place — a link, a file — is removed (never followed) and a line saying so returned: only
    for folders whose content can be made again (the index cache)."""
    try:
        os.mkdir(path, 0o700)
        return None
    except FileExistsError:
        mode = os.lstat(path).st_mode
    if stat.S_ISDIR(mode):
        return None
    os.unlink(path)  # the link itself, or the file: never what a link points to
    os.mkdir(path, 0o700)
    return f"{path} was {safefs.kind_of(mode)}; replaced by a new folder"


def cut_to(path: Path, size: int) -> bool:
    """Truncate the regular file ``path`` to ``size`` bytes, never through a link; False if it is
    not a regular file or is shorter than ``size``."""
    flags = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size < size:
            return False
        if st.st_size > size:
            os.ftruncate(fd, size)
        return True
    finally:
        os.close(fd)
