"""Reader traffic sent the way browsers send it: `POST /api/v1/events` batches with `t`, and
`GET /api/v1/search?q=&lang=&session=`. Used by the scenario tests to build known problems."""
import itertools
import time
import uuid

UA = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130 Safari/537.36"}
HEADINGS = ("download", "configure", "environment", "troubleshooting")
HEADING_TEXT = {"en": ("Download", "Configure", "Environment variables", "Troubleshooting"),
                "ko": ("내려받기", "설정", "환경 변수", "문제 해결")}
WORDS = {"en": "Widget installation guide with steps for the server and the client.",
         "ko": "서버와 클라이언트를 위한 위젯 설치 안내입니다."}


def page_markdown(lang, title, topic):
    """A page with four h2 headings (explicit ids, the same in every language)."""
    parts = [f"# {title}\n\n{topic} {WORDS[lang]}\n"]
    for hid, text in zip(HEADINGS, HEADING_TEXT[lang]):
        parts.append(f"## {text} {{ #{hid} }}\n\n{topic} {WORDS[lang]} " * 3 + "\n")
    return "\n".join(parts)


def docs_tree(slugs):
    """{"en/<slug>.md": ..., "ko/<slug>.md": ...} for every slug, with searchable topics."""
    files = {}
    for slug in slugs:
        topic = slug.replace("/", " ").replace("-", " ")
        files[f"en/{slug}.md"] = page_markdown("en", topic.title(), topic)
        files[f"ko/{slug}.md"] = page_markdown("ko", f"{topic} 안내", topic)
    return files


class Reader:
    """One reading session: each call sends what a browser would, in order."""

    _clock = itertools.count()

    def __init__(self, client, lang, clock_skew_ms=0):
        self.client, self.lang = client, lang
        self.session = uuid.uuid4().hex
        self.skew = clock_skew_ms
        self.now = time.time() * 1000
        n = next(self._clock)  # each reader its own address, as real readers have
        self.env = {"REMOTE_ADDR": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"}

    def _t(self, seconds=0.0):
        self.now += seconds * 1000
        return int(self.now + self.skew)

    def post(self, events):
        response = self.client.post("/api/v1/events", json={"session": self.session,
                                                            "events": events}, headers=UA,
                                    environ_base=self.env)
        assert response.status_code in (200, 202, 204), response.get_data(as_text=True)

    def read(self, page, ref="internal", search_id=None, rank=1, seconds=60, depth=100,
             section=HEADINGS[-1], vote=None, reason=None, from_page=None):
        """View `page`, read for `seconds` to `depth`/`section`, maybe vote; one batch."""
        events = []
        if search_id is not None:
            events.append({"type": "search_click", "page": page, "lang": self.lang,
                           "search_id": search_id, "rank": rank, "t": self._t()})
        view = {"type": "page_view", "page": page, "lang": self.lang, "ref": ref, "t": self._t()}
        if search_id is not None:
            view["search_id"] = search_id
        if from_page:
            view["from_page"] = from_page
        events.append(view)
        if seconds:
            events.append({"type": "engagement", "page": page, "lang": self.lang,
                           "seconds": seconds, "t": self._t(seconds)})
        if depth is not None:
            scroll = {"type": "scroll", "page": page, "lang": self.lang, "depth": depth,
                      "t": self._t(1)}
            if section:
                scroll["section"] = section
            events.append(scroll)
        if vote is not None:
            feedback = {"type": "feedback", "page": page, "lang": self.lang, "helpful": vote,
                        "t": self._t(1)}
            if reason:
                feedback["reason"] = reason
            events.append(feedback)
        events.append({"type": "exit", "page": page, "lang": self.lang, "seconds": seconds,
                       "t": self._t(1)})
        self.post(events)

    def search(self, query, from_page=None):
        """Search like the header box does; returns the JSON answer."""
        params = {"q": query, "lang": self.lang, "session": self.session}
        if from_page:
            params["from"] = from_page
        self._t(2)
        response = self.client.get("/api/v1/search", query_string=params, headers=UA,
                                   environ_base=self.env)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()
