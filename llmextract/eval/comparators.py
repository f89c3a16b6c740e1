"""Field comparators: how a predicted value is judged against a gold value, by field kind.

Every scored field has a kind (``FIELD_KINDS``) and every kind a comparator in a registry
(``register_comparator``), so a new field or a new way of comparing is one entry here.
A comparator sees two non-null values unless it is registered with ``handles_null``
(``stances``: an empty list of sources is a value); null matches null otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from llmextract.eval.gold import coerce_field_value
from llmextract.normalize.actors import canonical_actor
from llmextract.normalize.text import fold
from llmextract.schema import INCIDENT_FIELDS, GoldIncident, Incident

FUZZY_TEXT_MIN = 80
COORD_TOLERANCE = 0.05

# How each scored field is compared.  Every SPEC field but summary and evidence must be
# here: a field added to the schema without a comparator fails at import, not silently.
FIELD_KINDS: dict[str, str] = {
    "incident_type": "enum",
    "date_text": "text",
    "date_start": "date",
    "date_end": "date",
    "date_precision": "enum",
    "location_text": "text",
    "place": "name",
    "admin1": "name",
    "country": "name",
    "geo_precision": "enum",
    "latitude": "coord",
    "longitude": "coord",
    "perpetrator": "actor",
    "attribution": "enum",
    "target": "text",
    "target_type": "enum",
    "killed": "count",
    "wounded": "count",
    "kidnapped": "count",
    "perpetrators_killed": "count",
    "confirmation": "enum",
    "sources": "stances",
}
SCORED_FIELDS: tuple[str, ...] = tuple(
    f for f in INCIDENT_FIELDS if f not in ("summary", "evidence")
)
if set(FIELD_KINDS) != set(SCORED_FIELDS):  # pragma: no cover - guards schema drift
    raise RuntimeError(
        "scoring.FIELD_KINDS is out of step with schema.INCIDENT_FIELDS: "
        f"{sorted(set(FIELD_KINDS) ^ set(SCORED_FIELDS))}"
    )


@lru_cache(maxsize=1 << 16)
def folded(text: str) -> str:
    """``fold``, memoised: a run folds the same names, dates and quotes over and over."""
    return fold(text)


def _enum_value(value: Any) -> Any:
    # ``_value_`` is what the ``value`` property returns, without the descriptor's cost
    # (scoring asks for it about 20 times per incident).
    return value._value_ if isinstance(value, Enum) else value


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _stances(value: Any) -> frozenset[str]:
    stances: set[str] = set()
    for source in value or []:
        stance = getattr(source, "stance", None)
        if stance is None and isinstance(source, dict):
            stance = source.get("stance")
        if stance is not None:
            stances.add(str(_enum_value(stance)))
    return frozenset(stances)


def _text_close(a: str, b: str) -> bool:
    fa, fb = folded(a), folded(b)
    return fa == fb or fuzz.token_set_ratio(fa, fb) >= FUZZY_TEXT_MIN


def _dates_close(gold: dt.date, pred: dt.date, precision: str) -> bool:
    if precision == "day":
        return abs((gold - pred).days) <= 1
    if precision == "week":
        return gold.isocalendar()[:2] == pred.isocalendar()[:2]
    if precision == "month":
        return (gold.year, gold.month) == (pred.year, pred.month)
    if precision == "year":
        return gold.year == pred.year
    return gold == pred


Compare = Callable[[Any, Any, str], bool]  # (gold, predicted, gold date_precision)


@dataclass(frozen=True)
class Comparator:
    """``reflexive``: equal values always compare as correct, so scoring may skip the call
    when gold and prediction are equal (most fields of most matched pairs)."""

    compare: Compare
    handles_null: bool = False
    reflexive: bool = False


COMPARATORS: dict[str, Comparator] = {}


def register_comparator(
    kind: str, compare: Compare, *, handles_null: bool = False, reflexive: bool = False
) -> None:
    """Make ``kind`` usable in ``FIELD_KINDS``; a later registration replaces an earlier one.

    Pass ``reflexive=True`` only when ``compare(v, v, precision)`` is true for every value.
    """
    COMPARATORS[kind] = Comparator(compare, handles_null, reflexive)


def _same_name(gold: Any, pred: Any, _: str) -> bool:
    # "Bani Bangou" / "Banibangou", "Gorom Gorom" / "Gorom-Gorom": one name, spaced
    # differently by different outlets and gazetteers.
    return folded(str(gold)).replace(" ", "") == folded(str(pred)).replace(" ", "")


def _same_actor(gold: Any, pred: Any, _: str) -> bool:
    return folded(canonical_actor(str(gold)) or "") == folded(canonical_actor(str(pred)) or "")


def _close_dates(gold: Any, pred: Any, precision: str) -> bool:
    g, p = _as_date(gold), _as_date(pred)
    return g is not None and p is not None and _dates_close(g, p, precision)


def _same_enum(gold: Any, pred: Any, _: str) -> bool:
    return str(_enum_value(gold)) == str(_enum_value(pred))


register_comparator(
    "stances", lambda g, p, _: _stances(g) == _stances(p), handles_null=True, reflexive=True
)
register_comparator("name", _same_name, reflexive=True)
register_comparator("actor", _same_actor, reflexive=True)
register_comparator("text", lambda g, p, _: _text_close(str(g), str(p)), reflexive=True)
register_comparator("date", _close_dates, reflexive=True)
register_comparator(
    "coord", lambda g, p, _: abs(float(g) - float(p)) <= COORD_TOLERANCE, reflexive=True
)
register_comparator("count", lambda g, p, _: int(g) == int(p), reflexive=True)
register_comparator("enum", _same_enum, reflexive=True)


def values_equal(kind: str, gold: Any, pred: Any, precision: str) -> bool:
    """Whether ``pred`` equals ``gold`` for a field of this kind."""
    comparator = COMPARATORS[kind]
    if not comparator.handles_null and (gold is None or pred is None):
        return gold is None and pred is None
    return comparator.compare(gold, pred, precision)


def accepted_values(gold: GoldIncident, field_name: str) -> list[Any]:
    """Gold ``accept[field]`` as typed values; invalid entries (see gold check) are skipped."""
    values = []
    for raw in gold.accept.get(field_name, []) or []:
        try:
            values.append(coerce_field_value(field_name, raw))
        except ValueError:
            continue
    return values


def field_correct(field_name: str, gold: GoldIncident, pred: Incident) -> bool | None:
    """Whether ``pred`` has the right value for ``field_name``; None when not scored.

    Only latitude/longitude can be unscored: when the gold gives no value (nor accepts any).
    """
    kind = FIELD_KINDS[field_name]
    gold_value = getattr(gold, field_name)
    accepted = accepted_values(gold, field_name) if gold.accept else []
    if kind == "coord" and gold_value is None and not any(v is not None for v in accepted):
        return None
    pred_value = getattr(pred, field_name)
    if gold_value == pred_value and COMPARATORS[kind].reflexive:
        return True
    precision = str(_enum_value(gold.date_precision))
    if values_equal(kind, gold_value, pred_value, precision):
        return True
    return any(values_equal(kind, c, pred_value, precision) for c in accepted)


def slot_filled(field_name: str, gold: GoldIncident) -> bool:
    """Whether the gold gives this field a value that slot recall counts."""
    value = getattr(gold, field_name)
    if value is None:
        return False
    if isinstance(value, Enum):
        return value.value != "unknown"
    if isinstance(value, list | str):
        return bool(value)
    return True


def matches_any(kind: str, gold: GoldIncident, field_name: str, pred_value: Any) -> bool:
    candidates = [getattr(gold, field_name)]
    if gold.accept:
        candidates += accepted_values(gold, field_name)
    return any(c is not None and values_equal(kind, c, pred_value, "unknown") for c in candidates)
