"""Rules that read counts, actors, sources, targets and place phrases from one sentence.

Every sentence here is invented for the tests, in the style of Sahel security reporting;
none is taken from the seed documents.
"""

from __future__ import annotations

import datetime as dt

import pytest

from llmextract.normalize.rules import (
    actors_in,
    counts_in,
    event_date_text,
    is_follow_up,
    last_group_before,
    location_phrase,
    perpetrator_in,
    sources_in,
    supported_type,
    target_in,
    target_type_of,
    usable_target,
)
from llmextract.schema import Attribution, IncidentType, TargetType

A = Attribution
T = IncidentType


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Gunmen stormed a police station, killing three officers.", {"killed": "three"}),
        ("The blast left at least 12 people dead.", {"killed": "at least 12"}),
        ("The raid left nearly a dozen Nigerien soldiers dead.", {"killed": "nearly a dozen"}),
        ("Four soldiers were killed and six others wounded.", {"killed": "Four", "wounded": "six"}),
        ("Nine civilians and three soldiers were wounded in the shelling.", {"wounded": "12"}),
        ("The attack killed two soldiers and wounded several others.", {"killed": "two"}),
        ("Kidnappers seized two aid workers on the road.", {"kidnapped": "two"}),
        ("The militants abducted 14 passengers from a bus.", {"kidnapped": "14"}),
        ("Troops killed 30 militants near the border.", {"perpetrators_killed": "30"}),
        (
            "One killed and two wounded in the assault on the camp.",
            {"killed": "One", "wounded": "two"},
        ),
        ("Another 17 were wounded, the ministry said.", {"wounded": "Another 17"}),
        ("The death toll rose to 41 on Tuesday.", {"killed": "41"}),
        # No count: equipment captured, a year next to a verb, a vague figure.
        ("The fighters captured weapons and two vehicles.", {}),
        ("Since 2015 killed civilians have numbered in the hundreds, activists say.", {}),
        ("Several soldiers were wounded.", {}),
        ("Dozens of prisoners were freed.", {}),
    ],
)
def test_counts_read_from_sentence(sentence: str, expected: dict[str, str]) -> None:
    assert counts_in([sentence]) == expected


def test_counts_take_each_field_from_its_first_sentence() -> None:
    counts = counts_in(
        ["An ambush killed five soldiers near the town.", "Officials later said eight had died."]
    )
    assert counts == {"killed": "five"}


def test_actors_short_aliases_only_in_capitals() -> None:
    assert [a.canonical for a in actors_in("IS fighters attacked; the town is calm.")] == [
        "Islamic State"
    ]
    assert actors_in("This is what it is.") == []


def test_actors_longest_alias_wins() -> None:
    found = actors_in("The Islamic State in the Greater Sahara claimed it.")
    assert [a.canonical for a in found] == ["ISGS"]


@pytest.mark.parametrize(
    ("sentence", "earlier", "expected"),
    [
        ("JNIM claimed an ambush on Malian troops near the river.", None, ("JNIM", A.claimed)),
        ("It also claimed an IED blast on a convoy.", "ISGS", ("ISGS", A.claimed)),
        ("Two days later, its men attacked a checkpoint.", "JNIM", ("JNIM", A.claimed)),
        ("The jihadist group took credit for the raid.", "Ansar Dine", ("Ansar Dine", A.claimed)),
        ("The second claim was for a raid on a customs post.", "JNIM", ("JNIM", A.claimed)),
        ("The attack was blamed on jihadists.", "JNIM", ("jihadists", A.suspected)),
        (
            "Unidentified gunmen killed four traders.",
            "JNIM",
            ("unidentified armed group", A.attributed),
        ),
        ("While not claimed, JNIM is suspected in the bombing.", None, ("JNIM", A.suspected)),
        ("ISGS fighters ambushed a patrol.", "JNIM", ("ISGS", A.attributed)),
        # The attacked side is not the perpetrator.
        ("An ambush on Malian troops killed six.", None, (None, A.unknown)),
        # "blaming X for": X did it, by the blamer's account.
        (
            "The group issued a statement blaming French forces for a strike on a wedding.",
            "JNIM",
            ("French forces", A.attributed),
        ),
        ("A bomb exploded at the market.", "JNIM", (None, A.unknown)),
    ],
)
def test_perpetrator_and_attribution(
    sentence: str, earlier: str | None, expected: tuple[str | None, Attribution]
) -> None:
    target = target_in(sentence)
    assert perpetrator_in(sentence, T.armed_assault, earlier, target) == expected


def test_state_forces_perpetrate_only_operations() -> None:
    sentence = "Nigerien troops raided a militant camp near the border."
    assert perpetrator_in(sentence, T.military_operation, None) == (
        "Nigerien armed forces",
        A.attributed,
    )
    assert perpetrator_in(sentence, T.armed_assault, None) == (None, A.unknown)


def test_last_group_before_skips_states_and_generic_words() -> None:
    text = "ISGS claimed the raid. Malian troops and militants were there. It said"
    assert last_group_before(text, len(text)) == "ISGS"
    assert last_group_before("Nothing named here.", 10) is None


