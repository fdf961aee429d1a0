"""The medication check: a pasted list of medicines and foods, each looked up
in the review's interactions table.

"clarithromycin 500mg bd, omeprazole, grapefruit juice, St John's Wort" is
split into items; doses, frequencies, routes and forms are set aside; each
item is recognised from the entity vocabulary (canonical names, brand names,
known misspellings, and close misspellings of names of 5+ letters), then
classed from content/tables.yml: raises crizotinib levels (CYP3A inhibitor),
lowers them (inducer), avoid (named without a direction), or not covered.
An item the review does not name, or that is not recognised at all, is "not
covered: ask your pharmacist or care team", never "safe". Plain Python, no
Rasa, so the chat and the command line share it.

    .venv/bin/python -m bot.nurse.medications "clarithromycin 500mg bd, omeprazole" [--nurse]
"""

import argparse
import re
from dataclasses import dataclass
from typing import List, Mapping, Optional, Sequence, Tuple

from bot.knowledge import Knowledge, load_knowledge
from bot.knowledge.question import NURSE, PATIENT, THE_MEDICINE
from bot.nlp.spellings import Spellings, normalise
from bot.nlp.vocabulary import load_vocabulary

# Verdicts besides the interactions table's effects (raises, lowers, avoid).
NOT_COVERED = "not_covered"
CHECKED_AGAINST = "the_medicine"  # crizotinib itself is in the list
# The order of the report's groups: what changes crizotinib levels first.
VERDICTS = ("raises", "lowers", "avoid", NOT_COVERED, CHECKED_AGAINST)

# The vocabulary's entity types that name something a person takes.
SUBSTANCE_TYPES = ("drug", "food")

# Between items: commas, semicolons, newlines, " and ", "+", "&", "/" and
# bullets; not a comma inside a number ("1,000mg").
SEPARATORS = re.compile(r"(?<!\d),|,(?!\d{3}(?!\d))|[;\n+&/•·]|\band\b", re.IGNORECASE)
# A list marker at the start of an item: "-", "*", "•", "1.", "2)".
LIST_MARKER = re.compile(r"^\s*(?:[-*–—]+|\d+[.)])\s+")

# Words around a name that say how it is taken, not what it is: frequency
# and timing, route and form, dose units, and "I take". Any word with a
# digit (500mg, x2, 5ml) and any single letter are doses too; "I'm" is im.
HOW_TAKEN = frozenset(
    """
    od bd bid tds tid qds qid qd qh prn nocte mane stat om on
    once twice three four times time daily day days weekly week nightly night
    morning mornings evening evenings at in the every each per as when needed
    required hourly hours hour with food meals before after bedtime
    po iv im sc sl pr oral orally by mouth topical inhaled
    tablet tablets tab tabs capsule capsules cap caps cream creams ointment gel
    inhaler inhalers juice juices drops drop syrup liquid injection injections
    patch patches spray sachet sachets suppository pessary pill pills
    mg mcg ug gram grams ml milligram milligrams microgram micrograms iu unit units
    dose doses puff puffs
    take takes taking took also my of some for
""".split()
)

# Words of the request around a list typed in the chat ("can you check
# these meds for me: ...", "is any of this a problem with xalkori?"): never
# a medicine's name, so set aside too.
ASKING = frozenset(
    """
    can could would you u me pls please plz check checking screen run go through
    against these this that list meds med medicines medicine medication
    medications drugs drug chart rec reconciliation current currently here's
    heres his her their is are any a an problem problems issue issues with do
    does clash clashes interact interacts interaction interactions okay ok
    fine all what about pt patient patients starting start i'm i've on mine
    mum's dad's mum dad wife husband son daughter granny grandad he she we
    they those them it safe alright to be will should hi hello thanks thank
""".split()
)


@dataclass(frozen=True)
class CheckedItem:
    typed: str  # as the person wrote it, so they see what was checked
    name: Optional[str]  # the canonical vocabulary value, None if not recognised
    verdict: str  # one of VERDICTS


@dataclass(frozen=True)
class MedicationCheck:
    items: Tuple[CheckedItem, ...]

    def with_verdict(self, verdict: str) -> Tuple[CheckedItem, ...]:
        return tuple(item for item in self.items if item.verdict == verdict)


def _is_not_a_name(word: str) -> bool:
    return word in HOW_TAKEN or word in ASKING or len(word) == 1 or any(c.isdigit() for c in word)


