"""Documents: discovery, decoding, encoding repair and sidecar metadata.

Everything downstream (prompts, evidence offsets, gold quotes) works on the *repaired*
text produced here, so repair is deterministic and recorded in the document's meta.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmextract.errors import LlmextractError, one_line

if TYPE_CHECKING:
    import ftfy


@functools.cache
def _ftfy() -> tuple[Any, ftfy.TextFixerConfig]:
    """ftfy and its configuration, imported on the first document read: a resume that
    reads no document does not pay its ~60 ms import.

    Repair only what is broken: keep curly quotes, line breaks and ligatures as written,
    so evidence quotes stay verbatim against what a reader of the article sees.
    """
    import ftfy

    config = ftfy.TextFixerConfig(
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        normalization=None,
    )
    return ftfy, config


_BINARY_MAGIC: dict[bytes, str] = {
    b"\x89PNG": "a PNG image",
    b"PK\x03\x04": "a zip archive",
    b"%PDF": "a PDF file",
    b"\x1f\x8b": "a gzip archive",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x7fELF": "an executable",
}
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


class DocumentError(LlmextractError):
    """A document that cannot be read; the message is one line naming the file."""


@dataclass(frozen=True)
class Document:
    doc_id: str
    path: Path
    text: str
    published: dt.date | None = None
    url: str | None = None
    source: str | None = None
    encoding: str = "utf-8"
    repairs: tuple[dict[str, Any], ...] = ()
    warnings: tuple[str, ...] = ()
    sha256: str = field(default="")

    def meta(self) -> dict[str, Any]:
        """What a run records about the document it read."""
        return {
            "path": str(self.path),
            "published": self.published.isoformat() if self.published else None,
            "url": self.url,
            "source": self.source,
            "encoding": self.encoding,
            "repairs": list(self.repairs),
            "warnings": list(self.warnings),
            "sha256": self.sha256,
            "chars": len(self.text),
        }


def document_id(path: str | os.PathLike[str]) -> str:
    """The file name without ``.txt`` (SPEC: a document's id)."""
    name = path.rpartition(os.sep)[2] if isinstance(path, str) else os.path.basename(path)
    return name.removesuffix(".txt") if name.endswith(".txt") else os.path.splitext(name)[0]


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[DocumentError]]:
    """Expand files and folders into ``.txt`` documents, sorted, without duplicates."""
    found, errors = find_documents(paths)
    return [Path(path) for path in found], errors


def find_documents(paths: Iterable[Path]) -> tuple[list[str], list[DocumentError]]:
    """``discover`` as path strings: a resume of 100,000 documents builds a ``Path`` only
    for those it still has to read (pathlib parsing was most of listing them).

    Paths keep the spelling the user gave (a symlink keeps its own name, so errors and
    ids name the file the user knows); duplicates are found by device and inode.  Two
    different files with one id would overwrite each other's output, so the second is
    an error naming both.
    """
    found: dict[tuple[int, int], str] = {}  # by (device, inode): the file, however named
    errors: list[DocumentError] = []
    for path in paths:
        if path.is_dir():
            for child, identity in _text_files(str(_absolute(path))):
                found.setdefault(identity, child)
        elif path.is_file():
            stat = path.stat()
            found.setdefault((stat.st_dev, stat.st_ino), str(_absolute(path)))
        else:
            errors.append(DocumentError(f"{path}: no such file or folder"))
    documents: list[str] = []
    owners: dict[str, str] = {}
    keyed = sorted((document_id(path), path) for path in found.values())
    for doc_id, path in keyed:
        if doc_id in owners:
            errors.append(
                DocumentError(
                    f"{path}: same document id {doc_id!r} as {owners[doc_id]}; rename one"
                )
            )
            continue
        owners[doc_id] = path
        documents.append(path)
    return documents, errors


def _text_files(folder: str) -> Iterator[tuple[str, tuple[int, int]]]:
    """``.txt`` files under a folder with their (device, inode), as ``rglob`` finds them.

    ``os.scandir`` rather than ``rglob`` and ``resolve``: no stat at all for a plain file
    (its inode comes with the listing, its device is its folder's), where ``resolve``
    stats every component of every path.
    """
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            device = os.stat(current).st_dev
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):  # as rglob: no walk into linked folders
                stack.append(entry.path)
            elif entry.name.endswith(".txt") and entry.is_file():
                if entry.is_symlink():  # the file it points to, wherever that is
                    stat = os.stat(entry.path)
                    yield entry.path, (stat.st_dev, stat.st_ino)
                else:
                    yield entry.path, (device, entry.inode())


