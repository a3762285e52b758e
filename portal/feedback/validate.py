"""Validating reader events: plain data in, a clean `Batch` out. No Flask, no database.

A batch is all-or-nothing: the first problem rejects it with an `IngestError` that names
the event and the field, so a client can fix what it sends.
"""
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

SESSION = re.compile(r"^[0-9a-f]{32}$")
BATCH_ID = re.compile(r"^[\w\-]{8,64}$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SLUG = re.compile(r"^[\w\-./]{1,255}$")
SECTION = re.compile(r"^[\w\-.:]{1,200}$")
REFS = {"internal", "search", "external", "direct"}
NO_REASONS = {"incorrect", "unclear", "missing", "outdated", "other"}
YES_REASONS = {"solved", "easy", "other"}
SURVEY_RANGES = {"ces": (1, 7), "csat": (1, 5), "nps": (0, 10)}
MAX_COMMENT = 2000
COMMON = frozenset({"type", "page", "lang", "t"})
FIELDS = {
    "page_view": {"ref", "search_id", "from_page", "rev"},
    "engagement": {"seconds"},
    "scroll": {"depth", "section"},
    "search_click": {"search_id", "rank"},
    "copy": {"section", "chars"},
    "link": {"href"},
    "exit": {"seconds"},
    "feedback": {"helpful", "reason", "comment", "section"},
    "survey": {"kind", "score", "comment"},
}
ALLOWED = {kind: COMMON | names for kind, names in FIELDS.items()}


class IngestError(Exception):
    """A batch was refused; `status` is the HTTP status and the message says why."""

    def __init__(self, status, message, retry_after=60, field=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after
        self.field = field  # the event field at fault, when one is

    @property
    def headers(self):
        """Response headers: when to try again, for refusals that are about timing."""
        return {"Retry-After": str(self.retry_after)} if self.status in (429, 503) else {}


@dataclass
class Batch:
    """A validated batch: the session id and its events in the order they happened."""

    session: str
    events: list
    # The client's id for this batch (optional): a batch sent again is stored once.
    batch_id: str | None = None


def parse_batch(payload, known_pages, max_events=50):
    """Validate a decoded JSON batch against the published (slug, lang) pairs."""
    if not isinstance(payload, dict):
        raise IngestError(400, "The body must be a JSON object with 'session' and 'events'.")
    extra = set(payload) - {"session", "events", "batch"}
    if extra:
        raise IngestError(422, f"Unknown top-level field(s): {', '.join(sorted(map(str, extra)))}.")
    session = _session(payload.get("session"))
    events = payload.get("events")
    if not isinstance(events, list) or not events:
        raise IngestError(400, "'events' must be a non-empty list.")
    if len(events) > max_events:
        raise IngestError(413, f"At most {max_events} events per batch; this one has {len(events)}.")
    checked = [validate_event(e, i, known_pages) for i, e in enumerate(events)]
    times = [c.get("t") or 0 for c in checked]
    if any(a > b for a, b in zip(times, times[1:])):  # a stable sort: ties keep their order
        checked = [checked[i] for i in sorted(range(len(checked)), key=times.__getitem__)]
    return Batch(session, checked, _batch_id(payload.get("batch")))


def _batch_id(value):
    if value is None:
        return None
    if not isinstance(value, str) or not BATCH_ID.match(value):
        raise IngestError(422, "'batch' must be 8 to 64 letters, digits, '-' or '_' "
                               "(a random id per batch, the same when it is sent again).")
    return value


def _session(value):
    if not isinstance(value, str) or not SESSION.match(value):
        raise IngestError(422, "'session' must be 32 lowercase hexadecimal characters.")
    return value


def validate_event(event, index, known_pages):
    """A clean copy of one event, or IngestError naming event `index` and the field.

    Up to 50 events a batch and 10,000 a second pass through here on the cores that serve
    pages: the checks are plain comparisons, and the messages (which name the event) are
    only built for a refusal.
    """
    if not isinstance(event, dict):
        raise IngestError(400, f"{_at(index)} must be a JSON object.")
    kind = event.get("type")
    allowed = ALLOWED.get(kind) if isinstance(kind, str) else None
    if allowed is None:
        raise IngestError(422, f"{_at(index)}.type must be one of: {', '.join(FIELDS)}.")
    if not allowed.issuperset(event):
        unknown = set(event) - allowed
        raise IngestError(422, f"{_at(index)} has field(s) a {kind} event does not take: "
                               f"{', '.join(sorted(map(str, unknown)))}.")
    page, lang = event.get("page"), event.get("lang")
    if not isinstance(page, str) or not isinstance(lang, str) or (page, lang) not in known_pages:
        raise IngestError(422, f"{_at(index)}: no published page {page!r} in language "
                               f"{lang!r}.", field="page")
    clean = {"type": kind, "page": page, "lang": lang}
    if "t" in event:
        clean["t"] = _number(event["t"], index, "t", 0, 1e14)
    CHECKS[kind](event, clean, index)
    return clean


def _at(index):
    return f"events[{index}]"


def _number(value, index, name, low, high, integer=False):
    if (type(value) is int or type(value) is float) and low <= value <= high and (
            not integer or value == int(value)):  # a NaN fails the range, an inf too
        return int(value) if integer else float(value)
    kind = "a whole number" if integer else "a number"
    raise IngestError(422, f"{_at(index)}.{name} must be {kind} from {low:g} to {high:g}.",
                      field=name)


def _text(value, index, name, pattern=None, limit=MAX_COMMENT):
    if not isinstance(value, str) or len(value) > limit or (pattern and not pattern.match(value)):
        raise IngestError(422, f"{_at(index)}.{name} must be text of at most {limit} characters"
                               + (" (letters, digits, - _ . /)" if pattern else "") + ".",
                          field=name)
    if pattern:  # the patterns admit word characters only: no controls, no lone surrogates
        return value
    if CONTROL.search(value) or not _encodable(value):
        raise IngestError(422, f"{_at(index)}.{name} contains characters that are not allowed.",
                          field=name)
    return value


def _encodable(value):
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from JSON "\ud800" escapes
        return False
    return True


def _one_of(value, choices):
    """True when `value` is a string among `choices` (a list or object is never one)."""
    return isinstance(value, str) and value in choices


def _section(e, c, i):
    value = e.get("section")
    if value is not None:
        c["section"] = _text(value, i, "section", SECTION, 200)


def _page_view(e, c, i):
    if not _one_of(e.get("ref"), REFS):
        raise IngestError(422, f"{_at(i)}.ref must be one of: {', '.join(sorted(REFS))}.",
                          field="ref")
    c["ref"] = e["ref"]
    if e.get("search_id") is not None:
        c["search_id"] = _number(e["search_id"], i, "search_id", 1, 2**62, integer=True)
    if e.get("from_page") is not None:
        c["from_page"] = _text(e["from_page"], i, "from_page", SLUG, 255)
    if e.get("rev") is not None:
        c["rev"] = _number(e["rev"], i, "rev", 1, 2**31, integer=True)


def _engagement(e, c, i):
    c["seconds"] = _number(e.get("seconds"), i, "seconds", 0.001, 3600)


def _scroll(e, c, i):
    c["depth"] = _number(e.get("depth"), i, "depth", 0, 100, integer=True)
    _section(e, c, i)


def _search_click(e, c, i):
    c["search_id"] = _number(e.get("search_id"), i, "search_id", 1, 2**62, integer=True)
    c["rank"] = _number(e.get("rank"), i, "rank", 1, 100, integer=True)


def _copy(e, c, i):
    _section(e, c, i)
    if e.get("chars") is not None:
        c["chars"] = _number(e["chars"], i, "chars", 0, 10**7, integer=True)


def _link(e, c, i):
    href = _text(e.get("href"), i, "href", None, 2000)
    try:
        parts = urlsplit(href)
    except ValueError:  # e.g. "http://[::1": an unclosed IPv6 address
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise IngestError(422, f"{_at(i)}.href must be an http(s) URL.", field="href")
    c["href"] = href


def _exit(e, c, i):
    if e.get("seconds") is not None:
        c["seconds"] = _number(e["seconds"], i, "seconds", 0, 86400)


def _feedback(e, c, i):
    if not isinstance(e.get("helpful"), bool):
        raise IngestError(422, f"{_at(i)}.helpful must be true or false.", field="helpful")
    c["helpful"] = e["helpful"]
    reasons = YES_REASONS if c["helpful"] else NO_REASONS
    if e.get("reason") is not None and not _one_of(e["reason"], reasons):
        raise IngestError(422, f"{_at(i)}.reason must be one of: {', '.join(sorted(reasons))}.",
                          field="reason")
    c["reason"] = e.get("reason")
    if e.get("comment") is not None:
        c["comment"] = _text(e["comment"], i, "comment").strip() or None
    _section(e, c, i)


def _survey(e, c, i):
    kind = e.get("kind")
    if not _one_of(kind, SURVEY_RANGES):
        raise IngestError(422, f"{_at(i)}.kind must be one of: {', '.join(SURVEY_RANGES)}.",
                          field="kind")
    low, high = SURVEY_RANGES[kind]
    c["kind"], c["score"] = kind, _number(e.get("score"), i, "score", low, high, integer=True)
    if e.get("comment") is not None:
        c["comment"] = _text(e["comment"], i, "comment").strip() or None


CHECKS = {"page_view": _page_view, "engagement": _engagement, "scroll": _scroll,
          "search_click": _search_click, "copy": _copy, "link": _link, "exit": _exit,
          "feedback": _feedback, "survey": _survey}


def opted_out(dnt, gpc):
    """True when the request says Do-Not-Track (`DNT: 1`) or Global Privacy Control
    (`Sec-GPC: 1`): the server then stores no reading events and links no search to a session.
    """
    return (dnt or "").strip() == "1" or (gpc or "").strip() == "1"


def is_bot(user_agent, patterns):
    """True when the user agent is empty or matches a known bot pattern."""
    ua = (user_agent or "").lower()
    return not ua or any(p in ua for p in patterns)
