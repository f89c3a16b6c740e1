"""Reading conflict reporting: claims, accusations, denials, places, tactics, counts, dates
and mentions of one event, each behaviour in several house styles (wire copy with the
attribution last, NGO release, army communiqué, monitor note).

Every sentence is invented for these tests; none shares six consecutive words with the
seed documents or the dev documents.  Village names such as Dankoumbé, Tinfagha or
Kokoloko are made up; Kokoloko and Bittoum are one letter from towns in Burkina Faso, so
they test that a Malian village is never moved across a border.  Where the code does not
yet read a wording, the test still states the intended behaviour.
"""

from __future__ import annotations

import datetime as dt

import pytest

from llmextract.normalize.attribution import STATE_ACTORS, perpetrator_in
from llmextract.normalize.count_phrases import counts_in
from llmextract.normalize.counts import parse_count
from llmextract.normalize.dates import find_dates
from llmextract.normalize.merge import merge_mentions
from llmextract.normalize.places import lookup, resolve_location
from llmextract.normalize.sources import sources_in
from llmextract.normalize.tactics import cue_types
from llmextract.schema import (
    Attribution,
    Confirmation,
    DatePrecision,
    Evidence,
    GeoPrecision,
    Incident,
    IncidentType,
    Source,
    Stance,
    TargetType,
)

A = Attribution
T = IncidentType
G = GeoPrecision

# Attackers that are no named group: what a defender's communiqué may leave as perpetrator.
_NO_NAMED_ATTACKER = (None, "unidentified armed group", "jihadists")


# --- 1. claims told as speech ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "earlier_group", "incident_type", "expected"),
    [
        # wire: the attribution comes last
        (
            "Its fighters overran the gendarmerie post at Tessit before dawn and set two "
            "pickups on fire, the group said.",
            "ISGS",
            T.armed_assault,
            "ISGS",
        ),
        # wire: "according to the group"
        (
            "The mine that tore through the supply lorry had been laid by its men, according "
            "to the group.",
            "JNIM",
            T.ied,
            "JNIM",
        ),
        # monitor note: the group named as the speaker
        (
            "JNIM, in a statement, said that its fighters had destroyed three armoured "
            "vehicles on the road out of Boni.",
            None,
            T.ambush,
            "JNIM",
        ),
        # monitor note: a Telegram channel
        (
            "Islamic State Sahel Province said on Telegram that it had shelled a Nigerien "
            "army position with mortar rounds overnight.",
            None,
            T.indirect_fire,
            "ISGS",
        ),
        # NGO release quoting the group's own message
        (
            "In a message relayed by its media arm, the group said it had seized the "
            "village chief of Dioura and two of his sons.",
            "Katiba Macina",
            T.kidnapping,
            "Katiba Macina",
        ),
    ],
    ids=["wire-group-said", "wire-according-to", "named-statement", "telegram", "ngo-message"],
)
def test_claim_told_as_speech(
    sentence: str, earlier_group: str | None, incident_type: T, expected: str
) -> None:
    assert perpetrator_in(sentence, incident_type, earlier_group) == (expected, A.claimed)


# --- 2. no claim ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        # wire
        "There has been no immediate claim for the blast, which wounded four gendarmes, "
        "a security source said.",
        # wire: attribution last
        "No group has claimed the shooting of the two cattle traders at the weekly market, "
        "a local official told reporters.",
        # NGO release
        "The massacre has not been claimed, and survivors we spoke to could not say who "
        "the gunmen were.",
        # army communiqué
        "To date, this cowardly act has not been claimed by any terrorist organisation.",
        # monitor note
        "Claim: none so far; nobody has claimed responsibility for the raid on the mine site.",
    ],
    ids=["wire-no-immediate", "wire-no-group", "ngo-not-claimed", "army-not-claimed", "monitor"],
)
def test_no_claim_is_not_claimed(sentence: str) -> None:
    perpetrator, attribution = perpetrator_in(sentence, T.armed_assault, "JNIM")
    assert attribution != A.claimed
    assert perpetrator != "JNIM"  # "no group claimed" refers back to nobody


