"""Which answer a question gets (bot/knowledge/choice.py): the ranking NLU
made, what the question names, and what the conversation was just about.

Plain unit tests with hand-made rankings; tests/test_answer_eval.py measures
the same choice with the trained model on questions in people's own words.
"""

from dataclasses import replace

import pytest

from bot.knowledge import load_knowledge
from bot.knowledge.answers import answer
from bot.knowledge.choice import choose, confident_choice, ranked
from bot.knowledge.question import NURSE, Question, named_as_history, named_in_order

KNOWLEDGE = load_knowledge()


def key(ranking, text="a question", previous=None, audience="patient", said=(), **entities):
    """The key chosen for a question NLU ranked so, naming `entities` (typed
    as their canonical values, or as `said`)."""
    named = {kind: [value] if isinstance(value, str) else value for kind, value in entities.items()}
    mentions = list(said) or [value for values in named.values() for value in values]
    question = Question(
        "ask_side_effects",
        text,
        named,
        mentions=mentions,
        audience=audience,
        ranking=ranking,
        last_answer=previous,
    )
    return str(choose(question, KNOWLEDGE))


def test_labels_that_name_rows_of_one_table_add_up():
    answers = ranked(
        [
            ("card:common_side_effects", 0.3),
            ("side_effect:nausea", 0.25),
            ("side_effect:edema", 0.2),
        ]
    )
    assert (answers[0].unit, answers[0].best) == ("side_effect", "side_effect:nausea")
    assert answers[0].confidence == pytest.approx(0.45)


def test_a_card_is_answered_by_its_id():
    assert key([("card:time_to_response", 0.9)]) == "card:time_to_response"


@pytest.mark.parametrize(
    "card, entities, expected",
    [
        ("common_side_effects", {"side_effect": "diarrhea"}, "side_effect:diarrhea"),
        ("severe_side_effects", {"side_effect": "diarrhea"}, "side_effect:diarrhea:severe"),
        ("grapefruit_and_food", {"food": "grapefruit"}, "interaction:grapefruit"),
        ("interactions_overview", {"drug": "omeprazole"}, "interaction:not_named"),
        ("resistance_mutations", {"mutation": "G1202R"}, "mutation:G1202R"),
        ("profile_1007", {"measure": "response rate"}, "measure:response rate@PROFILE-1007"),
        ("what_crizotinib_does", {"trial": "PROFILE-1007"}, "card:profile_1007"),
    ],
)
def test_a_general_card_gives_way_to_the_row_the_question_names(card, entities, expected):
    assert key([(f"card:{card}", 0.8)], **entities) == expected


def test_a_general_card_without_a_named_row_stays():
    assert key([("card:common_side_effects", 0.8)]) == "card:common_side_effects"
    assert key([("card:what_crizotinib_does", 0.8)]) == "card:what_crizotinib_does"


def test_a_side_effect_is_taken_from_the_words_before_the_learnt_row():
    ranking = [("side_effect:nausea", 0.6)]
    assert key(ranking, side_effect="edema") == "side_effect:edema"
    assert key(ranking, "since starting i get queasy") == "side_effect:nausea"


def test_a_side_effect_question_that_names_none_and_leans_on_nothing_gets_the_overview():
    assert key([("side_effect", 0.7)]) == "card:common_side_effects"
    assert key([("side_effect", 0.7)], severity="grade 3-4") == "card:severe_side_effects"


def test_how_often_after_a_card_stays_on_that_card():
    got = key([("side_effect", 0.6)], "how often", "card:heart_rhythm_qt")
    assert got == "card:heart_rhythm_qt"
    got = key([("measure", 0.7)], "and chemo how long", "card:time_to_response")
    assert got == "card:time_to_response"


def test_how_often_is_it_severe_leans_on_the_previous_side_effect_and_its_trial():
    got = key(
        [("side_effect", 0.6)],
        "how often is it severe?",
        previous="side_effect:diarrhea@PROFILE-1007",
        severity="grade 3-4",
    )
    assert got == "side_effect:diarrhea:severe@PROFILE-1007"


