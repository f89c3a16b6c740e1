"""Reading what reporting says after an event's own sentence: later claims, follow-up
sentences, who is a source (the publisher included), state forces named only by an
official's account, dates inside reported speech, tolls with asides, places the
gazetteer lacks.

Every sentence is invented for these tests, each behaviour in at least three wordings;
none shares six consecutive words with the seed or dev documents.  Villages such as
Koulbila-Mossi, Dankoumbé or Tinfagha are made up.
"""

from __future__ import annotations

import datetime as dt

import pytest

from llmextract.drafts import EventTag
from llmextract.normalize.attribution import (
    perpetrator_in,
    state_agent_in,
    state_speaker,
)
from llmextract.normalize.count_phrases import counts_in
from llmextract.normalize.dates import find_dates, resolve_date
from llmextract.normalize.event import draft_from_rules, event_block, said_about
from llmextract.normalize.merge import merge_pair
from llmextract.normalize.places import resolve_location
from llmextract.normalize.publisher import speaking_publisher, with_publisher
from llmextract.normalize.rules import event_date_text, is_follow_up, location_phrase, usable_target
from llmextract.normalize.sources import sources_of
from llmextract.normalize.tactics import checked_type
from llmextract.schema import (
    Attribution,
    DatePrecision,
    Evidence,
    Incident,
    IncidentType,
    Source,
    Stance,
)
from llmextract.segments import split_sentences, story_units

A = Attribution
T = IncidentType
PUBLISHED = dt.date(2025, 6, 14)  # a Saturday


def _draft(text: str, tag_type: T, target: str | None = None):
    """The events strategy's reading of a one-event text whose first sentence is tagged."""
    sentences = split_sentences(text)
    first = sentences[0]
    block = event_block(sentences, first, {first.index}, units=story_units(text, PUBLISHED))
    tag = EventTag(sentence=first.index, type=tag_type, target=target)
    [said] = said_about([(tag, block)], sentences, story_units(text, PUBLISHED))
    return draft_from_rules(tag, block, text, PUBLISHED, said)


# --- 1. a claim told after the event's sentence ------------------------------------------


@pytest.mark.parametrize(
    ("text", "tag_type", "perpetrator"),
    [
        (
            "Armed men stormed a police post in Yanfolila late on Friday. Two officers were "
            "wounded, a hospital worker said. JNIM took responsibility on Sunday.",
            T.armed_assault,
            "JNIM",
        ),
        (
            "ISGS fighters ambushed a supply column near Tahoua on 3 June, killing four "
            "soldiers. Two days on, the Islamic State took credit for the ambush via Amaq.",
            T.ambush,
            "ISGS",
        ),
        (
            "Militants of JNIM overran an outpost in Léraba province on Thursday. Six "
            "gendarmes died. In a message on Friday the group took credit for the raid.",
            T.armed_assault,
            "JNIM",
        ),
    ],
)
def test_later_claim_makes_the_attack_claimed(text: str, tag_type: T, perpetrator: str) -> None:
    draft, _ = _draft(text, tag_type)
    assert draft.perpetrator == perpetrator
    assert draft.attribution == A.claimed


@pytest.mark.parametrize(
    "text",
    [
        "Gunmen raided a market near Djibasso on Friday, killing five traders. No group "
        "has claimed the killings.",
        "Unknown assailants shot dead a village chief in Kantchari on Monday. There was no "
        "claim of responsibility.",
        "Attackers set fire to a school outside Titao on Tuesday. Nobody claimed the arson.",
    ],
)
def test_no_claim_after_the_event_names_nobody(text: str) -> None:
    draft, _ = _draft(text, T.armed_assault)
    assert draft.attribution != A.claimed


# --- 2. follow-up sentences ---------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "JNIM took responsibility the following evening.",
        "Police confirmed casualties but gave no figure.",
        "The army denied any involvement.",
        "The killings were not claimed by the group.",
    ],
)
def test_claims_denials_and_confirmations_follow_up(sentence: str) -> None:
    assert is_follow_up(sentence, PUBLISHED, same_paragraph=True)