# --- 3. the defender is not the attacker --------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        # army communiqué as reported
        "The army said its soldiers had repelled the assault on the Boulkessi camp after "
        "an hour of heavy fighting.",
        # wire: attribution last
        "Troops fought off the raiders at the checkpoint after a firefight that lasted "
        "until sunrise, a military source said.",
        # wire: a named state force speaking
        "Nigerien forces said they repulsed an assault on their position at Inates late on Sunday.",
        # communiqué in its own voice
        "The Malian Armed Forces vigorously thwarted a complex attack against the Sofara "
        "detachment.",
        # monitor note
        "FAMa units beat back an incursion near Sévaré; no losses were reported on the army side.",
    ],
    ids=[
        "army-said-repelled",
        "troops-fought-off",
        "nigerien-repulsed",
        "fama-thwarted",
        "monitor",
    ],
)
def test_defender_is_not_perpetrator(sentence: str) -> None:
    perpetrator, attribution = perpetrator_in(sentence, T.armed_assault, "JNIM")
    assert attribution != A.claimed
    assert perpetrator not in STATE_ACTORS
    assert perpetrator in _NO_NAMED_ATTACKER


# --- 4. the accused is the perpetrator ----------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # NGO release
        (
            "A rights group accused French troops of killing 19 civilians gathered for a "
            "naming ceremony near Tinfagha.",
            "French forces",
        ),
        # wire: attribution last
        (
            "Residents blamed the Malian army for the execution of eleven herders outside "
            "the village of Kéra, two elders said.",
            "Malian armed forces",
        ),
        # monitor note
        (
            "Local leaders held Wagner responsible for the disappearance of nine men taken "
            "from the livestock market.",
            "Wagner Group",
        ),
        # the accuser is itself an armed group: still the accused did it
        (
            "In a video, JNIM accused Burkinabe troops of massacring civilians in the "
            "hamlets around Djibo.",
            "Burkinabe armed forces",
        ),
    ],
    ids=["ngo-accused", "wire-blamed", "monitor-held-responsible", "group-accuses-army"],
)
def test_accused_party_is_perpetrator(sentence: str, expected: str) -> None:
    assert perpetrator_in(sentence, T.massacre, None) == (expected, A.attributed)


# --- 5. denials ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentences", "claimant", "denier_word"),
    [
        # wire
        (
            [
                "Villagers said a helicopter fired on the wedding guests, a claim since "
                "denied by French forces."
            ],
            None,
            "French forces",
        ),
        # wire: a second sentence
        (
            [
                "Witnesses described soldiers going from house to house.",
                "The government rejected the allegations, calling the report a fabrication.",
            ],
            None,
            "government",
        ),
        # NGO release
        (
            ["The ministry denied that any of its units had been in the area that week."],
            None,
            "ministry",
        ),
        # monitor note, after a claim
        (
            [
                "JNIM claimed to have downed a drone near Tessalit.",
                "Malian authorities have dismissed the claim as propaganda.",
            ],
            "JNIM",
            "authorities",
        ),
    ],
    ids=["denied-by-french", "government-rejected", "ministry-denied", "authorities-dismissed"],
)
def test_denial_sets_denied_by(
    sentences: list[str], claimant: str | None, denier_word: str
) -> None:
    _confirmed_by, denied_by = sources_in(sentences, claimant)
    assert denied_by is not None
    assert denier_word.lower() in denied_by.lower()


# --- 6. places -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location_text", "sentence", "place", "admin1"),
    [
        # wire
        (
            "Dankoumbé, a village in the Ségou region",
            "Gunmen on motorbikes killed seven farmers in Dankoumbé, a village in the Ségou "
            "region, on Friday, a local official said.",
            "Dankoumbé",
            "Ségou",
        ),
        # NGO release: the model gave only the region
        (
            "in the Koulikoro region",
            "Our teams treated the wounded from Sirakoro-Wéré, a village in the Koulikoro region "
            "where the raid took place.",
            "Sirakoro-Wéré",
            "Koulikoro",
        ),
        # monitor note, Niger
        (
            None,
            "Tinfagha, a small village in the Tillabéri region, came under fire at dusk "
            "from armed men.",
            "Tinfagha",
            "Tillabéri",
        ),
    ],
    ids=["wire-segou", "ngo-koulikoro", "monitor-tillaberi"],
)
def test_village_in_region(
    location_text: str | None, sentence: str, place: str, admin1: str
) -> None:
    assert lookup(place) is None  # the village is not in any gazetteer
    location = resolve_location(location_text, fallback_text=sentence)
    assert (location.place, location.admin1) == (place, admin1)
    assert location.geo_precision == G.place


@pytest.mark.parametrize(
    ("location_text", "sentence", "place"),
    [
        (
            "the Segou town of Niono",
            "An explosive device struck a bus near a market in the Segou town of Niono on "
            "Monday, police said.",
            "Niono",
        ),
        (
            "the Gao town of Ansongo",
            "Aid workers reported shelling in the Gao town of Ansongo late last week.",
            "Ansongo",
        ),
        (
            None,
            "According to the communiqué, the Tillabéri town of Ayorou came under fire from "
            "across the river.",
            "Ayorou",
        ),
    ],
    ids=["segou-niono", "gao-ansongo", "tillaberi-ayorou"],
)
def test_region_town_of_place(location_text: str | None, sentence: str, place: str) -> None:
    location = resolve_location(location_text, fallback_text=sentence)
    assert location.place == place
    assert location.geo_precision == G.place