def test_the_main_trial_is_the_default_and_not_part_of_the_key():
    assert (
        key([("side_effect:nausea", 0.6)], side_effect="nausea", trial="PROFILE-1014")
        == "side_effect:nausea"
    )


def test_a_side_effect_the_table_does_not_list_is_said_to_be_not_listed():
    assert key([("side_effect", 0.6)], side_effect="hair loss") == "side_effect:not_listed"
    assert key([("side_effect:not_listed", 0.6)]) == "side_effect:not_listed"
    # ...unless a card explains it.
    assert key([("side_effect", 0.6)], side_effect="pneumonitis") == "card:lung_inflammation"


@pytest.mark.parametrize(
    "previous, text, entities, expected",
    [
        (
            "side_effect:nausea",
            "and in 1007?",
            {"trial": "PROFILE-1007"},
            "side_effect:nausea@PROFILE-1007",
        ),
        (
            "side_effect:nausea",
            "and severe?",
            {"severity": "grade 3-4", "said": ["severe"]},
            "side_effect:nausea:severe",
        ),
        (
            "side_effect:nausea@PROFILE-1005",
            "what about vomiting",
            {"side_effect": "vomiting"},
            "side_effect:vomiting@PROFILE-1005",
        ),
        (
            "measure:response rate@PROFILE-1014",
            "and PFS?",
            {"measure": "progression-free survival", "said": ["PFS"]},
            "measure:progression-free survival@PROFILE-1014",
        ),
        (
            "measure:response rate@PROFILE-1014",
            "same for 1007",
            {"trial": "PROFILE-1007"},
            "measure:response rate@PROFILE-1007",
        ),
        (
            "mutation:G1202R",
            "what about lorlatinib?",
            {"drug": "lorlatinib"},
            "mutation:G1202R+lorlatinib",
        ),
        (
            "interaction:clarithromycin",
            "and ketoconazole?",
            {"drug": "ketoconazole"},
            "interaction:ketoconazole",
        ),
    ],
)
def test_a_follow_up_that_only_names_something_new_asks_the_same_again(
    previous, text, entities, expected
):
    # Whatever the ranking says: the message is the name and filler words.
    assert key([("card:what_alk_positive_means", 0.9)], text, previous, **entities) == expected


def test_a_longer_message_naming_a_trial_is_a_question_of_its_own():
    got = key(
        [("card:profile_1007", 0.8)],
        "what was the design of the 1007 study",
        "side_effect:nausea",
        trial="PROFILE-1007",
    )
    assert got == "card:profile_1007"


def test_a_measure_question_gets_the_main_trial_unless_one_is_named_or_leant_on():
    assert key([("measure:response rate", 0.7)]) == "measure:response rate@PROFILE-1014"
    assert (
        key([("measure", 0.7)], "how long did they live", "measure:response rate@PROFILE-1007")
        == "measure:response rate@PROFILE-1007"
    )
    both = {"measure": ["overall survival", "1-year survival"]}
    assert key([("measure", 0.7)], **both) == "measure:1-year survival@PROFILE-1014"


def test_a_medication_check_needs_a_list():
    listed = "clarithromycin 500mg bd, omeprazole, grapefruit juice"
    assert key([("medication_check", 0.8)], listed) == "medication_check"
    one = key([("medication_check", 0.8)], "is clarithromycin ok", drug="clarithromycin")
    assert one == "interaction:clarithromycin"
    assert key([("medication_check", 0.8)], "is xalkori ok", drug="crizotinib") == (
        "card:interactions_overview"
    )


def test_not_covered_and_out_of_scope_are_answered_as_ranked():
    assert key([("not_covered:cost", 0.7)]) == "not_covered:cost"
    assert key([("out_of_scope", 0.7)]) == "out_of_scope"


def test_an_unsure_ranking_falls_back_to_the_keyword_rules():
    assert key([("card:time_to_response", 0.1)], "diarrhea", side_effect="diarrhea") == (
        "side_effect:diarrhea"
    )


