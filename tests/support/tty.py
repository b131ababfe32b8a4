"""Run a program under a pseudo-terminal and answer its passphrase prompts.

Stock ``age`` (1.1.x) reads passphrases only from the terminal, never from stdin or the
environment, so scripted interop tests give it one: ``pty.fork`` makes the pty the child's
controlling terminal, and we type each answer when a prompt ending in ``:`` appears.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import time
from collections.abc import Sequence


def run_with_tty(
    argv: Sequence[str], answers: Sequence[str], timeout: float = 60
) -> tuple[int, str]:
    """Run ``argv`` on a new pty, typing ``answers`` at successive prompts; (exit code, output)."""
    pid, fd = pty.fork()
    if pid == 0:  # child: exec or die, never return into pytest
        try:
            os.execvp(argv[0], list(argv))  # noqa: S606 - fixed argv from the tests, no shell
        finally:
            os._exit(127)
    pending = list(answers)
    output = b""
    since_answer = b""
    deadline = time.monotonic() + timeout
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.kill(pid, signal.SIGKILL)
                raise TimeoutError(f"{argv[0]} did not finish within {timeout}s: {output!r}")
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            try:
                data = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            output += data
            since_answer += data
            if pending and since_answer.rstrip().endswith(b":"):
                os.write(fd, pending.pop(0).encode() + b"\n")
                since_answer = b""
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")
