"""Eval: scoring extraction runs against hand-labelled gold, and comparing runs.

Modules follow the path of a score: ``gold`` (load and check gold), ``comparators`` (a
registry of typed field comparators), ``align`` (similarity and the one-to-one
alignment), ``results`` (figures per document and per run), ``metrics`` (score a run),
``compare`` (paired bootstrap between runs).  Run folders are read by
``llmextract.run.folder``.

A document can hold several incidents, so scoring starts by deciding which predicted
incident is which gold incident.  Everything else (precision and recall, field accuracy,
slot recall) is computed on that one-to-one alignment.

Alignment
---------
Per document, predicted incidents are aligned to gold incidents one-to-one with
``scipy.optimize.linear_sum_assignment`` (maximising total similarity).  The similarity
of a (gold, predicted) pair is a weighted mean of components, each in [0, 1]:

=============== ====== ==============================================================
component       weight value
=============== ====== ==============================================================
evidence        3.0    best overlap between a predicted and a gold evidence quote: the
                       shared characters over the shorter span when both have offsets,
                       else ``(partial_ratio - 50) / 50`` of the folded quotes (clipped)
place           2.0    at the most specific level either side names (place, else
                       admin1, else country): 1 when the folded names agree (or the
                       predicted one is in gold ``accept``); otherwise 0.5 when admin1
                       agrees, 0.1 when only the country agrees, else 0
date            1.5    both ranges resolved: 1 when they overlap (1 day slack), falling
                       linearly to 0 at 31 days apart; neither resolved but both have
                       ``date_text``: folded token-set ratio / 100; one-sided: 0
incident_type   1.5    1 when equal or in ``accept``, else 0
actors          1.0    mean of perpetrator (same canonical actor, or in ``accept``) and
                       target (folded token-set ratio / 100); a side null on both is left out
counts          1.0    mean over killed and wounded: 1 when equal or accepted, min/max
                       when both are given and differ, 0 when only one side gives it
=============== ====== ==============================================================

A component that is empty on both sides (no place at all, no dates; for evidence, none
on either side) is left out rather than counted as agreement, so that shared blanks never
make two incidents look alike.  The weighted sum of the components present is divided by
``max(sum of their weights, 5.0)`` (half the total weight of 10):
a pair that can only be compared on one or two weak components (say, incident type)
cannot reach a high score by having little else to compare.

A pair below ``MATCH_THRESHOLD = 0.4`` is not a match (sub-threshold similarities are
zeroed before the assignment, so they never displace a real match).  Exact ties (two
near-identical incidents, such as a teaser and its body) are broken by a 0.001-weighted
term for exact evidence extent (Jaccard of spans) and summary wording; it never changes a
reported similarity.  Justification, pinned
by tests in ``tests/test_scoring.py``: the right incident with one field wrong scores about
0.85; the right incident quoted elsewhere in the article (headline versus body, no
evidence overlap) scores 0.70, and 0.55 with its type wrong too; a different attack of
the same type by the same group, in another region, months apart, with disjoint
evidence, scores about 0.28; agreement on type and country alone scores 0.34.  Cases in
between (same group, same type, same region, a week apart, disjoint evidence: about
0.48) match only when nothing closer competes for the same gold incident.

Figures
-------
* Incident precision, recall and F1, micro over documents (TP, FP and FN summed), and
  per document.  A prediction matched to an ``optional`` gold incident is neither a true
  nor a false positive; an unmatched optional gold incident is not a miss.  The
  assignment runs over all gold (optional included) so an optional incident can absorb
  a prediction.  With nothing predicted, precision is 1 if nothing was to be found and
  0 otherwise; recall with nothing to find is 1 if nothing was predicted, else 0.
* Field accuracy: over matched pairs with non-optional gold, every SPEC field except
  ``summary`` and ``evidence`` (grounding covers evidence) is compared with a typed
  comparator (see ``FIELD_KINDS``): names (place, admin1, country) folded for case,
  accents and punctuation; perpetrator through ``canonical_actor``; free text
  (date_text, location_text, target) by folded token-set ratio >= 80; dates within the
  tolerance of the gold ``date_precision`` (day: one day either side; week: same ISO
  week; month: same month; year: same year; otherwise exact); counts and enums exact;
  latitude/longitude within 0.05 degrees and only scored when the gold gives a value;
  sources correct when the set of stances equals the gold set (source names vary too
  much between writers to compare).  A value is correct when it equals the gold value or
  any value in gold ``accept[field]``; null matches null.  The headline figure is the
  micro average over all (pair, field) comparisons.
* Slot recall (end to end): over all non-optional gold incidents, matched or not, the
  share of gold slots with a value (not null, not an enum's ``unknown``, not an empty
  source list) that the matched prediction got right; an unmatched gold incident gets
  all its slots wrong.
* Grounding: the share of predicted evidence quotes whose ``start``/``end`` are set and,
  when the document text is available, satisfy ``text[start:end] == quote``.
"""
