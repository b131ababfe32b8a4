"""Ages as operators read them."""

from __future__ import annotations

from intake.ops.status import age


def test_ages() -> None:
    assert [age(x) for x in (-1, 59, 60, 3599, 3660, 86400 + 7200)] == [
        "0 s",
        "59 s",
        "1 min",
        "59 min",
        "1 h 1 min",
        "1 d 2 h",
    ]


def test_health_text_shows_the_seizure_warnings_before_the_fingerprints() -> None:
    from intake.ops.status import OpsStatus, QueueCounts, health_text

    queue = QueueCounts(0, 0, 0, 0, None, None)
    status = OpsStatus(0.0, (), 1.0, 0, 5.0, queue, warnings=("the server key is on a disk",))
    assert health_text(status, ["AB12"]).splitlines()[-2:] == [
        "⚠️ the server key is on a disk",
        "Sealing to 1 staff key(s): AB12",
    ]
