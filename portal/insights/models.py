"""Models of the insights area: the signal rollups (per day, page and language) and funnels.

The rollup tables are rebuilt with the page_days rollup (`portal.feedback.rollup`): a report
reads only these compact daily rows, never raw events.
"""
from datetime import date

from sqlalchemy import JSON, BigInteger, Date, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.insights.funnel_models import Funnel  # noqa: E402,F401  (owner-defined funnels)


class PageSignalDay(db.Model):
    """The reading signals of one page in one language on one day (sessions counted once).

    - sessions: sessions that viewed the page; search_arrivals: of those, arriving from a result.
    - search_after: sessions that searched within a few minutes after reading it (and went on).
    - pogo: search arrivals that went back to search (a new search, a return to the results or
      another result of the same search) within seconds.
    - dead_ends: sessions that ended here after a "no" vote, a zero-result search or a search
      with no click (`details["dead_end_kinds"]` splits them).
    - loops: sessions that came back to it right after one other page (A → B → A).
    - scrolled / completed / stopped: sessions with scroll data, those that reached the end
      (90%+ or the last heading), and those that stopped at an earlier heading; `stops` counts
      the heading where each reader who did not finish stopped ("" before the first heading),
      `sections_passed` every heading passed, in page order.
    - engaged: sessions by engaged seconds in `ENGAGED_BUCKETS`; engaged_median: the day's
      median engaged seconds per session (reports weight daily medians by sessions).
    - details: small dicts of evidence: queries_after / queries_before {query_key: n},
      examples {query_key: query as typed}, loop_partners, prev_pages, next_pages {slug: n},
      dead_end_kinds {no_vote|zero_search|no_click_search: n}, revisions {number: views}.
    """

    __tablename__ = "insight_page_days"
    # Covering index of the reports' sums over a window (the rows hold JSON; this does not).
    __table_args__ = (Index("ix_insight_page_days_day_totals", "day", "page", "lang", "sessions",
                            "search_arrivals", "search_after", "pogo", "dead_ends", "loops",
                            "scrolled", "completed", "stopped", "engaged_median"),)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    page: Mapped[str] = mapped_column(String(255), primary_key=True)
    lang: Mapped[str] = mapped_column(String(16), primary_key=True)
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    search_arrivals: Mapped[int] = mapped_column(Integer, default=0)
    search_after: Mapped[int] = mapped_column(Integer, default=0)
    pogo: Mapped[int] = mapped_column(Integer, default=0)
    dead_ends: Mapped[int] = mapped_column(Integer, default=0)
    loops: Mapped[int] = mapped_column(Integer, default=0)
    scrolled: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)
    stopped: Mapped[int] = mapped_column(Integer, default=0)
    stops: Mapped[dict] = mapped_column(JSON, default=dict)
    sections_passed: Mapped[dict] = mapped_column(JSON, default=dict)
    engaged: Mapped[list] = mapped_column(JSON, default=list)
    engaged_median: Mapped[float | None] = mapped_column(Float)
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class PageTotal(db.Model):
    """Running totals of one page in one language from its first rolled-up day through `day`.

    A row exists for each day the page has a `page_days` or `insight_page_days` row; its
    numbers add up every such day so far, so the totals of any date range are the row at or
    before its end minus the row at or before the day before its start: a report over 90
    days reads two rows per page instead of 180 (`portal.insights.totals`). Seconds are kept
    in tenths (integers: a difference of running sums stays exact); `median_tenths` adds up
    each day's median engaged tenths times its sessions (and `median_weight` those sessions),
    `page_rows` / `signal_rows` count the daily rows (a page with none in a range is not in
    it). `month_views`: the page's views on each day of `day`'s month up to `day`, joined by
    commas (the page table's sparklines). Rebuilt by the rollup from the first dirty day on.
    """

    __tablename__ = "insight_page_totals"
    page: Mapped[str] = mapped_column(String(255), primary_key=True)
    lang: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    views: Mapped[int] = mapped_column(BigInteger, default=0)
    page_sessions: Mapped[int] = mapped_column(BigInteger, default=0)
    engaged_tenths: Mapped[int] = mapped_column(BigInteger, default=0)
    exits: Mapped[int] = mapped_column(BigInteger, default=0)
    votes_yes: Mapped[int] = mapped_column(BigInteger, default=0)
    votes_no: Mapped[int] = mapped_column(BigInteger, default=0)
    page_rows: Mapped[int] = mapped_column(BigInteger, default=0)
    sessions: Mapped[int] = mapped_column(BigInteger, default=0)
    search_arrivals: Mapped[int] = mapped_column(BigInteger, default=0)
    search_after: Mapped[int] = mapped_column(BigInteger, default=0)
    pogo: Mapped[int] = mapped_column(BigInteger, default=0)
    dead_ends: Mapped[int] = mapped_column(BigInteger, default=0)
    loops: Mapped[int] = mapped_column(BigInteger, default=0)
    scrolled: Mapped[int] = mapped_column(BigInteger, default=0)
    completed: Mapped[int] = mapped_column(BigInteger, default=0)
    stopped: Mapped[int] = mapped_column(BigInteger, default=0)
    median_tenths: Mapped[int] = mapped_column(BigInteger, default=0)
    median_weight: Mapped[int] = mapped_column(BigInteger, default=0)
    signal_rows: Mapped[int] = mapped_column(BigInteger, default=0)
    month_views: Mapped[str] = mapped_column(Text, default="")
    # The running sums of the page table's bounded evidence, as JSON: {"reasons": {"no:unclear":
    # n}, "stops": {heading id: n}, "dead_end_kinds": {kind: n}} (a few keys each: vote
    # reasons, the page's headings, three kinds), so every row of the table names its top
    # reason, drop-off heading and kind of dead end from two rows, like its numbers.
    evidence: Mapped[str] = mapped_column(Text, default="{}")