@pytest.mark.parametrize(
    "sentence",
    [
        "JNIM also claimed an ambush near Kayes.",  # a place of its own
        "JNIM separately claimed a raid on a convoy.",  # another event, indefinite
        "On 2 June the group claimed a bombing.",  # a date of its own
    ],
)
def test_claims_of_other_events_are_not_follow_ups(sentence: str) -> None:
    assert not is_follow_up(sentence, PUBLISHED, same_paragraph=True)


def test_follow_up_needs_the_same_paragraph_without_a_back_reference() -> None:
    assert not is_follow_up("The army denied any involvement.", PUBLISHED)
    assert is_follow_up("The army denied any part in that raid.", PUBLISHED)


# --- 3. the publisher as a source ---------------------------------------------------------


@pytest.mark.parametrize(
    ("publisher", "speaks"),
    [
        ("Ministry of Defence of Mali (communiqué)", "Ministry of Defence of Mali"),
        ("Amnesty International", "Amnesty International"),
        ("U.S. Embassy Niamey", "U.S. Embassy Niamey"),
        ("Agence Sahel Presse", None),
        ("The Niamey Daily News", None),
        ("Conflict Notes, a blog", None),
        (None, None),
    ],
)
def test_which_publishers_speak_for_themselves(publisher: str | None, speaks: str | None) -> None:
    assert speaking_publisher(publisher) == speaks


def _incident(**fields) -> Incident:
    base = {"summary": "", "incident_type": T.armed_assault}
    return Incident.model_validate({**base, **fields})


@pytest.mark.parametrize(
    ("publisher", "perpetrator", "stance"),
    [
        ("Nigerien Ministry of Defence", "Nigerien armed forces", Stance.claims),
        ("Burkina Faso Armed Forces General Staff", "Burkinabe armed forces", Stance.claims),
        ("Human Rights Watch", "Malian armed forces", Stance.reports),
        ("Niger Ministry of the Interior", "ISGS", Stance.reports),
    ],
)
def test_publisher_claims_its_own_operation_and_reports_the_rest(
    publisher: str, perpetrator: str, stance: Stance
) -> None:
    incident = with_publisher(_incident(perpetrator=perpetrator), publisher)
    assert (incident.sources[-1].source, incident.sources[-1].stance) == (
        speaking_publisher(publisher),
        stance,
    )
    assert (incident.attribution == A.claimed) == (stance == Stance.claims)


def test_news_outlet_is_never_added() -> None:
    incident = _incident(perpetrator="JNIM")
    assert with_publisher(incident, "Sahel Wire Service").sources == []


# --- 4. whom the state's account names -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tag_type", "perpetrator"),
    [
        (
            "The army said an air strike near Goundam on Friday killed six militants.",
            T.other,
            "Malian armed forces",
        ),
        (
            "The defence ministry announced that raids around Torodi had neutralised about "
            "forty terrorists on Wednesday.",
            T.armed_assault,
            "Nigerien armed forces",
        ),
        (
            "In a communiqué, the general staff said drones had struck a camp of fighters "
            "near Djibo on Thursday.",
            T.massacre,
            "Burkinabe armed forces",
        ),
    ],
)
def test_official_account_of_a_strike_names_the_place_army(
    text: str, tag_type: T, perpetrator: str
) -> None:
    draft, _ = _draft(text, tag_type)
    assert (draft.perpetrator, draft.attribution) == (perpetrator, A.claimed)


@pytest.mark.parametrize(
    "text",
    [
        "The army said troops repelled an assault on the Boulkessi camp and neutralised "
        "twelve assailants on Monday.",
        "The ministry said soldiers fought off the attack near Tillabéri and neutralised "
        "several gunmen.",
        "Officers beat back the raid on the Dori barracks and neutralised nine attackers, "
        "the army said.",
    ],
)
def test_neutralised_while_repelling_is_no_state_operation(text: str) -> None:
    draft, _ = _draft(text, T.armed_assault)
    assert draft.perpetrator not in (
        "Malian armed forces",
        "Nigerien armed forces",
        "Burkinabe armed forces",
    )


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Residents said soldiers rounded up eleven herders and shot them near Dankoumbé.", True),
        ("Witnesses said the troops opened fire on a crowd at the market.", True),
        ("Security forces detained the men at a checkpoint and later executed them.", True),
        ("Five soldiers killed as gunmen hit a patrol near the border", False),
        ("Three soldiers were killed when gunmen struck their post.", False),
        ("Gunmen killed two soldiers and wounded a third.", False),
    ],
)
def test_unnamed_soldiers_as_the_doers(sentence: str, expected: bool) -> None:
    assert state_agent_in(sentence) is expected


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ("A strike killed a senior commander, the Barkhane command said.", "French forces"),
        ("FAMa said its aircraft hit a convoy of fighters.", "Malian armed forces"),
        ("Local residents said a drone struck a wedding.", None),
    ],
)
def test_state_speaker(sentence: str, speaker: str | None) -> None:
    assert state_speaker(sentence) == speaker


