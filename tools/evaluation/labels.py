"""The label scheme for answer-level evaluation sets, written out from content/.

A set's writer gets this page, the review and a description of the users,
and nothing else: not the training data, the patterns or the code. It lists
every answer the assistant can give, by the label an evaluation compares.

    python -m tools.evaluation.labels > labels.md
"""

from typing import List

from bot.knowledge import Knowledge, load_knowledge

INTRO = """\
# Label scheme: which answer should each message get?

Each item is one message a person sends, labelled with the single answer that
fits it best. Where two answers would serve equally well, name the best as
`answer` and the others under `accept` (a list). Emergencies and crises
(someone in danger now) are not part of these sets.

```yaml
messages:
- text: how long b4 it starts working
  kind: answer            # answer | not_covered | decision | out_of_scope
  answer: card:time_to_response
  accept: []              # optional: other labels that are equally right
  topic: crizotinib       # alk_testing, crizotinib, side_effects, interactions,
                          # progression, about or none
  voice: patient          # patient | caregiver | nurse | faq
conversations:
- id: taste_then_severe
  turns:
  - {text: ..., kind: answer, answer: side_effect:dysgeusia, topic: side_effects, voice: patient}
  - {text: does it ever get severe, kind: answer, answer: side_effect:dysgeusia:severe,
     topic: side_effects, voice: patient, follow_up: true}
```

`follow_up: true` marks a turn that leans on an earlier one ("and in the other
trial?", "why?", "what about him?").

## Kinds

- **answer**: the review answers it: a card or a table answer below.
- **not_covered**: a question about this illness or medicine that the review does
  not answer. Label `not_covered:<subject>` with a subject below, or plain
  `not_covered` when none fits. A side effect that Table 2 does not list is
  `side_effect:not_listed`; a medicine or food the review does not name is
  `interaction:not_named`.
- **decision**: the person asks whether *they* (or the person they care for)
  should do something about their own treatment: stop, skip, change a dose,
  switch, start another medicine, refuse a test. The assistant leaves the
  decision to the care team, then teaches what the review says. Label
  `decision:<the answer that teaches it>`, for example
  `decision:card:continuing_crizotinib`.
- **out_of_scope**: nothing to do with this illness, this medicine or the
  assistant (the weather, a recipe, another disease). Label `out_of_scope`.

## Table answers

- `side_effect:<effect>`: how often a side effect happened (Table 2). Add
  `:severe` when the question asks about severe / grade 3-4 cases, and
  `@<trial>` only when the question names or clearly means a trial other than
  the first-line one (`side_effect:nausea:severe@PROFILE-1007`).
- `measure:<measure>@<trial>`: a result from Table 1, always with its trial;
  PROFILE-1014 when the question means crizotinib as a first treatment.
- `interaction:<medicine or food>`: what the review says about taking it with
  crizotinib (one named, the first if several).
- `mutation:<mutation>`, or `mutation:<mutation>+<ALK medicine>` when the
  question asks whether a particular medicine works against that mutation.
- `medication_check`: a list of two or more medicines or foods to check
  against crizotinib all at once.
"""


def scheme(knowledge: Knowledge) -> str:
    tables = knowledge.tables
    lines: List[str] = [INTRO]
    lines.append("Side effects (Table 2): " + ", ".join(f"`{n}`" for n in tables.adverse_events))
    lines.append("")
    lines.append("Trials: " + ", ".join(f"`{t}`" for t in tables.trials))
    lines.append("")
    lines.append("Measures (Table 1): " + ", ".join(f"`{m}`" for m in tables.measures))
    lines.append("")
    lines.append(
        "Medicines and foods the review names: "
        + ", ".join(f"`{name}`" for name in tables.interactions)
    )
    lines.append("")
    lines.append("ALK medicines: " + ", ".join(f"`{d}`" for d in sorted(tables.alk_inhibitors)))
    lines.append("")
    lines.append("Mutations: " + ", ".join(f"`{m}`" for m in tables.mutations))
    lines += ["", "## Cards: `card:<id>`", ""]
    for topic in knowledge.topics:
        lines.append(f"### {topic.id}")
        lines += [
            f"- `card:{card.id}`: {card.question}"
            for card in knowledge.cards.values()
            if card.topic == topic.id
        ]
        lines.append("")
    lines += ["## Subjects the review does not cover: `not_covered:<subject>`", ""]
    lines += [
        f"- `not_covered:{subject}`: {uncovered.title}"
        for subject, uncovered in knowledge.not_covered.items()
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(scheme(load_knowledge()), end="")


def is_known(label: str, knowledge: Knowledge) -> bool:
    """Whether a set's label names an answer the scheme describes."""
    from bot.knowledge import answer_keys as keys
    from bot.knowledge.answer_keys import AnswerKey

    tables = knowledge.tables
    if label in (keys.OUT_OF_SCOPE, keys.NOT_COVERED, keys.MEDICATION_CHECK, "why", "evidence"):
        return True
    key = AnswerKey.parse(label.removeprefix("decision:"))
    known = {
        keys.CARD: key.name in knowledge.cards,
        keys.NOT_COVERED: key.name in knowledge.not_covered,
        keys.SIDE_EFFECT: key.name in (*tables.adverse_events, keys.NOT_LISTED),
        keys.MEASURE: key.name in tables.measures,
        keys.INTERACTION: key.name in (*tables.interactions, keys.NOT_NAMED),
        keys.MUTATION: key.name in tables.mutations,
    }
    if not known.get(key.kind, False) and label.removeprefix("decision:") not in (
        keys.NOT_COVERED,
        keys.INTERACTION,
        keys.SIDE_EFFECT,
    ):
        return False
    return key.trial in (None, *tables.trials) and key.drug in (None, *tables.alk_inhibitors)
