"""Where a story starts and ends, datelines, calendar weekdays, tolls, victims, sources.

Every text here is invented for the tests (Sahel-style reporting in several wordings);
none is taken from the seeds or the development set.
"""

from __future__ import annotations

import datetime as dt

import pytest

from llmextract.normalize.count_phrases import counts_in, victims_in
from llmextract.normalize.countries import document_country
from llmextract.normalize.dates import find_dates
from llmextract.normalize.merge import merge_mentions
from llmextract.normalize.places import resolve_location
from llmextract.normalize.sources import sources_of
from llmextract.schema import (
    DatePrecision,
    Evidence,
    GeoPrecision,
    Incident,
    IncidentType,
    Stance,
)
from llmextract.segments import blank_datelines, story_units


@pytest.mark.parametrize(
    "opening",
    [
        "GAO, Feb. 4 (Desert Courier) - ",
        "NIAMEY (Sahel Dispatch) — ",
        "OUAGADOUGOU, Burkina Faso, Oct. 2 (Savanna News) - ",
        "Bamako, 12 May 2023 – ",
    ],
)
def test_a_dateline_is_blanked_and_offsets_hold(opening: str) -> None:
    text = opening + "Gunmen killed four herders near Ansongo on Sunday."
    blanked = blank_datelines(text)
    assert len(blanked) == len(text)
    assert blanked.strip().startswith("Gunmen killed four herders")
    assert blanked[len(opening) :] == text[len(opening) :]


@pytest.mark.parametrize(
    "text",
    [
        "JNIM claims attack - analysis of the statement",
        "Mali - Burkina Faso: a border in flames",
        "The UN says - in a note - that aid is blocked",
    ],
)
def test_a_headline_with_a_dash_is_no_dateline(text: str) -> None:
    assert blank_datelines(text) == text


@pytest.mark.parametrize(
    ("phrase", "day"),
    [
        ("on Wednesday 6 March, fighters struck", "2024-03-06"),
        ("late on Friday, 1 March, a convoy", "2024-03-01"),
        ("on Monday, March 4, gunmen", "2024-03-04"),
    ],
)
def test_a_weekday_with_a_calendar_date_is_that_date(phrase: str, day: str) -> None:
    published = dt.date(2024, 4, 15)  # weeks later: the bare weekday would point elsewhere
    mentions = find_dates(phrase, published)
    assert len(mentions) == 1
    assert mentions[0].range.start == dt.date.fromisoformat(day)


@pytest.mark.parametrize(
    ("sentence", "killed"),
    [
        ("The toll from Friday's market bombing in Kaya has risen to 23, a doctor said.", "23"),
        ("Hospital staff later put the toll at 11.", "11"),
        ("The death toll of the ambush has now climbed to 31, officials said.", "31"),
    ],
)
def test_a_toll_that_rises_is_read(sentence: str, killed: str) -> None:
    assert counts_in([sentence])["killed"] == killed


@pytest.mark.parametrize(
    ("sentence", "victims"),
    [
        ("Five gendarmes died when their pickup struck a mine outside Kayes.", "gendarmes"),
        ("A bomb hidden on the track wounded nine schoolchildren.", "schoolchildren"),
        ("Two traders were killed after gunmen stopped their truck.", "traders"),
    ],
)
def test_the_victims_are_the_target_when_no_party_is_named(sentence: str, victims: str) -> None:
    assert victims_in([sentence]) == victims


@pytest.mark.parametrize(
    ("sentence", "stance"),
    [
        ("The defence ministry said 12 soldiers died in the assault.", Stance.confirms),
        ("The camp was shelled for an hour, the army said.", Stance.confirms),
        ("Residents said at least ten people were killed.", Stance.reports),
        ("The vehicles were still smoking on Monday, said the official.", Stance.reports),
        ("The killings were denied by the governor's office.", Stance.denies),
    ],
)
def test_official_sources_confirm_and_others_report(sentence: str, stance: Stance) -> None:
    found = sources_of([sentence], None)
    assert [s for _, s in found] == [stance], found


@pytest.mark.parametrize(
    "sentence",
    [
        "He said the army would respond to the attack.",
        "Nobody said anything about the dead.",
        "The group said it had killed 14 soldiers.",
    ],
)
def test_no_source_is_read_where_none_speaks_of_the_event(sentence: str) -> None:
    assert sources_of([sentence], "JNIM") == []


