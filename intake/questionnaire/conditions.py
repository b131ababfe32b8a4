"""Parsing ``when = { question = …, equals | in | answered = … }`` against earlier questions."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from intake.questionnaire.model import Condition, ConditionKind, Question
from intake.questionnaire.problems import Collector, describe


def parse_when(
    c: Collector,
    raw: object,
    qid: str,
    earlier: Mapping[str, Question],
    all_ids: Collection[str] = (),
) -> object:
    """``when = { question = "…", equals | in | answered = … }`` against earlier questions.

    Returns a :class:`Condition`, or ``None`` if broken.
    """
    if not isinstance(raw, dict):
        c.add("when", "must be a table { question = …, equals|in|answered = … }", qid)
        return None
    c.unknown_keys(raw, {"question", "equals", "in", "answered"}, "when.", qid)
    target_id = raw.get("question")
    kinds: list[ConditionKind] = [k for k in ("equals", "in", "answered") if k in raw]
    if len(kinds) != 1:
        c.add("when", "needs exactly one of `equals`, `in`, `answered`", qid)
    shaped = _check_shape(c, qid, raw)  # whatever `question` names, so both are reported
    if not isinstance(target_id, str):
        c.add("when.question", "must name an earlier question id", qid)
        return None
    target = earlier.get(target_id)
    if target is None:
        if target_id == qid:
            why = "a question cannot depend on itself"
        elif target_id in all_ids:
            why = f"'{target_id}' comes later; `when` may only name an earlier question"
        else:
            why = f"'{target_id}' is not a question in this file"
        c.add("when.question", why, qid)
        return None
    if len(kinds) != 1 or not target.prompt or not shaped:
        return None  # (a target without prompt is broken itself and already reported)
    kind = kinds[0]
    value = _check_operand(c, qid, target, kind, raw[kind])
    return None if value is None else Condition(target_id, kind, value)


def _check_shape(c: Collector, qid: str, raw: Mapping[str, object]) -> bool:
    """Operand shapes that do not depend on the question named: `in` a list, `answered` a bool."""
    ok = True
    if "in" in raw and (not isinstance(raw["in"], list) or not raw["in"]):
        c.add(
            "when.in",
            f'must be a non-empty list, e.g. in = ["a", "b"], not {describe(raw["in"])}',
            qid,
        )
        ok = False
    if "answered" in raw and not isinstance(raw["answered"], bool):
        c.add("when.answered", "must be true or false", qid)
        ok = False
    return ok


def _check_operand(
    c: Collector, qid: str, target: Question, kind: ConditionKind, raw: object
) -> object:
    if kind == "answered":
        return raw
    values = raw if kind == "in" else [raw]
    assert isinstance(values, list)
    for value in values:
        problem = _operand_problem(target, value)
        if problem:
            c.add(f"when.{kind}", problem, qid)
            return None
    return tuple(values) if kind == "in" else values[0]


def _operand_problem(target: Question, value: object) -> str | None:
    """Why ``value`` can never equal an answer to ``target`` (None if it can)."""
    if target.type in ("choice", "multi_choice"):
        if not isinstance(value, str) or target.option(value) is None:
            return f"{describe(value)} is not an option id of question '{target.id}'"
    elif target.type == "yes_no":
        if not isinstance(value, bool):
            return f"question '{target.id}' is yes_no: compare with true or false"
    elif target.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"question '{target.id}' is a number: compare with a number"
    elif target.type in ("location", "media"):
        return f"a {target.type} answer can only be tested with `answered`"
    elif not isinstance(value, str):
        return f"question '{target.id}' is {target.type}: compare with a string"
    return None
