"""The design, enforced: a core without Rasa, one home for settings, names
shared with the domain, and an action server that loads no drawing library."""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot import names
from bot.settings import variable_names

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# What the assistant knows and decides: plain Python, unit-tested without Rasa.
CORE = ["bot/settings.py", "bot/names.py", "bot/knowledge", "bot/nlp", "bot/safety", "bot/nurse"]
RASA = ("rasa", "rasa_sdk")
# Only these read the environment: the settings, Rasa's own variables set
# for a Rasa command, and the hand-over of settings to a child process.
ENVIRONMENT_READERS = {"bot/settings.py", "bot/rasa_ext/cli.py"}


def python_files(*places: str):
    for place in places:
        path = PROJECT_ROOT / place
        yield from sorted(path.rglob("*.py")) if path.is_dir() else [path]


def imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


@pytest.mark.parametrize("path", list(python_files(*CORE)), ids=str)
def test_no_core_module_imports_rasa(path):
    rasa = [m for m in imported_modules(path) if m.split(".")[0] in RASA]
    assert rasa == [], f"{path.relative_to(PROJECT_ROOT)} imports {rasa}"


def reads_environment(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            if isinstance(node.value, ast.Name) and node.value.id == "os":
                return True
    return False


def test_only_the_settings_read_the_environment():
    readers = {
        str(path.relative_to(PROJECT_ROOT))
        for path in python_files("bot", "actions", "tools")
        if reads_environment(path)
    }
    assert readers <= ENVIRONMENT_READERS


def readme_table_variables():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("|")]
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", "\n".join(rows)))


def test_every_variable_the_code_reads_is_in_the_readmes_settings_tables():
    missing = set(variable_names()) - readme_table_variables()
    assert not missing, f"add to the README's Configuration tables: {sorted(missing)}"


def test_every_variable_the_endpoints_files_name_is_in_the_readmes_tables():
    named = set()
    for path in PROJECT_ROOT.glob("endpoints*.yml"):
        settings = [
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if not line.lstrip().startswith("#")
        ]
        named |= set(re.findall(r"\$\{(\w+)\}", "\n".join(settings)))
    assert named and not named - readme_table_variables()


def domain():
    merged = {"intents": set(), "actions": set(), "slots": set(), "responses": set()}
    for path in (PROJECT_ROOT / "domain").glob("*.yml"):
        part = yaml.safe_load(path.read_text(encoding="utf-8"))
        merged["intents"] |= set(part.get("intents") or [])
        merged["actions"] |= set(part.get("actions") or [])
        merged["slots"] |= set(part.get("slots") or {})
        merged["responses"] |= set(part.get("responses") or {})
    return merged


def constants(namespace) -> dict:
    return {key: value for key, value in vars(namespace).items() if key.isupper()}


def test_every_name_python_uses_is_in_the_domain():
    shared = domain()
    actions = shared["actions"] | shared["responses"]
    assert set(constants(names.Intent).values()) <= shared["intents"]
    assert set(constants(names.Action).values()) <= actions
    assert set(constants(names.Slot).values()) <= shared["slots"]


def test_every_custom_action_is_in_the_domain_and_named_as_a_verb_and_object():
    from rasa_sdk import Action

    import actions.answers
    import actions.nurse_tools
    import actions.safety
    import actions.session

    found = {
        cls().name()
        for module in (actions.answers, actions.nurse_tools, actions.safety, actions.session)
        for cls in vars(module).values()
        if isinstance(cls, type) and issubclass(cls, Action) and cls is not Action
    }
    assert found <= domain()["actions"]
    assert all(re.fullmatch(r"action_[a-z]+_[a-z_]+", name) for name in found)


# One fresh interpreter, as the action server starts: what importing the
# core and the actions, then loading their context, changes and loads.
PROBE = """
import json, os, sys
before = dict(os.environ)
import bot.settings, bot.knowledge.answers, bot.safety.detector, bot.nurse.medications
import bot.nurse.handout.composition, bot.runtime.launcher, bot.runtime.retention
import actions.answers, actions.nurse_tools, actions.safety, actions.session
environ_unchanged = dict(os.environ) == before
from actions.context import get_context
get_context()
heavy = ("matplotlib", "reportlab", "pypdfium2", "pypdf")
print(json.dumps({"environ_unchanged": environ_unchanged,
                  "loaded": sorted(m for m in heavy if m in sys.modules)}))
"""


@pytest.fixture(scope="module")
def fresh_start():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_action_server_loads_no_drawing_library_and_no_pdf_reader(fresh_start):
    assert fresh_start["loaded"] == []


def test_importing_the_core_and_the_actions_changes_no_environment_variable(fresh_start):
    assert fresh_start["environ_unchanged"]


def test_every_folder_of_python_code_is_a_package():
    folders = {path.parent for path in python_files("bot", "actions", "tools")}
    assert [f for f in sorted(folders) if not (f / "__init__.py").is_file()] == []