@pytest.mark.parametrize(
    ("text", "country"),
    [
        (
            "Malian troops patrol Gao. Mali's junta said the army would stay. Niger was quiet.",
            "Mali",
        ),
        (
            "In Burkina Faso, Burkinabe soldiers held the town; Burkina's capital was calm.",
            "Burkina Faso",
        ),
        ("Mali, Niger and Burkina Faso signed the pact.", None),
    ],
)
def test_the_country_a_document_is_about(text: str, country: str | None) -> None:
    assert document_country(text) == country


LISTING = """Sahel headlines

Gunmen kill villagers in central Mali
Attackers on motorbikes raided a hamlet on Sunday, residents said.

Army post attacked near Niger border
Soldiers fought off fighters at dawn, the ministry said.

Drone strike reported north of Gao
Local sources described a strike on a camp.

Mining site raided in Burkina
Miners said gunmen killed several people.

Aid convoy held up on Menaka road
Drivers were turned back by armed men.
"""


def test_a_teaser_list_is_split_into_stories_and_an_article_is_one() -> None:
    assert len(story_units(LISTING, None).spans) == 6
    article = "Gunmen attacked a village.\n\nThe army said it sent troops.\n\nResidents fled."
    assert len(story_units(article, dt.date(2024, 1, 3)).spans) == 1
    lines = "\n".join(f"Teaser line {n} about an attack somewhere." for n in range(9))
    assert len(story_units(lines, None).spans) == 9
    assert len(story_units(lines, dt.date(2024, 1, 3)).spans) == 1


def mention(start: int, **fields: object) -> Incident:
    values: dict[str, object] = {
        "summary": "",
        "incident_type": IncidentType.armed_assault,
        "evidence": [Evidence(quote="x" * 40, start=start, end=start + 40)],
    }
    values.update(fields)
    return Incident.model_validate(values)


def test_a_mention_far_from_any_event_stays_apart() -> None:
    raid = mention(0, place="Kona", date_start=dt.date(2021, 2, 3), date_end=dt.date(2021, 2, 3),
                   date_precision=DatePrecision.day, geo_precision=GeoPrecision.place)  # fmt: skip
    far = mention(5000, killed=2)
    assert len(merge_mentions([raid, far])) == 2
    near = mention(60, killed=2)
    assert len(merge_mentions([raid, near])) == 1


def test_state_forces_and_an_armed_group_are_never_one_event() -> None:
    attack = mention(0, perpetrator="jihadists", place="Kona", geo_precision=GeoPrecision.place)
    reprisal = mention(60, perpetrator="Malian armed forces", incident_type=IncidentType.massacre)
    assert len(merge_mentions([attack, reprisal])) == 2


def test_nearness_counts_only_within_one_story_of_a_listing() -> None:
    first = mention(30, perpetrator="JNIM")
    second = mention(120, perpetrator="JNIM")
    units = story_units(LISTING, None)
    start_of_second_story = units.spans[2][0]
    other_story = mention(start_of_second_story + 5, perpetrator="JNIM")
    assert len(merge_mentions([first, second], units)) == 1
    assert len(merge_mentions([first, other_story], units)) == 2


@pytest.mark.parametrize(
    ("sentence", "place", "admin1", "country"),
    [
        (
            "Gunmen raided Tougnakoro, a hamlet in Passoré province, at dawn.",
            "Tougnakoro",
            "Nord",
            "Burkina Faso",
        ),
        (
            "Fighters struck Kolmangou in the department of Tillia overnight.",
            "Kolmangou",
            "Tahoua",
            "Niger",
        ),
        ("An IED hit a truck near Dioulassa, in Youwarou cercle.", "Dioulassa", "Mopti", "Mali"),
        (
            "Militants stormed Sabcé-Koulga, in Bam province near the Malian border.",
            "Sabcé-Koulga",
            "Centre-Nord",
            "Burkina Faso",
        ),
    ],
)
def test_a_second_level_division_gives_the_region(
    sentence: str, place: str, admin1: str, country: str
) -> None:
    location = resolve_location(None, fallback_text=sentence)
    assert (location.place, location.admin1, location.country) == (place, admin1, country)
    assert location.latitude is None  # names the gazetteer lacks get no coordinates


