"""Search quality as a new user meets it: MRR@10 per language on four query sets.

`python -m bench search_quality` (or `python -m bench.bench_search_quality [--misses]
[--keep DIR]`) sets up an instance the way the README tells a user to
(`flask portal init`, `flask portal import-docs --mkdocs <corpus>`, `flask portal reindex`),
serves it with gunicorn and asks `GET /api/v1/search` every query of

- the frozen set, bench/search-queries-frozen.tsv (written before any tuning, never edited),
- the shared dev set, ../shared/eval/search-queries-dev.tsv,
- the blind set, bench/search-queries-blind.tsv (40 en, 40 ko, 10 es, 10 ja, written
  2026-11-30 by a helper who read only the corpus pages, never the ranking code, the other
  sets or any result; scored first with the code of e53df8b: en 0.804, ko 0.836, es 0.803,
  ja 0.613, far below the frozen set's figures, which three sessions of reading its misses
  had shaped); its misses have since been read, so it no longer tests what came after,
- the second blind set, bench/search-queries-blind2.tsv (40 en, 40 ko, 20 es, 20 ja,
  written the same way after the first was read; first scored with the code of e53df8b:
  en 0.860, ko 0.831, es 0.856, ja 0.925),

scored the way ../shared/eval/search_eval.py scores (reciprocal rank of the first relevant
slug in the top 10). Targets (issue 11): >= 0.95 in en and ko, >= 0.90 in es and ja, on
every set. The extra set (bench/search-queries-extra.tsv) is printed for information.

Kept after measuring (the same instance with demo traffic, `portal demo-traffic --days 30
--sessions 3000`, so pages have votes; in-process through `service.tuned_query`):
- helpful-rate prior (portal/search/priors.py, SEARCH_HELPFUL_PRIOR): weight 0.1 -> frozen
  ko 0.908 -> 0.910, every other set and language unchanged; 0.2 lowers dev ko 0.984 ->
  0.969, 0.4 also frozen ko -> 0.903. Kept at 0.1. Without votes (a new instance) it is 1.
- a code identifier counts as one query term (portal/search/ranking.py _identifier_groups):
  `WebSocket` is queried as websocket + web + socket; those now score as the better of the
  whole and the parts' mean, share one coordination weight, and count once in the title
  bonus. Frozen ko 0.908 -> 0.915 ('웹소켓 테스트'), every other set and language unchanged.
- (2026-11-30) a katakana compound made only of known loanwords is split into their English
  words (portal/search/lang_ja.py _loanword_compound: `リクエストヘッダー` -> request header):
  first blind set ja 0.613 -> 0.625 (from `リクエストヘッダーを読む`, the blind query that
  suggested it, so not an independent test), second blind set and every other set and
  language unchanged. Kept as a correction of the analysis, not as a measured gain.

Ranking changes measured on the corpus (in-process, same engine; frozen en/ko/es/ja,
dev en/ko, extra en/ko) and NOT kept, because none raised one set without lowering another:
- heading coverage bonus (IDF share of query terms in the page's headings, x0.25..1):
  frozen en 0.863 -> 0.846, dev ko 0.984 -> 0.953, extra en 0.938 -> 0.958
- common words (in > 40 % of pages) not required by the coordination factor:
  frozen ja 0.955 -> 0.924, es 1.0 -> 0.977
- phrase bonus (share of query word pairs in titles/headings, x0.25): frozen en
  0.863 -> 0.872, extra ko 0.963 -> 0.935
- coordination exponent 1.5: frozen ja +0.015, es -0.076, dev ko -0.015
- field weights (headings 1.5-2, title 2.5, pairs 1.0): mixed, at best +0.01 en, -0.02 ja
- section depth prior (score / (1 + w * (slug depth - 1)), a section's index page one level
  up): w 0.03-0.06 dev en 0.953 -> 0.948, frozen unchanged; w 0.1 also frozen ko 0.908 ->
  0.901; favouring deeper pages instead (w -0.08): dev en 0.964 but extra en 0.938 -> 0.917
- joining a one-capital identifier part to the next (`GZipMiddleware` -> gzip, `OAuth2` ->
  oauth) at indexing: no query changed rank (analysis change not kept)
- BM25 K1 1.2 / 3.0, B 0.5 / 0.9, coordination exponent 0.8, title bonus 0.6 / 1.5, path
  weight 0.5 / 0: each moves one set up 0.005-0.016 and another down as much (e.g. K1 3.0
  frozen en +0.007, frozen ko -0.006; B 0.5 frozen en +0.007, dev en -0.008, dev ko -0.015)
- body proximity (share of the query's adjacent word pairs adjacent in the body, top 20,
  x0.1-0.4, window 1 or 3): frozen en 0.863 -> 0.872 at best, dev ko 0.984 -> 0.969
- BM25F (each term's field frequencies weighted and summed, saturated once, instead of one
  BM25 per field added up; title 1.5-3, headings 1-2, K1 1.2/2): every set lower, e.g.
  frozen es 1.0 -> 0.886, extra ko 0.963 -> 0.900
- coordination weights as IDF^p (p 0.5 / 1.5 / 2 / 3): frozen en +0.002 at best, frozen es
  -0.023 to -0.087, extra en -0.021
- topical terms weigh more in the coordination factor (term's title+heading df / body df,
  smoothed, clipped to 0.2-0.5..1, so `read`, `send`, `store` count less): frozen en
  0.863 -> 0.854-0.861, dev ko 0.984 -> 1.0
- Korean bigram clauses scaled by 1/(bigrams of their word) so a long word is not counted
  five times: extra ko 0.963 -> 0.935, frozen ko 0.915 -> 0.913
- one-syllable Korean verb stems kept when they begin a word (`읽는` -> `읽`, not the whole
  run): frozen ko 0.915 -> 0.904 (analysis change not kept)
- best heading section's IDF share of the query terms as a bonus (x0.25-1, top 20): dev en
  0.953 -> 0.969, frozen es 1.0 -> 0.977, frozen ko -0.001
- fenced code left out of the indexed body: frozen en -0.002, frozen ko 0.915 -> 0.908
- Hangul loanword <-> English word by sound, for any word (not a list): both reduced to a
  consonant skeleton of coarse classes (`미들웨어`/`middleware` MTL, `라이프스팬`/`lifespan`
  LPSPN), then romanised Hangul vs English letters within 0.2-0.34 edit distance per letter,
  the closest counterpart in the index added under the query word's key (as synonyms are).
  Real pairs found (context, template, streaming, callback, webhook, proxy, python), but also
  false ones (상태/santa, 코드/good, 테스트/dist, 기본/kevin): frozen ko 0.915 -> 0.912-0.914,
  dev ko 0.984 -> 1.0 with two-class skeletons, 0.984 without. Not kept; better precision
  (Kiwi's noun tags for the Hangul side, a loanword dictionary) would be needed
- best single heading matched like the title (share of heading asked x share of query,
  top 30, x0.25-1): frozen en 0.863 -> 0.874 at x0.25, frozen ko 0.915 -> 0.904, dev ko
  0.984 -> 0.969
- Korean words whose only morpheme is a dropped one-syllable verb stem (`읽는`, `받는`) no
  longer indexed or queried whole: frozen ko 0.915 -> 0.908 (analysis change not kept)
- title bonus with IDF-weighted shares (generic title words such as `응답`, `models` count
  less; IDF^0.5-2): frozen en +0.002, frozen ko 0.915 -> 0.907-0.910
- title bonus exponents (share of title asked)^a x (share of query)^b, a 0.5 / 2, b 2:
  frozen en up to 0.872 but frozen ko -0.008, dev ko -0.015, extra ko -0.028 or extra en
  -0.007
- coordination weights from the probabilistic IDF log((N-df+0.5)/(df+0.5)) (+0 / 0.5 / 1,
  floored), so words in half the pages are barely required: frozen en +0.001-0.002,
  frozen ko -0.001 to -0.003, frozen es 1.0 -> 0.913-0.955 (or no change at +1)
- navigation order as a prior (score x (1 + w * (0.5 - the page's place in the site's
  navigation, 0 first .. 1 last)), so a tutorial page outranks a later how-to page that
  mentions the same words; tried after reading the frozen set's misses, which is where
  the idea came from): w 0.05-0.3 frozen en 0.863 -> 0.872 at most, frozen ko 0.915 ->
  0.912-0.918, extra ko 0.963 -> 0.972, dev unchanged. Too small to matter
- more English verbs as intent words (read, store, add, create, find, show): frozen en
  +0.005 only, from the very queries that suggested them: left out as tuning to the set
- sentence embeddings (all-MiniLM-L6-v2, the one model that installs offline here; English
  only) re-ranking the engine's top 20-30 by score / best + w x cosine of the best section
  (bench/probe_semantic.py): frozen en 0.863 -> 0.877 at best (the best of a grid chosen
  with the frozen set in view: an upper bound), dev en 0.953 -> 0.969-0.984,
  extra en unchanged; embeddings alone 0.824 / 0.938 / 0.840. Not built: ~0.01 on the frozen
  set for a model process and ~0.3 s of CPU per page at import, and nothing for Korean
- pages other pages link to as a prior (score x (1 + w log(1 + inbound links)), links read
  from each language's Markdown; at most 6 per page in the corpus), offline on the API's
  top 30: w 0.05 frozen en 0.863 -> 0.872 and every other set unchanged (a gain by the
  issue's rule, but +0.009 on one set, at the one weight of 0.02-0.3 that lowers nothing,
  found on the frozen set itself); w 0.1-0.2 frozen ko 0.915 -> 0.910-0.914, w 0.15 dev ko
  0.984 -> 0.969 and extra en 0.938 -> 0.917. Not built yet: the index would need the link
  graph at import
- (2026-11-30, bench/probe_rerank.py) each page's best section by BM25 over sections,
  added to the engine's score over its top 10-20: frozen en 0.876 / ko 0.934 at most, but
  es 1.0 -> 0.977, ja 0.977 -> 0.966, dev ko 0.984 -> 0.953; gentler weights move only
  one query. English only, weight 0.5 over the top 10 (built in 480abe2, section term
  counts stored at indexing): frozen en 0.863 -> 0.872, dev en 0.953 -> 1.0, first blind
  set en 0.804 -> 0.824, then second blind set en 0.860 -> 0.852 (3 queries up, 4 down).
  Lowers a set it was not chosen on: removed again. A title that strictly adds words to another top candidate's title, unasked
  (`Cookie Parameter Models` below `Cookie Parameters`), scored lower: no gain at x0.8-0.9,
  every set lower beyond
- (2026-11-30) built-in English abbreviations applied like owners' synonyms (43 groups
  from general software writing, not from any query set: app = application, db = database,
  dep = dependency, env = environment, js = javascript, login = log in = sign in, ...):
  frozen en 0.863 -> 0.851, blind en 0.804 -> 0.775, blind2 en 0.860 -> 0.852, dev en
  0.953 -> 0.969. Short forms also match code (`dep`, `id`, `os`). Not kept; owners can
  add the ones their pages need as synonyms
- Korean word similarity from Kiwi's own CoNg model (`Kiwi(model_type="cong")`,
  `most_similar_morphemes`), the one Korean semantic model on this machine: general-domain,
  so for documentation words it is noise (`쿠키` -> 케이크, 아몬드; `헤더` -> 커널, 데몬;
  `파라미터` -> 메타데이터, 게이밍; `매개변수`, `의존성` unknown). Not usable for expansion
"""
import argparse
import json
import shutil
import sys
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

