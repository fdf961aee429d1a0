"""Talking to the running assistant over HTTP, as a patient would."""

import pytest

from bot.knowledge import load_knowledge

KNOWLEDGE = load_knowledge()


def texts(replies):
    return [reply.get("text") for reply in replies]


def test_greeting_gives_the_disclaimer_and_the_topic_menu(say):
    greeting, menu = say("hi")
    assert "not advice about your own care" in greeting["text"]
    assert "2016" in greeting["text"]
    assert menu["text"] == KNOWLEDGE.menu_prompt
    assert [b["title"] for b in menu["buttons"]] == [t.title for t in KNOWLEDGE.topics]


@pytest.mark.parametrize(
    "question, topic_id",
    [
        ("how do they find out if a lung cancer is ALK positive", "alk_testing"),
        ("how does Xalkori fight the cancer?", "crizotinib"),
        ("does crizotinb give you diarrhoea", "side_effects"),
        ("is grapefruit juice a problem with crizotinib", "interactions"),
        ("what happens if my cancer grows again on crizotinib", "progression"),
    ],
)
def test_each_topic_is_answered_from_its_card_in_the_persons_words(say, question, topic_id):
    topic = next(t for t in KNOWLEDGE.topics if t.id == topic_id)
    assert texts(say(question)) == [KNOWLEDGE.card(topic.card).patient]


def test_menu_buttons_and_follow_up_buttons_answer(say):
    [_, menu] = say("hello")
    first_topic = KNOWLEDGE.topics[0]
    [answer] = say(menu["buttons"][0]["payload"])
    assert answer["text"] == KNOWLEDGE.card(first_topic.card).patient
    follow_up = answer["buttons"][0]
    [next_answer] = say(follow_up["payload"])
    assert next_answer["text"] == next(
        card.patient for card in KNOWLEDGE.cards.values() if card.question == follow_up["title"]
    )


def test_goodbye_and_thanks(say):
    assert "Take care" in texts(say("bye for now"))[0]
    assert "welcome" in texts(say("thank you"))[0]


def test_an_off_topic_question_is_declined_with_the_topics(say):
    decline, menu = say("who will win the election?")
    assert "I can only help with" in decline["text"]
    assert menu["buttons"]
