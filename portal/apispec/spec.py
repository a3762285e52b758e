"""The OpenAPI 3.1 document of Signpost's JSON API, as plain data.

One entry per route and method in `PATHS`; shapes that several operations share are in
`SCHEMAS`. Response schemas name the fields clients rely on and leave room for fields
added later (no `additionalProperties: false` on responses); request schemas say what the
server accepts. Every operation may also answer an error `{"error": "..."}` (any 4xx, or
503 with Retry-After while the database is unavailable).
"""

VERSION = "1.0.0"


def obj(properties, required=(), **extra):
    """A JSON object schema."""
    return {"type": "object", "properties": properties, "required": list(required), **extra}


def array(items):
    """A JSON array schema."""
    return {"type": "array", "items": items}


def ref(name):
    """A reference to a shared schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def null_or(schema):
    """`schema` or JSON null."""
    return {"anyOf": [schema, {"type": "null"}]}


STR, INT, NUM, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}
ANY_OBJECT = {"type": "object"}

SCHEMAS = {
    "Error": obj({"error": STR}, ["error"]),
    "PageItem": obj({"slug": STR, "lang": STR, "title": STR, "url": STR, "revision": INT,
                     "outdated": BOOL}, ["slug", "lang", "title", "url", "revision", "outdated"]),
    "Page": obj({"slug": STR, "lang": STR, "title": STR, "url": STR, "revision": INT,
                 "source_revision": null_or(INT), "outdated": BOOL, "updated_at": STR,
                 "markdown": STR, "html": STR},
                ["slug", "lang", "title", "url", "revision", "outdated"]),
    "Comment": obj({"id": INT, "author": null_or(STR), "body": null_or(STR),
                    "html": null_or(STR), "created_at": STR, "parent": null_or(INT),
                    "status": STR}, ["id", "author", "body", "created_at", "parent"]),
    "Task": obj({"id": INT, "title": STR, "description": null_or(STR), "page": null_or(STR),
                 "lang": null_or(STR), "assignee": null_or(STR), "reporter": null_or(STR),
                 "status": {"enum": ["open", "in_progress", "in_review", "done"]},
                 "priority": {"enum": ["low", "normal", "high", "urgent"]},
                 "due": null_or(STR), "labels": array(STR), "created_at": STR,
                 "updated_at": STR,
                 "activity": array(obj({"at": STR, "actor": null_or(STR), "field": STR},
                                       ["at", "actor", "field"]))},
                ["id", "title", "status", "priority", "activity"]),
    "SearchHit": obj({"slug": STR, "title": STR, "url": STR, "snippet": STR, "score": NUM,
                      "section": null_or(STR), "rank": INT},
                     ["slug", "title", "url", "snippet", "score"]),
    "Synonym": obj({"id": INT, "lang": STR, "terms": array(STR), "hits": INT,
                    "last_hit_at": null_or(STR)}, ["id", "lang", "terms"]),
    "Pin": obj({"id": INT, "lang": STR, "query": STR, "query_key": STR, "slug": STR,
                "hits": INT, "last_hit_at": null_or(STR)}, ["id", "lang", "query", "slug"]),
    "Learned": obj({"learning": BOOL, "learned_at": null_or(STR), "boosts": array(ANY_OBJECT)},
                   ["learning", "boosts"]),
    "Accepted": obj({"accepted": INT, "dropped": INT, "reason": STR}, ["accepted"]),
}

EVENT = obj({
    "type": {"enum": ["page_view", "engagement", "scroll", "search_click", "copy", "link",
                      "exit", "feedback", "survey"]},
    "page": STR, "lang": STR, "t": NUM,
    "ref": {"enum": ["internal", "search", "external", "direct"]}, "search_id": INT,
    "from_page": STR, "rev": INT, "seconds": NUM, "depth": INT, "section": STR, "rank": INT,
    "chars": INT, "href": STR, "helpful": BOOL, "reason": STR, "comment": STR,
    "kind": {"enum": ["ces", "csat", "nps"]}, "score": INT,
}, ["type", "page", "lang"])

LANG_QUERY = {"name": "lang", "in": "query", "required": False, "schema": STR,
              "description": "A docs language (e.g. en, ko)."}
SLUG_PATH = {"name": "slug", "in": "path", "required": True, "schema": STR,
             "description": "The page's path, e.g. guide/install."}
DATE_FILTERS = [LANG_QUERY] + [
    {"name": name, "in": "query", "required": False, "schema": STR, "description": text}
    for name, text in (("from", "First day, YYYY-MM-DD."), ("to", "Last day, YYYY-MM-DD."),
                       ("section", "Only pages of this section."),
                       ("days", "The last N days (without from/to)."))]


def query(name, schema=STR, required=False, description=""):
    """A query parameter."""
    return {"name": name, "in": "query", "required": required, "schema": schema,
            "description": description}


def int_path(name):
    """An integer path parameter."""
    return {"name": name, "in": "path", "required": True, "schema": INT}


def json_body(schema, required=True):
    """A JSON request body."""
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def answer(description, schema=None, media="application/json", headers=None):
    """One response."""
    response = {"description": description}
    if schema is not None:
        response["content"] = {media: {"schema": schema}}
    if headers:
        response["headers"] = headers
    return response


RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before sending again.",
                               "schema": STR}}
CSV = answer("The same table as CSV.", STR, "text/csv")


def op(summary, responses, params=(), body=None, access="public", tag="reading", errors=None):
    """An operation; every one may also answer an error (see `ERRORS`)."""
    operation = {"summary": summary, "tags": [tag], "parameters": list(params),
                 "responses": {**{str(k): v for k, v in responses.items()}, **(errors or ERRORS)},
                 "x-access": access}
    if access != "public":
        operation["security"] = [{"bearer": []}, {"session": []}]
    if body is not None:
        operation["requestBody"] = body
    return operation


ERRORS = {
    "default": answer("An error that says what to fix (4xx), or 503 with Retry-After while "
                      "the database is unavailable.", ref("Error"), headers=RETRY_AFTER),
}

FORM_ERRORS = {"default": {**ERRORS["default"], "content": {
    **ERRORS["default"]["content"],
    "text/html": {"schema": STR}}}}  # a refused form post: a page saying why

PATHS = {
    "/api/v1/openapi.json": {"get": op("This document.", {200: answer("OpenAPI 3.1.", ANY_OBJECT)})},
    "/api/v1/me": {"get": op("The signed-in account (to check a token).", {
        200: answer("The account.", obj({"email": STR, "name": null_or(STR), "role": STR},
                                        ["email", "role"]))}, access="signed_in", tag="accounts")},
    "/api/v1/pages": {
        "get": op("Every published translation.", {
            200: answer("Pages.", obj({"pages": array(ref("PageItem"))}, ["pages"]))},
            [LANG_QUERY]),
        "post": op("Create a page (201; 409 when it exists).", {
            201: answer("The new page.", ANY_OBJECT)},
            body=json_body(obj({"slug": STR, "lang": STR, "title": STR, "markdown": STR,
                                "section": STR, "message": STR, "draft": BOOL},
                               ["slug", "lang", "title", "markdown"])),
            access="writer", tag="writing"),
    },
    "/api/v1/pages/{slug}": {
        "get": op("One published page with Markdown and HTML.", {
            200: answer("The page.", ref("Page"))}, [SLUG_PATH, LANG_QUERY]),
        "put": op("Save a new revision (409 when base_revision is stale).", {
            200: answer("The saved page.", ANY_OBJECT)}, [SLUG_PATH, LANG_QUERY],
            body=json_body(obj({"markdown": STR, "title": STR, "base_revision": INT,
                                "message": STR, "source_revision": INT, "draft": BOOL},
                               ["markdown", "base_revision"])),
            access="writer", tag="writing"),
    },
    "/api/v1/pages/{slug}/comments": {
        "get": op("A page's comments in one language.", {
            200: answer("Comments.", obj({"page": STR, "lang": STR,
                                          "comments": array(ref("Comment"))}, ["comments"]))},
            [SLUG_PATH, LANG_QUERY], tag="comments"),
        "post": op("Add a comment (201).", {201: answer("The comment.", ref("Comment"))},
                   [SLUG_PATH, LANG_QUERY],
                   body=json_body(obj({"body": STR, "parent": null_or(INT)}, ["body"])),
                   access="signed_in", tag="comments"),
    },
    "/api/v1/search": {"get": op("Search one language; logs the search.", {
        200: answer("Results.", obj({"query": STR, "lang": STR, "total": INT,
                                     "search_id": null_or(INT), "suggestion": null_or(STR),
                                     "results": array(ref("SearchHit"))},
                                    ["query", "lang", "total", "search_id", "results"]))},
        [query("q", required=True, description="What the reader typed."), LANG_QUERY,
         query("limit", description="1-50 (default 10)."),
         query("session", description="The beacon's session id (32 hex digits)."),
         query("from", description="The page searched from.")], tag="search")},
    "/api/v1/search/suggest": {"get": op("Pages matching what is being typed.", {
        200: answer("Suggestions.", obj({"query": STR, "lang": STR, "suggestions": array(
            obj({"slug": STR, "title": STR, "url": STR}, ["slug", "title", "url"]))},
            ["suggestions"]))},
        [query("q", required=True), LANG_QUERY, query("limit", description="1-50.")],
        tag="search")},
    "/api/v1/search/synonyms": {
        "get": op("Synonym groups.", {200: answer("Groups.", obj(
            {"synonyms": array(ref("Synonym"))}, ["synonyms"]))}, [LANG_QUERY],
            access="owner", tag="search tuning"),
        "post": op("Add a synonym group (201).", {201: answer("The group.", ref("Synonym"))},
                   body=json_body(obj({"lang": STR, "terms": {"anyOf": [STR, array(STR)]}},
                                      ["lang", "terms"])), access="owner", tag="search tuning"),
    },
    "/api/v1/search/synonyms/{item_id}": {"delete": op("Delete a synonym group.", {
        204: answer("Deleted.")}, [int_path("item_id")], access="owner", tag="search tuning")},
    "/api/v1/search/pins": {
        "get": op("Pinned results.", {200: answer("Pins.", obj(
            {"pins": array(ref("Pin"))}, ["pins"]))}, [LANG_QUERY], access="owner",
            tag="search tuning"),
        "post": op("Pin a page first for a query (201).", {201: answer("The pin.", ref("Pin"))},
                   body=json_body(obj({"lang": STR, "query": STR, "slug": STR},
                                      ["lang", "query", "slug"])), access="owner",
                   tag="search tuning"),
    },
    "/api/v1/search/pins/{item_id}": {"delete": op("Delete a pin.", {204: answer("Deleted.")},
                                                   [int_path("item_id")], access="owner",
                                                   tag="search tuning")},
    "/api/v1/search/learned": {
        "get": op("What search learned from clicks.", {200: answer("Boosts.", ref("Learned"))},
                  [LANG_QUERY], access="owner", tag="search tuning"),
        "put": op("Switch learning on or off, or recompute it now.", {
            200: answer("Boosts.", ref("Learned"))},
            body=json_body(obj({"learning": BOOL, "refresh": BOOL})), access="owner",
            tag="search tuning"),
    },
    "/api/v1/events": {"post": op(
        "A batch of reader events; 202 once stored (503 with Retry-After: send it again).", {
            202: answer("Stored (or dropped, for bots and Do-Not-Track).", ref("Accepted"))},
        body=json_body(obj({"session": STR, "batch": STR, "events": array(EVENT)},
                           ["session", "events"])), tag="reader signals")},
    "/api/v1/feedback": {"post": op("A helpful vote (JSON, or the widget's plain form).", {
        202: answer("Stored.", ref("Accepted")),
        303: answer("The form post: back to the page.")},
        body={"required": True, "content": {
            "application/json": {"schema": obj({
                "session": STR, "page": STR, "lang": STR, "helpful": BOOL, "reason": STR,
                "comment": STR, "section": STR}, ["page", "lang", "helpful"])},
            "application/x-www-form-urlencoded": {"schema": obj({
                "page": STR, "lang": STR, "helpful": {"enum": ["yes", "no"]}, "reason": STR,
                "comment": STR, "section": STR}, ["page", "lang", "helpful"])}}},
        tag="reader signals", errors=FORM_ERRORS)},
    "/api/v1/tasks": {
        "get": op("Doc tasks.", {200: answer("Tasks.", obj({"tasks": array(ref("Task"))},
                                                         ["tasks"]))},
                  [query("status"), query("assignee", description="An email, or none."),
                   query("page"), LANG_QUERY, query("mine", description="1: mine only."),
                   query("sort")], access="writer", tag="tasks"),
        "post": op("Create a task (201).", {201: answer("The task.", ref("Task"))},
                   body=json_body(obj({"title": STR, "description": STR, "page": STR,
                                       "lang": STR, "assignee": STR, "priority": STR,
                                       "due": STR, "labels": array(STR), "status": STR,
                                       "evidence": STR}, ["title"])),
                   access="writer", tag="tasks"),
    },
    "/api/v1/tasks/{task_id}": {
        "get": op("One task with its activity log.", {200: answer("The task.", ref("Task"))},
                  [int_path("task_id")], access="writer", tag="tasks"),
        "patch": op("Change a task's fields.", {200: answer("The task.", ref("Task"))},
                    [int_path("task_id")],
                    body=json_body(obj({"title": STR, "description": STR, "page": STR,
                                        "lang": STR, "assignee": STR, "priority": STR,
                                        "due": STR, "labels": array(STR), "status": STR})),
                    access="writer", tag="tasks"),
    },
    "/api/v1/insights/pages": {"get": op("The page table, most stuck first.", {
        200: answer("Rows.", obj({"pages": array(ANY_OBJECT)}, ["pages"]))}, DATE_FILTERS,
        access="owner", tag="insights")},
    "/api/v1/insights/pages.csv": {"get": op("The page table as CSV.", {200: CSV},
                                             DATE_FILTERS, access="owner", tag="insights")},
    "/api/v1/insights/pages/{slug}": {"get": op(
        "One page's detail (a slug ending in .csv: its daily figures as CSV).", {
            200: {"description": "The detail.", "content": {
                "application/json": {"schema": ANY_OBJECT},
                "text/csv": {"schema": STR}}}},
        [SLUG_PATH] + DATE_FILTERS, access="owner", tag="insights")},
    "/api/v1/insights/searches": {"get": op("Search gaps.", {
        200: answer("Rows.", obj({"searches": array(ANY_OBJECT)}, ["searches"]))},
        DATE_FILTERS, access="owner", tag="insights")},
    "/api/v1/insights/searches.csv": {"get": op("Search gaps as CSV.", {200: CSV},
                                                DATE_FILTERS, access="owner", tag="insights")},
    "/api/v1/insights/journeys": {"get": op("Top paths and funnels.", {
        200: answer("Paths and funnels.", obj({"paths": array(ANY_OBJECT),
                                               "funnels": array(ANY_OBJECT)},
                                              ["paths", "funnels"]))},
        DATE_FILTERS, access="owner", tag="insights")},
    "/api/v1/insights/journeys.csv": {"get": op("Top paths as CSV.", {200: CSV}, DATE_FILTERS,
                                                access="owner", tag="insights")},
    "/api/v1/insights/surveys": {"get": op("Survey scores.", {
        200: answer("Rows.", obj({"surveys": array(ANY_OBJECT)}, ["surveys"]))},
        DATE_FILTERS, access="owner", tag="insights")},
    "/api/v1/insights/surveys.csv": {"get": op("Survey scores as CSV.", {200: CSV},
                                               DATE_FILTERS, access="owner", tag="insights")},
}


def document(config):
    """The OpenAPI 3.1 document for an app with `config`."""
    languages = list(config["CONTENT_LANGUAGES"])
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{config.get('SITE_NAME') or 'Signpost'} JSON API",
                 "version": VERSION,
                 "description": "Reading, search, reader signals, writing, tasks and insights. "
                                f"Docs languages: {', '.join(languages)}. Errors are "
                                '{"error": "..."} with a 4xx status, or 503 with Retry-After '
                                "while the database is unavailable. `x-access` names who may "
                                "call each operation (public, signed_in, writer, owner, admin)."},
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "A token from `portal create-token EMAIL`."},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"}},
        },
    }
