"""The medication check: a pasted list read item by item and classed from the
review's interactions table; nothing unknown is ever reported as safe.

Expected verdicts come from content/tables.yml and the vocabulary, never
written out here; only which name a spelling stands for is.
"""

import difflib
import os
import re
import subprocess

import pytest

from bot.knowledge import load_knowledge
from bot.knowledge.readability import MAX_GRADE, grade
from bot.nlp.spellings import FUZZY_CUTOFF, normalise
from bot.nlp.vocabulary import load_vocabulary
from bot.nurse.medications import (
    CHECKED_AGAINST,
    NOT_COVERED,
    VERDICTS,
    check_medications,
    report,
)
from tests.conftest import PROJECT_ROOT

KNOWLEDGE = load_knowledge()
VOCABULARY = load_vocabulary()
INTERACTIONS = KNOWLEDGE.tables.interactions
WHERE = KNOWLEDGE.tables.interactions_where
WORDING = KNOWLEDGE.wording["medication_check"]
ISSUE_EXAMPLE = "clarithromycin 500mg bd, omeprazole, grapefruit juice, St John's Wort"
# Claims the check must never make about anything ("Safety and drug
# interaction", the review's section, is not one).
SAFETY_CLAIM = re.compile(
    r"\bsafe\b|\bno (?:known )?interactions?\b|\b(?:fine|ok|okay|all right) to take\b", re.I
)


def check(text):
    return check_medications(text, KNOWLEDGE, VOCABULARY)


def expected_verdict(name):
    """The verdict content/tables.yml gives a canonical name."""
    interaction = INTERACTIONS.get(name)
    return interaction.effect if interaction else NOT_COVERED


def only_item(text):
    items = check(text).items
    assert len(items) == 1, items
    return items[0]


def source_line(audience):
    return KNOWLEDGE.messages["source"][audience].format(sections=WHERE)


def group_of(report_text, item_line):
    """The title of the report group an item's line is under."""
    paragraph = next(p for p in report_text.split("\n\n") if item_line in p.splitlines())
    return paragraph.splitlines()[0]


def substances_the_review_does_not_name():
    return sorted(set(VOCABULARY["drug"]) - set(INTERACTIONS) - {"crizotinib"})


# The issue's example


def test_the_issues_example_list_is_read_item_by_item_with_the_tables_verdicts():
    items = check(ISSUE_EXAMPLE).items
    assert [item.typed for item in items] == [
        "clarithromycin 500mg bd",
        "omeprazole",
        "grapefruit juice",
        "St John's Wort",
    ]
    assert [item.name for item in items] == [
        "clarithromycin",
        "omeprazole",
        "grapefruit",
        "st johns wort",
    ]
    assert [item.verdict for item in items] == [expected_verdict(item.name) for item in items]
    # The example covers all four groups the person needs to see.
    assert {item.verdict for item in items} == {"raises", "avoid", NOT_COVERED, "lowers"}


def test_the_patient_report_of_the_issues_example_groups_each_item_under_its_verdict():
    text = report(check(ISSUE_EXAMPLE), "patient", KNOWLEDGE)
    groups = WORDING["patient"]["groups"]
    sentences = KNOWLEDGE.wording["interaction"]["patient"]
    clarithromycin = sentences["raises"].format(substance="clarithromycin")
    line = WORDING["item"].format(
        typed="clarithromycin 500mg bd", sentence=clarithromycin[0].upper() + clarithromycin[1:]
    )
    assert group_of(text, line) == groups["raises"]["title"]
    wort = INTERACTIONS["st johns wort"]
    assert sentences[wort.effect].format(substance=wort.name) in text
    omeprazole = WORDING["item"].format(
        typed="omeprazole", sentence=WORDING["patient"]["not_named"].format(substance="omeprazole")
    )
    assert group_of(text, omeprazole) == groups[NOT_COVERED]["title"]
    # Every group shown says what to do; the report ends with its source.
    for verdict in ("raises", "lowers", "avoid", NOT_COVERED):
        assert groups[verdict]["title"] in text and groups[verdict]["do"] in text
    assert text.endswith(source_line("patient"))


def test_groups_come_raises_lowers_avoid_then_not_covered():
    text = report(check(f"zorblex, {ISSUE_EXAMPLE}, xalkori"), "patient", KNOWLEDGE)
    titles = [WORDING["patient"]["groups"][verdict]["title"] for verdict in VERDICTS]
    positions = [text.index(title) for title in titles]
    assert positions == sorted(positions)


# Spellings, doses, frequencies, capitals


@pytest.mark.parametrize(
    "typed, name",
    [
        ("clarithromicin", "clarithromycin"),
        ("claritromycin", "clarithromycin"),
        ("rifampin", "rifampicin"),
        ("rifampicin", "rifampicin"),
        ("rifampacin", "rifampicin"),
        ("itraconazol", "itraconazole"),
        ("itraconazle", "itraconazole"),
        ("ketaconazole", "ketoconazole"),
        ("phenytion", "phenytoin"),
        ("carbamezapine", "carbamazepine"),
        ("St Johns wort", "st johns wort"),
        ("st. john's wort", "st johns wort"),
        ("St John’s Wort", "st johns wort"),
        ("saint john wort", "st johns wort"),
        ("grapefriut", "grapefruit"),
    ],
)
def test_common_misspellings_are_recognised_and_get_the_tables_verdict(typed, name):
    item = only_item(typed)
    assert (item.typed, item.name, item.verdict) == (typed, name, expected_verdict(name))


