"""The incident record contract of ../shared/SPEC.md, as Pydantic models.

Gold files, predictions and the scorer all load through these models, so a field
renamed here is renamed everywhere.  Model-facing drafts (what a language model is
asked to fill) live in ``llmextract.drafts``; they are deliberately smaller than the
record, because every field the tool can derive in code is a field the model need not
write (and cannot get wrong).
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = "1.0"


class IncidentType(StrEnum):
    armed_assault = "armed_assault"
    ambush = "ambush"
    ied = "ied"
    suicide_bombing = "suicide_bombing"
    indirect_fire = "indirect_fire"
    kidnapping = "kidnapping"
    prison_break = "prison_break"
    assassination = "assassination"
    massacre = "massacre"
    clash = "clash"
    military_operation = "military_operation"
    airstrike = "airstrike"
    other = "other"


class DatePrecision(StrEnum):
    day = "day"
    days = "days"
    week = "week"
    month = "month"
    year = "year"
    unknown = "unknown"


class GeoPrecision(StrEnum):
    place = "place"
    near = "near"
    admin1 = "admin1"
    country = "country"
    unknown = "unknown"


class Attribution(StrEnum):
    claimed = "claimed"
    attributed = "attributed"
    suspected = "suspected"
    unknown = "unknown"


class TargetType(StrEnum):
    military = "military"
    police = "police"
    peacekeepers = "peacekeepers"
    foreign_military = "foreign_military"
    militia = "militia"
    militants = "militants"
    civilians = "civilians"
    government = "government"
    prison = "prison"
    infrastructure = "infrastructure"
    other = "other"
    unknown = "unknown"


class Confirmation(StrEnum):
    confirmed = "confirmed"
    unconfirmed = "unconfirmed"
    disputed = "disputed"
    unknown = "unknown"


class Stance(StrEnum):
    claims = "claims"
    confirms = "confirms"
    denies = "denies"
    reports = "reports"


# Canonical actor names of SPEC.md.  "<Demonym> armed forces" is canonical for any
# state, as the SPEC's "same pattern for other states" says.
CANONICAL_ACTORS: tuple[str, ...] = (
    "JNIM",
    "AQIM",
    "Ansar Dine",
    "Katiba Macina",
    "Al Mourabitoun",
    "al Qaeda",
    "ISGS",
    "ISWAP",
    "Islamic State",
    "Boko Haram",
    "jihadists",
    "unidentified armed group",
    "Malian armed forces",
    "Burkinabe armed forces",
    "Nigerien armed forces",
    "French forces",
    "MINUSMA",
    "G5 Sahel",
    "Wagner Group",
    "MNLA",
    "GATIA",
    "MSA",
    "Dan Na Ambassagou",
)
_STATE_FORCES = re.compile(r"^[A-Z][a-zé]+(?: [A-Z][a-zé]+)? armed forces$")


def is_canonical_actor(name: str) -> bool:
    return name in CANONICAL_ACTORS or bool(_STATE_FORCES.match(name))


# Fields that hold counts, and fields whose values are enums: the scorer and the
# normaliser iterate over these instead of spelling the fields out again.
COUNT_FIELDS: tuple[str, ...] = ("killed", "wounded", "kidnapped", "perpetrators_killed")


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1)
    stance: Stance


class Evidence(BaseModel):
    """A verbatim quote; ``start``/``end`` are offsets into the repaired text.

    Offsets are written by the tool (``llmextract.grounding``), never by a model.  A
    quote the tool could not find keeps ``start`` and ``end`` null: that is the flag.
    """

    model_config = ConfigDict(extra="forbid")

    quote: str = Field(min_length=1)
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _span_is_ordered(self) -> Evidence:
        if (self.start is None) != (self.end is None):
            raise ValueError("start and end must both be set or both be null")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("end must be greater than start")
        return self

    @property
    def grounded(self) -> bool:
        return self.start is not None


class Incident(BaseModel):
    """One distinct violent event (or attempt) in one place and time."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False)

    summary: str = ""
    incident_type: IncidentType
    date_text: str | None = None
    date_start: dt.date | None = None
    date_end: dt.date | None = None
    date_precision: DatePrecision = DatePrecision.unknown
    location_text: str | None = None
    place: str | None = None
    admin1: str | None = None
    country: str | None = None
    geo_precision: GeoPrecision = GeoPrecision.unknown
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    perpetrator: str | None = None
    attribution: Attribution = Attribution.unknown
    target: str | None = None
    target_type: TargetType = TargetType.unknown
    killed: int | None = Field(default=None, ge=0)
    wounded: int | None = Field(default=None, ge=0)
    kidnapped: int | None = Field(default=None, ge=0)
    perpetrators_killed: int | None = Field(default=None, ge=0)
    confirmation: Confirmation = Confirmation.unknown
    sources: list[Source] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)

    @model_validator(mode="after")
    def _dates_are_ordered(self) -> Incident:
        if self.date_start and self.date_end and self.date_end < self.date_start:
            raise ValueError("date_end is before date_start")
        if (self.date_start is None) != (self.date_end is None):
            raise ValueError("date_start and date_end must both be set or both be null")
        return self


# Every SPEC field an incident carries, in SPEC order; the scorer reports on these.
INCIDENT_FIELDS: tuple[str, ...] = tuple(Incident.model_fields)


class GoldIncident(Incident):
    """A hand-labelled incident: ``optional`` and ``accept`` are the gold additions."""

    optional: bool = False
    accept: dict[str, list[Any]] = Field(default_factory=dict)

    @field_validator("accept")
    @classmethod
    def _accept_names_real_fields(cls, accept: dict[str, list[Any]]) -> dict[str, list[Any]]:
        unknown = sorted(set(accept) - set(INCIDENT_FIELDS))
        if unknown:
            raise ValueError(f"accept names fields that do not exist: {', '.join(unknown)}")
        return accept


class Extraction(BaseModel):
    """One document's incidents, as written to ``<run>/<doc_id>.json``."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str
    incidents: list[Incident]
    meta: dict[str, Any] = Field(default_factory=dict)


class GoldFile(BaseModel):
    """One document's gold, as stored in ``evals/gold/<doc_id>.json``."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str
    labelled_by: str = Field(min_length=1)
    annotator: str | None = None
    notes: str | None = None
    incidents: list[GoldIncident]


def incident_json_schema() -> dict[str, Any]:
    """JSON Schema of the extraction record, for ``llmextract schema``."""
    schema = Extraction.model_json_schema()
    schema["$comment"] = f"llmextract incident record, schema version {SCHEMA_VERSION}"
    return schema
