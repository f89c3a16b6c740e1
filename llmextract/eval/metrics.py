"""Scoring a run: align each document's predictions to its gold, then count.

See ``llmextract.eval`` for what each figure means.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from llmextract.documents import (
    DocumentError,
    binary_kind,
    decode_bytes,
    load_document,
    text_digest,
)
from llmextract.eval.align import align
from llmextract.eval.comparators import SCORED_FIELDS, field_correct, slot_filled
from llmextract.eval.gold import DEFAULT_DOCS_DIR, document_path, load_gold_dir
from llmextract.eval.results import DocumentScore, EvalResult, FieldCheck
from llmextract.run.folder import Run, load_run
from llmextract.schema import Evidence, GoldFile, GoldIncident, Incident


def _quote_grounded(evidence: Evidence, text: str | None) -> tuple[bool, bool]:
    """(grounded, verified against the text)."""
    if evidence.start is None or evidence.end is None:
        return False, text is not None
    if text is None:
        return True, False
    return text[evidence.start : evidence.end] == evidence.quote, True


def score_document(
    doc_id: str,
    gold: list[GoldIncident],
    predicted: list[Incident],
    text: str | None = None,
    missing_from_run: bool = False,
) -> DocumentScore:
    """Align and score one document's predictions against its gold incidents."""
    matches = align(gold, predicted)
    doc = DocumentScore(
        doc_id=doc_id,
        gold=gold,
        predicted=predicted,
        matches=matches,
        missing_from_run=missing_from_run,
        text=text,
    )
    by_gold = {m.gold_index: m for m in matches}
    for gi, g in enumerate(gold):
        if g.optional:
            continue
        match = by_gold.get(gi)
        pred = predicted[match.pred_index] if match else None
        for name in SCORED_FIELDS:
            correct = field_correct(name, g, pred) if pred is not None else None
            if pred is not None and match is not None and correct is not None:
                doc.field_checks.append(
                    FieldCheck(
                        gi, match.pred_index, name, correct, getattr(g, name), getattr(pred, name)
                    )
                )
            if slot_filled(name, g):
                doc.slot_total += 1
                doc.slot_correct += int(bool(correct))
    for p in predicted:
        for evidence in p.evidence:
            grounded, verified = _quote_grounded(evidence, text)
            doc.quotes += 1
            doc.quotes_grounded += int(grounded)
            doc.quotes_unverified += int(grounded and not verified)
    return doc


def _recorded_text(path: Path, document: Mapping[str, Any]) -> str | None:
    """The file's text without the mojibake repair, when the run's ``sha256`` says that is
    exactly the text it read (no repair was needed); else None.

    The repair (ftfy over every token) is most of the cost of scoring a large run, and the
    digest makes skipping it safe: equal digests mean the text ``load_document`` would
    return.
    """
    digest, published = document.get("sha256"), document.get("published")
    if not isinstance(digest, str) or not digest:
        return None
    try:
        raw = path.read_bytes()
        day = dt.date.fromisoformat(published) if isinstance(published, str) else None
    except (OSError, ValueError):
        return None
    if binary_kind(raw):
        return None
    text = decode_bytes(raw)[0].replace("\r\n", "\n").replace("\r", "\n")
    return text if text_digest(text, day) == digest else None


def _document_text(
    doc_id: str, meta: Mapping[str, Any], docs_dir: Path | None, cache: dict[Path, str | None]
) -> str | None:
    """The repaired text, via ``meta.document.path`` when it exists, else ``docs_dir``."""
    document = meta.get("document") if isinstance(meta, Mapping) else None
    if not isinstance(document, Mapping):
        document = {}

    def candidates() -> Iterator[Path]:
        if document.get("path"):
            yield Path(str(document["path"]))
        fallback = document_path(doc_id, docs_dir)  # looked for only when needed
        if fallback is not None:
            yield fallback

    for path in candidates():
        if not path.is_file():
            continue
        if path not in cache:
            text = _recorded_text(path, document)
            if text is None:
                try:
                    text = load_document(path).text
                except DocumentError:
                    text = None
            cache[path] = text
        if cache[path] is not None:
            return cache[path]
    return None


def score_run(
    run: Run,
    gold: Mapping[str, GoldFile],
    docs_dir: Path | None = DEFAULT_DOCS_DIR,
    gold_path: Path | None = None,
) -> EvalResult:
    """Score every gold document; a gold document absent from the run predicts nothing."""
    cache: dict[Path, str | None] = {}
    documents: list[DocumentScore] = []
    for doc_id in sorted(gold):
        run_doc = run.documents.get(doc_id)
        predicted = run_doc.incidents if run_doc else []
        meta = run_doc.meta if run_doc else {}
        text = _document_text(doc_id, meta, docs_dir, cache)
        documents.append(
            score_document(
                doc_id,
                list(gold[doc_id].incidents),
                list(predicted),
                text=text,
                missing_from_run=run_doc is None,
            )
        )
    extra = sorted(set(run.documents) - set(gold))
    return EvalResult(
        run_path=run.path,
        gold_path=gold_path,
        documents=documents,
        run=run,
        extra_documents=extra,
        warnings=list(run.warnings),
    )


def evaluate(run_dir: Path, gold_dir: Path, docs_dir: Path | None = DEFAULT_DOCS_DIR) -> EvalResult:
    """Load a run folder and a gold folder and score one against the other."""
    gold = load_gold_dir(gold_dir)
    run = load_run(run_dir)
    return score_run(run, gold, docs_dir=docs_dir, gold_path=gold_dir)