@pytest.mark.parametrize(
    "typed, name",
    [
        ("CLARITHROMYCIN 500MG BD", "clarithromycin"),
        ("rifampicin 600 mg od po", "rifampicin"),
        ("2 x 250mg ketoconazole tablets twice daily", "ketoconazole"),
        ("I take phenytoin 100 mg three times a day", "phenytoin"),
        ("taking carbamazepine 200mg tds prn", "carbamazepine"),
        ("Itraconazole (Sporanox) 200 mg once a day with food", "itraconazole"),
        ("ritonavir 100mg PO BID", "ritonavir"),
        ("voriconazole IV 1g stat", "voriconazole"),
        ("grapefruit juice at night", "grapefruit"),
        ("St John's Wort capsules as needed", "st johns wort"),
        ("phenobarbital 5ml oral liquid nocte", "phenobarbital"),
        ("rifabutin 150mg weekly", "rifabutin"),
    ],
)
def test_doses_frequencies_routes_and_capitals_do_not_get_in_the_way(typed, name):
    item = only_item(typed)
    assert (item.typed, item.name, item.verdict) == (typed, name, expected_verdict(name))


@pytest.mark.parametrize("name", sorted(INTERACTIONS))
def test_every_spelling_the_vocabulary_knows_of_a_substance_in_the_table_gets_its_verdict(name):
    entity_type = "food" if INTERACTIONS[name].group == "food" else "drug"
    for spelling in VOCABULARY[entity_type][name]:
        for written in (spelling, spelling.upper(), f"{spelling} 250mg bd"):
            item = only_item(written)
            assert (item.name, item.verdict) == (name, INTERACTIONS[name].effect), written


def test_brand_names_are_read_as_their_medicine():
    items = check("Biaxin 500mg, Norvir, Tegretol, Rifadin").items
    assert [item.name for item in items] == [
        "clarithromycin",
        "ritonavir",
        "carbamazepine",
        "rifampicin",
    ]
    assert [item.verdict for item in items] == [expected_verdict(item.name) for item in items]
    text = report(check("Biaxin 500mg"), "patient", KNOWLEDGE)
    assert "- Biaxin 500mg: Clarithromycin can raise" in text


def test_a_brand_name_with_its_medicine_in_brackets_is_one_item():
    item = only_item("Biaxin (clarithromycin) 500mg bd")
    assert (item.name, item.verdict) == ("clarithromycin", expected_verdict("clarithromycin"))


# Splitting the list


def test_a_list_is_split_on_commas_semicolons_newlines_and_plus_ampersand_bullets():
    text = (
        "- rifampicin 600 mg od\n* omeprazole; ibuprofen + grapefruit & ritonavir\n"
        "• phenytoin and clarithromycin\n1. itraconazole, 2) xalkori"
    )
    assert [item.name for item in check(text).items] == [
        "rifampicin",
        "omeprazole",
        "ibuprofen",
        "grapefruit",
        "ritonavir",
        "phenytoin",
        "clarithromycin",
        "itraconazole",
        "crizotinib",
    ]


def test_a_comma_inside_a_dose_does_not_split_the_item():
    item = only_item("paracetamol 1,000 mg qds")
    assert (item.typed, item.name) == ("paracetamol 1,000 mg qds", "paracetamol")


def test_two_names_written_without_a_separator_are_both_checked():
    items = check("clarithromycin zorblex").items
    assert [(item.typed, item.name) for item in items] == [
        ("clarithromycin", "clarithromycin"),
        ("zorblex", None),
    ]
    assert [item.verdict for item in items] == [expected_verdict("clarithromycin"), NOT_COVERED]


# Not covered, never safe


@pytest.mark.parametrize("name", substances_the_review_does_not_name())
def test_a_medicine_the_review_does_not_name_is_not_covered(name):
    item = only_item(name)
    assert (item.name, item.verdict) == (name, NOT_COVERED)


@pytest.mark.parametrize("typed", ["omeprazole", "ibuprofen 400mg tds prn"])
def test_omeprazole_and_ibuprofen_are_not_covered_and_never_called_safe(typed):
    item = only_item(typed)
    assert item.verdict == NOT_COVERED and item.name is not None
    for audience in ("patient", "nurse"):
        text = report(check(typed), audience, KNOWLEDGE)
        not_named = WORDING[audience]["not_named"].format(substance=item.name)
        line = WORDING["item"].format(typed=typed, sentence=not_named)
        assert group_of(text, line) == WORDING[audience]["groups"][NOT_COVERED]["title"]
        assert WORDING[audience]["groups"][NOT_COVERED]["do"].format(where=WHERE) in text
        assert not SAFETY_CLAIM.search(text), text