def test_a_nurse_is_answered_with_the_same_choice():
    assert key([("measure", 0.7)], audience=NURSE, measure="progression-free survival") == (
        "measure:progression-free survival@PROFILE-1014"
    )


def test_any_grade_after_a_severe_figure_asks_for_all_grades():
    got = key(
        [("side_effect", 0.5)],
        "any grade",
        "side_effect:constipation:severe@PROFILE-1007",
        severity="any grade",
    )
    assert got == "side_effect:constipation@PROFILE-1007"


def test_the_other_phase_3_trial_is_the_one_not_just_talked_about():
    got = key(
        [("card:common_side_effects", 0.5)],
        "same in the other phase III?",
        "measure:response rate@PROFILE-1014",
    )
    assert got == "measure:response rate@PROFILE-1007"


def test_after_a_figure_another_measure_or_a_compared_trial_asks_for_that_figure():
    pfs_1007 = "measure:progression-free survival@PROFILE-1007"
    lived = key(
        [("card:survival_with_crizotinib", 0.9)],
        "did they live longer tho",
        pfs_1007,
        measure="overall survival",
        said=["live longer"],
    )
    assert lived == "measure:overall survival@PROFILE-1007"
    compared = key(
        [("card:profile_1007", 0.9)],
        "vs docetaxel only?",
        pfs_1007,
        trial="PROFILE-1007",
        said=["docetaxel"],
    )
    assert compared == pfs_1007
    # One person's outlook is not a trial's figure.
    one_person = key(
        [("not_covered:prognosis", 0.9)],
        "so how long will my husband live",
        pfs_1007,
        measure="overall survival",
        said=["live"],
    )
    assert one_person == "not_covered:prognosis"


def test_a_nurse_asking_for_the_hazard_ratio_gets_the_same_figure_again():
    got = key(
        [("not_covered:work", 0.6)], "HR + CI?", "measure:progression-free survival@PROFILE-1007"
    )
    assert got == "measure:progression-free survival@PROFILE-1007"


def test_an_unknown_medicine_after_an_interaction_answer_is_not_covered_by_name():
    question = Question(
        "ask_interactions",
        "dolutegravir instead?",
        ranking=[("card:interactions_overview", 0.6)],
        last_answer="interaction:atazanavir",
    )
    assert str(choose(question, KNOWLEDGE)) == "interaction:not_named"
    text = answer(question, KNOWLEDGE).text
    assert "does not cover dolutegravir" in text


def test_a_question_pointing_back_at_a_trial_card_asks_about_that_trial():
    got = key(
        [("measure:response rate", 0.8)], "what was the response rate in it", "card:profile_1005"
    )
    assert got == "measure:response rate@PROFILE-1005"


def test_would_it_work_after_a_medicines_card_asks_about_that_medicine():
    got = key(
        [("card:resistance_mutations", 0.7)],
        "his report says G1202R. would it work with that?",
        "card:alectinib",
        mutation="G1202R",
    )
    assert got == "mutation:G1202R+alectinib"


def test_a_message_after_an_answer_leans_towards_that_answers_topic():
    ranking = [("card:when_cancer_grows", 0.4), ("card:crizotinib_approvals", 0.3)]
    assert key(ranking, "and the FDA?", "card:crizotinib_approvals") == (
        "card:crizotinib_approvals"
    )
    assert key(ranking, "and the FDA?") == "card:when_cancer_grows"
    longer = "did people who kept going on it after it grew live longer?"
    ranking = [("card:survival_with_crizotinib", 0.5), ("card:continuing_crizotinib", 0.3)]
    assert key(ranking, longer, "card:local_treatment") == "card:continuing_crizotinib"
    # A clear change of subject still wins.
    ranking = [("card:survival_with_crizotinib", 0.8), ("card:continuing_crizotinib", 0.1)]
    assert key(ranking, longer, "card:local_treatment") == "card:survival_with_crizotinib"


