from portal import create_app; app = create_app()  # noqa: E702  (gunicorn entry point)
