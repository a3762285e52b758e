"""With learned boosts a search fetches a deep list to re-rank: only the hits shown get
snippets, and they are the snippets a plain search makes."""
from portal.extensions import db
from portal.search import engine, index, learning, service
from tests.search.test_learning import relearn, session, teach, twins  # noqa: F401


def _counting(monkeypatch):
    calls = []
    for module in (engine, index):
        real = module.snippet
        monkeypatch.setattr(module, "snippet",
                            lambda text, marks, real=real: calls.append(1) or real(text, marks))
    return calls


def test_only_the_shown_hits_get_snippets(app, twins, monkeypatch):  # noqa: F811
    with app.app_context():
        plain = index.query("en", "deploy", limit=2).hits
        teach([session(i) for i in range(learning.MIN_SESSIONS)])
        relearn()
        calls = _counting(monkeypatch)
        tuned = service.tuned_query(db.session, "en", "deploy", limit=1)
        assert [h.slug for h in tuned.result.hits] == ["guide/beta"]
        assert len(calls) == 1
        assert tuned.result.hits[0].snippet == {h.slug: h.snippet for h in plain}["guide/beta"]
        assert "<mark>" in tuned.result.hits[0].snippet
        calls.clear()
        bare = service.tuned_query(db.session, "en", "deploy", limit=1, with_snippets=False)
        assert bare.result.hits[0].snippet == "" and not calls