def test_in_a_long_message_the_names_in_its_question_come_first():
    story = (
        "My dad has had the runs on and off and he also takes omeprazole for his stomach, "
        "which the GP started last year when he was having a lot of heartburn at night. "
        "What I really want to know is whether being sick is common on xalkori?"
    )
    found = [
        ("side_effect", "diarrhea", story.index("the runs"), story.index("the runs") + 8),
        ("drug", "omeprazole", story.index("omeprazole"), story.index("omeprazole") + 10),
        ("side_effect", "vomiting", story.index("being sick"), story.index("being sick") + 10),
    ]
    entities, mentions = named_in_order(story, found)
    assert entities == {"side_effect": ["vomiting", "diarrhea"], "drug": ["omeprazole"]}
    assert mentions[0] == "being sick"
    # A short message keeps the order it was written in.
    short = "the runs and being sick?"
    entities, _ = named_in_order(
        short, [("side_effect", "diarrhea", 0, 8), ("side_effect", "vomiting", 13, 23)]
    )
    assert entities == {"side_effect": ["diarrhea", "vomiting"]}


def test_a_long_message_is_told_the_rest_is_for_the_care_team():
    story = " ".join(["My mum started crizotinib last month and we have had a hard time."] * 6)
    question = Question(
        "ask_crizotinib",
        story + " How soon does it work?",
        ranking=[("card:time_to_response", 0.9)],
    )
    reply = answer(question, KNOWLEDGE)
    assert reply.key == "card:time_to_response"
    assert reply.text.endswith(KNOWLEDGE.messages["long_message"].strip())


def test_after_an_answer_a_message_sure_to_be_about_the_review_is_not_out_of_scope():
    ranking = [("out_of_scope", 0.45), ("card:how_alk_is_found", 0.2), ("card:profile_1001", 0.1)]
    question = Question(
        "ask_alk_testing",
        "how did they find it",
        intent_confidence=0.8,
        ranking=ranking,
        last_answer="card:what_alk_positive_means",
    )
    assert str(choose(question, KNOWLEDGE)) == "card:how_alk_is_found"
    # Without an answer before it: as ranked.
    first = replace(question, last_answer=None)
    assert str(choose(first, KNOWLEDGE)) == "out_of_scope"
    # With an unsure intent, off-topic counts half after an answer: it
    # still wins when its words say so clearly.
    unsure = replace(question, intent_confidence=0.4)
    assert str(choose(unsure, KNOWLEDGE)) == "card:how_alk_is_found"
    clearly = replace(unsure, ranking=[("out_of_scope", 0.8), ("card:how_alk_is_found", 0.1)])
    assert str(choose(clearly, KNOWLEDGE)) == "out_of_scope"


def asked_with(ranking, text, **spans):
    """The key chosen for `text`, its entities found where their words are."""
    found = [
        (kind, value, text.index(typed), text.index(typed) + len(typed))
        for kind, named in spans.items()
        for typed, value in named
    ]
    entities, mentions = named_in_order(text, found)
    question = Question(
        "ask_progression",
        text,
        entities,
        mentions,
        ranking=ranking,
        history=named_as_history(text, found),
    )
    return str(choose(question, KNOWLEDGE))


def test_a_medicines_card_gives_way_to_the_mutation_it_is_asked_about():
    text = "dad has C1156Y after crizo, would ceritinib be any use"
    got = asked_with(
        [("card:ceritinib", 0.8)],
        text,
        mutation=[("C1156Y", "C1156Y")],
        drug=[("crizo", "crizotinib"), ("ceritinib", "ceritinib")],
    )
    assert got == "mutation:C1156Y+ceritinib"


