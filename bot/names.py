"""Names that the Python code and the Rasa domain share.

An intent, action or slot that Python refers to is named here once, so a
rename is one change and `tests/test_names.py` can check that each one
exists in `domain/`.
"""


class Intent:
    GREET = "greet"
    ASK_MENU = "ask_menu"
    ASK_CRIZOTINIB = "ask_crizotinib"
    ASK_PROGRESSION = "ask_progression"
    ASK_WHY = "ask_why"
    ASK_HOW_OFTEN = "ask_how_often"
    ASK_INTERACTIONS = "ask_interactions"
    ASK_PERSONAL_DECISION = "ask_personal_decision"
    ASK_NOT_COVERED = "ask_not_covered"
    OUT_OF_SCOPE = "out_of_scope"
    REPORT_EMERGENCY = "report_emergency"
    EXPRESS_CRISIS = "express_crisis"
    REQUEST_HANDOFF = "request_handoff"
    AFFIRM = "affirm"
    DENY = "deny"
    SHOW_EVIDENCE = "show_evidence"
    SWITCH_TO_NURSE_VIEW = "switch_to_nurse_view"
    SWITCH_TO_PATIENT_VIEW = "switch_to_patient_view"


# Rasa's own intent for a message below the fallback threshold.
NLU_FALLBACK_INTENT = "nlu_fallback"


class Action:
    SESSION_START = "action_session_start"
    SHOW_MENU = "action_show_menu"
    ANSWER_QUESTION = "action_answer_question"
    SHOW_EVIDENCE = "action_show_evidence"
    SHOW_CHECKLIST = "action_show_checklist"
    OFFER_HANDOUT = "action_offer_handout"
    RESPOND_TO_FALLBACK = "action_respond_to_fallback"
    HAND_OFF = "action_hand_off"
    ANSWER_EARLIER_QUESTION = "action_answer_earlier_question"
    UTTER_EMERGENCY = "utter_emergency"
    UTTER_CRISIS = "utter_crisis"
    UTTER_EMERGENCY_FOR_SOMEONE = "utter_emergency_for_someone"
    UTTER_CRISIS_FOR_SOMEONE = "utter_crisis_for_someone"
    UTTER_ASK_IF_EMERGENCY = "utter_ask_if_emergency"
    UTTER_ASK_IF_CRISIS = "utter_ask_if_crisis"


# The replies that send a person to urgent help, and the questions asked
# first when only the classifier suspects an emergency or a crisis.
URGENT_REPLIES = (
    Action.UTTER_EMERGENCY,
    Action.UTTER_CRISIS,
    Action.UTTER_EMERGENCY_FOR_SOMEONE,
    Action.UTTER_CRISIS_FOR_SOMEONE,
)
URGENT_QUESTIONS = (Action.UTTER_ASK_IF_EMERGENCY, Action.UTTER_ASK_IF_CRISIS)


class Slot:
    AUDIENCE = "audience"
    SIDE_EFFECT = "side_effect"
    MUTATION = "mutation"
    TRIAL = "trial"
    REASON_CARD = "reason_card"
    LAST_ANSWER = "last_answer"
    PROVENANCE_TOLD = "provenance_told"
    # The clinic's details (content/clinic.yml), set at session start.
    EMERGENCY_NUMBER = "emergency_number"
    URGENT_CONTACT = "urgent_contact"
    CRISIS_LINE = "crisis_line"
    CLINIC_CONTACT = "clinic_contact"


# Where NLU's parse data holds the answer the question wants, and the
# ranking behind it (bot/rasa_ext/classifiers.py).
ANSWER_KEY = "answer"


def payload(intent: str) -> str:
    """The message a button sends to ask for an intent directly."""
    return f"/{intent}"
