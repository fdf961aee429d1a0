"""never_silent: a failing message handler still answers, and logs no words."""

import asyncio
import logging

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.replies import NOT_SAVED_REPLY, UNAVAILABLE_REPLY, never_silent

WORDS = "I have been coughing up blood since this morning"


def test_a_failure_is_answered_and_logged_without_the_persons_words(caplog):
    async def failing_handler(message):
        raise RuntimeError(f"could not handle {message.text}")

    channel = CollectingOutputChannel()
    with caplog.at_level(logging.DEBUG):
        asyncio.run(never_silent(failing_handler)(UserMessage(WORDS, channel, "someone")))

    assert [reply["text"] for reply in channel.messages] == [UNAVAILABLE_REPLY]
    assert "RuntimeError" in caplog.text
    assert WORDS not in caplog.text


def test_a_handler_that_answers_is_left_alone():
    async def answering_handler(message):
        await message.output_channel.send_response(message.sender_id, {"text": "hello"})

    channel = CollectingOutputChannel()
    asyncio.run(never_silent(answering_handler)(UserMessage("hi", channel, "someone")))
    assert [reply["text"] for reply in channel.messages] == ["hello"]


def test_a_handler_that_fails_after_answering_says_the_answer_may_not_be_remembered(caplog):
    async def saving_fails(message):
        await message.output_channel.send_response(message.sender_id, {"text": "an answer"})
        raise RuntimeError(f"could not save {message.text}")

    channel = CollectingOutputChannel()
    with caplog.at_level(logging.DEBUG):
        asyncio.run(never_silent(saving_fails)(UserMessage(WORDS, channel, "someone")))

    assert [reply["text"] for reply in channel.messages] == ["an answer", NOT_SAVED_REPLY]
    assert WORDS not in caplog.text