class RevisionHeadings(db.Model):
    """The h2/h3 headings of one revision as the rollup rendered them: [[id, text, place]],
    place being where the heading starts as a fraction of the page. Reports name a drop-off
    heading from here instead of rendering the page's Markdown (a fresh process rendering
    thirty pages took longer than the rest of the page table)."""

    __tablename__ = "insight_revision_headings"
    revision_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    headings: Mapped[list] = mapped_column(JSON, default=list)


class PageTotalKey(db.Model):
    """Every (page, language) that has running totals: where a report starts its lookups."""

    __tablename__ = "insight_page_total_keys"
    page: Mapped[str] = mapped_column(String(255), primary_key=True)
    lang: Mapped[str] = mapped_column(String(16), primary_key=True)


class SessionPath(db.Model):
    """One reading session on one day: the pages it viewed, in the order the reader acted.

    Columns: day (UTC day the events were received), session (the beacon's random id),
    lang (language of its first page view), pages (list of page slugs, consecutive repeats
    folded), ended_with: 'no_vote' | 'zero_search' | 'no_click_search' | None — how the
    session ended when it ended stuck (a "no" vote, a search with no results, a search
    whose results nobody clicked) after its last page.
    """

    __tablename__ = "insight_session_paths"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    session: Mapped[str] = mapped_column(String(32), primary_key=True)
    lang: Mapped[str] = mapped_column(String(16))
    pages: Mapped[list] = mapped_column(JSON, default=list)
    ended_with: Mapped[str | None] = mapped_column(String(16))


class SearchDay(db.Model):
    """Searches of one query key in one language on one day (returns to results not counted).

    clicked: searches with at least one clicked result; zero_results: searches that found
    nothing; end_pages {slug: sessions}: where readers who made the search ended their session.
    """

    __tablename__ = "insight_search_days"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    lang: Mapped[str] = mapped_column(String(16), primary_key=True)
    query_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    example: Mapped[str] = mapped_column(String(200), default="")
    searches: Mapped[int] = mapped_column(Integer, default=0)
    zero_results: Mapped[int] = mapped_column(Integer, default=0)
    clicked: Mapped[int] = mapped_column(Integer, default=0)
    returns: Mapped[int] = mapped_column(Integer, default=0)
    end_pages: Mapped[dict] = mapped_column(JSON, default=dict)


class SurveyDay(db.Model):
    """Survey answers of one kind (ces/csat/nps) and score in one language on one day."""

    __tablename__ = "insight_survey_days"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    lang: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    score: Mapped[int] = mapped_column(Integer, primary_key=True)
    responses: Mapped[int] = mapped_column(Integer, default=0)
