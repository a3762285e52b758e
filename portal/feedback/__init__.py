"""Reader feedback: events, votes, surveys and their daily rollups."""


def init_app(app):
    """Subscribe to the app's lifecycle: demo traffic when `init --demo` makes an instance."""
    from portal import lifecycle
    from portal.feedback.commands import _demo_on_new_instance
    lifecycle.connect(lifecycle.instance_initialised, _demo_on_new_instance)
