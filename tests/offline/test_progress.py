"""Progress output: a bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import io

from intake.offline.progress import Progress


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_only_on_a_terminal_and_lines_stay_readable() -> None:
    out, err = io.StringIO(), _Tty()
    ui = Progress(3, out=out, err=err)
    ui.advance()
    ui.say("a.age: decrypted")
    ui.say("intake: error: b.age: damaged or tampered", error=True)
    ui.advance()
    ui.close()
    assert out.getvalue() == "a.age: decrypted\n"
    assert "[##########....................] 1/3" in err.getvalue()
    assert "\r\x1b[2Kintake: error: b.age: damaged or tampered\n" in err.getvalue()
    assert err.getvalue().endswith("\r\x1b[2K")  # the bar is removed at the end

    plain = io.StringIO()
    quiet = Progress(3, out=out, err=plain)
    quiet.advance()
    quiet.say("x", error=True)
    assert plain.getvalue() == "x\n"


def test_single_file_has_no_bar() -> None:
    err = _Tty()
    ui = Progress(1, out=io.StringIO(), err=err)
    ui.advance()
    assert err.getvalue() == ""
