"""Fast scoring over a Whoosh index: BM25 per field with postings cached as numpy arrays.

Whoosh stores the index; scoring an OR query through its pure-Python matchers grows with
every matching document (80 ms at 3,000 pages). Here each (field, term) posting list is
read once per index generation into arrays, and a query is a few vector additions.
"""
import math

import numpy as np

from portal.cache import LRU

MAX_CACHED_POSTINGS = 5_000


class Scorer:
    """Scores clauses over one searcher's documents; build one per index generation."""

    def __init__(self, searcher, k1=1.2, b=0.75):
        self.searcher, self.reader = searcher, searcher.reader()
        self.k1, self.b = k1, b
        self.n = self.reader.doc_count_all()
        self.live = np.ones(self.n, dtype=bool)
        if self.reader.has_deletions():
            self.live[:] = False
            self.live[list(self.reader.all_doc_ids())] = True
        self._lengths, self._postings = {}, LRU(MAX_CACHED_POSTINGS)
        self._sections = None
        # values derived from this generation (title terms, spellings): `memo.get(key, compute)`
        self.memo = LRU(50_000)

    def doc_frequency(self, fieldname, term):
        """Number of live documents holding `term` in `fieldname`."""
        return len(self.postings(fieldname, term)[0])

    def idf(self, df):
        """Inverse document frequency (Whoosh's formula, which measured better here)."""
        return math.log(self.n / (df + 1)) + 1

    def _field_lengths(self, fieldname):
        if fieldname not in self._lengths:
            lengths = np.fromiter((self.reader.doc_field_length(i, fieldname, 0) or 0
                                   for i in range(self.n)), dtype=np.float32, count=self.n)
            live_lengths = lengths[self.live]
            avg = float(live_lengths.mean()) if live_lengths.size else 1.0
            self._lengths[fieldname] = (lengths, max(avg, 1.0))
        return self._lengths[fieldname]

    def postings(self, fieldname, term):
        """(doc numbers, BM25 term scores) of `term` in `fieldname`, cached."""
        return self._postings.get((fieldname, term), lambda: self._read(fieldname, term))

    def _read(self, fieldname, term):
        if (fieldname, term) not in self.reader:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
        ids, tfs = [], []
        for leaf, offset in self.reader.leaf_readers():
            if (fieldname, term) in leaf:
                _read_postings(leaf.postings(fieldname, term), offset, ids, tfs)
        ids = np.array(ids, dtype=np.int32)
        tfs = np.array(tfs, dtype=np.float32)
        keep = self.live[ids]
        ids, tfs = ids[keep], tfs[keep]
        lengths, avg = self._field_lengths(fieldname)
        norm = self.k1 * ((1 - self.b) + self.b * lengths[ids] / avg)
        scores = self.idf(len(ids)) * tfs * (self.k1 + 1) / (tfs + norm)
        return ids, scores.astype(np.float32)

    def sections(self):
        """(section index per document, section names), read once."""
        if self._sections is None:
            names, index = [], {}
            codes = np.zeros(self.n, dtype=np.int32)
            for docnum, name in self._section_values():
                if name not in index:
                    index[name] = len(names)
                    names.append(name)
                codes[docnum] = index[name]
            self._sections = (codes, names)
        return self._sections

    def _section_values(self):
        """(docnum, section) for every document, from the column when the index has one."""
        if self.reader.has_column("section"):
            column = self.reader.column_reader("section")
            for docnum in range(self.n):
                value = column[docnum]
                yield docnum, value.decode("utf-8") if isinstance(value, bytes) else value
        else:  # indexes built before the column existed
            for docnum, stored in self.reader.iter_docs():
                yield docnum, stored.get("section", "")

    def score(self, clauses):
        """(BM25 score per document, per-key presence) for clauses (key, field, term, boost)."""
        total = np.zeros(self.n, dtype=np.float32)
        present = {}
        for key, fieldname, term, boost in clauses:
            ids, scores = self.postings(fieldname, term)
            if not len(ids):
                continue
            total[ids] += boost * scores
            mask = present.get(key)
            if mask is None:
                mask = present[key] = np.zeros(self.n, dtype=bool)
            mask[ids] = True
        return total, present


def _read_postings(m, offset, ids, tfs):
    """Append a posting list's document numbers (+offset) and term frequencies."""
    if hasattr(m, "_read_ids") and hasattr(m, "_next_block"):
        # Whoosh's block matcher: take whole blocks instead of stepping one posting at a time.
        while m.is_active():
            if m._ids is None:
                m._read_ids()
            if m._weights is None:
                m._read_weights()
            ids.extend(i + offset for i in m._ids[m._i:])
            tfs.extend(m._weights[m._i:])
            m._next_block()
        return
    while m.is_active():
        ids.append(m.id() + offset)
        tfs.append(m.weight())
        m.next()
