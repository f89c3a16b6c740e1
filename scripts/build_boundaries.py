"""Build ``llmextract/dataset/data/sahel_boundaries.json`` from Natural Earth.

The map in the reports needs the outlines of Mali, Burkina Faso and Niger offline.  They
come from Natural Earth's 1:110m admin-0 countries (public domain), as shipped inside
the ``geopandas==0.14.4`` wheel (``geopandas/datasets/naturalearth_lowres``; later
geopandas releases dropped it).  The shapefile is read here with the standard library so
the build needs no GIS stack:

    pip download geopandas==0.14.4 --no-deps -d /tmp/gpd
    unzip /tmp/gpd/geopandas-0.14.4-py3-none-any.whl 'geopandas/datasets/*' -d /tmp/gpd
    python scripts/build_boundaries.py /tmp/gpd/geopandas/datasets/naturalearth_lowres
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

COUNTRIES = ("Mali", "Burkina Faso", "Niger")
OUT = (
    Path(__file__).resolve().parents[1]
    / "llmextract"
    / "dataset"
    / "data"
    / "sahel_boundaries.json"
)


def read_dbf(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    count, header_len, record_len = struct.unpack("<IHH", data[4:12])
    fields = []
    offset = 32
    while data[offset] != 0x0D:
        name = data[offset : offset + 11].split(b"\0")[0].decode("latin-1")
        fields.append((name, data[offset + 16]))
        offset += 32
    rows = []
    for i in range(count):
        start = header_len + i * record_len + 1
        row, pos = {}, start
        for name, size in fields:
            row[name] = data[pos : pos + size].decode("latin-1").strip()
            pos += size
        rows.append(row)
    return rows


def read_polygons(path: Path) -> list[list[list[tuple[float, float]]]]:
    data = path.read_bytes()
    pos, shapes = 100, []
    while pos < len(data):
        _, length = struct.unpack(">II", data[pos : pos + 8])
        content = data[pos + 8 : pos + 8 + 2 * length]
        pos += 8 + 2 * length
        if struct.unpack("<i", content[:4])[0] != 5:
            shapes.append([])
            continue
        parts_n, points_n = struct.unpack("<ii", content[36:44])
        parts = list(struct.unpack(f"<{parts_n}i", content[44 : 44 + 4 * parts_n]))
        base = 44 + 4 * parts_n
        points = [
            struct.unpack("<dd", content[base + 16 * k : base + 16 * k + 16])
            for k in range(points_n)
        ]
        rings = [points[a:b] for a, b in zip(parts, [*parts[1:], points_n], strict=True)]
        shapes.append([[(round(x, 3), round(y, 3)) for x, y in ring] for ring in rings])
    return shapes


def main(folder: Path) -> None:
    rows = read_dbf(folder / "naturalearth_lowres.dbf")
    shapes = read_polygons(folder / "naturalearth_lowres.shp")
    countries = {
        row["name"]: {"iso3": row["iso_a3"], "rings": shape}
        for row, shape in zip(rows, shapes, strict=True)
        if row["name"] in COUNTRIES
    }
    missing = set(COUNTRIES) - set(countries)
    if missing:
        raise SystemExit(f"not in the shapefile: {sorted(missing)}")
    out = {
        "_about": "Outlines of Mali, Burkina Faso and Niger (lon, lat rings), from Natural Earth "
        "1:110m admin-0 countries as shipped in the geopandas 0.14.4 wheel "
        "(geopandas/datasets/naturalearth_lowres). Natural Earth is in the public domain "
        "(naturalearthdata.com/about/terms-of-use). Built by scripts/build_boundaries.py.",
        "countries": countries,
    }
    OUT.write_text(json.dumps(out, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(countries)} countries)")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
