"""A Rasa policy that puts red flags before everything else in a conversation.

After every user message it runs the deterministic detector on the text as
typed, including messages that start with "/" and so skip NLU, and, when it
finds an emergency or a crisis, predicts the urgent reply with full
confidence and a priority above every other policy. After the reply it
predicts listening, so the assistant stops teaching. Finding red flags does
not depend on the intent classifier; the `report_emergency` and
`express_crisis` intents (and their rules) are a second net for wordings the
patterns miss.
"""

from functools import lru_cache
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.safety.detector import load_detector

EMERGENCY_INTENT = "report_emergency"
ANSWER_ACTION = "action_answer_question"
EMERGENCY_REPLY = "utter_emergency"
CRISIS_REPLY = "utter_crisis"
# Above RulePolicy (4), so a tie at full confidence goes to safety.
SAFETY_PRIORITY = 10


# Rasa asks the policies again after each action; a message is read once.
@lru_cache(maxsize=1024)
def safety_actions(text: str, intent: Optional[Text]) -> Tuple[Text, ...]:
    """The actions a message needs before anything else, in order: none for
    most messages. Red flags get the urgent replies. A message the classifier
    took for an emergency but the detector reads as a general question, with
    no red flag raised ("what is anaphylaxis?", "are the flashes usually
    temporary?"), is answered: nothing in it points at a person or at now."""
    assessment = load_detector().assess(text)
    flags = assessment.raised
    actions = []
    if any(not flag.crisis for flag in flags):
        actions.append(EMERGENCY_REPLY)
    if any(flag.crisis for flag in flags):
        actions.append(CRISIS_REPLY)
    if not actions and intent == EMERGENCY_INTENT and assessment.general_question:
        actions.append(ANSWER_ACTION)
    return tuple(actions)


def _since_last_user_message(tracker: DialogueStateTracker):
    """The latest user message and the actions run after it."""
    actions: List[Text] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return event, list(reversed(actions))
        if isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
            actions.append(event.action_name)
    return None, actions


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class SafetyPolicy(Policy):
    """Urgent replies for red flags in the user's own words, at any point."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": SAFETY_PRIORITY}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context)
        load_detector()  # a broken safety file stops the server at start

    def train(self, training_trackers: List[Any], domain: Domain, **kwargs: Any) -> Resource:
        # Nothing to learn: the patterns are read from content/safety.yml.
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "SafetyPolicy":
        return cls(config, model_storage, resource, execution_context)

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        message, done = _since_last_user_message(tracker)
        needed = safety_actions(message.text or "", message.intent_name) if message else ()
        if needed:
            remaining = [action for action in needed if action not in done]
            next_action = remaining[0] if remaining else ACTION_LISTEN_NAME
            probabilities[domain.index_for_action(next_action)] = 1.0
        return self._prediction(probabilities)
