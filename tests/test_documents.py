"""Documents: decoding, repair, sidecars and the one-line errors for bad input."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

import pytest

from llmextract.documents import DocumentError, discover, load_document


def write(path: Path, data: bytes | str) -> Path:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def test_mojibake_is_repaired_and_recorded(tmp_path: Path) -> None:
    text = "Fighters stormed the DirĂ© prison on Monday. “It is done,” they said. DirĂ© is quiet."
    doc = load_document(write(tmp_path / "a.txt", text))
    assert "Diré prison" in doc.text and "Ă" not in doc.text
    assert "“It is done,”" in doc.text  # genuine curly quotes are kept
    assert doc.repairs == ({"kind": "mojibake", "from": "DirĂ©", "to": "Diré", "count": 2},)
    assert doc.meta()["repairs"][0]["to"] == "Diré"


def test_whole_document_mojibake_is_repaired(tmp_path: Path) -> None:
    broken = "Attaque à Ségou: deux soldats tués.".encode().decode("cp1250").encode("utf-8")
    doc = load_document(write(tmp_path / "b.txt", broken))
    assert doc.text == "Attaque à Ségou: deux soldats tués."


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        ("Ségou attaqué – 3 morts".encode("cp1252"), "cp1252"),
        ("Ségou attaqué".encode("latin-1"), "cp1252"),
        (b"\xef\xbb\xbfS\xc3\xa9gou attack", "utf-8-sig"),
    ],
)
def test_legacy_encodings_and_bom_decode(tmp_path: Path, raw: bytes, encoding: str) -> None:
    doc = load_document(write(tmp_path / "c.txt", raw))
    assert doc.text.startswith("Ségou")
    assert doc.encoding == encoding
    assert "\ufeff" not in doc.text


def test_binary_files_give_one_line_errors(tmp_path: Path) -> None:
    png = write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    archive = tmp_path / "archive.txt"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("x.txt", "hello")
    for path, kind in ((png, "PNG"), (archive, "zip")):
        with pytest.raises(DocumentError) as info:
            load_document(path)
        message = str(info.value)
        assert str(path) in message and kind in message and "\n" not in message


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.txt", "text")
    path.chmod(0)
    with pytest.raises(DocumentError, match="cannot read"):
        load_document(path)


def test_unreadable_folder_as_file(tmp_path: Path) -> None:
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(DocumentError, match=r"folder\.txt: cannot read"):
        load_document(folder)


@pytest.mark.parametrize("content", ["", "   \n\t  \n"])
def test_empty_documents_load_with_a_warning(tmp_path: Path, content: str) -> None:
    doc = load_document(write(tmp_path / "empty.txt", content))
    assert not doc.text.strip()
    assert any("empty document" in w for w in doc.warnings)


def test_sidecar_sets_published_and_bad_sidecars_warn(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Text.")
    write(tmp_path / "a.meta.json", '{"published": "2020-01-27", "url": "u", "source": "s"}')
    assert load_document(tmp_path / "a.txt").published == dt.date(2020, 1, 27)

    write(tmp_path / "b.txt", "Text.")
    write(tmp_path / "b.meta.json", "{not json")
    doc = load_document(tmp_path / "b.txt")
    assert doc.published is None and "not valid JSON" in doc.warnings[0]

    write(tmp_path / "c.txt", "Text.")
    write(tmp_path / "c.meta.json", '{"published": "27/01/2020"}')
    doc = load_document(tmp_path / "c.txt")
    assert doc.published is None and "not YYYY-MM-DD" in doc.warnings[0]


def test_discover_expands_folders_and_reports_missing_paths(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", "B")
    write(tmp_path / "a.txt", "A")
    write(tmp_path / "a.meta.json", "{}")
    found, errors = discover([tmp_path, tmp_path / "a.txt", tmp_path / "nope"])
    assert [p.name for p in found] == ["a.txt", "b.txt"]
    assert len(errors) == 1 and "nope: no such file or folder" in str(errors[0])


def test_document_hash_changes_with_text_and_published(tmp_path: Path) -> None:
    first = load_document(write(tmp_path / "a.txt", "Text one."))
    write(tmp_path / "a.meta.json", '{"published": "2020-01-01"}')
    second = load_document(tmp_path / "a.txt")
    assert first.sha256 != second.sha256
