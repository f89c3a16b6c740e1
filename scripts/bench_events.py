"""Benchmark of ``llmextract events`` on synthetic incidents: prints seconds and pairs.

A speed target lives here, not in a timed test.  The script invents ``--events`` attacks
(random places in the Mali / Burkina Faso / Niger box, five years of dates, tactics,
perpetrators, tolls), has one to four documents report each with the noise real
extractions show (a place dropped to its region, a date a day off or only a month, a
related tactic, a toll that grew), and times blocking, decision and clustering, then
scores the clusters against the invented truth:

    python scripts/bench_events.py --incidents 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from llmextract.dataset.clusters_eval import score_partition
from llmextract.dataset.matching import candidate_pairs, cluster, features, scored_pairs
from llmextract.dataset.records import Record
from llmextract.schema import Incident

COUNTRIES = {
    "Mali": (-12.0, 4.0, 10.5, 24.0),
    "Burkina Faso": (-5.0, 2.0, 10.0, 15.0),
    "Niger": (0.5, 15.5, 12.0, 23.0),
}
TACTICS = ["armed_assault", "ambush", "ied", "kidnapping", "massacre", "indirect_fire"]
RELATED = {"armed_assault": "ambush", "ambush": "armed_assault", "massacre": "armed_assault"}
ACTORS = ["JNIM", "ISGS", "unidentified armed group", "jihadists", "Malian armed forces"]


def synthetic(total: int, seed: int) -> tuple[list[Record], list[list[int]]]:
    """``total`` incident reports and the true events (lists of report indexes)."""
    rng = random.Random(seed)
    places = []
    for k in range(max(total // 40, 50)):
        country = rng.choice(list(COUNTRIES))
        lon0, lon1, lat0, lat1 = COUNTRIES[country]
        places.append(
            (
                f"Place{k}",
                f"Region{k % 37}",
                country,
                rng.uniform(lat0, lat1),
                rng.uniform(lon0, lon1),
            )
        )
    first = dt.date(2020, 1, 1)
    records: list[Record] = []
    truth: list[list[int]] = []
    doc = 0
    while len(records) < total:
        place, region, country, lat, lon = rng.choice(places)
        day = first + dt.timedelta(days=rng.randrange(5 * 365))
        tactic, actor, killed = rng.choice(TACTICS), rng.choice(ACTORS), rng.randrange(0, 40)
        members = []
        for _ in range(min(rng.choice([1, 1, 1, 2, 2, 3, 4]), total - len(records))):
            start = end = day + dt.timedelta(days=rng.choice([0, 0, 0, 1]))
            precision = "day"
            if rng.random() < 0.1:
                start, end, precision = day.replace(day=1), day.replace(day=28), "month"
            named = rng.random() > 0.2
            incident = Incident(
                summary="synthetic",
                incident_type=RELATED.get(tactic, tactic) if rng.random() < 0.1 else tactic,
                date_start=start,
                date_end=end,
                date_precision=precision,
                place=place if named else None,
                admin1=region,
                country=country,
                geo_precision="place" if named else "admin1",
                latitude=lat if named else None,
                longitude=lon if named else None,
                perpetrator=actor if rng.random() < 0.7 else None,
                killed=killed + rng.choice([0, 0, 0, 2]) if rng.random() < 0.8 else None,
            )
            members.append(len(records))
            records.append(Record(run="synthetic", doc_id=f"doc{doc}", index=0, incident=incident))
            doc += 1
        truth.append(members)
    return records, truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    t0 = time.perf_counter()
    records, truth = synthetic(args.incidents, args.seed)
    t1 = time.perf_counter()
    feats = [features(r) for r in records]
    t2 = time.perf_counter()
    candidates = candidate_pairs(feats)
    t3 = time.perf_counter()
    kept = scored_pairs(feats)
    t4 = time.perf_counter()
    clusters = cluster(feats)
    t5 = time.perf_counter()
    score = score_partition(clusters, truth, range(len(records)))
    n = len(records)
    print(f"synthetic incidents: {n:,} ({len(truth):,} true events), made in {t1 - t0:.1f} s")
    print(f"features: {t2 - t1:.1f} s")
    print(
        f"blocking: {len(candidates):,} candidate pairs of {n * (n - 1) // 2:,} ({t3 - t2:.1f} s)"
    )
    print(f"decision: {len(kept):,} pairs at or above the merge score ({t4 - t3:.1f} s)")
    print(
        f"clusters (blocking + decision + clustering): {t5 - t2:.1f} s, "
        f"{sum(1 for c in clusters if len(c) > 1):,} events of several documents"
    )
    print(
        f"against the invented truth: pairwise P {score.pairwise_precision:.3f} "
        f"R {score.pairwise_recall:.3f} F1 {score.pairwise_f1:.3f}; "
        f"B-cubed F1 {score.bcubed_f1:.3f}"
    )


if __name__ == "__main__":
    main()