@pytest.mark.parametrize("typed", ["zorblex", "grandma's tonic", "bitter melon", "Zorblex 10mg bd"])
def test_an_unknown_item_is_kept_as_typed_not_covered_and_never_called_safe(typed):
    item = only_item(typed)
    assert (item.typed, item.name, item.verdict) == (typed, None, NOT_COVERED)
    for audience in ("patient", "nurse"):
        text = report(check(typed), audience, KNOWLEDGE)
        line = WORDING["item"].format(typed=typed, sentence=WORDING[audience]["unrecognised"])
        assert group_of(text, line) == WORDING[audience]["groups"][NOT_COVERED]["title"]
        assert not SAFETY_CLAIM.search(text), text
        assert text.endswith(source_line(audience))


@pytest.mark.parametrize(
    "typed", ["azithromycin", "roxithromycin", "esomeprazole", "posaconazole", "rifaximin"]
)
def test_other_medicines_with_similar_names_are_not_taken_for_the_reviews(typed):
    # Real medicines the review does not name: a loose match would wrongly
    # give them the verdict of clarithromycin, voriconazole or rifampicin.
    item = only_item(typed)
    assert item.verdict == NOT_COVERED and item.name not in INTERACTIONS


def test_a_misspelling_close_to_two_medicines_is_not_guessed():
    typed = "cerizotinib"
    close = {
        canonical
        for entity_type in ("drug", "food")
        for canonical, spellings in VOCABULARY[entity_type].items()
        for spelling in spellings
        if difflib.SequenceMatcher(None, typed, normalise(spelling)).ratio() >= FUZZY_CUTOFF
    }
    assert len(close) > 1, close  # crizotinib and ceritinib
    assert (only_item(typed).name, only_item(typed).verdict) == (None, NOT_COVERED)


# Crizotinib itself; empty input


@pytest.mark.parametrize("typed", ["crizotinib 250mg bd", "Xalkori", "crizotnib"])
def test_crizotinib_in_the_list_is_the_medicine_checked_against(typed):
    item = only_item(typed)
    assert (item.name, item.verdict) == ("crizotinib", CHECKED_AGAINST)
    text = report(check(typed), "patient", KNOWLEDGE)
    line = WORDING["item"].format(typed=typed, sentence=WORDING["patient"]["the_medicine"])
    assert group_of(text, line) == WORDING["patient"]["groups"][CHECKED_AGAINST]["title"]


@pytest.mark.parametrize("text", ["", "   ", ", ;\n- ", "500mg bd", "I take"])
def test_empty_or_unreadable_input_says_how_to_write_the_list(text):
    assert check(text).items == ()
    for audience in ("patient", "nurse"):
        assert report(check(text), audience, KNOWLEDGE) == WORDING["usage"]


# The nurse view


def test_the_nurse_report_adds_cyp3a_the_reviews_group_and_where_in_the_review():
    text = report(check(ISSUE_EXAMPLE), "nurse", KNOWLEDGE)
    nurse = KNOWLEDGE.wording["interaction"]["nurse"]
    clarithromycin = INTERACTIONS["clarithromycin"]
    sentence = nurse[clarithromycin.effect].format(
        substance="clarithromycin", group=clarithromycin.group
    )
    assert f"- clarithromycin 500mg bd: {sentence[0].upper()}{sentence[1:]}" in text
    assert clarithromycin.group in text and "CYP3A inhibitor" in text
    assert "CYP3A inducer" in text
    assert WORDING["nurse"]["intro"].format(count=4, where=WHERE) in text
    assert text.endswith(source_line("nurse"))


# Readability


@pytest.mark.parametrize(
    "text",
    [
        ISSUE_EXAMPLE,
        ", ".join([*INTERACTIONS, "omeprazole", "zorblex", "bitter melon", "xalkori"]),
        "zorblex",
        "",
    ],
)
def test_the_patient_report_reads_at_grade_8_or_below(text):
    shown = report(check(text), "patient", KNOWLEDGE)
    assert grade(shown) <= MAX_GRADE, f"grade {grade(shown)}: {shown}"


# The command, end to end


def run_make(*variables):
    env = {key: value for key, value in os.environ.items() if key not in ("MEDS", "NURSE")}
    return subprocess.run(
        ["make", "--no-print-directory", "check-meds", *variables],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize(
    "audience, variables",
    [
        ("patient", []),
        ("nurse", ["NURSE=1"]),
    ],
)
def test_make_check_meds_prints_the_report(audience, variables):
    result = run_make(f"MEDS={ISSUE_EXAMPLE}", *variables)
    assert result.returncode == 0, result.stderr
    assert result.stdout == report(check(ISSUE_EXAMPLE), audience, KNOWLEDGE) + "\n"


def test_make_check_meds_without_a_list_prints_how_to_use_it():
    result = run_make()
    assert result.returncode != 0
    assert "Usage: make check-meds MEDS=" in result.stdout
