# Settings: read from the environment and `.env`, checked all at once with plain-words problems.
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import time
from email.utils import parseaddr
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from pydantic import AliasChoices, Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TEAMS_PREFIX = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
TEAMS_SERVICE_URL = "https://smba.trafficmanager.net/teams/"
MAIL_OFF = (
    "E-mail is off: relationship declarations are recorded and shown in chat but not e-mailed as "
    "the policy asks; set GRAPH_MAILBOX (with the app's id, secret and tenant) or SMTP_HOST and "
    "SMTP_FROM"
)
ADDRESS_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _teams(name: str) -> AliasChoices:
    return AliasChoices(TEAMS_PREFIX + name, TEAMS_PREFIX.lower() + name.lower())


class Settings(BaseSettings):
    """Every setting of the bot; see `.env.example` for the meaning of each."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = "sqlite:///policybot.db"
    directory_file: Path = Path("directory.yml")
    host: str = "0.0.0.0"
    port: int = Field(default=3000, ge=1, le=65535)
    timezone: str = "Europe/London"
    log_level: str = "INFO"

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"

    teams_client_id: str | None = Field(default=None, validation_alias=_teams("CLIENTID"))
    teams_client_secret: str | None = Field(default=None, validation_alias=_teams("CLIENTSECRET"))
    teams_tenant_id: str | None = Field(default=None, validation_alias=_teams("TENANTID"))
    # Tests only: accept requests without a token, and send replies without one.
    teams_anonymous_allowed: bool = Field(
        default=False, validation_alias=_teams("ANONYMOUS_ALLOWED")
    )
    # Where a new 1:1 chat is created for someone who never wrote to the bot (Teams' global
    # address; the regional one each person's turns carry is stored and used after that).
    teams_service_url: str = TEAMS_SERVICE_URL
    # Where the signing keys of inbound tokens are read; unset: Microsoft's, by issuer.
    # For a staging or test login service only.
    teams_jwks_url: str | None = None
    teams_app_website: str | None = None  # the Trust's website, shown in the Teams app

    graph_mailbox: str | None = None  # Graph mail is on when set
    graph_client_id: str | None = None  # these three default to the Teams app's
    graph_client_secret: str | None = None
    graph_tenant_id: str | None = None
    graph_base_url: str = "https://graph.microsoft.com"
    authority_host: str = "https://login.microsoftonline.com"

    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str | None = None
    smtp_starttls: bool = True

    working_hours: str = "08:00-17:00"
    working_days: str = "mon-fri"
    report_ack_hours: float = Field(default=2.0, gt=0, le=200)
    abuse_escalate_days: int = Field(default=7, ge=1, le=365)
    network_remind_days: int = Field(default=2, ge=1, le=60)
    political_terms: str | None = None  # comma-separated; None keeps the built-in list

    @property
    def political_term_list(self) -> tuple[str, ...] | None:
        """The configured political or campaigning terms, or None for the built-in list."""
        if self.political_terms is None:
            return None
        return tuple(t.strip() for t in self.political_terms.split(",") if t.strip())

    outbox_max_attempts: int = Field(default=12, ge=1, le=100)
    outbox_retry_base_seconds: float = Field(default=5.0, gt=0)
    outbox_retry_max_seconds: float = Field(default=900.0, gt=0)
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    outbox_lease_seconds: float = Field(default=60.0, ge=1)
    scheduler_tick_seconds: float = Field(default=60.0, gt=0)
    weekly_digests: bool = True  # the Monday summaries to Headteachers, ELT and Head of Comms
    # Retention (bot.retention): days each record is kept once it stopped being live.
    retention_reports_days: int = Field(default=2190, ge=1)  # 6 years after closure
    retention_safeguarding_days: int = Field(default=9125, ge=1)  # 25 years after closure
    retention_posts_days: int = Field(default=730, ge=1)  # 2 years after the publish date
    retention_declarations_days: int = Field(default=365, ge=1)  # 1 year after they end
    retention_training_days: int = Field(default=2190, ge=1)  # 6 years after completion
    retention_audit_days: int = Field(default=2555, ge=1)  # 7 years
    retention_abuse_log_days: int = Field(default=2190, ge=1)  # 6 years after an entry is closed

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f'"{value}" is not a time zone name such as Europe/London') from None
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", value):
            raise ValueError("use sqlite:///FILE or postgresql+psycopg://USER@HOST/DB")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not re.match(r"^https?://.+/$", value):
            raise ValueError(
                "must be an http(s) URL ending in / (Slack's own is https://slack.com/api/)"
            )
        return value

    @field_validator("teams_service_url", "teams_jwks_url")
    @classmethod
    def _http_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if not value:
            return TEAMS_SERVICE_URL if info.field_name == "teams_service_url" else None
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http(s):// address")
        return value

    @field_validator("teams_app_website")
    @classmethod
    def _website(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not re.match(r"^https://[^/\s]+", value):
            raise ValueError("must be an https:// address, such as https://www.trust.org.uk")
        return value

    @field_validator("graph_base_url", "authority_host")
    @classmethod
    def _https_url(cls, value: str) -> str:
        if not re.match(r"^https://[^/\s]+", value):
            raise ValueError("must be an https:// address, such as https://graph.microsoft.com")
        return value.rstrip("/")

    @field_validator("graph_mailbox")
    @classmethod
    def _mailbox_shape(cls, value: str | None) -> str | None:
        if value and not ADDRESS_RE.match(value.strip()):
            raise ValueError("must be the e-mail address of a mailbox, e.g. policybot@trust.org.uk")
        return value.strip() if value else value

    @field_validator("smtp_from")
    @classmethod
    def _from_shape(cls, value: str | None) -> str | None:
        if value and not ADDRESS_RE.match(parseaddr(value)[1]):
            raise ValueError(
                'must be an e-mail address, e.g. policybot@trust.org.uk or "policybot <...>"'
            )
        return value.strip() if value else value

    @field_validator("working_hours")
    @classmethod
    def _hours_shape(cls, value: str) -> str:
        parse_working_hours(value)
        return value

    @field_validator("working_days")
    @classmethod
    def _days_shape(cls, value: str) -> str:
        parse_working_days(value)
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("use DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and self.slack_signing_secret)

    @property
    def teams_enabled(self) -> bool:
        return bool(self.teams_client_id)

    @property
    def graph_app(self) -> tuple[str, str, str] | None:
        """Client id, secret and tenant for Graph mail (each defaults to the Teams app's)."""
        client_id = self.graph_client_id or self.teams_client_id
        secret = self.graph_client_secret or self.teams_client_secret
        tenant = self.graph_tenant_id or self.teams_tenant_id
        return (client_id, secret, tenant) if client_id and secret and tenant else None

    @property
    def graph_configured(self) -> bool:
        """Graph is set up (for mail, or with its own GRAPH_CLIENT_ID): Teams then looks up
        in Graph the people it has never seen (permission User.Read.All)."""
        return bool(self.graph_app and (self.graph_mailbox or self.graph_client_id))

    @property
    def mailer(self) -> str | None:
        """How e-mail is sent: "graph" (it wins when both are set), "smtp", or None (off)."""
        if self.graph_mailbox and self.graph_app:
            return "graph"
        if self.smtp_host and self.smtp_from:
            return "smtp"
        return None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class SettingsProblem:
    """One thing wrong with the settings, naming the variable and where it was set."""

    variable: str
    message: str
    where: str = "environment"

    def __str__(self) -> str:
        return f"{self.where}: {self.variable}: {self.message}"


def parse_working_hours(value: str) -> tuple[time, time]:
    """`08:00-17:00` -> (start, end); raises ValueError in plain words."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", value)
    if not match:
        raise ValueError('write working hours as "08:00-17:00"')
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2) or (h1, m1) >= (h2, m2):
        raise ValueError('working hours must be a day-time range such as "08:00-17:00"')
    return time(h1, m1), time.max if h2 == 24 else time(h2, m2)


def parse_working_days(value: str) -> frozenset[int]:
    """`mon-fri` or `mon,tue,thu` -> weekday numbers (Monday is 0)."""
    days: set[int] = set()
    for part in value.lower().split(","):
        ends = [end.strip() for end in part.split("-")]
        if len(ends) > 2 or not all(_day(end) is not None for end in ends):
            raise ValueError('write working days as "mon-fri" or "mon,tue,wed"')
        first, last = _day(ends[0]), _day(ends[-1])
        assert first is not None and last is not None
        days.update(
            range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
        )
    return frozenset(days)


def _day(name: str) -> int | None:
    for names in (DAY_NAMES, FULL_DAY_NAMES):
        if name in names:
            return names.index(name)
    return None


def load_settings(env_file: Path | None = Path(".env")) -> Settings:
    """Read the settings; raises SettingsInvalid with every problem found."""
    problems = _pair_problems(_raw(env_file), env_file)
    try:
        settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as error:
        problems = _problems(error, env_file) + problems
    if problems:
        raise SettingsInvalid(problems)
    return settings


GRAPH_APP = "(or the Teams app's, under CONNECTIONS__SERVICE_CONNECTION__SETTINGS__)"

# (set, needed, why): when `set` is, `needed` must be too. `needed` may list names any one of
# which will do (the first is the one to name).
PAIRS: tuple[tuple[str, str | tuple[str, ...], str], ...] = (
    (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "Slack needs both (Basic Information → Signing Secret; OAuth & Permissions → Bot Token)",
    ),
    (
        "SLACK_SIGNING_SECRET",
        "SLACK_BOT_TOKEN",
        "Slack needs both (Basic Information → Signing Secret; OAuth & Permissions → Bot Token)",
    ),
    (f"{TEAMS_PREFIX}CLIENTID", f"{TEAMS_PREFIX}CLIENTSECRET", "Teams needs the app's secret"),
    (f"{TEAMS_PREFIX}CLIENTID", f"{TEAMS_PREFIX}TENANTID", "Teams needs the tenant id"),
    (
        f"{TEAMS_PREFIX}CLIENTSECRET",
        (f"{TEAMS_PREFIX}CLIENTID", "GRAPH_CLIENT_ID"),
        "the secret belongs to an app: give its client id (the Azure Bot's Microsoft App ID)",
    ),
    (
        "GRAPH_MAILBOX",
        ("GRAPH_CLIENT_ID", f"{TEAMS_PREFIX}CLIENTID"),
        f"Graph mail needs the app's client id {GRAPH_APP}",
    ),
    (
        "GRAPH_MAILBOX",
        ("GRAPH_CLIENT_SECRET", f"{TEAMS_PREFIX}CLIENTSECRET"),
        f"Graph mail needs the app's client secret {GRAPH_APP}",
    ),
    (
        "GRAPH_MAILBOX",
        ("GRAPH_TENANT_ID", f"{TEAMS_PREFIX}TENANTID"),
        f"Graph mail needs your Microsoft Entra tenant id {GRAPH_APP}",
    ),
    ("SMTP_HOST", "SMTP_FROM", "SMTP mail needs the address it is sent from"),
    ("SMTP_USERNAME", "SMTP_PASSWORD", "the SMTP login needs both"),
    ("SMTP_PASSWORD", "SMTP_USERNAME", "the SMTP login needs both"),
)


def _raw(env_file: Path | None) -> dict[str, str]:
    """The values as set, upper-cased names; the environment wins over `.env`."""
    values = {}
    if env_file is not None and env_file.is_file():
        values = {k.upper(): v or "" for k, v in dotenv_values(env_file).items()}
    return values | {k.upper(): v for k, v in os.environ.items()}


def _pair_problems(raw: dict[str, str], env_file: Path | None) -> list[SettingsProblem]:
    """Settings that only work together: name the missing one, and where its partner is set."""
    problems = []
    for given, needed, why in PAIRS:
        names = (needed,) if isinstance(needed, str) else needed
        if raw.get(given, "").strip() and not any(raw.get(n, "").strip() for n in names):
            message = f"is not set, but {given} is: {why}"
            problems.append(SettingsProblem(names[0], message, _where(given, env_file)))
    return problems


class SettingsInvalid(Exception):
    """The settings could not be read; `.problems` says why, one per variable."""

    def __init__(self, problems: list[SettingsProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _problems(error: ValidationError, env_file: Path | None) -> list[SettingsProblem]:
    problems = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else ""
        variable = _variable_name(field)
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append(SettingsProblem(variable, message, _where(variable, env_file)))
    return problems


def _variable_name(field: str) -> str:
    if not field:
        return "settings"
    if field.startswith(TEAMS_PREFIX):
        return field
    alias = (
        Settings.model_fields[field].validation_alias if field in Settings.model_fields else None
    )
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return field.upper()


def _where(variable: str, env_file: Path | None) -> str:
    if variable.upper() in {k.upper() for k in os.environ}:
        return "environment"
    if env_file is None or not env_file.is_file():
        return "environment"
    for number, line in enumerate(env_file.read_text(encoding="utf-8").splitlines(), start=1):
        name = line.strip().removeprefix("export ").split("=", 1)[0].strip()
        if name.upper() == variable.upper():
            return f"{env_file}:{number}"
    return "environment"
