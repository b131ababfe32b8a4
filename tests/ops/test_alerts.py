"""Operator alerts: fire once, remind after the cool-down, resolve."""

from __future__ import annotations

from intake.ops.alerts import Alerter, AlertPolicy, Observation

MB = 1024 * 1024


POLICY = AlertPolicy(
    telegram_errors_for=300, backlog_age=3600, min_disk_free_bytes=500 * MB, repeat_after=7200
)


def obs(
    now: float,
    errors: int = 0,
    unexported: int = 0,
    age: float | None = None,
    free: int | None = 10_000 * MB,
) -> Observation:
    return Observation(now, errors, unexported, age, free)


def test_quiet_when_all_is_well() -> None:
    alerter = Alerter(POLICY)
    assert all(alerter.evaluate(obs(t * 60.0)) == [] for t in range(100))


def test_sustained_telegram_errors_fire_once_then_resolve() -> None:
    alerter = Alerter(POLICY)
    assert alerter.evaluate(obs(0, errors=0)) == []
    sent: list[tuple[float, str]] = []
    errors = 0
    for minute in range(1, 20):
        errors += 3
        sent += [(minute, text) for text in alerter.evaluate(obs(minute * 60.0, errors=errors))]
    # errors first seen at minute 1; sustained 5 min at minute 6; no repeat within the cool-down
    assert [m for m, _ in sent] == [6]
    assert "failing for 5 min" in sent[0][1]
    [resolved] = alerter.evaluate(obs(20 * 60.0, errors=errors))
    assert "work again (failed for 19 min)" in resolved
    assert alerter.evaluate(obs(21 * 60.0, errors=errors)) == []


def test_intermittent_errors_do_not_fire() -> None:
    alerter = Alerter(POLICY)
    errors = 0
    for minute in range(60):
        if minute % 3:
            errors += 1
        assert alerter.evaluate(obs(minute * 60.0, errors=errors)) == []


def test_backlog_fires_reminds_and_resolves() -> None:
    alerter = Alerter(POLICY)
    assert alerter.evaluate(obs(0, unexported=2, age=3000)) == []
    [first] = alerter.evaluate(obs(600, unexported=2, age=3600))
    assert first.startswith(
        "📦 2 sealed submission(s) waiting for export; the oldest for 1 h 0 min"
    )
    assert alerter.evaluate(obs(4000, unexported=3, age=7000)) == []
    [reminder] = alerter.evaluate(obs(600 + 7200, unexported=3, age=10_800))
    assert "3 sealed" in reminder
    assert alerter.evaluate(obs(9000, unexported=0, age=None)) == ["📦 export backlog cleared"]


def test_low_disk() -> None:
    alerter = Alerter(POLICY)
    [alert] = alerter.evaluate(obs(0, free=120 * MB))
    assert alert == "💾 disk almost full: 120 MB free in the data directory."
    assert alerter.evaluate(obs(60, free=None)) == ["💾 disk space back above the threshold"]


def test_crash_text_has_no_details() -> None:
    [text] = Alerter().crashed()
    assert "unclean shutdown" in text


def test_failed_writes_alert_at_once_with_the_path_then_resolve() -> None:
    alerter = Alerter(POLICY)
    problem = "cannot write to /srv/intake/data: disk full"

    def failed(now: float, total: int) -> list[str]:
        base = obs(now)
        return alerter.evaluate(
            Observation(base.now, 0, 0, None, base.disk_free_bytes, total, problem)
        )

    assert failed(0, 0) == []
    (alert,) = failed(10, 2)  # the first round after the failure, not five minutes later
    assert "2 witness action(s) could not be saved" in alert
    assert problem in alert
    assert failed(20, 5) == []  # still failing: no repeat within the cool-down
    (resolved,) = failed(80, 5)
    assert "no witness action failed" in resolved