@pytest.mark.parametrize(
    "sentence",
    [
        "Troops had killed scores of JNIM militants in the sweep, the ministry said.",
        "Troops neutralised about thirty of the ISGS militants near the river.",
        "The strike killed around ten members of a cell linked to the Katiba Macina.",
    ],
)
def test_the_group_that_was_hit_is_not_the_attacker(sentence: str) -> None:
    perpetrator, _ = perpetrator_in(sentence, T.military_operation, None)
    assert perpetrator not in ("JNIM", "ISGS", "Katiba Macina")


def test_a_name_and_its_acronym_share_one_role() -> None:
    sentence = (
        "The group claimed that its fighters had stormed a base of the Movement for the "
        "Salvation of Azawad (MSA) near Inékar."
    )
    assert perpetrator_in(sentence, T.armed_assault, "ISGS")[0] == "ISGS"


# --- 5. sources who blame, suspect, or are not officials -----------------------------------


@pytest.mark.parametrize(
    ("sentence", "source"),
    [
        ("Local officials blamed JNIM for the ambush.", "Local officials"),
        ("Villagers suspect ISGS, which roams the area.", "Villagers"),
        ("The authorities accused a local militia of the killings.", "The authorities"),
        ("Gunmen seized three drivers near Nioro, a relative said.", "relative"),
        ("Two engineers were abducted at the quarry, the firm said in a statement.", "firm"),
        ("Eight people died, according to Doctors Without Borders International.", None),
    ],
)
def test_more_kinds_of_source(sentence: str, source: str | None) -> None:
    found = sources_of([sentence], None)
    if source is None:
        assert all(s == Stance.reports for _, s in found)
    else:
        assert (source, Stance.reports) in found


# --- 6. dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "start", "end"),
    [
        (
            "Overnight from Friday 6 to Saturday 7 June, gunmen raided a farm.",
            "2025-06-06",
            "2025-06-07",
        ),
        (
            "In the night of Tuesday 3 to Wednesday 4 June, militants shelled the camp.",
            "2025-06-03",
            "2025-06-04",
        ),
        (
            "On Monday 9 and Tuesday 10 June, fighting went on near Bourem.",
            "2025-06-09",
            "2025-06-10",
        ),
    ],
)
def test_weekday_dated_day_range(sentence: str, start: str, end: str) -> None:
    text = event_date_text(sentence, PUBLISHED)
    assert text is not None
    resolved = resolve_date(text, PUBLISHED)
    assert (str(resolved.start), str(resolved.end)) == (start, end)


@pytest.mark.parametrize(
    ("sentence", "month"),
    [
        ("On a Friday evening in May, gunmen emptied the granary of Tinfagha.", 5),
        ("One Sunday in April, militants burned the school at Dankoumbé.", 4),
        ("On a Tuesday morning in March, a convoy hit a mine near Boni.", 3),
    ],
)
def test_indefinite_weekday_gives_the_month(sentence: str, month: int) -> None:
    text = event_date_text(sentence, PUBLISHED)
    assert text is not None
    resolved = resolve_date(text, PUBLISHED)
    assert resolved.precision == DatePrecision.month and resolved.start.month == month


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The group claimed that on Thursday 5 June its fighters stormed the post.", "2025-06-05"),
        ("The army said that on 11 June troops had repelled an attack.", "2025-06-11"),
        ("Residents reported that on Wednesday 4 June armed men took the cattle.", "2025-06-04"),
    ],
)
def test_date_inside_reported_speech_is_the_event_date(sentence: str, expected: str) -> None:
    text = event_date_text(sentence, PUBLISHED)
    assert text is not None and str(resolve_date(text, PUBLISHED).start) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "JNIM said on Monday that its fighters had killed ten soldiers.",
        "The ministry announced on 12 June that the attackers had fled.",
        "ISGS claimed on Thursday that it had struck a patrol.",
    ],
)
def test_statement_date_before_that_is_not_the_event_date(sentence: str) -> None:
    assert event_date_text(sentence, PUBLISHED) is None


