"""Names for answers, so a conversation can remember what it was told and an
evaluation can say which answer a message got.

    card:time_to_response
    side_effect:nausea:severe@PROFILE-1007    (":severe" and "@trial" optional)
    side_effect:not_listed
    measure:response rate@PROFILE-1014
    interaction:grapefruit, interaction:not_named
    mutation:G1202R, mutation:G1202R+alectinib
    medication_check
    not_covered:cost
"""

from dataclasses import dataclass
from typing import Optional

CARD = "card"
SIDE_EFFECT = "side_effect"
MEASURE = "measure"
INTERACTION = "interaction"
MUTATION = "mutation"
MEDICATION_CHECK = "medication_check"
NOT_COVERED = "not_covered"
OUT_OF_SCOPE = "out_of_scope"
NOT_LISTED = "not_listed"
NOT_NAMED = "not_named"


@dataclass(frozen=True)
class AnswerKey:
    kind: str
    name: str = ""
    severe: bool = False
    trial: Optional[str] = None
    drug: Optional[str] = None

    def __str__(self) -> str:
        text = f"{self.kind}:{self.name}" if self.name else self.kind
        if self.drug:
            text += f"+{self.drug}"
        if self.severe:
            text += ":severe"
        if self.trial:
            text += f"@{self.trial}"
        return text

    @classmethod
    def parse(cls, text: str) -> "AnswerKey":
        rest, _, trial = text.partition("@")
        kind, _, name = rest.partition(":")
        severe = name.endswith(":severe")
        name = name.removesuffix(":severe")
        name, _, drug = name.partition("+")
        return cls(kind, name, severe, trial or None, drug or None)
