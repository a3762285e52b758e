"""Reader event intake, split by job: `validate` checks what a client sent, `store` writes it,
`intake` runs the steps in order (body -> bot -> rate -> validate -> store).

The names other modules and tests import from here are re-exported.
"""
from portal.feedback.store import (  # noqa: F401
    MAX_FLOORS, ROWS_PER_INSERT, SKEW_MARGIN_MS, claim_batches, count_drop, note_session_time,
    reader_times, save_vote, store_batches)
from portal.feedback.validate import (  # noqa: F401
    ALLOWED, BATCH_ID, COMMON, CONTROL, FIELDS, MAX_COMMENT, NO_REASONS, REFS, SECTION, SESSION,
    SLUG, SURVEY_RANGES, YES_REASONS, Batch, IngestError, is_bot, opted_out, parse_batch,
    validate_event)

