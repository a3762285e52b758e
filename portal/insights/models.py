"""Models of the insights area."""
from portal.insights.funnel_models import Funnel  # noqa: E402,F401  (owner-defined funnels)
