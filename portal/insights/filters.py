"""The filters every insights report takes: language, section, date range and sort order.

The HTML pages, the JSON API and the CSV exports parse query strings with `parse`, so the
three show the same rows for the same URL parameters.
"""
from dataclasses import dataclass, replace
from datetime import date, timedelta

from flask_babel import gettext as _

PRESETS = (7, 28, 90)
DEFAULT_DAYS = 28
MAX_DAYS = 400
SORT_KEYS = {
    "stuck": lambda r: r.get("stuck_score") or 0,
    "title": lambda r: (r.get("title") or r.get("slug") or "").lower(),
    "lang": lambda r: r.get("lang") or "",
    "views": lambda r: r.get("views") or 0,
    "sessions": lambda r: r.get("sessions") or 0,
    "engaged": lambda r: r.get("engaged_seconds_median") or 0,
    "completion": lambda r: r.get("completion") or 0,
    "exit_rate": lambda r: r.get("exit_rate") or 0,
    "helpful": lambda r: _helpful(r).get("rate") or 0,
    "votes": lambda r: (_helpful(r).get("yes") or 0) + (_helpful(r).get("no") or 0),
}
TEXT_SORTS = {"title", "lang"}


class FilterError(ValueError):
    """A filter a person must correct; `message` says how."""

    def __init__(self, message, field):
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class Filters:
    """Parsed report filters; `start`/`end` are inclusive dates."""

    lang: str | None
    section: str | None
    start: date
    end: date
    days: int | None  # the preset chosen, None for a custom range
    sort: str = "stuck"
    descending: bool = True

    def query(self, **changes):
        """URL parameters that reproduce these filters (with `changes`)."""
        f = replace(self, **changes) if changes else self
        args = {"lang": f.lang or None, "section": f.section or None}
        if f.days:
            args["days"] = f.days if f.days != DEFAULT_DAYS else None
        else:
            args.update({"from": f.start.isoformat(), "to": f.end.isoformat()})
        if f.sort != "stuck" or not f.descending:
            args.update(sort=f.sort, dir="desc" if f.descending else "asc")
        return {k: v for k, v in args.items() if v is not None}


def _helpful(row):
    return row.get("helpful") or {}


def parse(args, languages, today):
    """Filters from query-string `args`; raises FilterError naming the wrong parameter."""
    lang = (args.get("lang") or "").strip() or None
    if lang is not None and lang not in languages:
        raise FilterError(_("Unknown language “%(lang)s”; use one of: %(choices)s.",
                            lang=lang, choices=", ".join(languages)), "lang")
    section = (args.get("section") or "").strip() or None
    start, end, days = _range(args, today)
    sort = args.get("sort") or "stuck"
    if sort not in SORT_KEYS:
        sort = "stuck"
    default_desc = sort not in TEXT_SORTS
    descending = {"asc": False, "desc": True}.get(args.get("dir"), default_desc)
    return Filters(lang, section, start, end, days, sort, descending)


def _range(args, today):
    raw_from, raw_to = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    if not raw_from and not raw_to:
        days = _days(args.get("days"))
        return today - timedelta(days=days - 1), today, days
    start = _date(raw_from, "from") if raw_from else None
    end = _date(raw_to, "to") if raw_to else today
    if start is None:
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise FilterError(_("The start date (%(start)s) is after the end date (%(end)s).",
                            start=start.isoformat(), end=end.isoformat()), "from")
    if (end - start).days >= MAX_DAYS:
        raise FilterError(_("Choose a range of at most %(days)d days.", days=MAX_DAYS), "from")
    return start, end, None


def _days(raw):
    if not raw:
        return DEFAULT_DAYS
    try:
        days = int(raw)
    except ValueError:
        days = 0
    if days not in PRESETS:
        raise FilterError(_("Choose a period of 7, 28 or 90 days, or give from and to dates."),
                          "days")
    return days


def _date(raw, field):
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterError(_("“%(value)s” is not a date; write it as YYYY-MM-DD, e.g. 2026-01-31.",
                            value=raw), field) from None


def sort_rows(rows, filters):
    """`rows` ordered by the filters' sort key (ties keep the stuck-score order)."""
    return sorted(rows, key=SORT_KEYS[filters.sort], reverse=filters.descending)