def _read_item(words: List[str], names: Spellings) -> List[Tuple[Optional[str], str]]:
    """(canonical name or None, its words) for each thing an item names.

    Longest phrases first, so "st johns wort" is one name. Words that are
    not a name and not how it is taken are kept together as something
    unrecognised, so "clarithromycin zorblex" reports zorblex too.
    """
    found: List[Tuple[Optional[str], str]] = []
    unknown: List[str] = []

    def flush_unknown() -> None:
        if unknown:
            found.append((None, " ".join(unknown)))
            unknown.clear()

    start = 0
    while start < len(words):
        for size in range(min(names.longest, len(words) - start), 0, -1):
            phrase_words = words[start : start + size]
            if _is_not_a_name(phrase_words[0]) or _is_not_a_name(phrase_words[-1]):
                continue
            name = names.find(" ".join(phrase_words))
            if name:
                flush_unknown()
                found.append((name, " ".join(phrase_words)))
                start += size
                break
        else:
            if _is_not_a_name(words[start]):
                flush_unknown()
            else:
                unknown.append(words[start])
            start += 1
    flush_unknown()
    # "Biaxin (clarithromycin)" names one medicine twice.
    return list({(name or phrase): (name, phrase) for name, phrase in found}.values())


def _verdict(name: Optional[str], knowledge: Knowledge) -> str:
    if name == THE_MEDICINE:
        return CHECKED_AGAINST
    interaction = knowledge.tables.interactions.get(name) if name else None
    return interaction.effect if interaction else NOT_COVERED


def split_items(text: str) -> List[str]:
    """The list's items as typed, without list markers or stray spaces."""
    cleaned = (LIST_MARKER.sub("", item).strip(" \t:-") for item in SEPARATORS.split(text))
    return [item for item in cleaned if item]


def check_medications(
    text: str, knowledge: Knowledge, vocabulary: Mapping[str, Mapping[str, Sequence[str]]]
) -> MedicationCheck:
    """Each medicine or food in the list, recognised and classed.

    `vocabulary` is bot.nlp.vocabulary.load_vocabulary()'s. An item made only
    of doses and timings ("500mg bd") names nothing and is left out; every
    other word ends up in the check, recognised or not.
    """
    names = Spellings(vocabulary, SUBSTANCE_TYPES)
    items: List[CheckedItem] = []
    for typed in split_items(text):
        found = _read_item(normalise(typed).split(), names)
        for name, words in found:
            # One thing in the item: show it as typed; several: each by its words.
            shown = typed if len(found) == 1 else words
            items.append(CheckedItem(shown, name, _verdict(name, knowledge)))
    return MedicationCheck(tuple(items))


def _item_sentence(item: CheckedItem, audience: str, knowledge: Knowledge) -> str:
    wording = knowledge.wording["medication_check"][audience]
    if item.verdict == CHECKED_AGAINST:
        return wording["the_medicine"]
    if item.name is None:
        return wording["unrecognised"]
    interaction = knowledge.tables.interactions.get(item.name)
    if interaction is None:
        return wording["not_named"].format(substance=item.name)
    template = knowledge.wording["interaction"][audience][interaction.effect]
    sentence = template.format(substance=interaction.name or item.name, group=interaction.group)
    return sentence[:1].upper() + sentence[1:]


def report(check: MedicationCheck, audience: str, knowledge: Knowledge) -> str:
    """The check in words, grouped by verdict, each group with what to do,
    ending with the part of the review it comes from. An empty check gets
    how to write the list."""
    check_wording = knowledge.wording["medication_check"]
    if not check.items:
        return check_wording["usage"]
    wording = check_wording[audience]
    where = knowledge.tables.interactions_where
    paragraphs = [wording["intro"].format(count=len(check.items), where=where)]
    for verdict in VERDICTS:
        items = check.with_verdict(verdict)
        if not items:
            continue
        group = wording["groups"][verdict]
        lines = [group["title"]]
        lines += [
            check_wording["item"].format(
                typed=item.typed, sentence=_item_sentence(item, audience, knowledge)
            )
            for item in items
        ]
        if group.get("do"):
            lines.append(group["do"].format(where=where))
        paragraphs.append("\n".join(lines))
    paragraphs.append(knowledge.messages["source"][audience].format(sections=where))
    return "\n\n".join(paragraphs)


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("medicines", help='the list, e.g. "clarithromycin 500mg bd, omeprazole"')
    parser.add_argument("--nurse", action="store_true", help="the clinical view")
    args = parser.parse_args(argv)

    knowledge = load_knowledge()
    check = check_medications(args.medicines, knowledge, load_vocabulary())
    print(report(check, NURSE if args.nurse else PATIENT, knowledge))


if __name__ == "__main__":
    main()
