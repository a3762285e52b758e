"""The app's lifecycle as named signals (blinker, which ships with Flask): one place where
areas learn what happened elsewhere without importing each other.

Senders call `send`; each area connects its receivers in its own `init_app`:

- `database_ready(echo=)`: `portal init` created or upgraded the database (search checks
  its index format and rebuilds it when old);
- `instance_initialised(demo=, echo=)`: `init` made a new instance (demo accounts, demo
  traffic when `--demo`);
- `content_changed(translations=)`: after commit, translations whose current revision
  changed, were unpublished or moved away (search indexing, caches);
- `reader_content_committed(changes=)`: after a commit that changed what reader pages show,
  with its (kind, slug, lang) names (`portal/changes.py`; the page cache's stamp).

Receivers are module functions connected strongly (connecting one twice, e.g. for a
second app in tests, keeps one connection) and run in the order they were connected.
"""
from blinker import Namespace

_signals = Namespace()
database_ready = _signals.signal("database-ready")
instance_initialised = _signals.signal("instance-initialised")
content_changed = _signals.signal("content-changed")
reader_content_committed = _signals.signal("reader-content-committed")


def connect(signal, fn):
    """Connect `fn(**kwargs)` (no sender argument) to `signal`; returns `fn`."""
    receiver = _receivers.get((signal.name, fn))
    if receiver is None:
        def receiver(sender, **kwargs):
            return fn(**kwargs)
        _receivers[(signal.name, fn)] = receiver
    signal.connect(receiver, weak=False)
    return fn


_receivers = {}


def send(signal, **kwargs):
    """Send `signal` with its keyword arguments to every receiver."""
    signal.send(None, **kwargs)