@pytest.mark.parametrize(
    "text, mutation, drugs, expected",
    [
        # The medicine taken before is history, not the question.
        (
            "L1198F came up after lorlatinib. does crizotinib work again with that one",
            "L1198F",
            ["lorlatinib", "crizotinib"],
            "mutation:L1198F+crizotinib",
        ),
        (
            "what is L1198F, it came up on my blood test after lorlatinib",
            "L1198F",
            ["lorlatinib"],
            "mutation:L1198F",
        ),
        # Going (back) on a medicine is the question.
        (
            "mum has L1198F after lorlatinib, should she go back on crizotinib?",
            "L1198F",
            ["lorlatinib", "crizotinib"],
            "mutation:L1198F+crizotinib",
        ),
        (
            "Dad's new biopsy found G1202R. Should he go on alectinib?",
            "G1202R",
            ["alectinib"],
            "mutation:G1202R+alectinib",
        ),
    ],
)
def test_the_medicine_taken_before_is_history_and_the_one_to_go_on_is_the_question(
    text, mutation, drugs, expected
):
    got = asked_with(
        [("mutation", 0.8)],
        text,
        mutation=[(mutation, mutation)],
        drug=[(drug, drug) for drug in drugs],
    )
    assert got == expected


def test_is_that_true_for_another_medicine_asks_about_the_same_mutation():
    got = key(
        [("card:ceritinib", 0.8)],
        "is that true for ceritinib too?",
        "mutation:G1202R+alectinib",
        drug="ceritinib",
    )
    assert got == "mutation:G1202R+ceritinib"


def test_those_who_responded_and_how_long_it_lasted_asks_for_the_duration():
    both = {"measure": ["response rate", "duration of response"]}
    assert key([("measure", 0.7)], **both) == "measure:duration of response@PROFILE-1014"


def test_how_long_the_response_lasted_is_its_duration_not_its_rate():
    got = key(
        [("measure:response rate", 0.8)],
        "for people who responded first line, how long did the response hold",
        measure="response rate",
    )
    assert got == "measure:duration of response@PROFILE-1014"


@pytest.mark.parametrize(
    "text, mutation, drugs, expected",
    [
        # Asks whether it is on the resistance list: the mutation's answer.
        ("G1269A - in the crizo resistance list?", "G1269A", [], "mutation:G1269A"),
        (
            "is G1202R a crizotinib resistance mutation?",
            "G1202R",
            ["crizotinib"],
            "mutation:G1202R",
        ),
        # Asks whether crizotinib works: the answer about crizotinib.
        (
            "Does G1202R still respond to crizotinib?",
            "G1202R",
            ["crizotinib"],
            "mutation:G1202R+crizotinib",
        ),
        (
            "does crizotinib work on L1198F",
            "L1198F",
            ["crizotinib"],
            "mutation:L1198F+crizotinib",
        ),
    ],
)
def test_crizotinib_named_with_a_mutation_asks_about_one_or_the_other(
    text, mutation, drugs, expected
):
    named = {"drug": drugs} if drugs else {}
    assert key([("mutation", 0.8)], text, mutation=mutation, **named) == expected


def test_a_medicine_named_after_a_mutation_answer_asks_about_that_pair():
    got = key(
        [("card:lorlatinib", 0.8)],
        "and lorlatinib?? my onc mentioned that one",
        "mutation:G1202R+alectinib",
        drug="lorlatinib",
    )
    assert got == "mutation:G1202R+lorlatinib"
    # With nothing before it, the medicine's card.
    assert key([("card:lorlatinib", 0.8)], "what is lorlatinib", drug="lorlatinib") == (
        "card:lorlatinib"
    )


def test_a_short_question_after_a_trial_card_is_about_that_trial():
    got = key([("measure:response rate", 0.8)], "what was the response", "card:profile_1005")
    assert got == "measure:response rate@PROFILE-1005"


def test_a_short_measure_question_keeps_the_trial_named_earlier_in_the_conversation():
    # "1005, brain mets eligible?" was answered with a card of no trial.
    question = Question(
        "ask_crizotinib",
        "ORR?",
        {"measure": ["response rate"]},
        audience=NURSE,
        ranking=[("measure", 0.7)],
        last_answer="card:brain_metastases_response",
        last_trial="PROFILE-1005",
    )
    assert str(choose(question, KNOWLEDGE)) == "measure:response rate@PROFILE-1005"
    # The previous answer's own trial comes first.
    leaning = replace(question, last_answer="measure:progression-free survival@PROFILE-1007")
    assert str(choose(leaning, KNOWLEDGE)) == "measure:response rate@PROFILE-1007"