def test_joined_mentions_keep_the_most_precise_date() -> None:
    quote = Evidence(quote="x", start=0, end=1)
    year = _incident(
        date_text="this year",
        date_start="2025-01-01",
        date_end="2025-12-31",
        date_precision="year",
        evidence=[quote],
    )
    day = _incident(
        date_text="12 June",
        date_start="2025-06-12",
        date_end="2025-06-12",
        date_precision="day",
        evidence=[quote],
    )
    assert str(merge_pair(year, day).date_start) == "2025-06-12"
    assert str(merge_pair(day, year).date_start) == "2025-06-12"


# --- 7. counts, targets, tactics ------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Over 40 villagers are believed to have been slain near the wells.", 40),
        ("At least 12 soldiers were reported to have been killed near the river.", 12),
        ("Nine people, among them three children, were killed at the well.", 9),
        ("Local sources put the number of dead at no fewer than 14.", 14),
        ("Seven herders, most of them young men, were killed.", 7),
    ],
)
def test_tolls_with_asides_and_reporting_verbs(sentence: str, expected: int) -> None:
    from llmextract.normalize.counts import parse_count

    assert parse_count(counts_in([sentence])["killed"]) == expected


def test_missing_is_not_wounded() -> None:
    counts = counts_in(["Eleven soldiers killed, 4 missing and 9 wounded, the army said."])
    from llmextract.normalize.counts import parse_count

    assert parse_count(counts["wounded"]) == 9


@pytest.mark.parametrize(
    ("target", "sentence", "kept"),
    [
        ("roadside bomb", "A bus ran over a roadside bomb near Ansongo.", False),
        ("landmine", "A cart struck a landmine outside the village.", False),
        ("improvised explosive device", "A truck hit an improvised explosive device.", False),
        ("12 wounded", "The blast left 12 wounded at the market.", False),
        ("truck carrying traders", "A mine hit a truck carrying traders.", True),
    ],
)
def test_weapons_are_not_the_target(target: str, sentence: str, kept: bool) -> None:
    assert (usable_target(target, sentence) is not None) is kept


@pytest.mark.parametrize(
    ("model_type", "sentence", "expected"),
    [
        (
            T.massacre,
            "Drone strikes killed fighters said to have joined the prison attack.",
            T.airstrike,
        ),
        (T.armed_assault, "An air strike hit men suspected of the jailbreak raid.", T.airstrike),
        (T.massacre, "Troops shelled positions of gunmen blamed for the ambush.", T.indirect_fire),
    ],
)
def test_a_tactic_named_for_another_event_does_not_count(
    model_type: T, sentence: str, expected: T
) -> None:
    assert checked_type(model_type, sentence) == expected


# --- 8. places the gazetteer lacks -----------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "place"),
    [
        (
            "Gunmen attacked Koulbila-Mossi, a village in Kourwéogo province, on Friday.",
            "Koulbila-Mossi",
        ),
        ("Militants raided the post at Sirba-Peulh, a hamlet in Gnagna province.", "Sirba-Peulh"),
        ("Fighters stormed Tindi-Bozo, a fishing village in the Mopti region.", "Tindi-Bozo"),
    ],
)
def test_village_named_for_a_people_is_a_place(sentence: str, place: str) -> None:
    phrase = location_phrase(sentence)
    assert resolve_location(phrase, fallback_text=sentence).place == place


@pytest.mark.parametrize(
    ("sentence", "place"),
    [
        ("Gunmen killed two herders in the Dankoumbé area (Mopti region) on Friday.", "Dankoumbé"),
        ("Fighting was reported in the Tinfagha area of the Gao region.", "Tinfagha"),
        ("Jihadists burned granaries in the Kelbouli area on Monday.", "Kelbouli"),
    ],
)
def test_the_x_area_keeps_an_unlisted_name(sentence: str, place: str) -> None:
    phrase = location_phrase(sentence)
    assert phrase is not None
    assert resolve_location(phrase, fallback_text=sentence).place == place


