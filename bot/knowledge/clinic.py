"""The clinic's own details (content/clinic.yml), with the settings' overrides.

Who to call is the clinic's to set, not the model's: it lives in a content
file, so changing a phone number needs no retraining, and each value can be
overridden from the environment (bot/settings.py).
"""

from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Dict

import yaml

from bot.knowledge.content import CONTENT_DIR, ContentError
from bot.settings import Settings

CLINIC_PATH = CONTENT_DIR / "clinic.yml"


@dataclass(frozen=True)
class Clinic:
    emergency_number: str
    urgent_contact: str
    crisis_line: str
    clinic_contact: str

    def as_dict(self) -> Dict[str, str]:
        return asdict(self)


def load_clinic(settings: Settings, path: Path = CLINIC_PATH) -> Clinic:
    """The clinic file's details, each replaced by its setting when one is set."""
    written = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    details = {}
    for detail in fields(Clinic):
        value = getattr(settings, detail.name) or written.get(detail.name)
        if not isinstance(value, str) or not value.strip():
            raise ContentError(f"{path.name}: {detail.name} is missing")
        details[detail.name] = value.strip()
    return Clinic(**details)
