"""Owners' insights pages: page table, page detail, search gaps, journeys and funnels, surveys.

Views parse the filters, call one report through `reports` and render; the JSON API and the
CSV exports (`api.py`) use the same calls, so every format shows the same numbers.
"""
from urllib.parse import urlencode

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.access import requires
from portal.extensions import db
from portal.insights import charts, journeys, reports
from portal.insights.filters import PRESETS, FilterError, parse
from portal.insights.funnel_models import Funnel
from portal.timeutil import utcnow

bp = Blueprint("insights", __name__, url_prefix="/insights", template_folder="templates")
STUCK_TASK_THRESHOLD = 5  # any row where a signal stands above the site's typical page
ROWS_PER_PAGE = 100  # the HTML table; the JSON and CSV exports carry every row


@bp.before_request
def _ui_language():
    """The UI follows the owner's browser, not the language being filtered on."""
    ui = current_app.config["UI_LANGUAGES"]
    g.lang = request.accept_languages.best_match(list(ui)) or current_app.config["BABEL_DEFAULT_LOCALE"]


def task_url(slug, lang, title, evidence):
    """The writers' "new task" form, filled in from an insight."""
    query = {"title": title, "evidence": evidence}
    if slug:
        query = {"page": slug, "lang": lang, **query}
    return "/write/tasks/new?" + urlencode(query)


def _filters():
    """Filters from the query string, or (None, error) to show next to the form."""
    try:
        return parse(request.args, current_app.config["CONTENT_LANGUAGES"], utcnow().date()), None
    except FilterError as exc:
        return None, exc


def _context(filters, error, endpoint, **extra):
    return dict(filters=filters, error=error, presets=PRESETS, endpoint=endpoint,
                args=request.args, task_url=task_url, reason_label=reason_label, **extra)


@bp.get("/")
@requires("owner")
def index():
    """Every page × language with its reading figures and stuck score, 100 rows a page."""
    filters, error = _filters()
    number = _page_number()
    total, rows = (reports.page_rows_shown(db.session, filters, (number - 1) * ROWS_PER_PAGE,
                                           ROWS_PER_PAGE) if filters else (0, []))
    shown = None if rows is None else [dict(row, sparkline=charts.sparkline(
        row.get("trend") or [], _("Views per day of %(title)s", title=row.get("title") or row["slug"])))
        for row in rows]
    sections = reports.sections(db.session)
    if filters and filters.section and filters.section not in sections:
        sections.append(filters.section)  # keep the chosen one on the menu
    return render_template("insights/index.html", rows=shown,
                           total=total or 0, number=number, per_page=ROWS_PER_PAGE,
                           sections=sections, threshold=STUCK_TASK_THRESHOLD,
                           **_context(filters, error, "insights.index")), 422 if error else 200


def _page_number():
    """The `p` query parameter: which hundred rows of the table to show (1 when absent)."""
    try:
        return max(1, int(request.args.get("p", 1)))
    except ValueError:
        return 1


@bp.get("/pages/<lang>/<path:slug>")
@requires("owner")
def page(lang, slug):
    """One page in one language: trends with revisions, votes, sections, journeys, searches."""
    filters, error = _filters()
    if error:
        return render_template("insights/page.html", detail=None, slug=slug, page_lang_code=lang,
                               **_context(None, error, "insights.page")), 422
    detail = reports.page_detail(db.session, slug, lang, filters)
    if detail is None and reports.available("page_detail") is not None:
        abort(404)
    detail = _normalised(detail) if detail else None
    return render_template("insights/page.html", detail=detail, slug=slug, page_lang_code=lang,
                           trend_charts=_trend_charts(detail) if detail else [],
                           section_chart=_section_chart(detail) if detail else None,
                           **_context(filters, None, "insights.page"))


def _ranked(items, key):
    """[{key: name, "count": n}] from a {name: n} mapping or a list of pairs or dicts."""
    if isinstance(items, dict):
        items = sorted(items.items(), key=lambda kv: -(kv[1] or 0))
    return [item if isinstance(item, dict) else {key: item[0], "count": item[1]}
            for item in items or []]


def _normalised(detail):
    """The detail with its ranked lists in one shape for the template."""
    detail = dict(detail)
    detail["reason_rows"] = _reason_rows(detail.get("reasons"))
    surveys = detail.get("surveys") if isinstance(detail.get("surveys"), dict) else {}
    detail["survey_rows"] = [(kind, sv) for kind, sv in surveys.items()
                             if isinstance(sv, dict) and sv.get("responses")]
    for name in ("previous_pages", "next_pages"):
        detail[name] = _ranked(detail.get(name), "slug")
    for name in ("searches_before", "searches_after"):
        detail[name] = _ranked(detail.get(name), "query_key")
    return detail


def reason_label(reason):
    """The widget's words for a vote reason (`unclear`, or `no:unclear` as rollups key it)."""
    reason = (reason or "").split(":", 1)[-1]
    return {"incorrect": _("The information is incorrect"),
            "unclear": _("It is hard to understand"),
            "missing": _("Information I need is missing"),
            "outdated": _("It is out of date"),
            "solved": _("It solved my problem"),
            "easy": _("It was easy to follow"),
            "other": _("Something else")}.get(reason, reason)


def _reason_rows(reasons):
    """[(answer, reason words, votes)] from {"no:unclear": n}, most votes first."""
    items = reasons.items() if isinstance(reasons, dict) else reasons or []
    rows = [(_("Helpful") if str(key).startswith("yes:") else _("Not helpful"),
             reason_label(key), n) for key, n in items]
    return sorted(rows, key=lambda r: -r[2])