def test_naming_a_row_of_the_review_is_not_out_of_scope():
    got = key(
        [("out_of_scope", 0.5), ("side_effect:dyspnea", 0.3)],
        "dyspnoea G3-4 1005?",
        side_effect="dyspnea",
        trial="PROFILE-1005",
        severity="grade 3-4",
    )
    assert got == "side_effect:dyspnea:severe@PROFILE-1005"
    # Also when the intent was out of scope and the answer must be sure.
    question = Question(
        "out_of_scope",
        "G3-4 ALT/AST elevation 1L?",
        {
            "severity": ["grade 3-4"],
            "side_effect": ["elevated liver enzymes"],
            "trial": ["PROFILE-1014"],
        },
        ranking=[("out_of_scope", 0.56), ("side_effect:elevated liver enzymes", 0.43)],
    )
    got = confident_choice(question, KNOWLEDGE, at_least=0.5)
    assert str(got) == "side_effect:elevated liver enzymes:severe"


@pytest.mark.parametrize(
    "card, text, previous, entities, expected",
    [
        (
            "card:profile_1005",
            "emesis rate in the ph2 single-arm study",
            None,
            {"side_effect": "vomiting", "trial": "PROFILE-1005"},
            "side_effect:vomiting@PROFILE-1005",
        ),
        # After a side effect's figure, the same figure in another trial.
        (
            "card:profile_1007",
            "and in the trial where ppl had chemo first?",
            "side_effect:dizziness",
            {"trial": "PROFILE-1007"},
            "side_effect:dizziness@PROFILE-1007",
        ),
        # Saying more about the trial it names is still the same question.
        (
            "card:profile_1007",
            "what about in the 1007 trial, the one for people who'd had chemo first like him?",
            "side_effect:diarrhea:severe",
            {"trial": "PROFILE-1007"},
            "side_effect:diarrhea:severe@PROFILE-1007",
        ),
    ],
)
def test_a_side_effect_with_a_trial_card_asks_for_its_row_in_that_trial(
    card, text, previous, entities, expected
):
    assert key([(card, 0.6)], text, previous, **entities) == expected


def test_bad_ones_after_a_side_effect_asks_for_the_severe_column():
    assert key([("side_effect", 0.6)], "and bad ones?", "side_effect:vision disorder") == (
        "side_effect:vision disorder:severe"
    )
    # Not before one: "is nausea bad on it?" asks about nausea.
    assert key([("side_effect:nausea", 0.6)], "is nausea bad on it?", side_effect="nausea") == (
        "side_effect:nausea"
    )
    # How often it is bad asks for the severe column, whatever came before.
    liver = "elevated liver enzymes"
    assert key([("side_effect", 0.6)], "how often is the liver one bad", side_effect=liver) == (
        "side_effect:elevated liver enzymes:severe"
    )


def test_short_follow_ups_about_a_figure_ask_for_its_neighbour():
    previous = "measure:response rate@PROFILE-1014"
    assert key([("measure", 0.6)], "how long did that last", previous) == (
        "measure:duration of response@PROFILE-1014"
    )
    previous = "measure:1-year survival@PROFILE-1014"
    assert key([("measure", 0.6)], "and median?", previous) == (
        "measure:overall survival@PROFILE-1014"
    )


def test_a_figure_detail_after_a_card_asks_for_that_card_again():
    assert key([("not_covered:work", 0.5)], "HR?", "card:continuing_crizotinib") == (
        "card:continuing_crizotinib"
    )
    assert key([("card:what_alk_positive_means", 0.9)], "and?", "card:fish_test") == (
        "card:what_alk_positive_means"
    )


