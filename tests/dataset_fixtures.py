"""Invented runs for the dataset tests: three outlets telling one ambush, and others.

Every text, place pairing, figure and outlet here is invented for the tests; none is
taken from the seeds or the development set.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DOCS: dict[str, tuple[str, str | None, str | None]] = {
    # doc_id: (text, published, url)
    "t01_courier": (
        "Gunmen ambushed a fuel convoy near Ansongo on Tuesday, killing seven drivers.\n",
        "2023-06-07",
        "https://courier.example/ansongo",
    ),
    "t02_bulletin": (
        "The army said nine drivers died when a convoy was ambushed outside Ansongo.\n"
        "Separately, a mortar round hit a market in Gao on 3 June.\n",
        "2023-06-09",
        None,
    ),
    "t03_digest": (
        "June: a convoy ambush in the Gao region killed nine; JNIM later claimed it.\n",
        "2023-07-02",
        None,
    ),
    "t04_far": (
        "Militants stormed a gendarmerie post in Koutiala in March, wounding two.\n",
        "2023-03-20",
        None,
    ),
}


def incident(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "summary": "invented",
        "incident_type": "ambush",
        "date_precision": "day",
        "country": "Mali",
        "admin1": "Gao",
        "geo_precision": "place",
    }
    base.update(values)
    return base


def predictions() -> dict[str, list[dict[str, Any]]]:
    return {
        "t01_courier": [
            incident(
                date_start="2023-06-06",
                date_end="2023-06-06",
                date_text="Tuesday",
                place="Ansongo",
                latitude=15.66,
                longitude=0.50,
                perpetrator="unidentified armed group",
                killed=7,
                target_type="civilians",
                sources=[{"source": "local officials", "stance": "reports"}],
                evidence=[
                    {"quote": "Gunmen ambushed a fuel convoy near Ansongo", "start": 0, "end": 42}
                ],
            )
        ],
        "t02_bulletin": [
            incident(
                date_start="2023-06-06",
                date_end="2023-06-06",
                place="Ansongo",
                latitude=15.66,
                longitude=0.50,
                killed=9,
                target_type="civilians",
                sources=[{"source": "Malian military", "stance": "confirms"}],
            ),
            incident(
                incident_type="indirect_fire",
                date_start="2023-06-03",
                date_end="2023-06-03",
                place="Gao",
                latitude=16.27,
                longitude=-0.04,
                target_type="civilians",
            ),
        ],
        "t03_digest": [
            incident(
                date_start="2023-06-01",
                date_end="2023-06-30",
                date_precision="month",
                place=None,
                geo_precision="admin1",
                perpetrator="JNIM",
                attribution="claimed",
                killed=12,
                target_type="civilians",
                sources=[{"source": "JNIM", "stance": "claims"}],
            )
        ],
        "t04_far": [
            incident(
                incident_type="armed_assault",
                date_start="2023-03-14",
                date_end="2023-03-14",
                place="Koutiala",
                admin1="Sikasso",
                latitude=12.39,
                longitude=-5.46,
                perpetrator="jihadists",
                wounded=2,
                target_type="police",
            )
        ],
    }


def write_run(root: Path, name: str = "run", docs: bool = True) -> Path:
    """A run folder (and, beside it, the documents) holding ``predictions()``."""
    run = root / name
    run.mkdir(parents=True)
    folder = root / "docs"
    for doc_id, incidents in predictions().items():
        text, published, url = DOCS[doc_id]
        if docs:
            folder.mkdir(exist_ok=True)
            (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        meta = {
            "document": {
                "path": str(folder / f"{doc_id}.txt"),
                "published": published,
                "url": url,
                "source": "Invented Outlet",
            }
        }
        data = {"doc_id": doc_id, "incidents": incidents, "meta": meta}
        (run / f"{doc_id}.json").write_text(json.dumps(data), encoding="utf-8")
    manifest = {
        "model": "local",
        "prompt": {"name": "p", "hash": "abcdef0123"},
        "strategy": "events",
    }
    (run / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return run


def gold_folder(tmp_path: Path) -> Path:
    """Gold equal to the predictions, and one gold event of the three ambush reports."""
    run = tmp_path / "run"
    gold = tmp_path / "gold"
    gold.mkdir()
    for path in run.glob("t*.json"):
        data = json.loads(path.read_text("utf-8"))
        data = {"doc_id": data["doc_id"], "labelled_by": "hand", "incidents": data["incidents"]}
        (gold / path.name).write_text(json.dumps(data), "utf-8")
    members = [{"doc_id": d, "incident": 0} for d in ("t01_courier", "t02_bulletin", "t03_digest")]
    clusters = {"clusters": [{"event_id": "ambush", "members": members}]}
    (gold / "clusters.json").write_text(json.dumps(clusters), "utf-8")
    return gold
