"""One log line per database outage and per recovery, even when the database flaps on its
way back (a server still starting up, a connection from before the outage)."""
import logging

from sqlalchemy.exc import OperationalError

from portal import database


def _error():
    return OperationalError("SELECT 1", {}, Exception("connection refused"))


def test_a_failure_right_after_a_recovery_is_the_same_outage(monkeypatch, caplog):
    clock = [1000.0]
    monkeypatch.setattr(database.time, "monotonic", lambda: clock[0])
    health = database.Health()
    with caplog.at_level(logging.WARNING, logger=database.log.name):
        health.failed(_error())
        clock[0] += 8
        health.succeeded()
        clock[0] += 1  # flaps back within the settle time
        health.failed(_error())
        assert health.down
        clock[0] += 1
        health.succeeded()
        assert not health.down
        lines = [r.getMessage() for r in caplog.records]
        assert sum("unavailable" in m for m in lines) == 1
        assert sum("available again" in m for m in lines) == 1

        clock[0] += health.SETTLE_SECONDS + 1  # a later failure is a new outage
        health.failed(_error())
        health.succeeded()
        lines = [r.getMessage() for r in caplog.records]
        assert sum("unavailable" in m for m in lines) == 2
        assert sum("available again" in m for m in lines) == 2