def _absolute(path: Path) -> Path:
    return Path(os.path.normpath(path.absolute()))


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """Decode with a BOM if present, else UTF-8, else Windows-1252, else Latin-1."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw.decode(encoding), encoding
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def binary_kind(raw: bytes) -> str | None:
    """Name the kind of binary file, or None when the bytes look like text."""
    for magic, kind in _BINARY_MAGIC.items():
        if raw.startswith(magic):
            return kind
    sample = raw[:4096]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "a binary file"
    return None


def repair_text(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Undo mojibake and report each distinct repair (what was written, what it became).

    The whole text is repaired first (a document decoded entirely with the wrong code
    page), then each whitespace-delimited token on its own: whole-text repair leaves mixed
    documents alone, such as an article where one name was decoded with the wrong code
    page among correct curly quotes.
    """
    ftfy, config = _ftfy()
    whole = ftfy.fix_text(text, config=config)
    repaired = re.sub(r"[^ \t\n\r\f\v]+", _repair_token, whole)
    counts: Counter[tuple[str, str]] = Counter()
    before, after = _TOKENS.findall(text), _TOKENS.findall(repaired)
    if len(before) == len(after):
        counts.update((b, a) for b, a in zip(before, after, strict=True) if b != a)
    elif repaired != text:
        counts[(text[:40], repaired[:40])] += 1
    repairs = [{"kind": "mojibake", "from": b, "to": a, "count": n} for (b, a), n in counts.items()]
    return repaired, repairs


_TOKENS = re.compile(r"[^\s]+")


def _repair_token(match: re.Match[str]) -> str:
    token = match.group(0)
    # Printable ASCII without "&" is what ftfy leaves alone under this config (mojibake and
    # surrogates need non-ASCII, entities "&", escapes and controls non-printables): most
    # tokens, skipped rather than sent through ftfy one by one.
    if token.isascii() and token.isprintable() and "&" not in token:
        return token
    ftfy, config = _ftfy()
    return ftfy.fix_text(token, config=config)  # type: ignore[no-any-return]


def read_meta(meta_path: Path) -> tuple[dict[str, Any], list[str]]:
    """Read a ``.meta.json`` sidecar; problems become warnings, never a lost document."""
    if not meta_path.exists():
        return {}, []
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, [f"{meta_path.name}: sidecar ignored, not valid JSON ({one_line(exc)})"]
    if not isinstance(meta, dict):
        return {}, [f"{meta_path.name}: sidecar ignored, not a JSON object"]
    warnings: list[str] = []
    published = meta.get("published")
    if published is not None:
        try:
            meta["published"] = dt.date.fromisoformat(str(published))
        except ValueError:
            warnings.append(
                f"{meta_path.name}: published date {published!r} is not YYYY-MM-DD; "
                "relative dates stay unresolved"
            )
            meta["published"] = None
    return meta, warnings


def text_digest(text: str, published: dt.date | None) -> str:
    """The ``sha256`` a run records for a document: its repaired text and publication date.

    Scoring compares it with the raw text's to skip the repair when there was nothing to repair.
    """
    return hashlib.sha256(
        json.dumps([text, published.isoformat() if published else None]).encode()
    ).hexdigest()


def load_document(path: Path) -> Document:
    """Read, decode and repair one document and its sidecar."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror or one_line(exc)})") from exc
    kind = binary_kind(raw)
    if kind:
        raise DocumentError(f"{path}: {kind}, not a text document")
    decoded, encoding = decode_bytes(raw)
    text, repairs = repair_text(decoded)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    doc_id = document_id(path)
    meta, warnings = read_meta(path.with_name(f"{doc_id}.meta.json"))
    if not text.strip():
        warnings.append(f"{path.name}: empty document, nothing to extract")
    published = meta.get("published")
    digest = text_digest(text, published)
    return Document(
        doc_id=doc_id,
        path=path,
        text=text,
        published=published,
        url=meta.get("url"),
        source=meta.get("source"),
        encoding=encoding,
        repairs=tuple(repairs),
        warnings=tuple(warnings),
        sha256=digest,
    )
