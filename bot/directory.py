# The directory of the Trust's sites, people and roles, loaded from the directory YAML file.
from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from bot.directory_check import PLATFORMS, Problem, check_file

__all__ = [
    "PLATFORMS",
    "ROLE_NAMES",
    "SITE_ROLES",
    "TRUST_ROLES",
    "Account",
    "Directory",
    "DirectoryFile",
    "DirectoryInvalid",
    "Person",
    "PolicyInfo",
    "Problem",
    "Role",
    "Site",
    "Term",
    "Trust",
    "check_directory",
    "load_directory",
]

logger = logging.getLogger(__name__)

SITE_ROLES = ("headteacher", "safeguarding_lead", "office", "staff")
TRUST_ROLES = ("head_of_comms", "elt", "it_provider", "board")
ROLE_NAMES = SITE_ROLES + TRUST_ROLES
_SITE_FIELDS = {
    "headteacher": "headteacher",
    "safeguarding_lead": "safeguarding_leads",
    "office": "office",
    "staff": "staff",
}


def _email(value: str) -> str:
    return value.strip().lower()


def _emails(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_email(value) for value in values))


@dataclass(frozen=True)
class Person:
    """Someone in the directory; the e-mail (lower case) is the identity."""

    email: str
    name: str
    slack_id: str | None = None
    teams_id: str | None = None
    channel: str | None = None  # slack | teams: where to reach them in a Trust using both

    def __post_init__(self) -> None:
        object.__setattr__(self, "email", _email(self.email))


@dataclass(frozen=True)
class Site:
    """A school of the Trust or the Support Hub, with its role holders' e-mails."""

    id: str
    name: str
    kind: Literal["school", "hub"]
    headteacher: tuple[str, ...] = ()
    safeguarding_leads: tuple[str, ...] = ()
    office: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    channel: str | None = None  # slack | teams: where its people are reached, unless they say

    def __post_init__(self) -> None:
        for name in ("headteacher", "safeguarding_leads", "office", "staff"):
            object.__setattr__(self, name, _emails(getattr(self, name)))

    @property
    def members(self) -> tuple[str, ...]:
        """Everyone at the site (any site role), in role order, without repeats."""
        return _emails((*self.headteacher, *self.safeguarding_leads, *self.office, *self.staff))


@dataclass(frozen=True)
class Account:
    """An official social media account; `site` is a site id or "trust"."""

    id: str
    site: str
    platform: str
    handle: str


@dataclass(frozen=True)
class Trust:
    """The Trust and its Trust-wide roles (e-mails); `board` is the Trust Board above the ELT."""

    name: str
    head_of_comms: tuple[str, ...] = ()
    elt: tuple[str, ...] = ()
    it_provider: tuple[str, ...] = ()
    board: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in TRUST_ROLES:
            object.__setattr__(self, name, _emails(getattr(self, name)))


@dataclass(frozen=True)
class PolicyInfo:
    """Facts about the policy itself: its next review and how long training stays valid."""

    next_review: date | None = None
    training_valid_months: int = 12


@dataclass(frozen=True)
class Term:
    """A school term, first and last day included; days outside every term are holidays."""

    name: str
    start: date
    end: date


@dataclass(frozen=True)
class Role:
    """A role someone holds; `site_id` is None for Trust-wide roles."""

    name: str
    site_id: str | None


def _check_role(role_name: str) -> None:
    if role_name not in ROLE_NAMES:
        raise ValueError(f"unknown role {role_name!r}; roles are {', '.join(ROLE_NAMES)}")


