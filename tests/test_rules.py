"""Rules that read counts, actors, sources, targets and place phrases from one sentence.

Every sentence here is invented for the tests, in the styles of Sahel security reporting
(wire copy, NGO releases, army communiqués, monitors' notes); none is taken from the seed
documents or from the development set.  Each behaviour is checked in at least three
wordings: a rule that passes on one phrasing only has learnt the phrasing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from llmextract.normalize.attribution import (
    actors_in,
    last_group_before,
    perpetrator_in,
)
from llmextract.normalize.count_phrases import counts_in
from llmextract.normalize.rules import (
    event_date_text,
    is_follow_up,
    location_phrase,
    target_in,
    target_type_of,
    usable_target,
)
from llmextract.normalize.sources import sources_in
from llmextract.normalize.tactics import supported_type
from llmextract.schema import Attribution, IncidentType, TargetType

A = Attribution
T = IncidentType
PUBLISHED = dt.date(2024, 3, 10)


def cases(groups: dict[str, list[tuple[Any, ...]]]) -> list[Any]:
    """One test per wording, named after the behaviour it exercises."""
    return [
        pytest.param(*row, id=f"{behaviour}-{n}")
        for behaviour, rows in groups.items()
        for n, row in enumerate(rows, 1)
    ]


# --- counts -------------------------------------------------------------------------------

COUNTS: dict[str, list[tuple[Any, ...]]] = {
    "killing-n": [
        (
            "Armed men raided a gendarmerie post outside Djibo overnight, killing five gendarmes.",
            {"killed": "five"},
        ),
        (
            "The convoy hit a roadside device near Boni, killing seven Burkinabe soldiers, the "
            "army said.",
            {"killed": "seven"},
        ),
        (
            "Assailants on motorbikes opened fire on a weekly market in Tera, killing 11 traders.",
            {"killed": "11"},
        ),
    ],
    "left-n-dead": [
        (
            "The explosion left at least 9 passengers dead, a hospital source told AFP.",
            {"killed": "at least 9"},
        ),
        (
            "Tuesday's assault left 23 villagers dead in the commune, the NGO said.",
            {"killed": "23"},
        ),
        ("Shelling of the camp left about 15 displaced people dead.", {"killed": "about 15"}),
    ],
    "qualified-dozen": [
        (
            "The ambush on the Boulkessi road left nearly a dozen gendarmes dead.",
            {"killed": "nearly a dozen"},
        ),
        ("Monitors say the raid killed almost a dozen herders.", {"killed": "almost a dozen"}),
        ("Around a dozen soldiers were killed when the post fell.", {"killed": "Around a dozen"}),
    ],
    "killed-and-wounded": [
        (
            "Three gendarmes were killed and five others wounded when their post came under fire.",
            {"killed": "Three", "wounded": "five"},
        ),
        (
            "Six civilians were killed and nine others injured in the shelling of Ansongo.",
            {"killed": "Six", "wounded": "nine"},
        ),
        (
            "Two gendarmes died and seven were wounded, according to a medical source.",
            {"killed": "Two", "wounded": "seven"},
        ),
    ],
    "two-groups-summed": [
        ("Five gendarmes and two civilians were killed at the checkpoint.", {"killed": "7"}),
        ("Eight herders and five children were injured by the blast.", {"wounded": "13"}),
        ("Eleven villagers and two volunteers were abducted from the fields.", {"kidnapped": "13"}),
    ],
    "vague-second-field-dropped": [
        (
            "The raid on Koutougou killed four troops and wounded many more, a security source "
            "said.",
            {"killed": "four"},
        ),
        (
            "Jihadists killed three villagers and injured several, the mayor's office said.",
            {"killed": "three"},
        ),
        (
            "The mine blast killed one driver and hurt an unknown number of passengers.",
            {"killed": "one"},
        ),
    ],
    "kidnapped": [
        (
            "Armed men abducted three health workers on the road to Ménaka, the NGO said.",
            {"kidnapped": "three"},
        ),
        ("JNIM fighters kidnapped 22 passengers from two buses near Kaya.", {"kidnapped": "22"}),
        (
            "Gunmen seized five teachers at a school in Tillabéri on Thursday.",
            {"kidnapped": "five"},
        ),
    ],
    "attackers-killed": [
        (
            "The army said its air and ground units killed 47 terrorists in the Boucle du Mouhoun.",
            {"perpetrators_killed": "47"},
        ),
        (
            "Nigerien troops repelled the assault and killed about 20 assailants.",
            {"perpetrators_killed": "about 20"},
        ),
        (
            "Some 18 insurgents were killed in the counter-offensive, the general staff said.",
            {"perpetrators_killed": "Some 18"},
        ),
    ],
    "headline": [
        ("Three dead, five injured in Djibo market attack", {"killed": "Three", "wounded": "five"}),
        (
            "Two killed and four hurt as bomb hits bus near Gossi",
            {"killed": "Two", "wounded": "four"},
        ),
        (
            "Seven dead and eleven wounded after raid on Tessit camp",
            {"killed": "Seven", "wounded": "eleven"},
        ),
    ],
    "further-n": [
        ("A further 6 were injured, the hospital said.", {"wounded": "A further 6"}),
        (
            "Another nine were killed in a second attack on the same village.",
            {"killed": "Another nine"},
        ),
        (
            "Another 30 have been abducted since January, residents say.",
            {"kidnapped": "Another 30"},
        ),
    ],
    "death-toll": [
        ("By Friday the death toll reached 63, the governor said.", {"killed": "63"}),
        ("Local officials gave a death toll of 28.", {"killed": "28"}),
        ("Officials put the death toll at 19 on Sunday evening.", {"killed": "19"}),
    ],
    "equipment-is-no-count": [
        ("The assailants seized three pick-up trucks and a stock of ammunition.", {}),
        ("Militants captured two armoured vehicles and a mortar during the raid.", {}),
        ("JNIM said it took four motorbikes and a radio set from the post.", {}),
    ],
    "year-is-no-count": [
        ("In 2021 wounded veterans staged a protest in Bamako.", {}),
        ("Throughout 2022 abducted teachers were rarely released, the union says.", {}),
        ("Since 2018 killed soldiers' families have received a pension, the ministry said.", {}),
    ],
    "vague-figure-is-no-count": [
        ("Several gendarmes were hurt when the post came under fire, a local official said.", {}),
        ("An unspecified number of herders were wounded near Nampala, according to residents.", {}),
        ("Scores of displaced people were hurt in a stampede at the distribution site.", {}),
    ],
    "no-casualty-verb": [
        ("Hundreds of families fled Diafarabé after the attack.", {}),
        ("Dozens of detainees escaped during the assault on the jail.", {}),
        ("Scores of motorbikes were burned in the market fire.", {}),
    ],
}


@pytest.mark.parametrize(("sentence", "expected"), cases(COUNTS))
def test_counts_read_from_sentence(sentence: str, expected: dict[str, str]) -> None:
    assert counts_in([sentence]) == expected


@pytest.mark.parametrize(
    "sentences",
    [
        [
            "The ambush near Tongomayel killed five soldiers, the army said.",
            "A later count by residents found that eight had died.",
        ],
        [
            "Gunmen killed five villagers in Ouro Guélédjé on Sunday.",
            "By Tuesday, nine villagers were dead, according to the mayor.",
        ],
        [
            "UPDATE: Jihadists killed five gendarmes at the Sebba post.",
            "Hospital staff later said 11 had died of their wounds.",
        ],
    ],
)
def test_counts_take_each_field_from_its_first_sentence(sentences: list[str]) -> None:
    assert "killed" in counts_in(sentences[1:])  # the later sentence states a count too
    assert counts_in(sentences) == {"killed": "five"}


# --- actors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "IS claimed the raid, which is its third this month.",
        "A video from IS showed the captured trucks, which is unusual.",
        "The attack is the latest IS has claimed.",
    ],
)
def test_actors_short_alias_in_capitals(sentence: str) -> None:
    assert [a.canonical for a in actors_in(sentence)] == ["Islamic State"]


@pytest.mark.parametrize(
    "sentence",
    [
        "It is what it is, says a mayor.",
        "The road is closed and the river is high.",
        "What is left is a burned school.",
    ],
)
def test_actors_short_alias_not_in_lower_case(sentence: str) -> None:
    assert actors_in(sentence) == []


@pytest.mark.parametrize(
    ("sentence", "canonical"),
    [
        ("A statement by the Islamic State Sahel Province took credit for the raid.", "ISGS"),
        (
            "Islamic State West Africa Province claimed a raid across the border from Diffa.",
            "ISWAP",
        ),
        ("Islamic State's local wing claimed the raid on Tillia.", "ISGS"),
    ],
)
def test_actors_longest_alias_wins(sentence: str, canonical: str) -> None:
    assert [a.canonical for a in actors_in(sentence)] == [canonical]


# --- perpetrator and attribution ------------------------------------------------------------

PERPETRATORS: dict[str, list[tuple[Any, ...]]] = {
    "named-group-claims": [
        (
            "In a message on Telegram, JNIM claimed the raid on a gendarmerie post at Sebba.",
            None,
            ("JNIM", A.claimed),
        ),
        (
            "ISGS claimed responsibility for Sunday's raid on the army base at Inates.",
            None,
            ("ISGS", A.claimed),
        ),
        (
            "Katiba Macina took credit for the killing of two gendarmes near Niono.",
            None,
            ("Katiba Macina", A.claimed),
        ),
    ],
    "it-claimed": [
        (
            "It also claimed a roadside bomb that hit a supply convoy near Boni.",
            "ISGS",
            ("ISGS", A.claimed),
        ),
        (
            "It further claimed responsibility for the rocket fire on the Tessalit camp.",
            "JNIM",
            ("JNIM", A.claimed),
        ),
        (
            "The group claimed the kidnapping of a Togolese priest as well.",
            "ISGS",
            ("ISGS", A.claimed),
        ),
    ],
    "its-men": [
        ("Its fighters then struck a supply convoy outside Djibo.", "JNIM", ("JNIM", A.claimed)),
        (
            "Its mujahideen overran an army post near Nassoumbou on the same day.",
            "ISGS",
            ("ISGS", A.claimed),
        ),
        (
            "Its soldiers, the claim said, seized a military post at Boulkessi.",
            "JNIM",
            ("JNIM", A.claimed),
        ),
    ],
    "generic-name-claims": [
        (
            "The jihadists claimed the assault in a post on social media.",
            "Katiba Macina",
            ("Katiba Macina", A.claimed),
        ),
        (
            "Islamist militants claimed the bombing of the bridge at Kona.",
            "JNIM",
            ("JNIM", A.claimed),
        ),
        (
            "The militants took responsibility for the attack on Boulkessi, a monitor noted.",
            "ISGS",
            ("ISGS", A.claimed),
        ),
    ],
    "claim-noun": [
        (
            "A further claim covered the ambush of a gendarmerie patrol near Kantchari.",
            "JNIM",
            ("JNIM", A.claimed),
        ),
        ("Another claim concerned a raid on a mining site at Solhan.", "ISGS", ("ISGS", A.claimed)),
        (
            "The third claim in the series related to an IED strike near Gossi.",
            "ISGS",
            ("ISGS", A.claimed),
        ),
    ],
    "blamed-on": [
        ("The massacre in Ogossagou was blamed on terrorists.", "JNIM", ("jihadists", A.suspected)),
        (
            "The burning of the school was blamed on Islamist militants, the mayor said.",
            "JNIM",
            ("jihadists", A.suspected),
        ),
        (
            "The killing of the imam near Djibo has been blamed on jihadists.",
            "ISGS",
            ("jihadists", A.suspected),
        ),
    ],
    "unidentified-gunmen": [
        (
            "Unknown gunmen shot dead a village chief in Ansongo.",
            "JNIM",
            ("unidentified armed group", A.unknown),
        ),
        (
            "Armed men on motorbikes killed five herders near Tera on Friday.",
            "ISGS",
            ("unidentified armed group", A.unknown),
        ),
        (
            "Unidentified attackers set fire to the town hall in Arbinda.",
            "JNIM",
            ("unidentified armed group", A.unknown),
        ),
    ],
    "suspected": [
        (
            "No one has yet claimed the killings, but ISGS is suspected.",
            None,
            ("ISGS", A.suspected),
        ),
        (
            "The raid bore the hallmarks of JNIM, though it has not been claimed.",
            None,
            ("JNIM", A.suspected),
        ),
        (
            "Security analysts say the ambush was likely the work of Katiba Macina.",
            None,
            ("Katiba Macina", A.suspected),
        ),
    ],
    "named-group-acts": [
        ("JNIM militants set up a blockade around Léré last week.", "ISGS", ("JNIM", A.attributed)),
        (
            "Katiba Macina fighters torched granaries in two villages near Macina.",
            "JNIM",
            ("Katiba Macina", A.attributed),
        ),
        (
            "Ansar Dine gunmen stormed a police station in Tenenkou.",
            "ISGS",
            ("Ansar Dine", A.attributed),
        ),
    ],
    # The attacked side is not the perpetrator.
    "attacked-side": [
        (
            "A roadside bomb targeting Burkinabe soldiers exploded near Gorom-Gorom.",
            None,
            (None, A.unknown),
        ),
        (
            "The assault on Nigerien forces at the Chinagodrar post left 18 dead.",
            None,
            (None, A.unknown),
        ),
        ("The raid against Malian troops near Boni was repelled.", None, (None, A.unknown)),
    ],
    # "blaming X for", "accused X of": X did it, by the blamer's account.
    "blaming-x-for": [
        (
            "JNIM released a communiqué blaming Wagner mercenaries for the killings in Moura.",
            None,
            ("Wagner Group", A.attributed),
        ),
        (
            "Survivors accused Malian soldiers of executing the detainees.",
            "JNIM",
            ("Malian armed forces", A.attributed),
        ),
        (
            "A rights group blamed Burkinabe troops for the deaths of 30 herders near Djibo.",
            "JNIM",
            ("Burkinabe armed forces", A.attributed),
        ),
    ],
    "nobody-named": [
        ("An explosive device went off beside the road to Douentza.", "JNIM", (None, A.unknown)),
        (
            "Shots were fired at a bus station in Fada N'Gourma overnight.",
            "ISGS",
            (None, A.unknown),
        ),
        ("A mortar round landed inside the camp at dawn.", "JNIM", (None, A.unknown)),
    ],
}


@pytest.mark.parametrize(("sentence", "earlier", "expected"), cases(PERPETRATORS))
def test_perpetrator_and_attribution(
    sentence: str, earlier: str | None, expected: tuple[str | None, Attribution]
) -> None:
    target = target_in(sentence)
    assert perpetrator_in(sentence, T.armed_assault, earlier, target) == expected


@pytest.mark.parametrize(
    ("sentence", "force"),
    [
        ("Malian soldiers raided a jihadist hideout outside Bourem.", "Malian armed forces"),
        ("Burkinabe forces struck an insurgent base near Djibo.", "Burkinabe armed forces"),
        (
            "Nigerien soldiers carried out raids on insurgent hideouts near Ayorou.",
            "Nigerien armed forces",
        ),
    ],
)
def test_state_forces_perpetrate_only_operations(sentence: str, force: str) -> None:
    assert perpetrator_in(sentence, T.military_operation, None) == (force, A.attributed)
    # Named as the one who raided, state forces are the perpetrator whatever the tag says.
    assert perpetrator_in(sentence, T.armed_assault, None)[0] == force


@pytest.mark.parametrize(
    ("text", "group"),
    [
        (
            "JNIM said it held the town. Burkinabe soldiers and jihadists clashed later. "
            "The group added",
            "JNIM",
        ),
        (
            "A claim by Katiba Macina followed. Then the Malian army and gunmen exchanged fire. It said",
            "Katiba Macina",
        ),
        (
            "Ansar Dine posted a video. French troops and extremists were filmed. It claimed",
            "Ansar Dine",
        ),
    ],
)
def test_last_group_before_skips_states_and_generic_words(text: str, group: str) -> None:
    assert last_group_before(text, len(text)) == group


@pytest.mark.parametrize(
    "text",
    [
        "Soldiers patrolled the market.",
        "Malian troops and gunmen exchanged fire.",
        "Nigerien forces said extremists had fled.",
    ],
)
def test_last_group_before_finds_no_group(text: str) -> None:
    assert last_group_before(text, len(text)) is None


# --- sources ------------------------------------------------------------------------------

SOURCES: dict[str, list[tuple[Any, ...]]] = {
    "confirmed-by": [
        (["Hospital staff confirmed the deaths."], "JNIM", ("Hospital staff", None)),
        (
            ["The regional governor confirmed the raid by phone."],
            "JNIM",
            ("regional governor", None),
        ),
        (["Security sources confirmed the ambush to AFP."], None, ("Security sources", None)),
    ],
    "according-to": [
        (
            ["According to humanitarian sources, 12 people were killed."],
            None,
            ("humanitarian sources", None),
        ),
        (["According to the mayor, gunmen torched the market."], None, ("mayor", None)),
        (["Six herders died, according to village leaders."], "ISGS", ("village leaders", None)),
    ],
    "adverb-before-verb": [
        (["Regional radio later reported the raid."], None, ("Regional radio", None)),
        (["Several witnesses quickly reported the shooting."], None, ("Several witnesses", None)),
        (["Security sources have since confirmed the toll."], "JNIM", ("Security sources", None)),
    ],
    "denied-by": [
        (["The Malian army rejected the accusation of abuses."], "JNIM", (None, "Malian army")),
        (
            ["Burkinabe authorities dismissed the report as propaganda."],
            "JNIM",
            (None, "Burkinabe authorities"),
        ),
        (
            ["Government officials disputed the figure given by the group."],
            "JNIM",
            (None, "Government officials"),
        ),
    ],
    # The claimant speaking is no confirmation.
    "claimant-speaks": [
        (["ISGS stated that its men had overrun the post."], "ISGS", (None, None)),
        (
            ["Katiba Macina announced on Telegram that its fighters held the town."],
            "Katiba Macina",
            (None, None),
        ),
        (["JNIM reported killing 12 soldiers in a post on Telegram."], "JNIM", (None, None)),
    ],
    "claimant-by-reference": [
        (["It said the ambush had been a success."], "JNIM", (None, None)),
        (["The group said the operation had gone to plan."], "JNIM", (None, None)),
        (["It told followers the fighters had returned safely."], "ISGS", (None, None)),
    ],
}


@pytest.mark.parametrize(("sentences", "claimant", "expected"), cases(SOURCES))
def test_sources(
    sentences: list[str], claimant: str | None, expected: tuple[str | None, str | None]
) -> None:
    assert sources_in(sentences, claimant) == expected


# --- targets ------------------------------------------------------------------------------

TARGETS: dict[str, list[tuple[Any, ...]]] = {
    "police": [
        (
            "Assailants mounted an assault on the police station in Kantchari at dawn.",
            "police station",
            TargetType.police,
        ),
        ("Militants raided a customs post outside Seytenga.", "customs post", TargetType.police),
        (
            "The attack against gendarmes at the Torodi checkpoint lasted an hour.",
            "gendarmes",
            TargetType.police,
        ),
    ],
    "military": [
        (
            "A landmine blast on an army supply convoy near Boni killed two.",
            "army supply convoy",
            TargetType.military,
        ),
        (
            "Jihadists ambushed a patrol of Burkinabe soldiers near Djibo.",
            "patrol of Burkinabe soldiers",
            TargetType.military,
        ),
        (
            "The suicide attack targeting the Malian army camp at Boulkessi failed.",
            "Malian army camp",
            TargetType.military,
        ),
    ],
    "peacekeepers": [
        (
            "An IED struck a MINUSMA convoy outside Aguelhok.",
            "MINUSMA convoy",
            TargetType.peacekeepers,
        ),
        ("Rockets hit the UN camp in Tessalit overnight.", "UN camp", TargetType.peacekeepers),
        (
            "The attack on Chadian peacekeepers near Kidal killed three.",
            "Chadian peacekeepers",
            TargetType.peacekeepers,
        ),
    ],
    "foreign-military": [
        (
            "Mortar fire on the French camp at Ménaka caused no casualties.",
            "French camp",
            TargetType.foreign_military,
        ),
        (
            "Jihadists ambushed a Wagner convoy near Intahaka.",
            "Wagner convoy",
            TargetType.foreign_military,
        ),
        (
            "A suicide bombing against Barkhane troops in Gao wounded six.",
            "Barkhane troops",
            TargetType.foreign_military,
        ),
    ],
    "prison": [
        ("The jail attack in Koutiala freed dozens of inmates.", "jail", TargetType.prison),
        (
            "A prison break at the Koutoukalé facility was foiled by guards.",
            "prison",
            TargetType.prison,
        ),
        ("Guards repelled a prison raid near Kollo.", "prison", TargetType.prison),
    ],
    "civilians": [
        (
            "Assailants attacked herders at a watering point near Tin-Akoff.",
            "herders",
            TargetType.civilians,
        ),
        (
            "Jihadists targeted displaced families on the road to Kaya.",
            "displaced families",
            TargetType.civilians,
        ),
        (
            "Gunmen struck traders at the weekly market in Foutouri.",
            "traders",
            TargetType.civilians,
        ),
    ],
    "no-target": [
        ("The insurgents attacked again overnight.", None, TargetType.unknown),
        ("Fighters struck near the Niger border before dawn.", None, TargetType.unknown),
        ("JNIM attacked in force across the Ségou region.", None, TargetType.unknown),
    ],
}


@pytest.mark.parametrize(("sentence", "target", "kind"), cases(TARGETS))
def test_target_and_kind(sentence: str, target: str | None, kind: TargetType) -> None:
    assert target_in(sentence) == target
    assert target_type_of(target) == kind


_BOMB = "ISGS claimed the roadside bomb attack on Nigerien gendarmes outside Tillabéri."
_AMBUSH = "JNIM said its men led the ambush on a Burkinabe army convoy near Djibo."
_RAID = "Katiba Macina took credit for the raid on Malian soldiers near Niono."

MODEL_TARGETS: dict[str, list[tuple[Any, ...]]] = {
    "kept": [
        ("Nigerien gendarmes", _BOMB, "ISGS", "Nigerien gendarmes"),
        ("Burkinabe army convoy", _AMBUSH, "JNIM", "Burkinabe army convoy"),
        ("Malian soldiers", _RAID, "Katiba Macina", "Malian soldiers"),
    ],
    "the-attack-itself": [
        ("roadside bomb attack", _BOMB, "ISGS", None),
        ("ambush", _AMBUSH, "JNIM", None),
        ("raid", _RAID, "Katiba Macina", None),
    ],
    "the-attacker": [
        ("ISGS", _BOMB, "ISGS", None),
        ("JNIM", _AMBUSH, "JNIM", None),
        ("Katiba Macina", _RAID, "Katiba Macina", None),
    ],
    "only-a-place": [
        ("Tillabéri", _BOMB, "ISGS", None),
        ("Djibo", _AMBUSH, "JNIM", None),
        ("Niono", _RAID, "Katiba Macina", None),
    ],
    "not-in-the-text": [
        ("Malian soldiers", _BOMB, "ISGS", None),
        ("Nigerien troops", _AMBUSH, "JNIM", None),
        ("French forces", _RAID, "Katiba Macina", None),
    ],
}


@pytest.mark.parametrize(("target", "sentence", "perpetrator", "expected"), cases(MODEL_TARGETS))
def test_model_target_must_be_a_target_in_the_sentence(
    target: str, sentence: str, perpetrator: str, expected: str | None
) -> None:
    assert usable_target(target, sentence, perpetrator) == expected


# --- place phrase -------------------------------------------------------------------------

PLACE_PHRASES: dict[str, list[tuple[Any, ...]]] = {
    # "the village of X" names the event's place, more precisely than the region after it.
    "region-after-object": [
        (
            "An assault on the village of Tinzaw in the restive Ménaka region.",
            "the village of Tinzaw",
        ),
        (
            "Militants burned the village of Dangatène in the northern Tombouctou region.",
            "the village of Dangatène in the northern Tombouctou region",
        ),
        (
            "Jihadists overran the commune of Zzyborgo in the central Ségou region.",
            "the commune of Zzyborgo in the central Ségou region",
        ),
    ],
    "village-of-in-region": [
        (
            "Gunmen shot a chief in the village of Kwelendou in the central Ségou region.",
            "in the village of Kwelendou in the central Ségou region",
        ),
        (
            "Two soldiers died in the town of Zzyborgo in the northern Tombouctou region.",
            "in the town of Zzyborgo in the northern Tombouctou region",
        ),
        (
            "A blast hit a bus near the village of Kwelendou, in the Mopti region.",
            "near the village of Kwelendou, in the Mopti region",
        ),
    ],
    "near-a-town": [
        ("A mine exploded near Douentza on Monday.", "near Douentza"),
        ("Fighting outside Djibo lasted hours.", "outside Djibo"),
        ("The convoy was hit at Ansongo before noon.", "at Ansongo"),
    ],
    "described-town": [
        (
            "The attack near the eastern Burkinabe town of Fada N'Gourma killed four.",
            "near the eastern Burkinabe town of Fada N'Gourma",
        ),
        (
            "Rockets fell outside the northern Malian town of Tessalit.",
            "outside the northern Malian town of Tessalit",
        ),
        (
            "A car bomb went off in the southern Malian city of Sikasso.",
            "in the southern Malian city of Sikasso",
        ),
    ],
    "between-towns-in-region": [
        (
            "Fighting between Kaya and Kongoussi in the Centre-Nord region left 12 dead.",
            "between Kaya and Kongoussi in the Centre-Nord region",
        ),
        (
            "An ambush between Douentza and Bankass in the Mopti region.",
            "between Douentza and Bankass in the Mopti region",
        ),
        (
            "Raids between Téra and Ayorou in the Tillabéri region continued.",
            "between Téra and Ayorou in the Tillabéri region",
        ),
    ],
    "no-place": [
        ("The group struck in March and again in May.", None),
        ("Fighters came at night on motorbikes.", None),
        ("The raids resumed in Ramadan, residents said.", None),
    ],
    "near-its-capital": [
        ("A bombing near its capital Niamey was foiled.", "near its capital Niamey"),
        ("Checkpoints around their capital Bamako were reinforced.", "around their capital Bamako"),
        ("A jailbreak outside its capital Ouagadougou failed.", "outside its capital Ouagadougou"),
    ],
}


@pytest.mark.parametrize(("sentence", "phrase"), cases(PLACE_PHRASES))
def test_location_phrase(sentence: str, phrase: str | None) -> None:
    assert location_phrase(sentence) == phrase


# --- date of the event --------------------------------------------------------------------

EVENT_DATES: dict[str, list[tuple[Any, ...]]] = {
    "not-the-statement-date": [
        ("In a communiqué issued on Sunday, JNIM claimed Friday's ambush near Boni.", "Friday's"),
        ("A video posted on Tuesday showed the group celebrating Monday's attack.", "Monday's"),
        ("In a message posted today, the group claimed the March 8 raid.", "March 8"),
    ],
    "not-another-events-date": [
        (
            "Besides Sunday's raid on Diapaga, the group claimed a February 27 ambush.",
            "February 27",
        ),
        ("Apart from last week's attack, ISGS claimed the March 4 assault on Tera.", "March 4"),
        ("Unlike the January clashes, the March 6 strike hit a market.", "March 6"),
    ],
    "no-date": [
        ("Gunmen burned the granary and fled.", None),
        ("The NGO urged restraint by all parties.", None),
        ("Residents fled towards the regional capital.", None),
    ],
}


@pytest.mark.parametrize(("sentence", "expected"), cases(EVENT_DATES))
def test_event_date_skips_the_statement_and_other_events(
    sentence: str, expected: str | None
) -> None:
    assert event_date_text(sentence, PUBLISHED) == expected


def test_supported_type_needs_a_trigger_word_for_specific_tactics() -> None:
    assert supported_type(T.prison_break, []) == T.other
    assert supported_type(T.prison_break, [T.prison_break]) == T.prison_break
    assert supported_type(T.ied, [T.ambush]) == T.ambush
    assert supported_type(T.armed_assault, []) == T.armed_assault


# --- follow-up sentences ------------------------------------------------------------------

FOLLOW_UPS: dict[str, list[tuple[Any, ...]]] = {
    "points-back": [
        ("Some 15 herders were killed in that raid, according to the mayor.", True),
        ("Eleven gendarmes were wounded in that ambush, a security source said.", True),
        ("This attack left six civilians dead, the NGO said.", True),
        ("A truck driver lost his life in that blast.", True),
    ],
    "names-a-place": [
        ("That ambush outside Djibo killed nine.", False),
        ("This attack on Ansongo left 14 dead.", False),
        ("That blast in Kidal wounded seven.", False),
    ],
    "names-a-date": [
        ("That ambush on Friday killed 12.", False),
        ("This assault last Sunday left eight dead.", False),
        ("That explosion on 3 March wounded five.", False),
    ],
    "no-reference": [
        ("Jihadists killed 16 villagers.", False),
        ("A roadside bomb wounded four troops.", False),
        ("Armed men abducted seven traders.", False),
    ],
}


@pytest.mark.parametrize(("sentence", "expected"), cases(FOLLOW_UPS))
def test_follow_up_points_back_without_place_or_date(sentence: str, expected: bool) -> None:
    assert is_follow_up(sentence, PUBLISHED) is expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Four passengers were hurt in the explosion, the hospital said.",
        "A shepherd was killed in the shelling.",
        "Nine gendarmes died in the ambush.",
    ],
)
def test_definite_reference_follows_up_only_in_the_same_paragraph(sentence: str) -> None:
    assert is_follow_up(sentence, PUBLISHED, same_paragraph=True)
    assert not is_follow_up(sentence, PUBLISHED, same_paragraph=False)


# --- target kinds and non-targets ---------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ("Nigerien vehicle", TargetType.military),
        ("Malian truck", TargetType.military),
        ("Burkinabe vehicle", TargetType.military),
        ("vehicle", TargetType.other),
        ("truck", TargetType.other),
        ("motorbike", TargetType.other),
    ],
)
def test_national_vehicles_are_military(target: str, kind: TargetType) -> None:
    assert target_type_of(target) == kind


@pytest.mark.parametrize(
    ("target", "incident_type", "kind"),
    [
        (None, T.prison_break, TargetType.prison),
        ("", T.prison_break, TargetType.prison),
        (None, T.ambush, TargetType.unknown),
        (None, T.ied, TargetType.unknown),
        (None, T.armed_assault, TargetType.unknown),
    ],
)
def test_target_kind_without_a_target(
    target: str | None, incident_type: IncidentType, kind: TargetType
) -> None:
    assert target_type_of(target, incident_type) == kind


@pytest.mark.parametrize(
    ("target", "sentence"),
    [
        ("border with Mali", "The ambush happened close to the border with Mali."),
        ("frontier with Burkina Faso", "Fighters regrouped near the frontier with Burkina Faso."),
        ("borders", "Gunmen crossed the borders at night."),
        ("area", "Gunmen attacked the area."),
        ("region", "Jihadists struck the region twice this week."),
        ("forest", "The army bombed the forest near Kompienga."),
    ],
)
def test_a_place_or_area_is_not_a_target(target: str, sentence: str) -> None:
    assert usable_target(target, sentence) is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # After an attack word, "of X" is the side attacked.
        ("Footage showed the execution of two extremists in a village.", (None, A.unknown)),
        ("Villagers celebrated the killing of the gunmen near Bankass.", (None, A.unknown)),
        ("The ambush of the militants by a Dozo patrol was filmed.", (None, A.unknown)),
        # Elsewhere, "of X" is X at work.
        (
            "The tactics of the gunmen suggested a well-trained unit.",
            ("unidentified armed group", A.unknown),
        ),
        ("A convoy of the jihadists crossed the river at dawn.", ("jihadists", A.attributed)),
        ("Most of the attackers fled on motorbikes.", ("unidentified armed group", A.unknown)),
    ],
)
def test_a_group_after_of_is_the_attacked_side_only_after_an_attack_word(
    sentence: str, expected: tuple[str | None, Attribution]
) -> None:
    assert perpetrator_in(sentence, T.other, None) == expected


@pytest.mark.parametrize(
    "groups",
    [COUNTS, PERPETRATORS, SOURCES, TARGETS, MODEL_TARGETS, PLACE_PHRASES, EVENT_DATES, FOLLOW_UPS],
)
def test_every_behaviour_has_three_wordings(groups: dict[str, list[tuple[Any, ...]]]) -> None:
    assert all(len(rows) >= 3 for rows in groups.values())
