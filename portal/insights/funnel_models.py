"""Owner-defined funnels: a named, ordered list of pages whose drop-off the journeys report shows."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow


class Funnel(db.Model):
    """A funnel: 2–8 page slugs in the order readers are expected to follow them."""

    __tablename__ = "insight_funnels"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    steps: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
