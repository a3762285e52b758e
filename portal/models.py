"""Imports every area's models so metadata (and migrations) see all tables."""
from portal.auth.models import ApiToken, User  # noqa: F401
from portal.content.models import Page, Revision, Translation  # noqa: F401
from portal.search.models import SearchClick, SearchLog  # noqa: F401
from portal.feedback.models import DirtyDay, Event, IngestDrop, PageDay, SurveySetting, Vote  # noqa: F401
import portal.write.models  # noqa: F401,E402  (each area adds its models in its own module)
import portal.comments.models  # noqa: F401,E402
import portal.tasks.models  # noqa: F401,E402
import portal.insights.models  # noqa: F401,E402
import portal.search.tuning_models  # noqa: F401,E402
import portal.sync  # noqa: F401,E402  (the change log other nodes follow)
