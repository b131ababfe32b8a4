"""The crash marker: a run that never stopped is noticed at the next start."""

from __future__ import annotations

from pathlib import Path

from intake.ops.runmarker import RunMarker


def test_run_marker(tmp_path: Path) -> None:
    marker = RunMarker(tmp_path)
    assert marker.start() is False
    assert (tmp_path / "running").stat().st_mode & 0o777 == 0o600
    assert RunMarker(tmp_path).start() is True  # the first run never stopped: a crash
    marker.stop()
    marker.stop()
    assert RunMarker(tmp_path).start() is False
