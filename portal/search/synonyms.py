"""Owners' synonyms: `k8s = kubernetes` makes a search for either word find both.

A group is applied inside the engine's query path (`Engine.search(expand=...)`): when every
word of one of its entries is in the query, the clauses of the other entries are added under
the query's own term keys, so the ranking's coordination factor counts a page holding
`kubernetes` as holding `k8s` (an OR of the two, not an extra term a page must also contain).
"""
import re
from dataclasses import dataclass

from sqlalchemy import select

from portal.search.tuning_models import SearchSynonym

SEPARATOR = re.compile(r"\s*[=,\n]\s*")
MAX_ENTRIES = 10
MAX_ENTRY = 60
MAX_TERMS = 500


class TuningError(ValueError):
    """Refused input: `code` names the problem, `params` fill its message."""

    def __init__(self, code, **params):
        super().__init__(code)
        self.code, self.params = code, params


@dataclass(frozen=True)
class Group:
    """A synonym group as the query path uses it."""

    id: int
    entries: tuple


def parse_terms(text):
    """The entries of `a = b = c` (or a comma list), trimmed, deduplicated; TuningError if unfit."""
    if not isinstance(text, str):
        raise TuningError("synonym_missing")
    entries = []
    for raw in SEPARATOR.split(text.strip()):
        entry = " ".join(raw.split())
        if entry and entry.lower() not in (e.lower() for e in entries):
            entries.append(entry)
    if len(entries) < 2:
        raise TuningError("synonym_missing")
    if len(entries) > MAX_ENTRIES:
        raise TuningError("synonym_many", num=MAX_ENTRIES)
    if any(len(e) > MAX_ENTRY for e in entries):
        raise TuningError("synonym_long", num=MAX_ENTRY)
    return entries


def add(db_session, lang, text):
    """Create a synonym group in `lang` (not committed); TuningError when the text is unfit."""
    entries = parse_terms(text)
    terms = " = ".join(entries)
    if len(terms) > MAX_TERMS:
        raise TuningError("synonym_long", num=MAX_ENTRY)
    group = SearchSynonym(lang=lang, terms=terms, hits=0)
    db_session.add(group)
    db_session.flush()
    return group


def listing(db_session, lang=None):
    """Synonym groups, newest first (one language or all)."""
    stmt = select(SearchSynonym).order_by(SearchSynonym.lang, SearchSynonym.id.desc())
    if lang:
        stmt = stmt.where(SearchSynonym.lang == lang)
    return list(db_session.scalars(stmt))


def groups_by_lang(db_session):
    """{lang: [Group]} for the query path's cache."""
    found = {}
    for row in db_session.execute(select(SearchSynonym.id, SearchSynonym.lang,
                                         SearchSynonym.terms)):
        found.setdefault(row.lang, []).append(Group(row.id, tuple(row.terms.split(" = "))))
    return found


def expander(groups, text, fired):
    """An `expand(clauses, build)` for the engine, or None when no group can apply to `text`.

    Groups are first screened by a cheap substring test (every word of an entry in the
    lower-cased query); `fired` collects the ids of the groups that applied.
    """
    lowered = text.lower()
    candidates = [g for g in groups
                  if any(all(w in lowered for w in e.lower().split()) for e in g.entries)]
    if not candidates:
        return None

    def expand(clauses, build):
        asked = {key for key, *_ in clauses if not key[0]}
        extra = []
        for group in candidates:
            built = [build(entry) for entry in group.entries]
            keys = [{key for key, *_ in c if not key[0]} for c in built]
            matched = [k for k in keys if k and k <= asked]
            if not matched:
                continue
            own = max(matched, key=len)
            fired.append(group.id)
            for entry_keys, entry_clauses in zip(keys, built):
                if entry_keys != own:
                    extra.extend(_rekeyed(entry_clauses, sorted(own)))
        return clauses + extra
    return expand


def _rekeyed(clauses, keys):
    """Another entry's clauses counted under the matched entry's keys (bigrams and pairs
    keep their own keys: they add score, not presence)."""
    out = []
    for key, fieldname, term, boost in clauses:
        if key[0]:
            out.append((key, fieldname, term, boost))
            continue
        out.extend((own, fieldname, term, boost / len(keys)) for own in keys)
    return out
