"""The settings: read once from the environment, typed, and handed on whole."""

import pytest

from bot.knowledge.clinic import load_clinic
from bot.settings import Settings, SettingsError, variable_names


def test_defaults_need_no_environment():
    settings = Settings.from_environ({})
    assert settings.actions_host == "127.0.0.1" and settings.retention_days == 90
    assert settings.api_token is None and settings.messaging_variables == frozenset()


def test_values_are_parsed_by_type():
    settings = Settings.from_environ(
        {"ALK_RETENTION_DAYS": "30", "ALK_WEB_ORIGINS": "https://a.org/, https://b.org"}
    )
    assert settings.retention_days == 30.0
    assert settings.web_origins == ("https://a.org", "https://b.org")


def test_a_value_that_cannot_be_used_names_its_variable():
    with pytest.raises(SettingsError, match="ALK_RETENTION_DAYS"):
        Settings.from_environ({"ALK_RETENTION_DAYS": "a month"})


def test_a_child_process_reads_back_the_same_settings():
    settings = Settings.from_environ(
        {"ALK_ACTIONS_TOKEN": "t", "ALK_WEB_ORIGINS": "https://a.org", "ALK_RETENTION_DAYS": "7"}
    )
    assert Settings.from_environ(settings.as_environ()) == settings


def test_messaging_apps_are_known_by_which_variables_are_set_never_their_values():
    settings = Settings.from_environ({"TWILIO_AUTH_TOKEN": "a-secret"})
    assert settings.messaging_variables == {"TWILIO_AUTH_TOKEN"}
    assert "a-secret" not in repr(settings)


def test_every_setting_has_its_own_variable():
    assert len(set(variable_names())) == len(variable_names())


def test_the_clinics_numbers_come_from_the_clinic_file_unless_a_setting_overrides_one():
    written = load_clinic(Settings())
    assert written.emergency_number == "911 (US) or 112 (Europe)"
    overridden = load_clinic(Settings(emergency_number="999"))
    assert overridden.emergency_number == "999"
    assert overridden.crisis_line == written.crisis_line
