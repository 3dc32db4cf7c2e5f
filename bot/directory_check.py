# Reads the directory YAML with line numbers and checks it, reporting every problem in one pass.
from __future__ import annotations

import contextlib
import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

TOP_KEYS = ("trust", "sites", "accounts", "policy", "people", "terms")
TRUST_KEYS = ("name", "head_of_comms", "elt", "it_provider", "board")
SITE_ROLE_KEYS = ("headteacher", "safeguarding_leads", "office", "staff")
SITE_KEYS = ("id", "name", "kind", *SITE_ROLE_KEYS, "channel")
ACCOUNT_KEYS = ("id", "site", "platform", "handle")
POLICY_KEYS = ("next_review", "training_valid_months")
PERSON_KEYS = ("email", "name", "slack_id", "teams_id", "channel")
CHANNELS = ("slack", "teams")
TERM_KEYS = ("name", "start", "end")
KINDS = ("school", "hub")
PLATFORMS = ("X", "Facebook", "Instagram", "TikTok", "LinkedIn", "YouTube", "other")
TRUST_SITE = "trust"  # the `site` of a Trust-wide account; never a site id

EMAIL_RE = re.compile(r"^[a-z0-9._%+'-]+@[a-z0-9-]+(\.[a-z0-9-]+)*$")
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SLACK_ID_RE = re.compile(r"^[UW][A-Z0-9]{2,}$")
_NULL_TAG = "tag:yaml.org,2002:null"

