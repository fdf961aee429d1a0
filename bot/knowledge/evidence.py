"""Evidence mode and the counselling checklist: the clinical text behind answers.

`evidence` answers a question again as a nurse would cite it: the clinical
version (trial, n, hazard ratio with 95% CI and p-value where the review
gives them, the parts of the review), then each figure the card uses with
where the review prints it. `checklist` strings together the cards that
content/assistant.yml names for starting crizotinib, and the red flags of
content/safety.yml.
"""

from dataclasses import replace
from typing import Iterable, Mapping

from bot.knowledge.answers import answer
from bot.knowledge.content import Knowledge
from bot.knowledge.question import NURSE, Answer, Question


def evidence(question: Question, knowledge: Knowledge) -> Answer:
    """The answer to `question` in the clinical view, with its figures' places."""
    reply = answer(replace(question, audience=NURSE), knowledge)
    card = knowledge.card(reply.card_id) if reply.card_id else None
    if not card or not card.figures:
        return reply
    wording = knowledge.messages["evidence"]
    figures = "\n".join(f"- {figure.value}: {figure.where}" for figure in card.figures)
    return replace(reply, text=f"{reply.text}\n\n{wording['figures']}\n{figures}")


def checklist(knowledge: Knowledge, red_flags: Iterable[str], clinic: Mapping[str, str]) -> str:
    """The checklist for starting crizotinib: each item with its card's
    clinical text, then the red flags and who to call (`clinic`: the
    clinic settings, such as emergency_number)."""
    wording = knowledge.messages["checklist"]
    items = [
        f"☐ {item['label']}: {knowledge.cards[item['card']].nurse}" for item in wording["items"]
    ]
    flags = f"☐ {wording['red_flags'].format(**clinic)} {'; '.join(red_flags)}."
    cards = [knowledge.cards[item["card"]] for item in wording["items"]]
    sections = dict.fromkeys(section for card in cards for section in card.source)
    source = knowledge.messages["source"][NURSE].format(sections="; ".join(sections))
    return "\n\n".join([wording["title"], *items, flags, source])