from bench.common import CORPUS, flask, gunicorn, instance
from bench.search_common import EXTRA_QUERIES, QUERIES, dev_queries

FROZEN = Path(__file__).parent / "search-queries-frozen.tsv"
TARGETS = {"en": 0.95, "ko": 0.95, "es": 0.90, "ja": 0.90}
BLIND = Path(__file__).parent / "search-queries-blind.tsv"
BLIND2 = Path(__file__).parent / "search-queries-blind2.tsv"
SETS = (("frozen", FROZEN), ("dev", QUERIES), ("blind", BLIND), ("blind2", BLIND2))


def ranked_slugs(port, lang, query):
    """The slugs /api/v1/search answers for `query`, best first (at most 10)."""
    qs = urllib.parse.urlencode({"q": query, "lang": lang, "limit": 10})
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/search?{qs}",
                                timeout=60) as resp:
        return [r["slug"] for r in json.load(resp)["results"]][:10]


def score(port, queries):
    """({lang: (MRR@10, hit@5, n)}, misses [(lang, query, rank or None, top3, wanted)])."""
    per_lang, misses = defaultdict(lambda: [0.0, 0, 0]), []
    for lang, text, relevant in queries:
        slugs = ranked_slugs(port, lang, text)
        rank = next((i + 1 for i, s in enumerate(slugs) if s in relevant), None)
        acc = per_lang[lang]
        acc[0] += 1.0 / rank if rank else 0.0
        acc[1] += 1 if rank and rank <= 5 else 0
        acc[2] += 1
        if rank != 1:
            misses.append((lang, text, rank, slugs[:3], sorted(relevant)))
    return {lang: (rr / n, hits / n, n) for lang, (rr, hits, n) in per_lang.items()}, misses


