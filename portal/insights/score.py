"""The stuck score: 0–100 per page and language from the rolled-up signals.

Every signal is a rate (readers who showed it / readers who could). Each rate is shrunk
towards the site's average with `INSIGHTS_PRIOR_SESSIONS` pseudo-readers (a page with three
visits barely moves from the average), and the score counts only how far a page is ABOVE the
average: a signal adds its full weight (`INSIGHTS_WEIGHTS`) when the shrunk rate is `SPAN`
above the site's rate, proportionally less below that. Healthy pages score near 0.

A translation whose signals are clearly worse than its source page's has the difference
moved to `language_gap` (so the reason named is the translation, not the content).
"""
import math

SIGNALS = ("unhelpful", "search_after", "pogo", "drop_off", "loops", "dead_end", "language_gap")
DEFAULT_WEIGHTS = {"unhelpful": 25, "search_after": 15, "pogo": 15, "dead_end": 15,
                   "drop_off": 10, "loops": 10, "language_gap": 10}
SPAN = {"unhelpful": 0.35, "search_after": 0.4, "pogo": 0.4, "drop_off": 0.4, "loops": 0.3,
        "dead_end": 0.4}
GAP_MIN_POINTS = 10  # a translation this much worse than its source has a language gap
GAP_MIN_SOURCE_SESSIONS = 8  # ...when the source page had at least this many readers
VOTE_PRIOR = 3  # pseudo-votes at the site's "no" rate


def wilson(successes, n, z=1.96):
    """Wilson score interval (low, high) of a proportion; (None, None) without data."""
    if n <= 0:
        return None, None
    p = successes / n
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, (centre - margin) / denom), min(1.0, (centre + margin) / denom)


def fractions(t):
    """(numerator, denominator) of each rate signal from a page's totals `t`."""
    return {"unhelpful": (t["votes_no"], t["votes_yes"] + t["votes_no"]),
            "search_after": (t["search_after"], t["sessions"]),
            "pogo": (t["pogo"], t["search_arrivals"]),
            "drop_off": (t["stopped"], t["scrolled"]),
            "loops": (t["loops"], t["sessions"]),
            "dead_end": (t["dead_ends"], t["sessions"])}


def priors(all_totals):
    """The site's typical rate of each signal over the window.

    The median of the pages' rates (pages that could show the signal), capped by the pooled
    rate: a handful of very bad pages must not raise the bar the others are measured against.
    """
    rates, sums = {}, {}
    for t in all_totals:
        for name, (num, den) in fractions(t).items():
            a, b = sums.get(name, (0, 0))
            sums[name] = (a + num, b + den)
            if den:
                rates.setdefault(name, []).append(num / den)
    out = {}
    for name, (num, den) in sums.items():
        values = sorted(rates.get(name, []))
        median = values[len(values) // 2] if values else 0.0
        out[name] = min(median, num / den) if den else 0.0
    return out


def score(t, prior, weights, k):
    """{name: {value, rate, contribution, ...}} and the total, for one page's totals."""
    out = {}
    for name, (num, den) in fractions(t).items():
        p = prior.get(name, 0.0)
        if name == "unhelpful":
            value = wilson(num + p * VOTE_PRIOR, den + VOTE_PRIOR)[0]
        else:
            value = (num + p * k) / (den + k)
        excess = max(0.0, value - p)
        contribution = weights.get(name, 0) * min(1.0, excess / SPAN[name])
        out[name] = {"value": value, "rate": (num / den if den else None), "num": num,
                     "den": den, "prior": p, "contribution": contribution}
    out["language_gap"] = {"value": 0.0, "rate": None, "num": 0, "den": 0, "prior": 0.0,
                           "contribution": 0.0, "gap": {}}
    return out


def apply_language_gap(parts, source_parts, source_sessions, outdated, weights):
    """Move a translation's excess over its source page into `language_gap` (in place)."""
    gap = parts["language_gap"]
    if source_parts is not None and source_sessions >= GAP_MIN_SOURCE_SESSIONS:
        excess = {name: max(0.0, parts[name]["contribution"] - source_parts[name]["contribution"])
                  for name in parts if name != "language_gap"}
        points = sum(excess.values())
        if points >= GAP_MIN_POINTS:
            for name, extra in excess.items():
                parts[name]["contribution"] -= extra
            gap["contribution"] += points
            gap["gap"] = {n: round(v, 1) for n, v in excess.items() if v > 0}
            gap["value"] = points / 100
    if outdated:
        gap["contribution"] += weights.get("language_gap", 0) / 2
        gap["outdated"] = True


def total(parts):
    return round(min(100.0, sum(p["contribution"] for p in parts.values())), 1)