@dataclass(frozen=True)
class Directory:
    """Sites, people and roles, with lookups; every e-mail is compared in lower case."""

    trust: Trust
    sites: tuple[Site, ...] = ()
    accounts: tuple[Account, ...] = ()
    policy: PolicyInfo = field(default_factory=PolicyInfo)
    people: tuple[Person, ...] = ()
    terms: tuple[Term, ...] = ()
    _by_email: dict[str, Person] = field(init=False, repr=False, compare=False)
    _by_slack: dict[str, Person] = field(init=False, repr=False, compare=False)
    _by_teams: dict[str, Person] = field(init=False, repr=False, compare=False)
    _by_site: dict[str, Site] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("sites", "accounts", "people"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "terms", tuple(sorted(self.terms, key=lambda t: t.start)))
        people = self.people
        object.__setattr__(self, "_by_email", {p.email: p for p in people})
        object.__setattr__(self, "_by_slack", {p.slack_id: p for p in people if p.slack_id})
        object.__setattr__(self, "_by_teams", {p.teams_id: p for p in people if p.teams_id})
        object.__setattr__(self, "_by_site", {s.id: s for s in self.sites})

    def person(self, email: str) -> Person | None:
        """The person with this e-mail (any letter case), or None."""
        return self._by_email.get(_email(email))

    def person_by_slack_id(self, user_id: str) -> Person | None:
        """The person whose `slack_id` is given in the file, or None."""
        return self._by_slack.get(user_id)

    def person_by_teams_id(self, teams_id: str) -> Person | None:
        """The person whose `teams_id` is given in the file, or None."""
        return self._by_teams.get(teams_id)

    def site(self, site_id: str) -> Site | None:
        """The site with this id, or None."""
        return self._by_site.get(site_id)

    def schools(self) -> list[Site]:
        """The schools, in file order."""
        return [site for site in self.sites if site.kind == "school"]

    def hub(self) -> Site | None:
        """The Support Hub, or None when the file has none."""
        return next((site for site in self.sites if site.kind == "hub"), None)

    def account(self, account_id: str) -> Account | None:
        """The official account with this id, or None."""
        return next((a for a in self.accounts if a.id == account_id), None)

    def accounts_of(self, site_id: str) -> list[Account]:
        """The official accounts of a site (or of "trust"), in file order."""
        return [account for account in self.accounts if account.site == site_id]

    def sites_of(self, email: str) -> list[Site]:
        """The sites where the person is staff or holds a site role, in file order."""
        email = _email(email)
        return [site for site in self.sites if email in site.members]

    def roles_of(self, email: str) -> list[Role]:
        """Every role the person holds: site roles in file order, then Trust roles."""
        email = _email(email)
        roles = [
            Role(role, site.id)
            for site in self.sites
            for role in SITE_ROLES
            if email in getattr(site, _SITE_FIELDS[role])
        ]
        roles += [Role(role, None) for role in TRUST_ROLES if email in getattr(self.trust, role)]
        return roles

    def holders(self, role_name: str, site_id: str | None = None) -> tuple[str, ...]:
        """E-mails holding a role; for site roles, at `site_id` or (None) at any site."""
        _check_role(role_name)
        if role_name in TRUST_ROLES:
            return getattr(self.trust, role_name)
        sites = self.sites if site_id is None else [s for s in self.sites if s.id == site_id]
        return _emails(email for site in sites for email in getattr(site, _SITE_FIELDS[role_name]))

    def holds(self, email: str, role_name: str, site_id: str | None = None) -> bool:
        """Whether the person holds the role (at `site_id`; any site when None)."""
        return _email(email) in self.holders(role_name, site_id)

    def search_people(self, query: str, limit: int = 50) -> list[Person]:
        """People whose name or e-mail contains `query` (any case), sorted by name."""
        needle = query.strip().lower()
        found = [p for p in self.people if needle in p.name.lower() or needle in p.email]
        return sorted(found, key=lambda p: (p.name.lower(), p.email))[:limit]

    def term_on(self, day: date) -> Term | None:
        """The term `day` falls in, or None (a holiday, or no terms in the file)."""
        return next((t for t in self.terms if t.start <= day <= t.end), None)

    def in_term(self, day: date) -> bool:
        """Whether `day` is a school day as far as the terms go: always, when the file lists
        no terms (then there is no holiday rule)."""
        return not self.terms or self.term_on(day) is not None

    def display_name(self, email: str) -> str:
        """The person's name, or the e-mail itself when they are not in the directory."""
        person = self.person(email)
        return person.name if person else email


class DirectoryInvalid(Exception):
    """The directory file has problems; `.problems` lists every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"the directory file has {len(self.problems)} problem(s):\n{lines}")


def check_directory(path: str | Path) -> list[Problem]:
    """Every problem in the directory file, in line order; an empty list means it is valid."""
    return check_file(path)[1]


def load_directory(path: str | Path) -> Directory:
    """Load the directory file; raises DirectoryInvalid listing every problem."""
    data, problems = check_file(path)
    if problems or data is None:
        raise DirectoryInvalid(problems)
    return _build(data)


def _build(data: dict[str, Any]) -> Directory:
    return Directory(
        trust=Trust(**data["trust"]),
        sites=tuple(Site(**site) for site in data["sites"]),
        accounts=tuple(Account(**account) for account in data["accounts"]),
        policy=PolicyInfo(**data["policy"]),
        people=tuple(Person(**person) for person in data["people"]),
        terms=tuple(Term(**term) for term in data.get("terms", ())),
    )


class DirectoryFile:
    """The directory file, reloaded when it changes; a broken edit keeps the last good version."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.reload_count = 0  # successful reloads after the first load
        self._directory: Directory | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._rejected: tuple[int, int, int] | None = None

    def current(self) -> Directory:
        """The directory; loads on the first call (raising DirectoryInvalid), then on changes."""
        try:
            info = os.stat(self.path)
            stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        except OSError:
            stamp = (0, -1, 0)
        if self._directory is not None and stamp in (self._stamp, self._rejected):
            return self._directory
        try:
            directory = load_directory(self.path)
        except DirectoryInvalid as error:
            if self._directory is None:
                raise
            self._rejected = stamp
            logger.warning(
                "directory file %s has %d problem(s); still using the previous version "
                "(run `policybot check` to see them)",
                self.path,
                len(error.problems),
            )
            return self._directory
        if self._directory is not None:
            self.reload_count += 1
            logger.info("directory file %s reloaded", self.path)
        self._directory, self._stamp, self._rejected = directory, stamp, None
        return directory