@pytest.mark.parametrize(
    ("sentences", "claimant", "expected"),
    [
        (["The defence ministry confirmed the attack."], "JNIM", ("defence ministry", None)),
        (["According to local officials, four died."], None, ("local officials", None)),
        (["Local media also reported the clash."], None, ("Local media", None)),
        (["The French army denied any civilian deaths."], "JNIM", (None, "French army")),
        # The claimant speaking is no confirmation.
        (["JNIM said its fighters killed two soldiers."], "JNIM", (None, None)),
        (["It said the attack was a success."], "JNIM", (None, None)),
    ],
)
def test_sources(
    sentences: list[str], claimant: str | None, expected: tuple[str | None, str | None]
) -> None:
    assert sources_in(sentences, claimant) == expected


@pytest.mark.parametrize(
    ("sentence", "target", "kind"),
    [
        (
            "Gunmen launched an attack on a gendarmerie post in the north.",
            "gendarmerie post",
            TargetType.police,
        ),
        (
            "The IED attack on a convoy of Nigerien soldiers near the river.",
            "convoy of Nigerien soldiers",
            TargetType.military,
        ),
        ("Militants ambushed a UN patrol, killing one.", "UN patrol", TargetType.peacekeepers),
        (
            "A rocket barrage on the French base at dawn.",
            "French base",
            TargetType.foreign_military,
        ),
        ("An attempted prison assault was repelled.", "prison", TargetType.prison),
        ("Gunmen attacked worshippers at a mosque.", "worshippers", TargetType.civilians),
        ("The group attacked in the centre of the country.", None, TargetType.unknown),
    ],
)
def test_target_and_kind(sentence: str, target: str | None, kind: TargetType) -> None:
    assert target_in(sentence) == target
    assert target_type_of(target) == kind


def test_model_target_must_be_a_target_in_the_sentence() -> None:
    sentence = "JNIM claimed the IED attack on Malian soldiers near Gao."
    assert usable_target("Malian soldiers", sentence, "JNIM") == "Malian soldiers"
    assert usable_target("IED attack", sentence, "JNIM") is None  # the attack itself
    assert usable_target("JNIM", sentence, "JNIM") is None  # the attacker
    assert usable_target("Gao", sentence, "JNIM") is None  # only a place
    assert usable_target("Nigerien soldiers", sentence, "JNIM") is None  # not in the text


@pytest.mark.parametrize(
    ("sentence", "phrase"),
    [
        (
            "A raid on the village of Foo in the central Mopti region.",
            "in the central Mopti region",
        ),
        (
            "Gunmen attacked a post in the village of Foo in the central Mopti region.",
            "in the village of Foo in the central Mopti region",
        ),
        ("An ambush near Gao killed two.", "near Gao"),
        (
            "The bombing near the northern Malian city of Kidal.",
            "near the northern Malian city of Kidal",
        ),
        (
            "Clashes between Gao and Ansongo in the Gao region.",
            "between Gao and Ansongo in the Gao region",
        ),
        ("It attacked in January with rockets.", None),
        ("A prison break near its capital Ouagadougou failed.", "near its capital Ouagadougou"),
    ],
)
def test_location_phrase(sentence: str, phrase: str | None) -> None:
    assert location_phrase(sentence) == phrase


def test_event_date_skips_the_statement_and_other_events() -> None:
    published = dt.date(2024, 3, 10)
    assert (
        event_date_text(
            "In a statement released today, the group claimed yesterday’s raid.", published
        )
        == "yesterday’s"
    )
    assert (
        event_date_text(
            "In addition to Monday's ambush, it claimed the March 2 bombing.", published
        )
        == "March 2"
    )
    assert event_date_text("No date here.", published) is None


def test_supported_type_needs_a_trigger_word_for_specific_tactics() -> None:
    assert supported_type(T.prison_break, []) == T.other
    assert supported_type(T.prison_break, [T.prison_break]) == T.prison_break
    assert supported_type(T.ied, [T.ambush]) == T.ambush
    assert supported_type(T.armed_assault, []) == T.armed_assault


def test_follow_up_points_back_without_place_or_date() -> None:
    published = dt.date(2024, 3, 10)
    assert is_follow_up("At least 20 soldiers were killed in that raid.", published)
    assert is_follow_up("Two soldiers were left dead by that explosion.", published)
    assert not is_follow_up("That raid near Gao killed 20.", published)
    assert not is_follow_up("That raid on Monday killed 20.", published)
    assert not is_follow_up("Gunmen killed 20 soldiers.", published)


def test_definite_reference_follows_up_only_in_the_same_paragraph() -> None:
    published = dt.date(2024, 3, 10)
    sentence = "Two soldiers were wounded in the blast."
    assert is_follow_up(sentence, published, same_paragraph=True)
    assert not is_follow_up(sentence, published, same_paragraph=False)


def test_target_kinds_from_context() -> None:
    assert target_type_of("Nigerien vehicle") == TargetType.military
    assert target_type_of("vehicle") == TargetType.other
    assert target_type_of(None, T.prison_break) == TargetType.prison
    assert target_type_of(None, T.ambush) == TargetType.unknown


def test_a_place_or_area_is_not_a_target() -> None:
    sentence = "The attack took place near the border with Niger."
    assert usable_target("border with Niger", sentence) is None
    assert usable_target("area", "Gunmen attacked the area.") is None


def test_a_group_after_of_is_the_attacked_side_only_after_an_attack_word() -> None:
    assert perpetrator_in("It was the latest attack of the jihadists.", T.other, None) == (
        None,
        A.unknown,
    )
    assert perpetrator_in("It is an instance of the jihadist group at work.", T.other, None) == (
        "jihadists",
        A.attributed,
    )
