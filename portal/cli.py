"""The `portal` command group; each area adds its commands in its commands.py."""
from flask.cli import AppGroup

portal_cli = AppGroup("portal", help="Signpost administration commands.")