@pytest.mark.parametrize(
    ("location_text", "sentence", "place"),
    [
        # "on the outskirts of"
        (
            "on the outskirts of Djibo",
            "Volunteers guarding water points on the outskirts of Djibo were ambushed "
            "at dawn, a security source said.",
            "Djibo",
        ),
        (
            None,
            "The convoy came under fire on the outskirts of Ansongo as it returned from the market.",
            "Ansongo",
        ),
        (
            "the outskirts of Dori",
            "Gendarmes patrolling the outskirts of Dori found the bodies of four traders, "
            "the NGO reported.",
            "Dori",
        ),
        # "N km from"
        (
            "50 km from Gao",
            "The ambush took place 50 km from Gao on the road to Bourem, the army said.",
            "Gao",
        ),
        (
            None,
            "A minibus struck a landmine some 30 kilometres from Ansongo on Saturday morning.",
            "Ansongo",
        ),
        (
            "about 40 km north of Kaya",
            "Communiqué: terrorists were neutralised about 40 km north of Kaya during a sweep.",
            "Kaya",
        ),
    ],
    ids=[
        "outskirts-djibo",
        "outskirts-menaka",
        "outskirts-dori",
        "50km-gao",
        "30km-ansongo",
        "40km-kaya",
    ],
)
def test_near_place(location_text: str | None, sentence: str, place: str) -> None:
    location = resolve_location(location_text, fallback_text=sentence)
    assert (location.place, location.geo_precision) == (place, G.near)


@pytest.mark.parametrize(
    ("location_text", "sentence", "village"),
    [
        # a made-up name one letter from Kokologo, Burkina Faso
        (
            "in Kokoloko",
            "In central Mali, armed men burned granaries in Kokoloko on Thursday night, "
            "a Malian security official said.",
            "Kokoloko",
        ),
        # a made-up name one letter from Bittou, Burkina Faso
        (
            "the village of Bittoum",
            "The Malian army said it had sent reinforcements to the village of Bittoum "
            "after herders were attacked there.",
            "Bittoum",
        ),
        # a made-up name one letter from Diapaga, Burkina Faso
        (
            None,
            "MALI - Eight civilians were reported killed in Diapagga, Mopti region, "
            "according to local sources.",
            "Diapagga",
        ),
    ],
    ids=["kokoloko", "bittoum", "diapagga"],
)
def test_malian_village_stays_in_mali(
    location_text: str | None, sentence: str, village: str
) -> None:
    location = resolve_location(location_text, fallback_text=sentence)
    assert location.country in (None, "Mali")
    assert location.place in (None, village)  # kept as written, not its Burkinabe namesake
    assert location.latitude is None  # no coordinates borrowed from the namesake


# --- 7. tactics by trigger word -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("A car bomb went off at the gate of the camp shortly before noon, witnesses said.", T.ied),
        ("Explosives hidden in a motorbike blew up beside the bus station, the NGO said.", T.ied),
        ("The patrol vehicle hit a bomb buried under the track, according to the army.", T.ied),
        ("Monitor: bomb under a culvert, two soldiers hurt, convoy turned back.", T.ied),
        # "unless suicide"
        ("A suicide car bomb was driven into the perimeter wall of the base.", T.suicide_bombing),
        (
            "Some 60 prisoners escaped when the attackers blew open the main gate, a "
            "guard told reporters.",
            T.prison_break,
        ),
        ("The jailbreak freed a senior commander of the group, the NGO said.", T.prison_break),
        (
            "Authorities are hunting for prisoners who escaped during Sunday's assault.",
            T.prison_break,
        ),
    ],
    ids=[
        "car-bomb",
        "explosives",
        "bomb",
        "monitor-bomb",
        "suicide-car-bomb",
        "prisoners-escaped",
        "jailbreak",
        "prisoners-escaped-assault",
    ],
)
def test_tactic_cue_first(sentence: str, expected: T) -> None:
    cues = cue_types(sentence)
    assert cues, sentence
    assert cues[0] == expected