def test_source_list_keeps_sources_objects() -> None:
    # with_publisher must keep the Source model, not a dict
    incident = with_publisher(
        _incident(sources=[Source(source="residents", stance=Stance.reports)]), "OCHA"
    )
    assert all(isinstance(s, Source) for s in incident.sources)
    assert find_dates("no date here", PUBLISHED) == []


# --- 9. tactics named by who did it to whom ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Jihadists stormed the Koutougou outpost on Friday and massacred its defenders.",
            T.armed_assault,
        ),
        ("Gunmen killed nine gendarmes in an ambush near Sebba on Monday.", T.ambush),
        (
            "Fighters killed eleven militiamen at Dankoumbé on Tuesday in what residents called a massacre.",
            T.armed_assault,
        ),
    ],
)
def test_a_massacre_of_an_armed_side_is_an_attack(text: str, expected: T) -> None:
    draft, _ = _draft(text, T.massacre)
    assert draft.incident_type == expected


@pytest.mark.parametrize(
    ("incident_type", "perpetrator", "target_type", "killed", "expected"),
    [
        (T.armed_assault, "Malian armed forces", "militants", 12, T.military_operation),
        (T.other, "French forces", "unknown", None, T.military_operation),
        (T.other, None, "civilians", 10, T.massacre),
        (T.other, "JNIM", "civilians", 1, T.other),  # one death is no mass killing
        (T.armed_assault, "JNIM", "military", 5, T.armed_assault),
        (T.massacre, "Burkinabe armed forces", "civilians", 23, T.massacre),
    ],
)
def test_type_by_parties(incident_type, perpetrator, target_type, killed, expected) -> None:
    from llmextract.normalize.tactics import type_by_parties
    from llmextract.schema import TargetType

    assert type_by_parties(incident_type, perpetrator, TargetType(target_type), killed) == expected


# --- 10. more counts and targets ------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "field", "expected"),
    [
        ('The ministry said "about forty terrorists" were neutralised.', "perpetrators_killed", 40),
        ("- three (03) gendarmes killed;", "killed", 3),
        ("The battalion repelled the raid, losing six soldiers.", "killed", 6),
        ("The unit lost two men and a truck in the fighting.", "killed", 2),
        ("Troops beat off the attack, losing five soldiers with eight wounded.", "wounded", 8),
    ],
)
def test_more_count_forms(sentence: str, field: str, expected: int) -> None:
    from llmextract.normalize.counts import parse_count

    assert parse_count(counts_in([sentence])[field]) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "The convoy lost two vehicles and a fuel tanker.",
        "The army lost several armoured cars in the ambush.",
        "The post lost its radio mast in the shelling.",
    ],
)
def test_losing_things_is_no_toll(sentence: str) -> None:
    assert "killed" not in counts_in([sentence])


@pytest.mark.parametrize("target", ["of its members", "in the village", "on the road to Gao"])
def test_a_fragment_is_no_target(target: str) -> None:
    sentence = f"Gunmen opened fire {target} and fled."
    assert usable_target(target, sentence) is None


@pytest.mark.parametrize(
    "sentence",
    [
        "Drones hit fighters who took part in the prison attack.",
        "Troops arrested men suspected of the market bombing.",
        "Police hunted the gang behind the mine raid.",
    ],
)
def test_an_earlier_event_named_is_no_target(sentence: str) -> None:
    from llmextract.normalize.rules import target_in

    assert target_in(sentence) not in ("prison", "market", "mine")


# --- 11. location phrase: the most specific, never a group's name -----------------------------


@pytest.mark.parametrize(
    ("sentence", "place"),
    [
        (
            "The worst attack in Burkina Faso this week hit a convoy near Gorom-Gorom.",
            "Gorom-Gorom",
        ),
        ("In Mali, jihadists raided a camp at Boulkessi on Friday.", "Boulkessi"),
        ("Across the Mopti region, the deadliest strike fell near Djenné.", "Djenné"),
    ],
)
def test_the_most_specific_location_phrase(sentence: str, place: str) -> None:
    phrase = location_phrase(sentence)
    assert resolve_location(phrase, fallback_text=sentence).place == place


