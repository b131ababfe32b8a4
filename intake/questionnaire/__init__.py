"""Questionnaires as data: the GUIDE §4 TOML schema, loaded into a typed immutable model.

>>> from intake.questionnaire import load_default
>>> q = load_default()           # doctest: +SKIP
>>> q.summary()                  # doctest: +SKIP
'detention v3: 24 questions, 4 languages (en, be, ru, uk), 5 branches'

Loading never stops at the first problem: :class:`QuestionnaireError` carries every
:class:`Problem`, each naming the file, the question id and the field.
"""

from intake.questionnaire.loader import (
    check,
    check_text,
    load,
    load_addition,
    load_default,
    loads,
)
from intake.questionnaire.model import (
    PURPOSES,
    QUESTION_TYPES,
    AnswerValue,
    Condition,
    Consent,
    Option,
    Purpose,
    Question,
    Questionnaire,
    QuestionType,
    Texts,
)
from intake.questionnaire.problems import Problem, QuestionnaireError

__all__ = [
    "PURPOSES",
    "QUESTION_TYPES",
    "AnswerValue",
    "Condition",
    "Consent",
    "Option",
    "Problem",
    "Purpose",
    "Question",
    "QuestionType",
    "Questionnaire",
    "QuestionnaireError",
    "Texts",
    "check",
    "check_text",
    "load",
    "load_addition",
    "load_default",
    "loads",
]
