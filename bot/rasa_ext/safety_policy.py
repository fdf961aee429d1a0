"""A Rasa policy that puts red flags before everything else in a conversation.

After every user message it runs the deterministic detector on the text as
typed, including messages that start with "/" and so skip NLU, and, when it
finds an emergency or a crisis, predicts the urgent reply with full
confidence and a priority above every other policy. After the reply it
predicts listening, so the assistant stops teaching. Finding red flags does
not depend on the intent classifier; the `report_emergency` and
`express_crisis` intents are a second net for wordings the patterns miss,
whose rules ask before they escalate (data/rules/safety.yml).
"""

import hashlib
import json
from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Text, Tuple

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.names import Action, Intent
from bot.safety.detector import EARLIER_MESSAGES, SafetyDetector
from bot.safety.rules import SAFETY_PATH, load_rules

# Above RulePolicy (4), so a tie at full confidence goes to safety.
SAFETY_PRIORITY = 10
RULES_FILE = "safety.json"
# Rasa asks the policies again after each action, and a message is read once:
# the latest readings, keyed on a digest so that no patient's words are kept.
CACHED_READINGS = 64


def safety_actions(
    detector: SafetyDetector, text: str, intent: Optional[Text], earlier: str = ""
) -> Tuple[Text, ...]:
    """The actions a message needs before anything else, in order: none for
    most messages. Red flags get the urgent replies, spoken to a helper when
    someone else is in danger. A message the classifier
    took for an emergency but the detector reads as a general question, with
    no red flag raised ("what is anaphylaxis?", "are the flashes usually
    temporary?"), is answered: nothing in it points at a person or at now.
    `earlier`, the person's messages before, reads a reply that leans on
    them ("36" after a question about the pulse)."""
    assessment = detector.assess(text, earlier)
    actions = []
    for crisis, for_writer, for_someone in (
        (False, Action.UTTER_EMERGENCY, Action.UTTER_EMERGENCY_FOR_SOMEONE),
        (True, Action.UTTER_CRISIS, Action.UTTER_CRISIS_FOR_SOMEONE),
    ):
        flags = [flag for flag in assessment.raised if flag.crisis == crisis]
        if flags:
            # Spoken to the helper only when every such flag is about someone else.
            actions.append(for_someone if all(f.someone_else for f in flags) else for_writer)
    if not actions and assessment.suspected:
        # Soft signs ("I feel like a burden"): ask, as for the classifier's net.
        crisis = any(flag.crisis for flag in assessment.suspected)
        actions.append(Action.UTTER_ASK_IF_CRISIS if crisis else Action.UTTER_ASK_IF_EMERGENCY)
    if not actions and intent == Intent.REPORT_EMERGENCY and assessment.general_question:
        actions.append(Action.ANSWER_QUESTION)
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


def _messages_before(tracker: DialogueStateTracker, latest: UserUttered) -> str:
    """The user's last EARLIER_MESSAGES messages before `latest`, one a line."""
    messages = [event for event in tracker.events if isinstance(event, UserUttered)]
    before = messages[: next(i for i, event in enumerate(messages) if event is latest)]
    return "\n".join(event.text or "" for event in before[-EARLIER_MESSAGES:])


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class SafetyPolicy(Policy):
    """Urgent replies for red flags in the user's own words, at any point.

    Training stores the patterns of content/safety.yml in the model, so a
    model always runs with the rules it was trained and tested with; a
    change to the file retrains this policy (`fingerprint_addon`).
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": SAFETY_PRIORITY}

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        return hashlib.sha256(Path(SAFETY_PATH).read_bytes()).hexdigest()

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        rules: Optional[Mapping[str, Any]] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context)
        self.rules = rules if rules is not None else load_rules()
        # A broken safety file stops training, or the server at start.
        self.detector = SafetyDetector(self.rules)
        self._readings: OrderedDict[Tuple[str, Optional[Text]], Tuple[Text, ...]] = OrderedDict()

    def train(self, training_trackers: List[Any], domain: Domain, **kwargs: Any) -> Resource:
        # Nothing to learn: the patterns themselves go into the model.
        with self._model_storage.write_to(self._resource) as directory:
            (directory / RULES_FILE).write_text(json.dumps(self.rules), encoding="utf-8")
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
        with model_storage.read_from(resource) as directory:
            rules = json.loads((directory / RULES_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, execution_context, rules=rules)

    def _actions_for(self, text: str, intent: Optional[Text], earlier: str) -> Tuple[Text, ...]:
        digest = hashlib.sha256(json.dumps([text, earlier]).encode("utf-8")).hexdigest()
        key = (digest, intent)
        if key not in self._readings:
            if len(self._readings) >= CACHED_READINGS:
                self._readings.popitem(last=False)
            self._readings[key] = safety_actions(self.detector, text, intent, earlier)
        return self._readings[key]

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        message, done = _since_last_user_message(tracker)
        needed = (
            self._actions_for(
                message.text or "", message.intent_name, _messages_before(tracker, message)
            )
            if message
            else ()
        )
        if needed:
            remaining = [action for action in needed if action not in done]
            next_action = remaining[0] if remaining else ACTION_LISTEN_NAME
            probabilities[domain.index_for_action(next_action)] = 1.0
        return self._prediction(probabilities)
