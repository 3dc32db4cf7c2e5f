# Tests for load_settings: defaults, every invalid value as a SettingsProblem with its .env line.
from __future__ import annotations

from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.settings import (
    TEAMS_PREFIX,
    Settings,
    SettingsInvalid,
    SettingsProblem,
    load_settings,
    parse_working_days,
    parse_working_hours,
)

CLIENTID = TEAMS_PREFIX + "CLIENTID"
CLIENTSECRET = TEAMS_PREFIX + "CLIENTSECRET"
TENANTID = TEAMS_PREFIX + "TENANTID"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty working folder and no setting of the real environment (SLACK_*, DATABASE_URL...)."""
    names = {name.upper() for name in Settings.model_fields}
    names |= {CLIENTID, CLIENTSECRET, TENANTID, TEAMS_PREFIX + "ANONYMOUS_ALLOWED"}
    for name in names:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_env(*lines: str) -> Path:
    path = Path(".env")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def problems(env_file: Path | None = Path(".env")) -> list[SettingsProblem]:
    with pytest.raises(SettingsInvalid) as raised:
        load_settings(env_file)
    assert str(raised.value) == "; ".join(str(p) for p in raised.value.problems)
    return raised.value.problems


def only_problem(env_file: Path | None = Path(".env")) -> SettingsProblem:
    found = problems(env_file)
    assert len(found) == 1, found
    return found[0]


# --- defaults ----------------------------------------------------------------------------------


def test_defaults_without_a_dotenv_file() -> None:
    settings = load_settings()

    assert settings.database_url == "sqlite:///policybot.db"
    assert settings.directory_file == Path("directory.yml")
    assert (settings.host, settings.port) == ("0.0.0.0", 3000)
    assert settings.timezone == "Europe/London"
    assert settings.zone == ZoneInfo("Europe/London")
    assert settings.log_level == "INFO"
    assert settings.slack_bot_token is None and settings.slack_signing_secret is None
    assert settings.slack_app_token is None
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.working_hours == "08:00-17:00"
    assert settings.working_days == "mon-fri"
    assert settings.report_ack_hours == 2.0
    assert settings.outbox_max_attempts == 12
    assert settings.outbox_retry_base_seconds == 5.0
    assert settings.outbox_retry_max_seconds == 900.0
    assert settings.outbox_poll_seconds == 1.0
    assert settings.scheduler_tick_seconds == 60.0
    assert settings.slack_enabled is False
    assert settings.teams_enabled is False
    assert parse_working_hours(settings.working_hours) == (time(8), time(17))
    assert parse_working_days(settings.working_days) == frozenset(range(5))


def test_no_env_file_at_all_gives_the_defaults() -> None:
    write_env("PORT=1234")

    assert load_settings(None).port == 3000


def test_the_example_env_file_is_valid_and_gives_the_defaults() -> None:
    example = Path(__file__).resolve().parents[2] / ".env.example"
    if not example.is_file():
        pytest.skip(".env.example is not there yet")
    write_env(example.read_text(encoding="utf-8"))

    settings = load_settings()

    assert settings.port == 3000
    assert settings.slack_enabled is False and settings.teams_enabled is False
    assert settings.mailer is None


# --- values from .env and the environment --------------------------------------------------------


def test_values_are_read_from_dotenv() -> None:
    write_env(
        "# a comment",
        "DATABASE_URL=postgresql+psycopg://bot@db.internal/policybot",
        "PORT=8080",
        "TIMEZONE=Europe/Dublin",
        "log_level=debug",
        "WORKING_HOURS=08:30-16:30",
        "WORKING_DAYS=mon,tue,thu",
        "REPORT_ACK_HOURS=4.5",
        "SLACK_API_URL=http://127.0.0.1:8090/api/",
    )

    settings = load_settings()

    assert settings.database_url == "postgresql+psycopg://bot@db.internal/policybot"
    assert settings.port == 8080
    assert settings.zone == ZoneInfo("Europe/Dublin")
    assert settings.log_level == "DEBUG"
    assert settings.working_hours == "08:30-16:30"
    assert settings.working_days == "mon,tue,thu"
    assert settings.report_ack_hours == 4.5
    assert settings.slack_api_url == "http://127.0.0.1:8090/api/"


def test_the_environment_wins_over_dotenv(monkeypatch: pytest.MonkeyPatch) -> None:
    write_env("PORT=8080")
    monkeypatch.setenv("PORT", "9090")

    assert load_settings().port == 9090


# --- one problem per invalid value, naming the variable and the .env line ------------------------


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("PORT", "abc", "integer"),
        ("PORT", "0", "greater than or equal to 1"),
        ("PORT", "70000", "less than or equal to 65535"),
        ("DATABASE_URL", "mysql://root@localhost/bot", "sqlite:///"),
        ("DATABASE_URL", "policybot.db", "postgresql"),
        ("TIMEZONE", "Mars/Olympus_Mons", "Europe/London"),
        ("TIMEZONE", "GMT+1 please", "Europe/London"),
        ("LOG_LEVEL", "verbose", "DEBUG, INFO, WARNING or ERROR"),
        ("SLACK_API_URL", "https://slack.com/api", "ending in /"),
        ("SLACK_API_URL", "slack.com/api/", "http(s)"),
        ("WORKING_HOURS", "9-5", "08:00-17:00"),
        ("WORKING_HOURS", "17:00-08:00", "08:00-17:00"),
        ("WORKING_DAYS", "weekdays", "mon-fri"),
        ("REPORT_ACK_HOURS", "0", "greater than 0"),
        ("REPORT_ACK_HOURS", "two", "number"),
        ("REPORT_ACK_HOURS", "201", "less than or equal to 200"),
        ("OUTBOX_MAX_ATTEMPTS", "0", "greater than or equal to 1"),
        ("OUTBOX_MAX_ATTEMPTS", "101", "less than or equal to 100"),
        ("OUTBOX_RETRY_BASE_SECONDS", "-1", "greater than 0"),
        ("OUTBOX_RETRY_MAX_SECONDS", "0", "greater than 0"),
        ("OUTBOX_POLL_SECONDS", "0", "greater than 0"),
        ("SCHEDULER_TICK_SECONDS", "soon", "number"),
        ("GRAPH_BASE_URL", "graph.microsoft.com", "https://"),
        ("AUTHORITY_HOST", "http://login.microsoftonline.com", "https://"),
        ("SMTP_PORT", "0", "greater than or equal to 1"),
        ("SMTP_FROM", "policybot", "e-mail address"),
        ("SMTP_FROM", "Policy Bot <policybot>", "e-mail address"),
        ("SMTP_STARTTLS", "perhaps", "boolean"),
    ],
)
def test_an_invalid_value_names_the_variable_and_the_dotenv_line(
    variable: str, value: str, words: str
) -> None:
    write_env("# policybot", "HOST=127.0.0.1", f"{variable}={value}", "DIRECTORY_FILE=d.yml")

    problem = only_problem()

    assert problem.variable == variable
    assert problem.where == ".env:3"
    assert words in problem.message
    assert str(problem) == f".env:3: {variable}: {problem.message}"
    assert not problem.message.startswith("Value error")


def test_a_lower_case_or_exported_name_still_finds_its_line() -> None:
    write_env("HOST=127.0.0.1", "", "export port=abc")

    problem = only_problem()

    assert (problem.variable, problem.where) == ("PORT", ".env:3")


def test_an_invalid_value_from_the_environment_says_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TIMEZONE", "Nowhere/Special")

    problem = only_problem()

    assert (problem.variable, problem.where) == ("TIMEZONE", "environment")


def test_several_problems_are_reported_together() -> None:
    write_env(
        "PORT=abc",
        "TIMEZONE=Mars/Base",
        "# WORKING_DAYS=mon-fri",
        "WORKING_DAYS=someday",
        "LOG_LEVEL=loud",
        "OUTBOX_MAX_ATTEMPTS=0",
    )

    found = {p.variable: p.where for p in problems()}

    assert found == {
        "PORT": ".env:1",
        "TIMEZONE": ".env:2",
        "WORKING_DAYS": ".env:4",
        "LOG_LEVEL": ".env:5",
        "OUTBOX_MAX_ATTEMPTS": ".env:6",
    }


# --- Slack and Teams ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "missing"),
    [("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"), ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN")],
)
def test_slack_token_without_signing_secret_is_a_problem(present: str, missing: str) -> None:
    write_env(f"{present}=xoxb-or-secret")

    problem = only_problem()

    assert problem.variable == missing and present in problem.message
    assert problem.where == ".env:1"


def test_slack_enabled_with_token_and_secret() -> None:
    write_env("SLACK_BOT_TOKEN=xoxb-1", "SLACK_SIGNING_SECRET=s3cret")

    settings = load_settings()

    assert settings.slack_enabled is True
    assert settings.teams_enabled is False


def test_empty_slack_values_mean_slack_is_off() -> None:
    write_env("SLACK_BOT_TOKEN=", "SLACK_SIGNING_SECRET=", "SLACK_APP_TOKEN=")

    assert load_settings().slack_enabled is False


def test_slack_app_token_alone_does_not_turn_slack_on() -> None:
    write_env("SLACK_APP_TOKEN=xapp-1")

    assert load_settings().slack_enabled is False


def test_teams_enabled_with_all_three_values() -> None:
    write_env(f"{CLIENTID}=app-id", f"{CLIENTSECRET}=secret", f"{TENANTID}=tenant")

    settings = load_settings()

    assert settings.teams_enabled is True
    assert settings.slack_enabled is False
    assert (settings.teams_client_id, settings.teams_tenant_id) == ("app-id", "tenant")


def test_teams_names_are_read_in_lower_case_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CLIENTID.lower(), "app-id")
    monkeypatch.setenv(CLIENTSECRET.lower(), "secret")
    monkeypatch.setenv(TENANTID.lower(), "tenant")

    assert load_settings().teams_enabled is True


def test_teams_client_id_without_secret_and_tenant_is_a_problem() -> None:
    write_env(f"{CLIENTID}=app-id")

    with pytest.raises(SettingsInvalid) as caught:
        load_settings()

    assert sorted(p.variable for p in caught.value.problems) == [CLIENTSECRET, TENANTID]
    assert all(CLIENTID in p.message for p in caught.value.problems)


def test_both_channels_can_be_on() -> None:
    write_env(
        "SLACK_BOT_TOKEN=xoxb-1",
        "SLACK_SIGNING_SECRET=s3cret",
        f"{CLIENTID}=app-id",
        f"{CLIENTSECRET}=secret",
        f"{TENANTID}=tenant",
    )

    settings = load_settings()

    assert settings.slack_enabled and settings.teams_enabled


# --- once bugs, now fixed ---------------------------------------------------------------------


def test_slack_pair_problem_names_the_variable_and_the_dotenv_line() -> None:
    write_env("HOST=127.0.0.1", "SLACK_BOT_TOKEN=xoxb-1")

    problem = only_problem()

    assert problem.variable in {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"}
    assert problem.where == ".env:2"


def test_pair_problems_are_reported_with_the_other_problems() -> None:
    write_env("PORT=abc", "SLACK_BOT_TOKEN=xoxb-1")

    found = problems()

    assert sorted(p.variable for p in found) == ["PORT", "SLACK_SIGNING_SECRET"]


def test_a_bad_environment_value_is_not_blamed_on_a_good_dotenv_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_env("PORT=3000")
    monkeypatch.setenv("PORT", "abc")

    problem = only_problem()

    assert problem.where == "environment"


# --- e-mail: Microsoft Graph or SMTP -------------------------------------------------------------


def test_mail_is_off_by_default_with_the_usual_endpoints() -> None:
    settings = load_settings()

    assert settings.mailer is None and settings.graph_app is None
    assert settings.graph_base_url == "https://graph.microsoft.com"
    assert settings.authority_host == "https://login.microsoftonline.com"
    assert (settings.smtp_port, settings.smtp_starttls) == (587, True)


def test_graph_mail_with_its_own_app() -> None:
    write_env(
        "GRAPH_MAILBOX=policybot@trust.example",
        "GRAPH_CLIENT_ID=mail-app",
        "GRAPH_CLIENT_SECRET=mail-secret",
        "GRAPH_TENANT_ID=tenant",
        "GRAPH_BASE_URL=https://127.0.0.1:8443/",
        "AUTHORITY_HOST=https://127.0.0.1:8443",
    )

    settings = load_settings()

    assert settings.mailer == "graph"
    assert settings.graph_app == ("mail-app", "mail-secret", "tenant")
    assert settings.graph_base_url == "https://127.0.0.1:8443"
    assert settings.teams_enabled is False


def test_graph_mail_uses_the_teams_app_unless_told_otherwise() -> None:
    write_env(
        "GRAPH_MAILBOX=policybot@trust.example",
        f"{CLIENTID}=bot-app",
        f"{CLIENTSECRET}=bot-secret",
        f"{TENANTID}=tenant",
        "GRAPH_CLIENT_SECRET=mail-secret",
    )

    settings = load_settings()

    assert settings.mailer == "graph"
    assert settings.graph_app == ("bot-app", "mail-secret", "tenant")


def test_a_mailbox_without_an_app_names_each_missing_value_at_the_mailbox_line() -> None:
    write_env("HOST=127.0.0.1", "GRAPH_MAILBOX=policybot@trust.example")

    found = problems()

    assert sorted(p.variable for p in found) == [
        "GRAPH_CLIENT_ID",
        "GRAPH_CLIENT_SECRET",
        "GRAPH_TENANT_ID",
    ]
    assert all(p.where == ".env:2" and "GRAPH_MAILBOX" in p.message for p in found)
    assert all("Teams app" in p.message for p in found)


def test_a_mailbox_with_half_a_teams_app_names_what_is_still_missing() -> None:
    write_env("GRAPH_MAILBOX=policybot@trust.example", f"{CLIENTID}=bot-app")

    found = {p.variable for p in problems()}

    assert found == {
        "GRAPH_CLIENT_SECRET",
        "GRAPH_TENANT_ID",
        CLIENTSECRET,
        TENANTID,
    }


def test_a_mailbox_must_be_an_address() -> None:
    write_env(
        "GRAPH_MAILBOX=policybot",
        "GRAPH_CLIENT_ID=a",
        "GRAPH_CLIENT_SECRET=b",
        "GRAPH_TENANT_ID=c",
    )

    problem = only_problem()

    assert (problem.variable, problem.where) == ("GRAPH_MAILBOX", ".env:1")
    assert "e-mail address" in problem.message


def test_smtp_mail() -> None:
    write_env(
        "SMTP_HOST=smtp.trust.example",
        "SMTP_PORT=2525",
        "SMTP_FROM=Policy Bot <policybot@trust.example>",
        "SMTP_USERNAME=policybot",
        "SMTP_PASSWORD=pw",
        "SMTP_STARTTLS=false",
    )

    settings = load_settings()

    assert settings.mailer == "smtp"
    assert (settings.smtp_host, settings.smtp_port) == ("smtp.trust.example", 2525)
    assert settings.smtp_from == "Policy Bot <policybot@trust.example>"
    assert settings.smtp_starttls is False


def test_graph_wins_when_both_are_set() -> None:
    write_env(
        "SMTP_HOST=smtp.trust.example",
        "SMTP_FROM=policybot@trust.example",
        "GRAPH_MAILBOX=policybot@trust.example",
        "GRAPH_CLIENT_ID=a",
        "GRAPH_CLIENT_SECRET=b",
        "GRAPH_TENANT_ID=c",
    )

    assert load_settings().mailer == "graph"


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ("SMTP_HOST=smtp.trust.example", "SMTP_FROM"),
        ("SMTP_USERNAME=policybot", "SMTP_PASSWORD"),
        ("SMTP_PASSWORD=pw", "SMTP_USERNAME"),
    ],
)
def test_smtp_settings_that_only_work_together(given: str, missing: str) -> None:
    write_env("HOST=127.0.0.1", given)

    problem = only_problem()

    assert (problem.variable, problem.where) == (missing, ".env:2")
    assert given.split("=")[0] in problem.message


def test_empty_mail_values_mean_mail_is_off() -> None:
    write_env("GRAPH_MAILBOX=", "SMTP_HOST=", "SMTP_FROM=", "SMTP_USERNAME=", "SMTP_PASSWORD=")

    assert load_settings().mailer is None


# --- Teams ---------------------------------------------------------------------------------------


def test_a_teams_secret_without_its_app_id_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRAPH_CLIENT_ID", raising=False)
    write_env(f"{CLIENTSECRET}=s3cret")
    problem = only_problem()
    assert problem.variable == CLIENTID and "Microsoft App ID" in problem.message
    assert problem.where == ".env:1"


def test_teams_settings_for_tests_and_their_defaults() -> None:
    write_env(
        f"{CLIENTID}=app",
        f"{CLIENTSECRET}=s",
        f"{TENANTID}=t",
        f"{TEAMS_PREFIX}ANONYMOUS_ALLOWED=true",
        "TEAMS_SERVICE_URL=",
        "TEAMS_JWKS_URL=http://127.0.0.1:9/keys",
    )
    settings = load_settings(Path(".env"))
    assert settings.teams_enabled and settings.teams_anonymous_allowed
    assert settings.teams_service_url == "https://smba.trafficmanager.net/teams/"
    assert settings.teams_jwks_url == "http://127.0.0.1:9/keys"


def test_the_teams_app_website_must_be_https() -> None:
    write_env("TEAMS_APP_WEBSITE=http://trust.example")
    assert only_problem().variable == "TEAMS_APP_WEBSITE"
