"""The witness conversation as a pure, deterministic state machine (no I/O).

A channel turns what the witness did into an :data:`intake.channel.Event`; :func:`apply`
returns a :class:`Step` with the new :class:`DraftState`, the :class:`~intake.channel.Prompt`
to render, and the outcome (``continue``, ``rejected``, ``submit``, ``cancelled``, ``declined``).
The flow: language → consent → questions (branching, skip, back, validation) → review (edit any
answer, re-review) → submit; cancel anywhere.
"""

from intake.engine.machine import apply, begin_at_questions, resume, start
from intake.engine.output import (
    answers_for_submission,
    attachments_of,
    closing_prompt,
    submitted_prompt,
    with_draft_time,
)
from intake.engine.state import DraftFormatError, DraftState, FileEntry, Step

__all__ = [
    "DraftFormatError",
    "DraftState",
    "FileEntry",
    "Step",
    "answers_for_submission",
    "apply",
    "attachments_of",
    "begin_at_questions",
    "closing_prompt",
    "resume",
    "start",
    "submitted_prompt",
    "with_draft_time",
]