# --- 8. counts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "field", "expected"),
    [
        # figures with a thousands separator
        (
            "Jihadist violence killed 1,200 people in the region last year, the monitor said.",
            "killed",
            1200,
        ),
        ("The insurgency has killed more than 1,200 people since January.", "killed", 1200),
        (
            "Fighting in the tri-border area killed 1,200 people, according to the NGO.",
            "killed",
            1200,
        ),
        # a number in words opening the sentence
        (
            "One hundred soldiers were killed in the assault on the base, sources said.",
            "killed",
            100,
        ),
        ("Two hundred civilians were killed in the first half of the year.", "killed", 200),
        (
            "Communiqué: one hundred terrorists were killed during the operation.",
            "perpetrators_killed",
            100,
        ),
        # the article as the count of one person
        ("A soldier was killed and two others were wounded, the army said.", "killed", 1),
        ("A gendarme was killed when the post came under fire at night.", "killed", 1),
        ("An army officer died of his wounds on the way to hospital.", "killed", 1),
    ],
    ids=[
        "1200-wire",
        "1200-more-than",
        "1200-ngo",
        "one-hundred-soldiers",
        "two-hundred-civilians",
        "one-hundred-terrorists",
        "a-soldier",
        "a-gendarme",
        "an-officer",
    ],
)
def test_count_read(sentence: str, field: str, expected: int) -> None:
    counts = counts_in([sentence])
    assert field in counts, counts
    assert parse_count(counts[field]) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "A few people were killed in the exchange of fire, a resident said.",
        "A number of soldiers were killed when the convoy was hit.",
        "Reports say a handful of villagers were killed but no figure was given.",
    ],
    ids=["a-few-people", "a-number-of-soldiers", "a-handful"],
)
def test_vague_count_gives_no_figure(sentence: str) -> None:
    counts = counts_in([sentence])
    assert "killed" not in counts or parse_count(counts["killed"]) is None, counts


# --- 9. dates ------------------------------------------------------------------------------------

TUESDAY = dt.date(2023, 3, 14)
MONDAY = dt.date(2023, 3, 13)


def _first_range(text: str, published: dt.date) -> tuple[dt.date | None, dt.date | None]:
    mentions = find_dates(text, published)
    assert mentions, text
    return mentions[0].range.start, mentions[0].range.end


@pytest.mark.parametrize(
    "text",
    [
        "Gunmen attacked the market on Tuesday, killing four traders, police said.",
        "Tuesday's ambush on the supply column left nine soldiers dead, the army said.",
        "Early on Tuesday, armed men entered the village and rounded up the men.",
    ],
    ids=["on-tuesday", "tuesdays", "early-tuesday"],
)
def test_tuesday_published_tuesday_is_same_day(text: str) -> None:
    assert _first_range(text, TUESDAY) == (TUESDAY, TUESDAY)


@pytest.mark.parametrize(
    "text",
    [
        "The convoy was ambushed last Tuesday near the border, the ministry said.",
        "Survivors of last Tuesday's raid told our team that the attackers came at night.",
        "Monitor: incident last Tuesday, eight dead, no claim.",
    ],
    ids=["wire", "ngo", "monitor"],
)
def test_last_tuesday_is_a_week_earlier(text: str) -> None:
    week_before = TUESDAY - dt.timedelta(days=7)
    assert _first_range(text, TUESDAY) == (week_before, week_before)


@pytest.mark.parametrize(
    "text",
    [
        "The death toll from a weekend attack on a cattle market has risen to 22.",
        "Aid workers said the camp had been overrun during the weekend.",
        "Last weekend, jihadists burned the school and the health centre, residents said.",
    ],
    ids=["a-weekend-attack", "during-the-weekend", "last-weekend"],
)
def test_weekend_published_monday(text: str) -> None:
    saturday, sunday = dt.date(2023, 3, 11), dt.date(2023, 3, 12)
    mentions = find_dates(text, MONDAY)
    assert mentions, text
    rng = mentions[0].range
    assert (rng.start, rng.end) == (saturday, sunday)
    assert rng.precision == DatePrecision.days


# --- 10. mentions of one event -------------------------------------------------------------------

SATURDAY = dt.date(2023, 3, 11)


def _evidence(quote: str, start: int) -> list[Evidence]:
    return [Evidence(quote=quote, start=start, end=start + len(quote))]


def _lede(quote: str, place: str, admin1: str, country: str, day: dt.date) -> Incident:
    return Incident(
        incident_type=T.armed_assault,
        date_text="Saturday",
        date_start=day,
        date_end=day,
        date_precision=DatePrecision.day,
        location_text=place,
        place=place,
        admin1=admin1,
        country=country,
        geo_precision=G.place,
        target="villagers",
        target_type=TargetType.civilians,
        evidence=_evidence(quote, 0),
    )