@pytest.mark.parametrize(
    ("sentence", "field", "value"),
    [
        (
            'The army said 25 assailants were "neutralised" in the fighting.',
            "perpetrators_killed",
            25,
        ),
        ("Troops neutralised eleven terrorists during the sweep.", "perpetrators_killed", 11),
        ("The blast destroyed their car, killing our colleague instantly.", "killed", 1),
        ("Gunmen shot dead the village imam outside his home.", "killed", 1),
        ("Two soldiers were slightly wounded, the ministry said.", "wounded", 2),
    ],
)
def test_counts_read_in_communique_wordings(sentence: str, field: str, value: int) -> None:
    from llmextract.normalize.counts import parse_count

    assert parse_count(counts_in([sentence])[field]) == value


@pytest.mark.parametrize(
    "sentence",
    [
        "The group claimed the ambush on Monday in a statement on Telegram.",
        "ISGS took responsibility for the raid on Thursday.",
        "JNIM claimed the attack the following day in a message to its followers.",
    ],
)
def test_the_date_of_a_claim_is_not_the_event_date(sentence: str) -> None:
    from llmextract.normalize.rules import event_date_text

    assert event_date_text(sentence, dt.date(2024, 5, 10)) is None


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("The army said a drone strike near Léré neutralised a commander.", "airstrike"),
        ("The defence ministry said air strikes hit hideouts in the Anzourou area.", "airstrike"),
        (
            "According to the general staff, an operation near Macina killed 12 fighters.",
            "military_operation",
        ),
    ],
)
def test_an_official_speaking_of_a_strike_is_the_state_claiming_it(
    sentence: str, kind: str
) -> None:
    from llmextract.drafts import EventTag
    from llmextract.normalize.event import draft_from_rules
    from llmextract.segments import split_sentences

    text = f"Mali's army said more. {sentence} Malian officials added nothing. Mali mourns."
    sentences = split_sentences(text)
    block = [s for s in sentences if s.text == sentence]
    draft, _ = draft_from_rules(EventTag(sentence=block[0].index, type=kind), block, text, None)
    assert (draft.perpetrator, draft.attribution.value) == ("Malian armed forces", "claimed")


@pytest.mark.parametrize(
    ("sentence", "phrase"),
    [
        ("Gunmen attacked a market in Gnagna province on Friday.", "in Gnagna province"),
        ("A patrol was ambushed in the Tillia department overnight.", "in the Tillia department"),
        ("Fighting was reported in Douentza cercle late on Sunday.", "in Douentza cercle"),
    ],
)
def test_a_place_phrase_keeps_its_division_word(sentence: str, phrase: str) -> None:
    from llmextract.normalize.rules import location_phrase

    assert location_phrase(sentence) == phrase


@pytest.mark.parametrize(
    ("sentence", "killed"),
    [
        ("Army puts toll from weekend raid at 22 civilians", "22"),
        ("The governor put the death toll at 31 on Monday.", "31"),
        ("Officials put the provisional toll from the blast at nine.", "nine"),
    ],
)
def test_a_toll_put_at_a_figure(sentence: str, killed: str) -> None:
    assert counts_in([sentence])["killed"] == killed


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("jihadists from Mali attacked an outpost in Nassoumbou, Burkina Faso.", "Burkina Faso"),
        (
            "Fighters from neighbouring Niger raided Kantchari in eastern Burkina Faso.",
            "Burkina Faso",
        ),
        ("Attackers who came from Burkina Faso struck Koutiala, in Mali.", "Mali"),
    ],
)
def test_where_attackers_came_from_is_no_location(text: str, country: str) -> None:
    assert resolve_location(None, fallback_text=text).country == country


@pytest.mark.parametrize(
    "sentence",
    [
        "The junta, which seized power in a 2022 coup, has expanded the volunteer militia.",
        "Kaya has a long history of this kind of attack on its markets.",
        "Such attacks have emptied dozens of villages along the road since 2021.",
        "More than 300 civilians were killed in the region since the start of the year.",
    ],
)
def test_politics_history_and_aggregates_name_no_event(sentence: str) -> None:
    from llmextract.extraction import _names_event

    assert not _names_event(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Gunmen seized two trucks and killed a driver near Kantchari on Monday.",
        "An explosive device hit a bus near Djibo, killing 12 passengers.",
        "Soldiers repelled an attack on their post at Torodi overnight.",
    ],
)
def test_a_sentence_telling_one_attack_names_an_event(sentence: str) -> None:
    from llmextract.extraction import _names_event

    assert _names_event(sentence)
