"""Gold records: loading and ``llmextract gold check``.

Gold is the yardstick every run is measured against, so a slip in a gold file (an enum
misspelt, an alias where a canonical actor name belongs, an evidence offset computed on
the unrepaired text) silently moves every score.  ``check_gold`` finds those slips
before scoring does and names each one by file, incident index and field, in words an
annotator can act on without reading a Pydantic traceback.

Incident indexes are written ``incidents[i]``: 0-based, as in the JSON array.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from llmextract.documents import DocumentError, load_document
from llmextract.errors import LlmextractError, one_line
from llmextract.normalize.actors import canonical_actor
from llmextract.schema import INCIDENT_FIELDS, GoldFile, GoldIncident, Incident, is_canonical_actor

DEFAULT_GOLD_DIR = Path("evals/gold")
DEFAULT_DOCS_DIR = Path("seeds")
# JSON files a gold folder may hold beside one gold file per document (SPEC: cross-document
# clusters live in the gold folder).
CLUSTERS_FILE = "clusters.json"
NOT_GOLD_FILES = frozenset({"manifest.json", CLUSTERS_FILE})


class GoldError(LlmextractError):
    """A gold folder that cannot be used; the message is one line."""


@dataclass(frozen=True)
class GoldProblem:
    """One problem in one gold file, located as precisely as the check can."""

    file: str
    message: str
    incident: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.incident is not None:
            where += f": incidents[{self.incident}]"
            if self.field:
                where += f".{self.field}"
        elif self.field:
            where += f": {self.field}"
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "incident": self.incident,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class GoldCheckReport:
    """What ``gold check`` found: the files read, incidents counted, problems named."""

    gold_dir: Path
    files: int = 0
    incidents: int = 0
    optional: int = 0
    quotes: int = 0
    problems: list[GoldProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.files > 0

    def summary_line(self) -> str:
        return (
            f"OK: {self.files} gold files, {self.incidents} incidents "
            f"({self.optional} optional), {self.quotes} evidence quotes checked in {self.gold_dir}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "gold_dir": str(self.gold_dir),
            "files": self.files,
            "incidents": self.incidents,
            "optional": self.optional,
            "quotes": self.quotes,
            "problems": [p.to_dict() for p in self.problems],
        }


def gold_files(gold_dir: Path) -> list[Path]:
    """The gold files of a folder, sorted; a missing or empty folder is a GoldError."""
    if not gold_dir.exists():
        raise GoldError(f"gold folder {gold_dir} does not exist (give one with --gold)")
    if not gold_dir.is_dir():
        raise GoldError(f"gold folder {gold_dir} is not a folder")
    files = sorted(
        (p for p in gold_dir.glob("*.json") if p.name not in NOT_GOLD_FILES), key=lambda p: p.name
    )
    if not files:
        raise GoldError(f"gold folder {gold_dir} holds no .json gold files")
    return files


def load_gold_dir(gold_dir: Path) -> dict[str, GoldFile]:
    """Every gold file of a folder by doc_id; any unreadable file is a GoldError.

    Scoring refuses broken gold rather than skipping it: a skipped file would silently
    shrink the denominator of every figure.
    """
    gold: dict[str, GoldFile] = {}
    for path in gold_files(gold_dir):
        try:
            record = _valid_gold(path) or GoldFile.model_validate(
                json.loads(path.read_text(encoding="utf-8-sig"))
            )
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise GoldError(f"{path}: not readable JSON ({one_line(exc)})") from exc
        except ValidationError as exc:
            first = _validation_problems(path.name, exc)[0]
            raise GoldError(
                f"{first} ({exc.error_count()} problem(s); run `llmextract gold check`)"
            ) from exc
        if record.doc_id in gold:
            raise GoldError(f"{path}: doc_id {record.doc_id!r} appears in two gold files")
        gold[record.doc_id] = record
    return gold


def _valid_gold(path: Path) -> GoldFile | None:
    """The file parsed straight from its bytes when it is valid gold, else None (the slow
    path then names the problem); twice as fast as ``json.loads`` and ``model_validate``."""
    try:
        return GoldFile.model_validate_json(path.read_bytes())
    except (OSError, ValueError):
        return None


def gold_and_docs(gold_dir: Path, docs_dir: Path | None) -> tuple[Path, Path]:
    """A set folder (``gold/`` and ``docs/`` inside, like ``evals/dev``) or a gold folder,
    with the documents folder it implies unless one is given."""
    if (gold_dir / "gold").is_dir():
        return gold_dir / "gold", docs_dir or gold_dir / "docs"
    return gold_dir, docs_dir or DEFAULT_DOCS_DIR


def document_path(doc_id: str, docs_dir: Path | None) -> Path | None:
    """``<docs_dir>/<doc_id>.txt`` when it exists."""
    if docs_dir is None:
        return None
    path = docs_dir / f"{doc_id}.txt"
    return path if path.is_file() else None


def check_gold(
    gold_dir: Path = DEFAULT_GOLD_DIR, docs_dir: Path = DEFAULT_DOCS_DIR
) -> GoldCheckReport:
    """Validate every gold file in ``gold_dir``; documents are read from ``docs_dir``.

    Raises GoldError only when the folder itself is unusable (missing, empty); every
    problem inside a file is collected so one run of the check lists them all.
    """
    report = GoldCheckReport(gold_dir=gold_dir)
    for path in gold_files(gold_dir):
        report.files += 1
        report.problems.extend(_check_file(path, docs_dir, report))
    return report


def _check_file(path: Path, docs_dir: Path, report: GoldCheckReport) -> list[GoldProblem]:
    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        return [GoldProblem(name, f"cannot read the file ({one_line(exc)})")]
    except json.JSONDecodeError as exc:
        return [
            GoldProblem(name, f"not valid JSON: {exc.msg} at line {exc.lineno} col {exc.colno}")
        ]
    if not isinstance(data, dict):
        return [GoldProblem(name, "not a JSON object with doc_id, labelled_by and incidents")]

    problems: list[GoldProblem] = []
    try:
        GoldFile.model_validate(data)
    except ValidationError as exc:
        problems.extend(_validation_problems(name, exc))

    doc_id = data.get("doc_id")
    if isinstance(doc_id, str) and doc_id != path.stem:
        problems.append(
            GoldProblem(
                name, f"doc_id {doc_id!r} differs from the file name {path.stem!r}", None, "doc_id"
            )
        )

    text: str | None = None
    if isinstance(doc_id, str):
        doc_path = document_path(doc_id, docs_dir)
        if doc_path is None:
            problems.append(
                GoldProblem(
                    name,
                    f"document text {docs_dir / (doc_id + '.txt')} not found, so evidence "
                    "quotes were not checked (use --docs DIR)",
                )
            )
        else:
            try:
                text = load_document(doc_path).text
            except DocumentError as exc:
                problems.append(GoldProblem(name, f"document unreadable: {exc}"))

    raw_incidents = data.get("incidents")
    if not isinstance(raw_incidents, list):
        return problems
    for index, raw in enumerate(raw_incidents):
        try:
            incident = GoldIncident.model_validate(raw)
        except ValidationError:
            continue  # already reported through the file-level validation above
        report.incidents += 1
        report.optional += int(incident.optional)
        problems.extend(_check_incident(name, index, incident, text, report))
    return problems


def _check_incident(
    name: str, index: int, incident: GoldIncident, text: str | None, report: GoldCheckReport
) -> list[GoldProblem]:
    problems: list[GoldProblem] = []
    perpetrators: list[tuple[str, Any]] = [("perpetrator", incident.perpetrator)]
    perpetrators += [("accept.perpetrator", v) for v in incident.accept.get("perpetrator", [])]
    for field_name, value in perpetrators:
        if value is None:
            continue
        if not isinstance(value, str) or not is_canonical_actor(value):
            hint = canonical_actor(value) if isinstance(value, str) else None
            suggestion = f" (did you mean {hint!r}?)" if hint and is_canonical_actor(hint) else ""
            problems.append(
                GoldProblem(
                    name,
                    f"{value!r} is not a canonical actor name of SPEC.md{suggestion}",
                    index,
                    field_name,
                )
            )

    for field_name, values in incident.accept.items():
        if not isinstance(values, list):
            continue
        for value in values:
            error = accept_value_error(field_name, value)
            if error:
                problems.append(
                    GoldProblem(
                        name,
                        f"accepted value {value!r} is invalid: {error}",
                        index,
                        f"accept.{field_name}",
                    )
                )

    if not incident.evidence:
        problems.append(GoldProblem(name, "no evidence quote", index, "evidence"))
    for q_index, evidence in enumerate(incident.evidence):
        report.quotes += 1
        if text is None:
            continue
        where = f"evidence[{q_index}]"
        found = text.find(evidence.quote)
        if found < 0:
            hint = ""
            if _soft(evidence.quote) in _soft(text):
                hint = " (it differs from the text only in quote marks or spacing)"
            problems.append(
                GoldProblem(
                    name,
                    f"quote not found verbatim in the document{hint}: {_short(evidence.quote)!r}",
                    index,
                    where,
                )
            )
            continue
        if evidence.start is not None and evidence.end is not None:
            if text[evidence.start : evidence.end] == evidence.quote:
                continue
            found = _nearest_occurrence(text, evidence.quote, evidence.start)
            shown = _short(text[evidence.start : evidence.end])
            message = f"text[{evidence.start}:{evidence.end}] is {shown!r}, not the quote"
        else:
            message = "start/end are null"
        at = f"start={found}, end={found + len(evidence.quote)}"
        problems.append(GoldProblem(name, f"{message}; the quote is at {at}", index, where))
    return problems


@cache
def _field_adapter(field_name: str) -> TypeAdapter[Any]:
    info = Incident.model_fields[field_name]
    annotation: Any = info.annotation
    if info.metadata:
        annotation = Annotated[(annotation, *info.metadata)]
    return TypeAdapter(annotation)


def coerce_field_value(field_name: str, value: Any) -> Any:
    """A JSON value (an ``accept`` entry) as the typed value of ``field_name``.

    Raises ValueError when the value is not valid for the field.
    """
    if field_name not in INCIDENT_FIELDS:
        raise ValueError(f"{field_name!r} is not an incident field")
    try:
        return _field_adapter(field_name).validate_python(value)
    except ValidationError as exc:
        raise ValueError(one_line(exc.errors()[0]["msg"])) from exc


def accept_value_error(field_name: str, value: Any) -> str | None:
    """Why an ``accept`` value is invalid for its field, or None when it is valid."""
    try:
        coerce_field_value(field_name, value)
    except ValueError as exc:
        return str(exc)
    return None


def _validation_problems(name: str, exc: ValidationError) -> list[GoldProblem]:
    """Pydantic errors as problems located by incident index and field."""
    problems: list[GoldProblem] = []
    for error in exc.errors():
        loc = list(error.get("loc", ()))
        incident: int | None = None
        if len(loc) >= 2 and loc[0] == "incidents" and isinstance(loc[1], int):
            incident = loc[1]
            loc = loc[2:]
        field_name = _loc_text(loc) or None
        message = error.get("msg", "invalid")
        if error.get("type") not in {"missing"} and "input" in error:
            value = error["input"]
            if not isinstance(value, dict | list):
                message += f" (got {value!r})"
        problems.append(GoldProblem(name, message, incident, field_name))
    return problems


def _loc_text(loc: list[Any]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _nearest_occurrence(text: str, quote: str, near: int) -> int:
    """The start of the occurrence of ``quote`` closest to ``near`` (quotes can repeat)."""
    best = text.find(quote)
    position = best
    while position >= 0:
        if abs(position - near) < abs(best - near):
            best = position
        position = text.find(quote, position + 1)
    return best


def _soft(text: str) -> str:
    table = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
    return " ".join(text.translate(table).split())


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