def _toll(quote: str, killed: int, day: dt.date, start: int) -> Incident:
    return Incident(
        incident_type=T.armed_assault,
        date_text="Saturday's",
        date_start=day,
        date_end=day,
        date_precision=DatePrecision.day,
        target_type=TargetType.civilians,
        killed=killed,
        evidence=_evidence(quote, start),
    )


def _confirmation(quote: str, source: str, start: int) -> Incident:
    return Incident(
        incident_type=T.other,
        confirmation=Confirmation.confirmed,
        sources=[Source(source=source, stance=Stance.confirms)],
        evidence=_evidence(quote, start),
    )


@pytest.mark.parametrize(
    ("lede", "toll", "confirm", "place", "admin1", "country", "killed", "source"),
    [
        # wire
        (
            "Gunmen stormed Dankoumbé in Mali's Mopti region on Saturday, residents said.",
            "At least 31 villagers died in Saturday's attack, according to a local councillor.",
            "The army confirmed the toll late on Sunday.",
            "Dankoumbé",
            "Mopti",
            "Mali",
            31,
            "The army",
        ),
        # NGO release
        (
            "Our staff in Tinfagha, in the Tillabéri region of Niger, report an assault on "
            "the village on Saturday.",
            "At least 17 villagers died in Saturday's attack, among them six children.",
            "The Nigerien defence ministry later confirmed the toll in a communiqué.",
            "Tinfagha",
            "Tillabéri",
            "Niger",
            17,
            "The Nigerien defence ministry",
        ),
        # monitor note
        (
            "SAT 11 MAR - Kourbagou (Centre-Nord, Burkina Faso): armed men raid the village.",
            "At least 12 villagers died in Saturday's attack per community sources.",
            "Army confirmed the toll on 12 March.",
            "Kourbagou",
            "Centre-Nord",
            "Burkina Faso",
            12,
            "Army",
        ),
    ],
    ids=["wire", "ngo", "monitor"],
)
def test_three_mentions_of_one_raid_merge(
    lede: str,
    toll: str,
    confirm: str,
    place: str,
    admin1: str,
    country: str,
    killed: int,
    source: str,
) -> None:
    second_at = len(lede) + 1
    third_at = second_at + len(toll) + 1
    mentions = [
        _lede(lede, place, admin1, country, SATURDAY),
        _toll(toll, killed, SATURDAY, second_at),
        _confirmation(confirm, source, third_at),
    ]
    merged = merge_mentions(mentions)
    assert len(merged) == 1, [m.evidence for m in merged]
    incident = merged[0]
    assert (incident.place, incident.admin1, incident.country) == (place, admin1, country)
    assert incident.date_start == SATURDAY
    assert incident.killed == killed
    assert incident.confirmation == Confirmation.confirmed
    assert len(incident.evidence) == 3


@pytest.mark.parametrize(
    ("first", "second", "places", "admin1", "country"),
    [
        # wire
        (
            "Gunmen stormed Dankoumbé on Saturday, killing nine villagers.",
            "The same gunmen then moved on to Sirakoro-Wéré, where four more were shot.",
            ("Dankoumbé", "Sirakoro-Wéré"),
            "Mopti",
            "Mali",
        ),
        # NGO release
        (
            "On Saturday our teams received the wounded from Tinfagha.",
            "That same Saturday, Kourbagou was also attacked and its health post looted.",
            ("Tinfagha", "Kourbagou"),
            "Tillabéri",
            "Niger",
        ),
        # monitor note
        (
            "11 MAR - Dialloubé: raid on the village, six dead.",
            "11 MAR - Gourmabé: raid on the village, three dead.",
            ("Dialloubé", "Gourmabé"),
            "Mopti",
            "Mali",
        ),
    ],
    ids=["wire", "ngo", "monitor"],
)
def test_two_villages_same_day_stay_apart(
    first: str, second: str, places: tuple[str, str], admin1: str, country: str
) -> None:
    mentions = [
        _lede(first, places[0], admin1, country, SATURDAY),
        Incident(
            incident_type=T.armed_assault,
            date_text="Saturday",
            date_start=SATURDAY,
            date_end=SATURDAY,
            date_precision=DatePrecision.day,
            location_text=places[1],
            place=places[1],
            admin1=admin1,
            country=country,
            geo_precision=G.place,
            target="villagers",
            target_type=TargetType.civilians,
            evidence=_evidence(second, len(first) + 1),
        ),
    ]
    merged = merge_mentions(mentions)
    assert [m.place for m in merged] == list(places)