@pytest.mark.parametrize(
    "sentence",
    [
        "Fighters from Jama'at Nasr al-Islam wal Muslimin burned the school.",
        "Gunmen of Jama'at Nusrat al-Islam wal-Muslimin attacked the convoy.",
        "Men loyal to Katiba Macina raided the village.",
    ],
)
def test_no_place_inside_a_group_name(sentence: str) -> None:
    phrase = location_phrase(sentence)
    assert phrase is None or (
        "Nasr" not in phrase and "Nusrat" not in phrase and "Macina" not in phrase
    )


# --- 12. denials ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "denier"),
    [
        ("That version was denied by French forces.", "French forces"),
        (
            "The government later said it \u201ccategorically rejects\u201d the claims.",
            "The government",
        ),
        ("The army said it denied any role in the killings.", "The army"),
    ],
)
def test_the_accused_and_the_said_it_denials(sentence: str, denier: str) -> None:
    found = sources_of([sentence], "French forces")
    assert (denier, Stance.denies) in found
    assert (denier, Stance.confirms) not in found


# --- 13. who was attacked when the text names only the defenders or the strike's victims -----


@pytest.mark.parametrize(
    ("sentence", "target"),
    [
        (
            "Overnight, a patrol of the national guard repelled an attack near Tinfagha.",
            "patrol of the national guard",
        ),
        ("The gendarmes repulsed the assault after an hour of fighting.", "gendarmes"),
        ("An army unit fought off militants on the road to Boni.", "army unit"),
    ],
)
def test_the_defenders_are_the_target(sentence: str, target: str) -> None:
    from llmextract.normalize.rules import target_in

    assert target_in(sentence) == target


@pytest.mark.parametrize(
    "text",
    [
        "The defence ministry announced that air strikes near Abala killed about twenty terrorists.",
        "The army said drones struck a column of jihadists near Léré on Sunday.",
        "The general staff said warplanes hit insurgents hiding near Arbinda.",
    ],
)
def test_a_state_strike_hit_the_militants(text: str) -> None:
    draft, _ = _draft(text, T.massacre)
    assert draft.target_type.value == "militants"


def test_an_unsupported_prison_break_tag_is_no_prison_target() -> None:
    draft, _ = _draft(
        "Gunmen ambushed a convoy near Bourem on Tuesday, a source said.", T.prison_break
    )
    assert draft.target_type.value != "prison"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Villagers said at least nine herders were killed on Thursday near the well.", "Thursday"),
        ("Officials reported that two guards died on Monday night.", "Monday night"),
        ("A nurse said five patients were wounded on Tuesday when shells fell.", "Tuesday"),
    ],
)
def test_a_date_after_the_event_verb_is_the_event_date(sentence: str, expected: str) -> None:
    assert event_date_text(sentence, PUBLISHED) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Local hunters said four of their men had been killed by gunmen.",
        "Dozo hunters said two of their men were killed by jihadists.",
        "JNIM admitted that its members were captured near the river.",
    ],
)
def test_a_group_telling_its_losses_does_not_claim(sentence: str) -> None:
    _, attribution = perpetrator_in(sentence, T.clash, "JNIM")
    assert attribution != A.claimed


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("14 soldiers", "army supply convoy"),
        ("at least 11 civilians", "weekly market"),
        ("Three gendarmes", "gendarmerie post at Kolo"),
    ],
)
def test_a_named_party_beats_a_head_count_when_mentions_join(first: str, second: str) -> None:
    quote = Evidence(quote="x", start=0, end=1)
    one = _incident(target=first, evidence=[quote])
    two = _incident(target=second, evidence=[quote])
    assert merge_pair(one, two).target == second
    assert merge_pair(two, one).target == second


@pytest.mark.parametrize(
    ("sentence", "target"),
    [
        ("Mali army gives toll of convoy ambush", "convoy"),
        ("A checkpoint attack near Gaya killed two gendarmes.", "checkpoint"),
        ("Police opened an inquiry into the market bombing in Kaya.", "market"),
    ],
)
def test_compound_targets(sentence: str, target: str) -> None:
    from llmextract.normalize.rules import target_in

    assert target_in(sentence) == target


@pytest.mark.parametrize(
    "sentence",
    [
        'On Sunday, security sources put the toll at "at least nine" soldiers dead.',
        "On Monday the health ministry gave a toll of twelve dead.",
        "On Tuesday, the governor put the death toll at 26.",
    ],
)
def test_a_toll_given_on_a_day_dates_the_toll(sentence: str) -> None:
    assert event_date_text(sentence, PUBLISHED) is None
    assert is_follow_up(sentence, PUBLISHED, same_paragraph=True)


