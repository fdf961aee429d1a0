"""Talking to the running assistant over HTTP, as patients and nurses would.

Real Rasa and action servers (see conftest.py); each test is a new person.
"""

import pytest

from bot.knowledge import load_knowledge

KNOWLEDGE = load_knowledge()
PROVENANCE = KNOWLEDGE.messages["provenance"]


def texts(replies):
    return [reply.get("text") for reply in replies]


def answer_to(say, message):
    """The answer as one reply: its text parts joined (Rasa's REST channel
    sends each paragraph of a message without buttons separately), without
    the provenance said before a first answer, and its buttons."""
    replies = [reply for reply in say(message) if reply.get("text") != PROVENANCE]
    assert replies, f"no reply to {message!r}"
    return {"text": "\n\n".join(texts(replies)), "buttons": replies[-1].get("buttons", [])}


def test_greeting_says_where_answers_come_from_once_then_offers_topics_and_views(say):
    greeting, provenance, menu = say("hi")
    assert "ALK Companion" in greeting["text"]
    assert provenance["text"] == PROVENANCE and "2016" in PROVENANCE
    assert [b["title"] for b in menu["buttons"]] == [
        *(t.title for t in KNOWLEDGE.topics),
        KNOWLEDGE.messages["view_buttons"]["nurse"],
    ]
    assert PROVENANCE not in texts(say("what is crizotinib?"))


def test_a_first_question_without_a_greeting_still_hears_the_provenance_first(say):
    provenance, reply = say("what does ALK positive mean?")
    assert provenance["text"] == PROVENANCE
    assert reply["text"].startswith(KNOWLEDGE.card("what_alk_positive_means").patient)


@pytest.mark.parametrize(
    "question, card_id",
    [
        ("how do they find out if a lung cancer is ALK positive", "how_alk_is_found"),
        ("what is the FISH test and what counts as positive?", "fish_test"),
        ("how does Xalkori fight the cancer?", "what_crizotinib_does"),
        ("when was crizotinib approved by the FDA", "crizotinib_approvals"),
        ("is grapefruit juice a problem with crizotinib", None),
        ("what happens if my cancer grows again on crizotinib", "when_cancer_grows"),
        ("why does the cancer often come back in the brain?", "why_the_brain"),
        ("why would they do another biopsy when it progresses", "new_biopsy"),
        ("where does your information come from?", "about_this_information"),
    ],
)
def test_questions_in_peoples_words_get_the_right_card_with_its_source(say, question, card_id):
    reply = answer_to(say, question)["text"]
    if card_id:
        card = KNOWLEDGE.card(card_id)
        assert reply.startswith(card.patient)
        assert all(section in reply for section in card.source)
    else:
        assert "avoid grapefruit" in reply and "Safety and drug interaction" in reply


def test_side_effect_then_how_often_it_is_severe(say):
    first = answer_to(say, "tell me about diarrhea")["text"]
    assert "61% of people had diarrhea (about 6 in 10)" in first and "Table 2" in first
    severe = answer_to(say, "how often is it severe?")["text"]
    assert "diarrhea was severe in 2% of people" in severe


def test_a_side_effect_in_a_named_trial_and_one_the_trial_did_not_report(say):
    assert "60%" in answer_to(say, "how common was diarrhoea in PROFILE-1007?")["text"]
    assert "did not report" in answer_to(say, "how common was neutropenia in profile 1007")["text"]


def test_medicine_then_why_it_is_a_problem(say):
    medicine = answer_to(say, "I take clarithromycin")["text"]
    assert "Clarithromycin can raise the amount of crizotinib in your blood" in medicine
    why = answer_to(say, "why is that a problem?")["text"]
    assert why.startswith(KNOWLEDGE.card("why_interactions_matter").patient)


def test_a_medicine_the_review_does_not_name_is_not_guessed(say):
    reply = answer_to(say, "can I take ibuprofen with my xalkori?")["text"]
    assert "This review does not cover ibuprofen" in reply and "pharmacist" in reply


def test_mutation_then_would_another_drug_work(say):
    found = answer_to(say, "my biopsy found G1202R")["text"]
    assert "crizotinib, alectinib and ceritinib" in found
    assert "may stop alectinib from working" in answer_to(say, "would alectinib work?")["text"]


def test_a_trial_result_comes_from_table_1(say):
    reply = answer_to(say, "what was the response rate in PROFILE-1005?")["text"]
    assert "59.8%" in reply and "Table 1" in reply


def test_a_nurse_switches_to_clinical_detail_and_back(say):
    assert "Clinical detail is on" in answer_to(say, "I'm an oncology nurse")["text"]
    row = answer_to(say, "how common is neutropenia?")["text"]
    assert "PROFILE-1005 9/6; PROFILE-1007 not reported; PROFILE-1014 21/11" in row
    card = answer_to(say, "what does crizotinib target?")["text"]
    assert card.startswith(KNOWLEDGE.card("crizotinib_targets").nurse)
    assert "Back to plain language" in answer_to(say, "plain language please")["text"]
    assert answer_to(say, "what does crizotinib target?")["text"].startswith(
        KNOWLEDGE.card("crizotinib_targets").patient
    )


def test_menu_and_follow_up_buttons_answer(say):
    menu = say("hello")[-1]
    [answer] = say(menu["buttons"][0]["payload"])
    assert answer["text"].startswith(KNOWLEDGE.card(KNOWLEDGE.topics[0].card).patient)
    follow_up = answer["buttons"][0]
    [next_answer] = say(follow_up["payload"])
    card = next(c for c in KNOWLEDGE.cards.values() if c.question == follow_up["title"])
    assert next_answer["text"].startswith(card.patient)
    assert "Clinical detail is on" in texts(say(menu["buttons"][-1]["payload"]))[0]


def test_goodbye_and_thanks(say):
    assert "Take care" in texts(say("bye for now"))[0]
    assert "welcome" in texts(say("thank you"))[0]


def test_an_off_topic_question_is_declined_with_the_topics(say):
    replies = say("who will win the election?")
    assert "I can only help with" in replies[0]["text"]
    assert replies[-1]["buttons"]