Entry = tuple[yaml.Node, yaml.Node]  # (key node, value node) of one "key: value" line


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the directory file; `line` is 1-based, or None for the whole file."""

    line: int | None
    message: str
    file: str = "directory.yml"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


def check_file(path: str | Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Read and check the directory file; return its plain data (None if unusable) and problems."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        message = (
            "the directory file does not exist (set DIRECTORY_FILE or copy examples/directory.yml)"
        )
        return None, [Problem(None, message, file)]
    except UnicodeDecodeError:
        return None, [Problem(None, "the directory file is not UTF-8 text", file)]
    except OSError as error:
        return None, [Problem(None, f"the directory file cannot be read ({error.strerror})", file)]
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        hint = " (put values that start with @ in quotes)" if "'@'" in str(error.problem) else ""
        message = f"this is not valid YAML: {error.problem or error.context}{hint}"
        return None, [Problem(mark.line + 1 if mark else None, message, file)]
    except yaml.YAMLError as error:
        return None, [Problem(None, f"this is not valid YAML: {error}", file)]
    finally:
        loader.dispose()
    if root is None:
        return None, [
            Problem(None, "the directory file is empty (see examples/directory.yml)", file)
        ]
    check = _Check(loader, file)
    data = check.document(root)
    return data, sorted(check.problems, key=lambda p: p.line or 0)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and (node.tag == _NULL_TAG or not node.value.strip())


class _Check:
    """Walks the composed YAML nodes, collecting problems and the plain data."""

    def __init__(self, loader: yaml.SafeLoader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.problems: list[Problem] = []
        self.refs: list[tuple[str, int, str]] = []  # (e-mail, line, where) named by a role

    def add(self, at: yaml.Node | int | None, message: str) -> None:
        line = at if at is None or isinstance(at, int) else _line(at)
        self.problems.append(Problem(line, message, self.file))

    def fields(
        self, node: yaml.Node, where: str, allowed: tuple[str, ...]
    ) -> dict[str, Entry] | None:
        """The allowed "key: value" entries of a mapping (None if it is not one, reported)."""
        if _is_null(node):
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.add(node, f'{where} should be a set of "key: value" lines')
            return None
        found: dict[str, Entry] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
            if key in found:
                self.add(key_node, f'"{key}" appears twice in {where}')
            elif key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f'; did you mean "{close[0]}"?' if close else ""
                listed = ", ".join(allowed)
                self.add(key_node, f'unknown key "{key}" in {where}{hint} (allowed: {listed})')
            else:
                found[key] = (key_node, value_node)
        return found

    def items(self, entry: Entry | None, where: str) -> list[yaml.Node]:
        """The items of a list value (a missing or empty value is an empty list)."""
        if entry is None or _is_null(entry[1]):
            return []
        if not isinstance(entry[1], yaml.SequenceNode):
            self.add(entry[1], f'{where} should be a list (lines starting with "- ")')
            return []
        return list(entry[1].value)

    def text(
        self,
        entry: Entry | None,
        where: str,
        *,
        at: yaml.Node | int | None,
        missing: str | None = None,
    ) -> str | None:
        """A required single text value; reports it (at its key, or at `at`) when missing."""
        if entry is None or _is_null(entry[1]):
            self.add(entry[0] if entry else at, missing or f"{where} is missing")
            return None
        if not isinstance(entry[1], yaml.ScalarNode):
            self.add(entry[1], f"{where} should be a single value, not a list or mapping")
            return None
        return entry[1].value.strip()

    def optional(self, entry: Entry | None, where: str) -> str | None:
        """An optional single text value."""
        if entry is None or _is_null(entry[1]):
            return None
        return self.text(entry, where, at=None)

    def emails(self, entry: Entry | None, where: str) -> tuple[str, ...]:
        """A role: a list of e-mails (or one e-mail), lower-cased, each remembered for checking."""
        if entry is None or _is_null(entry[1]):
            return ()
        node = entry[1]
        nodes = [node] if isinstance(node, yaml.ScalarNode) else self.items(entry, where)
        result: list[str] = []
        for item in nodes:
            if not isinstance(item, yaml.ScalarNode):
                self.add(item, f"{where} should list e-mail addresses only")
                continue
            email = item.value.strip().lower()
            if not EMAIL_RE.match(email):
                self.add(item, f'"{item.value}" in {where} is not an e-mail address')
            elif email not in result:
                result.append(email)
                self.refs.append((email, _line(item), where))
        return tuple(result)

    def document(self, root: yaml.Node) -> dict[str, Any] | None:
        """Check the whole file; return its plain data (partial when there are problems)."""
        if not isinstance(root, yaml.MappingNode):
            self.add(root, "the file should have sections such as trust:, sites: and people:")
            return None
        top = self.fields(root, "the file (top level)", TOP_KEYS) or {}
        for key in ("trust", "sites", "people"):
            if key not in top:
                self.add(None, f"there is no {key}: section (see examples/directory.yml)")
        data: dict[str, Any] = {
            "people": self.people(top.get("people")),
            "trust": self.trust(top.get("trust")),
            "sites": self.sites(top.get("sites")),
        }
        site_ids = {site["id"] for site in data["sites"]}
        data["accounts"] = self.accounts(top.get("accounts"), site_ids)
        data["policy"] = self.policy(top.get("policy"))
        data["terms"] = self.terms(top.get("terms"))
        if "people" in top:
            known = {person["email"] for person in data["people"]}
            for email, line, where in self.refs:
                if email not in known:
                    self.add(line, f'unknown e-mail "{email}" in {where} (add them under people:)')
        return data

    def trust(self, entry: Entry | None) -> dict[str, Any]:
        result: dict[str, Any] = {"name": None} | {role: () for role in TRUST_KEYS[1:]}
        fields = self.fields(entry[1], "trust", TRUST_KEYS) if entry else None
        if entry is None or fields is None:
            return result
        missing = 'the Trust has no name: add "name:" under trust:'
        result["name"] = self.text(fields.get("name"), "trust.name", at=entry[0], missing=missing)
        needed = {"head_of_comms": "the Head of Comms", "elt": "the ELT members"}
        for role in TRUST_KEYS[1:]:
            reported = len(self.problems)
            result[role] = self.emails(fields.get(role), f"trust.{role}")
            if role in needed and not result[role] and len(self.problems) == reported:
                at = fields[role][0] if role in fields else entry[0]
                self.add(at, f"trust.{role} is missing or empty: list {needed[role]} by e-mail")
        return result

    def sites(self, entry: Entry | None) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = []
        first_line: dict[str, int] = {}
        hub: str | None = None
        nodes = self.items(entry, "sites")
        if entry is not None and _is_null(entry[1]):
            self.add(entry[0], "sites: is empty; list the schools and the hub")
        for index, node in enumerate(nodes):
            where = f"sites[{index}]"
            fields = self.fields(node, where, SITE_KEYS)
            if fields is None:
                continue
            site: dict[str, Any] = {
                "id": self.text(fields.get("id"), f"{where}.id", at=node),
                "name": self.text(fields.get("name"), f"{where}.name", at=node),
                "kind": self.text(fields.get("kind"), f"{where}.kind (school or hub)", at=node),
            }
            for key in SITE_ROLE_KEYS:
                site[key] = self.emails(fields.get(key), f"{where}.{key}")
            site["channel"] = self.channel(fields.get("channel"), f"{where}.channel")
            site_id, kind = site["id"], site["kind"]
            label = f'the site "{site_id}"' if site_id else where
            if site_id is not None:
                id_node = fields["id"][1]
                if not SLUG_RE.match(site_id):
                    message = "should be lower-case letters, digits and hyphens, e.g. oakfield"
                    self.add(id_node, f'site id "{site_id}" {message}')
                elif site_id == TRUST_SITE:
                    self.add(id_node, 'site id "trust" is reserved for Trust-wide accounts')
                if site_id in first_line:
                    message = f"is used twice (also on line {first_line[site_id]})"
                    self.add(id_node, f'site id "{site_id}" {message}')
                else:
                    first_line[site_id] = _line(id_node)
                    result.append(site)
            if kind is not None and kind not in KINDS:
                self.add(fields["kind"][1], f'{where}.kind is "{kind}"; it must be school or hub')
            if kind == "hub" and hub is not None:
                message = (
                    f'there is more than one hub ("{hub}" and "{site_id}"); only one is allowed'
                )
                self.add(fields["kind"][1], message)
            elif kind == "hub":
                hub = site_id or where
            role_at = {key: fields[key][0] if key in fields else node for key in SITE_ROLE_KEYS}
            if kind == "school" and not site["headteacher"]:
                self.add(role_at["headteacher"], f"{label} is a school without a Headteacher")
            if kind == "hub" and site["headteacher"]:
                message = f"{label} is the hub: it has no Headteacher (hub reports go to the ELT)"
                self.add(role_at["headteacher"], message)
            if not site["safeguarding_leads"]:
                self.add(role_at["safeguarding_leads"], f"{label} has no Safeguarding Lead")
        return result

    def accounts(self, entry: Entry | None, site_ids: set[str]) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = []
        first_line: dict[str, int] = {}
        canonical = {name.lower(): name for name in PLATFORMS}
        for index, node in enumerate(self.items(entry, "accounts")):
            where = f"accounts[{index}]"
            fields = self.fields(node, where, ACCOUNT_KEYS)
            if fields is None:
                continue
            account_id = self.text(fields.get("id"), f"{where}.id", at=node)
            site = self.text(fields.get("site"), f'{where}.site (a site id or "trust")', at=node)
            platform = self.text(fields.get("platform"), f"{where}.platform", at=node)
            handle = self.text(fields.get("handle"), f"{where}.handle", at=node)
            if site is not None and site != TRUST_SITE and site not in site_ids:
                known = ", ".join(sorted(site_ids)) or "none"
                message = f'"{site}" is neither a site id ({known}) nor "trust"'
                self.add(fields["site"][1], f"{where}.site {message}")
            if platform is not None and platform.lower() not in canonical:
                hint = " (use X for Twitter)" if platform.lower() == "twitter" else ""
                listed = ", ".join(PLATFORMS)
                message = f'unknown platform "{platform}" in {where}{hint}; use one of {listed}'
                self.add(fields["platform"][1], message)
            if account_id is not None and account_id in first_line:
                message = f'account id "{account_id}" is used twice (also on line '
                self.add(fields["id"][1], f"{message}{first_line[account_id]})")
            elif account_id is not None:
                first_line[account_id] = _line(fields["id"][1])
                platform = canonical.get((platform or "").lower(), platform)
                account = {"id": account_id, "site": site, "platform": platform, "handle": handle}
                result.append(account)
        return result

    def policy(self, entry: Entry | None) -> dict[str, Any]:
        result: dict[str, Any] = {"next_review": None, "training_valid_months": 12}
        fields = self.fields(entry[1], "policy", POLICY_KEYS) if entry else None
        if not fields:
            return result
        review = fields.get("next_review")
        if review is not None and not _is_null(review[1]):
            result["next_review"] = self.day(review, "policy.next_review", at=None)
        months = fields.get("training_valid_months")
        if months is not None:
            value = self.value(months[1])
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                result["training_valid_months"] = value
            else:
                raw = getattr(months[1], "value", "a list")
                message = f'should be a whole number of months above 0, not "{raw}"'
                self.add(months[1], f"policy.training_valid_months {message}")
        return result

    def terms(self, entry: Entry | None) -> list[dict[str, Any]]:
        """School terms: days outside every term are holidays (no terms, no holidays)."""
        result: list[dict[str, Any]] = []
        for index, node in enumerate(self.items(entry, "terms")):
            where = f"terms[{index}]"
            fields = self.fields(node, where, TERM_KEYS)
            if fields is None:
                continue
            name = self.text(fields.get("name"), f"{where}.name", at=node)
            start = self.day(fields.get("start"), f"{where}.start", at=node)
            end = self.day(fields.get("end"), f"{where}.end", at=node)
            if name is None or start is None or end is None:
                continue
            label = f'the term "{name}"'
            if end < start:
                self.add(fields["end"][1], f"{label} ends on {end}, before it starts on {start}")
                continue
            other = next((t for t in result if start <= t["end"] and t["start"] <= end), None)
            if other is not None:
                message = f'{label} ({start} to {end}) overlaps "{other["name"]}"'
                self.add(node, f"{message} (line {other['line']}); terms must not overlap")
                continue
            result.append({"name": name, "start": start, "end": end, "line": _line(node)})
        return [{k: v for k, v in t.items() if k != "line"} for t in result]

    def day(self, entry: Entry | None, where: str, *, at: yaml.Node | None) -> date | None:
        """A required date (2026-11-30); reports it when missing or not a date."""
        if entry is None or _is_null(entry[1]):
            self.add(entry[0] if entry else at, f"{where} is missing")
            return None
        value = self.value(entry[1])
        if isinstance(value, datetime):
            value = value.date()
        elif isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = date.fromisoformat(value.strip())
        if isinstance(value, date):
            return value
        raw = getattr(entry[1], "value", "a list")
        self.add(entry[1], f'{where} should be a date like 2026-11-30, not "{raw}"')
        return None

    def people(self, entry: Entry | None) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = []
        first_line: dict[tuple[str, str], int] = {}  # (key, value) -> line
        for index, node in enumerate(self.items(entry, "people")):
            where = f"people[{index}]"
            fields = self.fields(node, where, PERSON_KEYS)
            if fields is None:
                continue
            email = self.text(fields.get("email"), f"{where}.email", at=node)
            if email is not None:
                email = email.lower()
                if not EMAIL_RE.match(email):
                    self.add(
                        fields["email"][1], f'"{email}" in {where}.email is not an e-mail address'
                    )
                    email = None
            missing = f'{where} ({email or "no e-mail"}) has no name: add "name:"'
            name = self.text(fields.get("name"), f"{where}.name", at=node, missing=missing)
            slack_id = self.optional(fields.get("slack_id"), f"{where}.slack_id")
            teams_id = self.optional(fields.get("teams_id"), f"{where}.teams_id")
            channel = self.channel(fields.get("channel"), f"{where}.channel")
            if slack_id is not None and not SLACK_ID_RE.match(slack_id):
                message = "does not look like a Slack member id (U or W, then capitals and digits)"
                self.add(fields["slack_id"][1], f'slack_id "{slack_id}" {message}')
            repeated = False
            for key, value, label in (
                ("email", email, "is listed twice under people:"),
                ("slack_id", slack_id, "is given to two people"),
                ("teams_id", teams_id, "is given to two people"),
            ):
                if value is None:
                    continue
                line = _line(fields[key][1])
                if (key, value) in first_line:
                    also = f"(also on line {first_line[key, value]})"
                    self.add(line, f'{key.replace("email", "e-mail")} "{value}" {label} {also}')
                    repeated = repeated or key == "email"
                else:
                    first_line[key, value] = line
            if email is not None and not repeated:
                person = {"email": email, "name": name, "slack_id": slack_id}
                result.append(person | {"teams_id": teams_id, "channel": channel})
        return result

    def channel(self, entry: Entry | None, where: str) -> str | None:
        """An optional chat channel (slack or teams), for a Trust that uses both."""
        value = self.optional(entry, where)
        if value is None or entry is None:
            return None
        if value.lower() not in CHANNELS:
            self.add(entry[1], f'{where} is "{value}"; it must be slack or teams')
            return None
        return value.lower()

    def value(self, node: yaml.Node) -> Any:
        """The typed value of a scalar (int, date, ...); other nodes are returned as they are."""
        if not isinstance(node, yaml.ScalarNode):
            return node
        return self.loader.construct_object(node)
