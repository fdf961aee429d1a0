"""Numbered choices, long texts in pieces, and which messaging apps are on."""

import asyncio
import re
from typing import List

import pytest
import yaml
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels import choices, messaging
from bot.runtime import launcher
from bot.settings import MESSAGING_VARIABLES, Settings

BUTTONS = [
    {"title": "ALK testing", "payload": "/ask_alk_testing"},
    {"title": "Side effects", "payload": "/ask_side_effects"},
    {"title": "Clinical detail (for nurses)", "payload": "/switch_to_nurse_view"},
]


def test_numbered_choices_follow_the_text_one_per_line():
    assert choices.numbered("Pick a topic.", BUTTONS) == (
        "Pick a topic.\n\n1. ALK testing\n2. Side effects\n3. Clinical detail (for nurses)"
    )


@pytest.mark.parametrize("reply", ["2", " 2 ", "2.", "2)", "\t2.\n"])
def test_a_reply_that_is_a_number_picks_that_choice(reply):
    assert choices.chosen(reply, BUTTONS) == "/ask_side_effects"


@pytest.mark.parametrize("reply", ["0", "4", "12", "2 pills", "1.5", "two", "", "/ask_menu"])
def test_anything_else_is_passed_on_as_typed(reply):
    assert choices.chosen(reply, BUTTONS) == reply


def test_a_number_with_no_choice_on_offer_is_passed_on_as_typed():
    assert choices.chosen("2", []) == "2"


def test_the_choices_on_offer_are_the_last_buttons_since_the_person_wrote():
    menu = BotUttered("Pick a topic.", {"buttons": BUTTONS})
    follow_ups = [{"title": "How often is it severe?", "payload": "/ask_how_often"}]
    answer = BotUttered("Most side effects are mild.", {"buttons": follow_ups})
    text_only = BotUttered("Ask me anything.")
    assert choices.buttons_on_offer([UserUttered("hi"), menu, text_only]) == BUTTONS
    assert choices.buttons_on_offer([menu, UserUttered("2"), answer]) == follow_ups
    # Once the person has written, earlier buttons are no longer on offer.
    assert choices.buttons_on_offer([menu, UserUttered("hello"), text_only]) == []


def answered_as(text: str, store: SQLTrackerStore, sender: str) -> str:
    seen: List[str] = []

    async def handler(message: UserMessage) -> None:
        seen.append(message.text)

    reading = choices.reading_choices(handler, store)
    asyncio.run(reading(UserMessage(text, CollectingOutputChannel(), sender)))
    return seen[0]


def test_a_numbered_reply_is_read_from_the_stored_conversation_by_any_server(tmp_path):
    db = str(tmp_path / "conversations.db")
    events = [
        ActionExecuted("action_listen"),
        UserUttered("hi"),
        BotUttered("Pick a topic.", {"buttons": BUTTONS}),
    ]
    asyncio.run(
        SQLTrackerStore(dialect="sqlite", db=db).save(
            DialogueStateTracker.from_events("patient", events)
        )
    )
    # Another store on the same database: a second replica, or this one restarted.
    other_server = SQLTrackerStore(dialect="sqlite", db=db)
    assert answered_as("2.", other_server, "patient") == "/ask_side_effects"
    assert answered_as("2", other_server, "someone else") == "2"
    assert answered_as("side effects", other_server, "patient") == "side effects"


def test_a_long_text_is_cut_at_the_best_break_and_loses_nothing():
    paragraph = "Crizotinib is a pill. It blocks the ALK protein. " * 10
    text = f"{paragraph.strip()}\n\n{paragraph.strip()}"
    pieces = choices.split_text(text, 600)
    assert pieces == [paragraph.strip(), paragraph.strip()]  # the paragraph break
    pieces = choices.split_text(text, 100)
    assert all(len(piece) <= 100 for piece in pieces)
    assert all(piece.endswith(".") for piece in pieces)  # whole sentences
    assert " ".join(pieces).split() == text.split()


def test_a_text_without_breaks_is_cut_at_the_limit():
    assert choices.split_text("x" * 250, 100) == ["x" * 100, "x" * 100, "x" * 50]
    assert choices.split_text("short", 100) == ["short"]


ALL_SET = {name: "set" for name in MESSAGING_VARIABLES}


def test_no_messaging_app_is_on_without_its_variables():
    assert messaging.enabled_channels(Settings()) == {}


def test_an_app_with_its_variables_set_is_on_naming_them_not_their_values():
    environ = {
        "TWILIO_ACCOUNT_SID": "AC1",
        "TWILIO_AUTH_TOKEN": "secret",
        "TWILIO_WEBHOOK_URL": "https://alk.example.org/webhooks/twilio/webhook",
    }
    assert messaging.enabled_channels(Settings.from_environ(environ)) == {
        "bot.channels.twilio.TwilioInput": {
            "account_sid": "${TWILIO_ACCOUNT_SID}",
            "auth_token": "${TWILIO_AUTH_TOKEN}",
            "webhook_url": "${TWILIO_WEBHOOK_URL}",
        }
    }


def test_an_app_half_set_up_is_a_clear_error_naming_what_is_missing():
    environ = {"TELEGRAM_ACCESS_TOKEN": "123:abc", "TELEGRAM_BOT_NAME": "alk_bot"}
    missing = "TELEGRAM_WEBHOOK_URL, TELEGRAM_SECRET_TOKEN"
    with pytest.raises(messaging.HalfConfigured, match=missing):
        messaging.enabled_channels(Settings.from_environ(environ))


def test_the_credentials_file_written_for_rasa_holds_no_secret(tmp_path):
    settings = Settings.from_environ({name: f"secret-{name}" for name in ALL_SET})
    written = launcher.write_credentials(settings, tmp_path / "credentials.yml").read_text()
    assert "secret-" not in written
    assert yaml.safe_load(written).items() >= messaging.enabled_channels(settings).items()


def test_credentials_yml_documents_every_app_as_it_is_enabled():
    text = (launcher.PROJECT_ROOT / "credentials.yml").read_text()
    entries = re.findall(r"(?m)^# ((?:bot\.channels\.| ).*)$", text)
    documented = yaml.safe_load("\n".join(entries))
    assert documented == messaging.enabled_channels(Settings.from_environ(ALL_SET))
