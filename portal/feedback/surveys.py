"""Micro-survey settings (CES, CSAT, NPS): off by default, sampled when on."""
from dataclasses import dataclass

from sqlalchemy import select

from portal.feedback.models import SurveySetting
from portal.timeutil import utcnow

KINDS = ("ces", "csat", "nps")


@dataclass(frozen=True)
class Survey:
    """One survey's settings."""

    kind: str
    enabled: bool = False
    sample_rate: float = 0.1


def get_settings(db_session):
    """{kind: Survey} for every kind, defaults where nothing was saved."""
    saved = {s.kind: s for s in db_session.scalars(select(SurveySetting))}
    return {k: Survey(k, saved[k].enabled, saved[k].sample_rate) if k in saved else Survey(k)
            for k in KINDS}


def update_setting(db_session, kind, enabled, sample_rate, user=None):
    """Save one survey's settings; the caller commits."""
    if kind not in KINDS:
        raise ValueError(f"unknown survey {kind!r}")
    if not 0 <= sample_rate <= 1:
        raise ValueError("the sample rate must be between 0 and 1")
    setting = db_session.get(SurveySetting, kind) or SurveySetting(kind=kind)
    setting.enabled, setting.sample_rate = bool(enabled), float(sample_rate)
    setting.updated_at, setting.updated_by_id = utcnow(), getattr(user, "id", None)
    db_session.add(setting)
    return setting