def test_a_kind_of_medicine_the_review_names_is_not_an_unnamed_medicine():
    assert key(
        [("card:medicines_that_raise_levels", 0.6)], "macrolides?", "interaction:grapefruit"
    ) == ("card:medicines_that_raise_levels")
    assert key(
        [("card:medicines_that_raise_levels", 0.6)], "dolutegravir?", "interaction:grapefruit"
    ) == ("interaction:not_named")


def test_a_row_named_beats_a_card_of_another_topic_ranked_close():
    got = key(
        [("card:quality_of_life", 0.4), ("interaction", 0.27)],
        "nelfinavir w crizo, what does the review say",
        drug=["nelfinavir", "crizotinib"],
    )
    assert got == "interaction:nelfinavir"
    # Not a card of the row's own topic, nor one ranked far ahead.
    got = key(
        [("card:why_interactions_matter", 0.4), ("interaction", 0.27)],
        "why does grapefruit matter",
        food="grapefruit",
    )
    assert got == "card:why_interactions_matter"
    got = key(
        [("card:quality_of_life", 0.7), ("interaction", 0.2)],
        "will nelfinavir make me feel worse day to day",
        drug="nelfinavir",
    )
    assert got == "card:quality_of_life"


def test_that_trial_is_the_one_the_conversation_was_about_not_the_cards():
    got = key(
        [("card:profile_1014", 0.3), ("measure:response rate", 0.22)],
        "and how many responded in that trial",
        "side_effect:vomiting@PROFILE-1005",
        measure="response rate",
    )
    assert got == "measure:response rate@PROFILE-1005"


def test_median_or_nr_after_a_survival_figure_stays_on_survival():
    previous = "measure:1-year survival@PROFILE-1001"
    got = key([("out_of_scope", 0.6)], "ok and median?", previous)
    assert got == "measure:overall survival@PROFILE-1001"
    previous = "measure:overall survival@PROFILE-1014"
    assert key([("out_of_scope", 0.5)], "NR meaning?", previous) == previous


def test_the_interaction_label_with_no_medicine_and_no_interaction_before_is_a_guess():
    ranking = [("interaction", 0.45), ("out_of_scope", 0.36)]
    assert key(ranking, "blorp fizzwangle") == "out_of_scope"
    assert key(ranking, "and that one?", "interaction:grapefruit") != "out_of_scope"


def test_a_follow_up_about_an_interaction_stays_on_that_medicine():
    text = "what happens if i keep taking it"
    after = key([("interaction", 0.8)], text, previous="interaction:st johns wort")
    assert after == "interaction:st johns wort"
    # Without one, the bare label is a guess at words, not a medicine.
    assert not key([("interaction", 0.8)], text).startswith("interaction:")


def test_a_nurses_plural_shorthand_asks_for_the_last_figures_detail():
    pfs = "measure:progression-free survival@PROFILE-1007"
    assert key([("out_of_scope", 0.4)], "HRs for each", previous=pfs) == pfs


def test_a_question_about_side_effects_is_not_off_topic():
    text = "mum has an itchy rash on her arms, is rash one of the side effects"
    assert key([("out_of_scope", 0.8)], text) == "side_effect:not_listed"
    assert key([("out_of_scope", 0.8)], "best way to get red wine out of a carpet") == (
        "out_of_scope"
    )


@pytest.mark.parametrize("text", ["what about me, im 38", "and him specifically? hes 58"])
def test_the_same_question_about_someone_else_gets_the_same_answer(text):
    prognosis = "not_covered:prognosis"
    assert key([("out_of_scope", 0.6)], text, previous=prognosis) == prognosis


def test_a_side_effect_named_in_a_question_about_crizotinib_gets_its_row():
    question = Question(
        "ask_crizotinib",
        "does xalkori give you the runs?",
        {"drug": ["crizotinib"], "side_effect": ["diarrhea"]},
        ranking=[("side_effect:diarrhea", 0.17), ("card:first_line_or_later", 0.11)],
    )
    assert str(choose(question, KNOWLEDGE)) == "side_effect:diarrhea"
