"""From draft to record, on made-up text: grounding guards, derived fields, merging."""

from __future__ import annotations

import datetime as dt

from llmextract.drafts import IncidentDraft
from llmextract.grounding import ground
from llmextract.normalize.merge import merge_mentions
from llmextract.normalize.record import (
    MentionContext,
    draft_to_incident,
    is_codable,
)
from llmextract.schema import (
    Attribution,
    Confirmation,
    GeoPrecision,
    Incident,
    IncidentType,
    Stance,
)

TEXT = (
    "Militants storm army base in central Mali\n\n"
    "The Group for Support of Islam and Muslims said its fighters stormed an army base near "
    "Bankass in the Mopti region on March 3, killing at least 12 soldiers. "
    "Two days later, the jihadist group detonated a roadside bomb near Koro, wounding two soldiers. "
    "The army confirmed the attack on the base. "
    "Dozens of prisoners were freed from a jail in Mopti during the unrest."
)
PUBLISHED = dt.date(2021, 3, 8)


def mention(sentence: str) -> MentionContext:
    start = TEXT.index(sentence)
    return MentionContext(start, start + len(sentence), "", window=TEXT)


def code(draft: IncidentDraft, sentence: str) -> Incident:
    m = mention(sentence)
    evidence = [ground(TEXT, sentence, near=m.start)]
    return draft_to_incident(draft, text=TEXT, published=PUBLISHED, mention=m, evidence=evidence)


BASE = (
    "The Group for Support of Islam and Muslims said its fighters stormed an army base near "
    "Bankass in the Mopti region on March 3, killing at least 12 soldiers."
)
BOMB = (
    "Two days later, the jihadist group detonated a roadside bomb near Koro, wounding two soldiers."
)


def test_fields_are_derived_in_code() -> None:
    incident = code(
        IncidentDraft(
            incident_type=IncidentType.armed_assault,
            date_text="March 3",
            location_text="near Bankass in the Mopti region",
            perpetrator="Group for Support of Islam and Muslims",
            attribution=Attribution.claimed,
            target="army base",
            killed="at least 12",
            confirmed_by="The army",
        ),
        BASE,
    )
    assert (incident.date_start, incident.date_end) == (dt.date(2021, 3, 3), dt.date(2021, 3, 3))
    assert incident.place == "Bankass" and incident.admin1 == "Mopti" and incident.country == "Mali"
    assert incident.geo_precision == GeoPrecision.near
    assert incident.perpetrator == "JNIM" and incident.killed == 12
    assert incident.confirmation == Confirmation.confirmed
    assert {(s.source, s.stance) for s in incident.sources} == {
        ("JNIM", Stance.claims),
        ("The army", Stance.confirms),
    }
    assert incident.evidence[0].quote == BASE and incident.summary.endswith("12 killed.")


def test_relative_dates_and_generic_perpetrators_resolve_from_the_text() -> None:
    incident = code(
        IncidentDraft(
            incident_type=IncidentType.ied,
            date_text="Two days later",
            location_text="near Koro",
            perpetrator="the jihadist group",
            attribution=Attribution.claimed,
            wounded="two",
        ),
        BOMB,
    )
    assert incident.date_start == dt.date(2021, 3, 5)
    assert incident.perpetrator == "JNIM"  # the group named just before
    assert incident.wounded == 2 and incident.killed is None


def test_copied_values_not_in_the_text_are_dropped() -> None:
    incident = code(
        IncidentDraft(
            incident_type=IncidentType.ied,
            date_text="March 3",  # another sentence's date: the bomb's own sentence wins
            location_text="near Bankass",  # not in the mention's sentence
            perpetrator="Islamic State Sahel Province",  # not in the text at all
            attribution=Attribution.claimed,
            killed="at least 12",  # a number from another sentence about deaths
            wounded="six",  # not in the text
            denied_by="The army",  # nobody denies anything
        ),
        BOMB,
    )
    assert incident.date_text == "Two days later"
    assert incident.place == "Koro"
    assert incident.perpetrator == "JNIM"  # the claimed attack falls back to the named group
    assert incident.wounded is None
    assert incident.confirmation != Confirmation.disputed


def test_counts_must_be_about_their_field() -> None:
    sentence = "Dozens of prisoners were freed from a jail in Mopti during the unrest."
    incident = code(
        IncidentDraft(incident_type=IncidentType.prison_break, killed="Dozens", kidnapped="Dozens"),
        sentence,
    )
    assert incident.killed is None and incident.kidnapped is None


def test_mentions_of_one_event_merge_and_distinct_events_stay_apart() -> None:
    first = code(
        IncidentDraft(
            incident_type=IncidentType.armed_assault,
            date_text="March 3",
            location_text="near Bankass",
            attribution=Attribution.claimed,
            perpetrator="JNIM",
        ),
        BASE,
    )
    again = code(
        IncidentDraft(incident_type=IncidentType.armed_assault, confirmed_by="The army"),
        "The army confirmed the attack on the base.",
    )
    again = again.model_copy(update={"place": "Bankass", "date_start": None})
    bomb = code(IncidentDraft(incident_type=IncidentType.ied, location_text="near Koro"), BOMB)
    merged = merge_mentions([first, again, bomb])
    assert len(merged) == 2
    assert merged[0].confirmation == Confirmation.confirmed and len(merged[0].evidence) == 2
    assert merged[1].place == "Koro"


def test_uncodable_incidents_are_dropped() -> None:
    vague = code(
        IncidentDraft(incident_type=IncidentType.other),
        "The army confirmed the attack on the base.",
    )
    assert not is_codable(vague)


def test_event_type_is_checked_against_trigger_words() -> None:
    from llmextract.normalize.tactics import checked_type

    landmine = "A landmine struck an army truck near Djibo, killing three soldiers."
    assert checked_type(IncidentType.assassination, landmine) == IncidentType.ied
    assert checked_type(IncidentType.ambush, "Gunmen ambushed a convoy.") == IncidentType.ambush
    # a sentence naming no tactic keeps the model's reading
    assert checked_type(IncidentType.clash, "Fighting broke out.") == IncidentType.clash


def test_phrases_that_are_not_dates_are_not_kept_as_dates() -> None:
    incident = code(
        IncidentDraft(incident_type=IncidentType.ied, date_text="the jihadist group"), BOMB
    )
    assert incident.date_text == "Two days later"


def test_reader_comments_are_not_part_of_the_article() -> None:
    from llmextract.extraction import article_body
    from llmextract.segments import split_sentences

    text = "Headline\n\nGunmen attacked a post.\n\nMore text.\n\n2 Comments\n\nBob says:\n\nAttacks on roads rise."
    body = article_body(split_sentences(text))
    assert [s.text for s in body][-1] == "More text."
