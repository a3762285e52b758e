"""App lifecycle through the signals of portal.lifecycle: content announces, search, auth and
feedback subscribe in their init_app; content does not import search, and auth and feedback
do not hook into content.events."""
import ast
import pathlib

from portal import lifecycle

PORTAL = pathlib.Path(__file__).resolve().parents[1] / "portal"


def _imports(path):
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_content_does_not_import_search():
    for path in (PORTAL / "content").glob("*.py"):
        assert not any(n.startswith("portal.search") for n in _imports(path)), path.name


def test_auth_and_feedback_do_not_hook_into_content_events():
    for area in ("auth", "feedback"):
        for path in (PORTAL / area).glob("*.py"):
            assert "portal.content.events" not in _imports(path), path
            assert "on_instance_created" not in path.read_text(), path


def _receivers(signal):
    return {getattr(r, "__qualname__", "") for r in signal.receivers.values()}


def test_areas_subscribe_in_their_init_app(app):
    from portal.auth.commands import _demo_accounts
    from portal.feedback.commands import _demo_on_new_instance
    from portal.search import index
    wrapped = {fn: lifecycle._receivers.get((s.name, fn)) for s, fn in [
        (lifecycle.instance_initialised, _demo_accounts),
        (lifecycle.instance_initialised, _demo_on_new_instance),
        (lifecycle.database_ready, index._on_database_ready),
        (lifecycle.content_changed, index._on_published)]}
    assert None not in wrapped.values()
    connected = [r for s in (lifecycle.instance_initialised, lifecycle.database_ready,
                             lifecycle.content_changed) for r in s.receivers.values()]
    assert all(r in connected for r in wrapped.values())
    # demo accounts before demo traffic, as before (the order the areas were set up in)
    order = list(lifecycle.instance_initialised.receivers.values())
    assert order.index(wrapped[_demo_accounts]) < order.index(wrapped[_demo_on_new_instance])


def test_connecting_twice_keeps_one_receiver():
    calls = []

    def fn(**kwargs):
        calls.append(kwargs)
    signal = lifecycle._signals.signal("test-only")
    lifecycle.connect(signal, fn)
    lifecycle.connect(signal, fn)
    lifecycle.send(signal, x=1)
    assert calls == [{"x": 1}]