@pytest.mark.parametrize(
    ("sentence", "source"),
    [
        ("Four travellers died when the truck hit a mine, a nurse in Douentza said.", "nurse"),
        ("Residents of the outlying hamlets described hours of gunfire.", "Residents"),
        ("Two sources in Ansongo told us the post was abandoned.", "Two sources"),
        ("Local sources spoke of at least eight dead.", "Local sources"),
    ],
)
def test_sources_with_a_place_after_them_and_reporting_verbs(sentence: str, source: str) -> None:
    assert (source, Stance.reports) in sources_of([sentence], None)


@pytest.mark.parametrize(
    "sentence",
    [
        "The spokesperson said four people were wounded.",
        "A spokesman told reporters that the road was closed.",
        "The spokeswoman said aid convoys were suspended.",
    ],
)
def test_a_spokesperson_alone_reports(sentence: str) -> None:
    found = sources_of([sentence], None)
    assert found and all(stance == Stance.reports for _, stance in found)


@pytest.mark.parametrize(
    ("sentence", "place"),
    [
        ("Three herders died when their cart hit a mine about 12 km from Bankass.", "Bankass"),
        ("Gunmen stormed the village of Dankoumbé, Mopti region, at dawn.", "Dankoumbé"),
        ("Jihadists raided Tinfagha, a hamlet some 30 km north of Gao, on Friday.", "Tinfagha"),
    ],
)
def test_distance_and_village_of_phrases(sentence: str, place: str) -> None:
    phrase = location_phrase(sentence)
    assert phrase is not None
    assert resolve_location(phrase, fallback_text=sentence).place == place


@pytest.mark.parametrize(
    ("sentence", "field", "expected"),
    [
        ("Gunmen kidnapped a village chief and three herders near Nioro.", "kidnapped", 4),
        ("Unknown men shot dead a village chief and two of his sons.", "killed", 3),
        ("A doctor and three colleagues were taken hostage at the clinic.", "kidnapped", 4),
        ("Militants killed a teacher and four pupils at the school.", "killed", 5),
    ],
)
def test_two_groups_joined_by_and_are_summed(sentence: str, field: str, expected: int) -> None:
    from llmextract.normalize.counts import parse_count

    assert parse_count(counts_in([sentence])[field]) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The army said an air strike near Goundam killed 'about twenty' militants on Friday.", 20),
        (
            "The ministry announced that drones had killed a commander and ten of his fighters near Abala.",
            11,
        ),
        ('The general staff said air raids killed "more than 30" terrorists near Djibo.', 30),
    ],
)
def test_a_state_strike_counts_its_dead_as_killed(text: str, expected: int) -> None:
    from llmextract.normalize.counts import parse_count

    draft, _ = _draft(text, T.airstrike)
    assert parse_count(draft.killed) == expected and draft.perpetrators_killed is None


@pytest.mark.parametrize(
    "sentence",
    [
        "On Sunday morning, two officials were speaking of eleven dead.",
        "On Monday, local officials spoke of twelve bodies found.",
        "On Friday, a nurse was speaking of more than twenty wounded.",
    ],
)
def test_a_day_a_toll_was_spoken_of_is_not_the_event_date(sentence: str) -> None:
    assert event_date_text(sentence, PUBLISHED) is None


@pytest.mark.parametrize(
    "text",
    [
        "Sebba ambush (Fri 6 June). Militants ambushed a supply convoy between Sebba and "
        "Mansila. JNIM claimed the attack on Saturday.",
        "Kantchari raid (Tue 3 June). Gunmen raided the market at Kantchari at noon. JNIM "
        "took responsibility the next day.",
        "Bourem (Mon 9 June). Fighters stormed the gendarmerie in Bourem. The group claimed "
        "it in a video.",
    ],
)
def test_a_label_sentence_keeps_the_paragraph_that_follows(text: str) -> None:
    sentences = split_sentences(text)
    block = event_block(sentences, sentences[0], {0}, units=story_units(text, PUBLISHED))
    assert len(block) >= 2  # the label names no place; the next sentence's place goes on