def _revision_markers(detail):
    days = [d["day"] if isinstance(d["day"], str) else d["day"].isoformat()
            for d in detail.get("daily") or []]
    markers = []
    for rev in detail.get("revisions") or []:
        created = str(rev.get("created_at") or "")[:10]
        if created in days:
            markers.append((days.index(created), _("r%(number)s", number=rev["number"]),
                            _("Revision %(number)s published on %(day)s",
                              number=rev["number"], day=created)))
    return markers


def _trend_charts(detail):
    """(heading, svg, column key) for the views, helpful rate and engaged time charts."""
    daily = detail.get("daily") or []
    markers = _revision_markers(detail)
    day = lambda d: str(d["day"])[5:10]  # noqa: E731
    pct = lambda v: "–" if v is None else f"{v * 100:.0f}%"  # noqa: E731
    secs = lambda v: "–" if v is None else f"{v:.0f}s"  # noqa: E731
    specs = [(_("Views per day"), "views", None),
             (_("Helpful rate per day"), "helpful_rate", pct),
             (_("Average engaged time per day"), "engaged_seconds_avg", secs)]
    out = []
    for heading, key, fmt in specs:
        points = [(day(d), d.get(key)) for d in daily]
        svg = (charts.line_chart(points, heading, markers, fmt) if fmt
               else charts.line_chart(points, heading, markers))
        out.append({"heading": heading, "svg": svg, "key": key, "format": fmt})
    return out


def _section_chart(detail):
    sections = detail.get("sections") or []
    if not sections:
        return None
    bars = [(s.get("title") or s.get("id"), round((s.get("share") or 0) * 100),
             _("%(count)s sessions", count=s.get("reached") or 0)) for s in sections]
    return charts.bar_chart(bars, _("Share of readers who reached each section, in percent"))


@bp.get("/searches")
@requires("owner")
def searches():
    """Searches that fail readers: no results, or results nobody clicks."""
    filters, error = _filters()
    rows = reports.search_rows(db.session, filters) if filters else []
    if rows is not None:
        rows = [dict(row, sparkline=charts.sparkline(row.get("trend") or [], _(
            "Searches per day for “%(query)s”", query=row.get("example") or row["query_key"])))
            for row in rows]
    return render_template("insights/searches.html", rows=rows,
                           **_context(filters, error, "insights.searches")), 422 if error else 200


@bp.get("/journeys")
@requires("owner")
def journeys_page():
    """Top three-step paths from entry pages and the owners' funnels."""
    filters, error = _filters()
    top = (journeys.top_paths_report(db.session, filters.start, filters.end, filters.lang)
           if filters else [])
    funnels = [_funnel_view(f, filters) for f in journeys.list_funnels(db.session)]
    return render_template("insights/journeys.html", paths=top, top=top or [], funnels=funnels,
                           form=None, form_errors={},
                           **_context(filters, error, "insights.journeys_page")), 422 if error else 200


def _funnel_view(funnel, filters):
    report = (journeys.funnel_report(db.session, funnel, filters.start, filters.end, filters.lang)
              if filters else None) or journeys.funnel_steps([], funnel.steps)
    bars = [(r["slug"], r["entered"], _("%(count)s dropped off", count=r["drop_off"])
             if r["drop_off"] is not None else None) for r in report["all"]]
    chart = charts.bar_chart(bars, _("Sessions entering each step of the funnel %(name)s",
                                     name=funnel.name))
    return {"funnel": funnel, "report": report, "chart": chart}


@bp.route("/funnels/new", methods=["GET", "POST"])
@requires("owner")
def funnel_new():
    """Create a funnel: a name and 2–8 pages in order."""
    return _funnel_form(None)


@bp.route("/funnels/<int:funnel_id>", methods=["GET", "POST"])
@requires("owner")
def funnel_edit(funnel_id):
    """Rename a funnel or change its pages."""
    return _funnel_form(db.get_or_404(Funnel, funnel_id))


def _funnel_form(funnel):
    errors = {}
    if request.method == "POST":
        steps = journeys.parse_steps(request.form.get("steps", ""))
        try:
            journeys.save_funnel(db.session, funnel, request.form.get("name"), steps,
                                 journeys.known_slugs(db.session), current_user)
            db.session.commit()
            flash(_("Funnel saved."), "success")
            return redirect(url_for("insights.journeys_page"), 303)
        except journeys.FunnelError as exc:
            db.session.rollback()
            errors[exc.field] = exc.message
    form = request.form if request.method == "POST" else {
        "name": funnel.name if funnel else "", "steps": "\n".join(funnel.steps) if funnel else ""}
    return render_template("insights/funnel_form.html", funnel=funnel, form=form,
                           errors=errors), 422 if errors else 200


@bp.post("/funnels/<int:funnel_id>/delete")
@requires("owner")
def funnel_delete(funnel_id):
    """Delete a funnel (the sessions it counted are not touched)."""
    funnel = db.get_or_404(Funnel, funnel_id)
    db.session.delete(funnel)
    db.session.commit()
    flash(_("Funnel “%(name)s” deleted.", name=funnel.name), "success")
    return redirect(url_for("insights.journeys_page"), 303)


@bp.get("/surveys")
@requires("owner")
def surveys():
    """CES, CSAT and NPS scores of the enabled micro-surveys, with responses and trend."""
    filters, error = _filters()
    scores = reports.surveys(db.session, filters) if filters else []
    for row in scores or []:
        row["sparkline"] = charts.sparkline(row.get("trend") or [],
                                            _("Score per day of %(kind)s", kind=row["kind"].upper()))
    return render_template("insights/surveys.html", scores=scores,
                           **_context(filters, error, "insights.surveys")), 422 if error else 200
