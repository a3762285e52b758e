"""Stuck-score reasons in words and numbers, translatable whole sentences."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.insights.signals import POGO_SECONDS, SEARCH_AFTER_SECONDS

SIGNAL_LABELS = {
    "unhelpful": _l("Not helpful"),
    "search_after": _l("Searched after reading"),
    "pogo": _l("Back to search within seconds"),
    "drop_off": _l("Drop-off section"),
    "loops": _l("Back and forth"),
    "dead_end": _l("Dead end"),
    "language_gap": _l("Language gap"),
}
REASON_LABELS = {
    "incorrect": _l("incorrect"), "unclear": _l("unclear"), "missing": _l("missing information"),
    "outdated": _l("outdated"), "other": _l("other"),
}


def pct(value):
    return round(100 * (value or 0))


def label(name):
    return str(SIGNAL_LABELS.get(name, name))


def sentence(name, part, evidence):
    """The reason for one signal, e.g. "42% of readers searched again within 10 minutes…"."""
    rate = pct(part.get("rate"))
    if name == "unhelpful":
        reason = evidence.get("top_reason")
        if reason:
            return _("%(pct)s%% of votes said the page did not help (%(no)d of %(votes)d), "
                     "most often “%(reason)s”.", pct=rate, no=part["num"], votes=part["den"],
                     reason=str(REASON_LABELS.get(reason, reason)))
        return _("%(pct)s%% of votes said the page did not help (%(no)d of %(votes)d).",
                 pct=rate, no=part["num"], votes=part["den"])
    if name == "search_after":
        query = evidence.get("top_query")
        minutes = SEARCH_AFTER_SECONDS // 60
        if query:
            return _("%(pct)s%% of readers searched again within %(minutes)d minutes, mostly "
                     "“%(query)s”.", pct=rate, minutes=minutes, query=query)
        return _("%(pct)s%% of readers searched again within %(minutes)d minutes.",
                 pct=rate, minutes=minutes)
    if name == "pogo":
        return _("%(pct)s%% of readers who came from a search result went back to search "
                 "within %(seconds)d seconds.", pct=rate, seconds=POGO_SECONDS)
    if name == "drop_off":
        heading = evidence.get("heading_title")
        if heading:
            return _("%(pct)s%% of readers stopped reading at “%(heading)s”.", pct=rate,
                     heading=heading)
        return _("%(pct)s%% of readers stopped before reaching the first heading.", pct=rate)
    if name == "loops":
        partner = evidence.get("partner_title") or evidence.get("partner")
        if partner:
            return _("%(pct)s%% of readers came back here right after “%(page)s”.",
                     pct=rate, page=partner)
        return _("%(pct)s%% of readers came back here right after another page.", pct=rate)
    if name == "dead_end":
        kind = evidence.get("top_kind")
        if kind == "zero_search":
            return _("%(pct)s%% of reading sessions ended here with a search that found "
                     "nothing.", pct=rate)
        if kind == "no_click_search":
            return _("%(pct)s%% of reading sessions ended here with a search whose results "
                     "nobody opened.", pct=rate)
        return _("%(pct)s%% of reading sessions ended here after a “not helpful” vote.",
                 pct=rate)
    if name == "language_gap":
        worst = evidence.get("worst_signal")
        if worst:
            text = _("This translation scores %(points)d points worse than the %(source)s "
                     "page, mostly on “%(signal)s”.", points=round(evidence.get("points", 0)),
                     source=evidence.get("source_lang", ""), signal=label(worst))
        else:
            text = ""
        if evidence.get("outdated"):
            extra = _("The translation is outdated: its source page has changed since.")
            text = f"{text} {extra}".strip()
        return text
    return ""


def no_problem():
    return _("No clear problem: readers do about as well here as on other pages.")