def prepare(env):
    """A corpus instance, set up with the CLI as a user would."""
    flask(env, "init")
    flask(env, "import-docs", "--mkdocs", str(CORPUS))
    flask(env, "reindex")


def measure(report, show_misses=False, keep=None):
    """Build (or reuse `keep`), serve, score every set; report every number."""
    with instance() as (folder, env):
        if keep and (Path(keep) / "signpost.db").exists():
            env["SIGNPOST_INSTANCE_PATH"] = str(keep)
            flask(env, "init")  # migrations added since it was made
            flask(env, "reindex")
        else:
            prepare(env)
            if keep:
                shutil.copytree(folder, keep, dirs_exist_ok=True)
        with gunicorn(env, workers=1, threads=2) as port:
            for name, path in SETS + (("extra", EXTRA_QUERIES),):
                results, misses = score(port, dev_queries(path))
                for lang in ("en", "ko", "es", "ja"):
                    if lang not in results:
                        continue
                    mrr, hit5, n = results[lang]
                    if name == "extra":
                        report(f"search MRR@10 {name} {lang}", f"{mrr:.3f}", "",
                               note=f"hit@5 {hit5:.3f}, n={n}, for information")
                        continue
                    target = TARGETS[lang]
                    report(f"search MRR@10 {name} {lang}", f"{mrr:.3f}", "", f">= {target}",
                           mrr >= target, note=f"hit@5 {hit5:.3f}, n={n}")
                if show_misses:
                    for lang, text, rank, top3, wanted in misses:
                        print(f"    miss [{name} {lang}] {text!r}: rank {rank}, got {top3}, "
                              f"want {wanted}", flush=True)


def run(report):
    measure(report)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--misses", action="store_true", help="print every query not ranked first")
    ap.add_argument("--keep", help="instance folder to reuse (reindexed) or create")
    args = ap.parse_args()

    def report(name, value, unit, target=None, ok=None, note=""):
        flag = "" if ok is None else ("ok" if ok else "MISS")
        print(f"{name}: {value} {unit} {target or ''} {flag} {note}".replace("  ", " "),
              flush=True)

    measure(report, show_misses=args.misses, keep=args.keep)


if __name__ == "__main__":
    sys.exit(main())
