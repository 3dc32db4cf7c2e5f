# Automatic screening of a post's text before an approver sees it (policy rules A3, A4).
"""Finds what a post should not say: pupils' full names, contact details, addresses, dates of
birth, offensive or political words and links to personal social media accounts.

Only a full name beside pupils' images blocks a post; everything else is advice for the
approvers. Offensive words come from better-profanity's word list and character map, matched
whole-word by this module (the library's own `censor` takes half a second on a long post), less
the ordinary school words in `_SCHOOL_WORDS` and `_SCHOOL_PHRASES`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

import phonenumbers
from better_profanity import Profanity
from better_profanity.varying_string import VaryingString


class Severity(StrEnum):
    ADVICE = "advice"
    BLOCKING = "blocking"


class FindingKind(StrEnum):
    FULL_NAME = "full_name"
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"
    DATE_OF_BIRTH = "date_of_birth"
    OFFENSIVE = "offensive"
    POLITICAL = "political"
    PERSONAL_LINK = "personal_link"


@dataclass(frozen=True)
class Finding:
    """Something in a post for its author or approvers to look at; `words` as written."""

    kind: FindingKind
    words: str
    message: str
    severity: Severity


# Whole words or phrases, any case; a term's spaces match any run of spaces or line breaks.
DEFAULT_POLITICAL_TERMS: tuple[str, ...] = (
    "vote for",
    "vote labour",
    "vote conservative",
    "vote tory",
    "election",
    "elections",
    "labour party",
    "conservative party",
    "tory",
    "tories",
    "reform uk",
    "lib dem",
    "lib dems",
    "liberal democrat",
    "liberal democrats",
    "green party",
    "snp",
    "plaid cymru",
    "sinn féin",
    "sinn fein",
    "ukip",
    "petition",
    "petitions",
    "campaign against",
    "protest",
    "protests",
    "strike action",
    "referendum",
    "manifesto",
    "mp for",
    "member of parliament for",
    "political party",
)

_MESSAGES: dict[FindingKind, str] = {
    FindingKind.FULL_NAME: "The text names a pupil in full: “{}”. Use the first name only.",
    FindingKind.PHONE: "The text contains a phone number: “{}”. Don't share personal phone "
    "numbers; the school's own public number is fine.",
    FindingKind.EMAIL: "The text contains an e-mail address: “{}”. Don't share personal "
    "addresses; the school's own public address is fine.",
    FindingKind.ADDRESS: "The text contains what looks like a street address or postcode: “{}”. "
    "Don't share where pupils or staff live; the school's own address is fine.",
    FindingKind.DATE_OF_BIRTH: "The text gives a date of birth: “{}”. Dates of birth must not "
    "be shared.",
    FindingKind.OFFENSIVE: "The text contains a word that may be offensive: “{}”. Check it is "
    "suitable before posting.",
    FindingKind.POLITICAL: "The text mentions “{}”. Official accounts must stay politically "
    "neutral; check the post does not take a side.",
    FindingKind.PERSONAL_LINK: "The post links to a personal social media account: “{}”. A link "
    "to a personal account should not be shared from an official account.",
}
_FULL_NAME_WITH_IMAGES = (
    "The text names a pupil in full: “{}”. Pupils' full names must never appear with their "
    "images; use the first name only."
)

# Contact details and addresses.
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'“”‘’]+|(?<![\w.@/-])(?:[\w-]+\.)?(?:facebook\.com|fb\.com|"
    r"instagram\.com|x\.com|twitter\.com|tiktok\.com|linkedin\.com|youtube\.com|threads\.net)"
    r"/[^\s<>\"'“”‘’]*",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\b[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_STREET = re.compile(
    r"(?<![\w/])\d{1,4}[A-Za-z]?,?\s+(?:[A-Z][\w'’-]*\s+){1,3}(?i:road|rd|street|st|lane|avenue|"
    r"ave|close|drive|way|crescent|grove|place|gardens|terrace|court|mews|rise)\b"
)
_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRVWXY\d]?) ?"
    r"\d[ABD-HJLNP-UW-Z]{2})\b"
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?|"
    rf"{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|{_MONTH}\s+\d{{4}})"
)
_DATE_OF_BIRTH = re.compile(
    r"(?:\bborn\b|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bd\.?o\.?b\b\.?)[\s:,(–—-]*"
    r"(?:(?:on|the|is|was|in|of|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    rf"[\s:,(–—-]*){{0,3}}{_DATE}(?!\w)",
    re.IGNORECASE,
)

# Offensive words: the library's list less these, which are ordinary in a school's posts (kept
# as one string: ruff would put each word of a list literal on its own line).
_SCHOOL_WORDS = frozenset(
    "god virgin organ oral orally enlargement thrust slope pawn stroke weed pot potty nappy "  # noqa: SIM905
    "flange screw screwed screwing erect fat strip pasty pastie revue tramp dopey dummy hump "
    "naked facial seaman seamen sandbar maxi suck sucked sucking tinkle ugly vixen paddy len "
    "whiz woody wang yury hoar leper hiv gay lesbians slave hitler nazi nazism reich".split()
)
_SCHOOL_PHRASES = re.compile(
    r"\b(?:(?:blue|great|coal|marsh|willow|crested|long-tailed|bearded)\s+tits?|"
    r"dick\s+whittington|moby[\s-]+dick|dick\s+king-smith|willy\s+wonka|puss\s+in\s+boots|"
    r"homo\s+(?:sapiens|erectus|habilis)|sperm\s+whales?|sex(?:\s+and\s+health)?\s+education|"
    r"vulgar\s+fractions?|jackson\s+pollock|cock\s+robin|\w+-cum-\w+)\b",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"(?:[^\W_]|[@$*])+")


def _build_word_index() -> tuple[
    dict[str, list[VaryingString]], re.Pattern[str] | None, dict[int, str]
]:
    """The library's censor words, indexed by a skeleton that every spelling variant shares
    (so a token is compared with a handful of words, not all 900), plus a pattern for the words
    that span several tokens ("blow job", "f.u.c.k")."""
    censor = Profanity()
    censor.load_censor_words(whitelist_words=sorted(_SCHOOL_WORDS))
    parent: dict[str, str] = {}

    def root(c: str) -> str:
        while parent.get(c, c) != c:
            c = parent[c]
        return c

    for letter, variants in censor.CHARS_MAPPING.items():
        for variant in variants:
            parent[root(variant)] = root(letter)
    table = str.maketrans({c: root(c) for c in parent})
    index: dict[str, list[VaryingString]] = {}
    phrases: list[str] = []
    for word in censor.CENSOR_WORDSET:
        text = str(word)
        if _TOKEN.fullmatch(text):
            index.setdefault(text.translate(table), []).append(word)
        else:
            phrases.append(r"\s+".join(re.escape(part) for part in text.split()))
    phrases.sort(key=len, reverse=True)
    pattern = (
        re.compile(rf"(?<![\w@$*])(?:{'|'.join(phrases)})(?![\w@$*])", re.I) if phrases else None
    )
    return index, pattern, table


_WORD_INDEX, _OFFENSIVE_PHRASES, _SKELETON = _build_word_index()

# Social media sites: where a profile's handle is in the path, and paths that are not profiles.
_SOCIAL_SITES = {
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "instagram.com": "instagram",
    "x.com": "x",
    "twitter.com": "x",
    "tiktok.com": "tiktok",
    "linkedin.com": "linkedin",
    "youtube.com": "youtube",
    "threads.net": "threads",
}
_NOT_PROFILES = frozenset(
    "events groups watch hashtag sharer sharer.php share photo photo.php story.php "  # noqa: SIM905
    "permalink.php reel reels login help policies marketplace pages pg p explore tv accounts "
    "i home search intent settings".split()
)


def screen_post(
    text: str,
    *,
    links: Sequence[str] = (),
    pupil_full_names: Sequence[str] = (),
    shows_pupil_images: bool = False,
    political_terms: Sequence[str] = DEFAULT_POLITICAL_TERMS,
    official_handles: Sequence[str] = (),
) -> list[Finding]:
    """Everything in a post for its approvers to look at: blocking findings first, then in the
    order they appear in the text (links passed apart from the text last); each kind and
    wording once."""
    url_matches = list(_URL.finditer(text))
    urls = [(m.start(), _trim(m.group())) for m in url_matches]
    prose = _mask(text, [m.span() for m in url_matches] + _spans(_EMAIL, text))
    found: list[tuple[int, Finding]] = []
    severity = Severity.BLOCKING if shows_pupil_images else Severity.ADVICE
    names = _phrase_pattern(tuple(pupil_full_names))
    found += _matches(FindingKind.FULL_NAME, names, text, severity) if names else []
    found += _matches(FindingKind.EMAIL, _EMAIL, text)
    found += _phones(prose)
    found += _matches(FindingKind.ADDRESS, _STREET, prose)
    found += _matches(FindingKind.ADDRESS, _POSTCODE, prose)
    found += _matches(FindingKind.DATE_OF_BIRTH, _DATE_OF_BIRTH, prose)
    found += _offensive(prose)
    political = _phrase_pattern(tuple(political_terms))
    found += _matches(FindingKind.POLITICAL, political, text) if political else []
    extra = [(len(text) + i, link) for i, link in enumerate(links) if link not in text]
    found += _personal_links(urls + extra, official_handles)
    found.sort(key=lambda pair: (pair[1].severity != Severity.BLOCKING, pair[0]))
    seen: set[tuple[FindingKind, str]] = set()
    unique: list[Finding] = []
    for _, finding in found:
        if (finding.kind, finding.words) not in seen:
            seen.add((finding.kind, finding.words))
            unique.append(finding)
    return unique


def blocking(findings: Sequence[Finding]) -> list[Finding]:
    """The findings that stop a post being approved."""
    return [f for f in findings if f.severity == Severity.BLOCKING]


def _finding(kind: FindingKind, words: str, severity: Severity = Severity.ADVICE) -> Finding:
    template = _FULL_NAME_WITH_IMAGES if severity == Severity.BLOCKING else _MESSAGES[kind]
    return Finding(kind, words, template.format(words), severity)


def _matches(
    kind: FindingKind, pattern: re.Pattern[str], text: str, severity: Severity = Severity.ADVICE
) -> list[tuple[int, Finding]]:
    return [(m.start(), _finding(kind, m.group(), severity)) for m in pattern.finditer(text)]


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with links and e-mail addresses blanked out, every other position unchanged."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _trim(url: str) -> str:
    return url.rstrip(".,;:!?)]}")


@lru_cache(maxsize=256)
def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """Any of the phrases as whole words, ignoring case; a space matches any run of spaces or
    line breaks and either apostrophe matches the other ("O'Brien", "O’Brien")."""
    parts = sorted(
        (r"\s+".join(re.sub("['’]", "['’]", re.escape(w)) for w in p.split()) for p in phrases),
        key=len,
        reverse=True,
    )
    body = "|".join(part for part in parts if part)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE) if body else None


def _phones(text: str) -> Iterator[tuple[int, Finding]]:
    """UK and international numbers as written; libphonenumber's POSSIBLE leniency keeps
    Ofcom's drama numbers (07700 900xxx, 01632), a full length and a leading 0 or + keep out
    years and scores."""
    leniency = phonenumbers.Leniency.POSSIBLE
    for match in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=leniency):
        number = match.number
        full = phonenumbers.is_possible_number_with_reason(number) == 0  # IS_POSSIBLE
        written = match.raw_string.lstrip("(").startswith(("0", "+"))
        if full and written and len(phonenumbers.national_significant_number(number)) >= 9:
            yield match.start, _finding(FindingKind.PHONE, match.raw_string)


def _offensive(text: str) -> Iterator[tuple[int, Finding]]:
    """Words from the list as written, whole words only; a word inside an allowed school
    phrase ("blue tit", "Dick Whittington") or a listed phrase already reported is skipped."""
    phrases = list(_OFFENSIVE_PHRASES.finditer(text)) if _OFFENSIVE_PHRASES else []
    for m in phrases:
        yield m.start(), _finding(FindingKind.OFFENSIVE, m.group())
    skipped: list[tuple[int, int]] | None = None
    for m in _TOKEN.finditer(text):
        start, word = m.start(), m.group()
        if not _is_offensive(word):
            word = word.strip("*")  # "**bold**" in markdown, or a starred-out letter
            if "*" not in m.group() or not word or not _is_offensive(word):
                continue
            start += m.group().index(word)
        if skipped is None:
            skipped = _spans(_SCHOOL_PHRASES, text) + [p.span() for p in phrases]
        if not any(a <= start < b for a, b in skipped):
            yield start, _finding(FindingKind.OFFENSIVE, word)


def _is_offensive(word: str) -> bool:
    lower = word.lower()  # `in` compares with each VaryingString's __eq__, the library's matcher
    return lower in _WORD_INDEX.get(lower.translate(_SKELETON), ())


def _personal_links(
    links: list[tuple[int, str]], official_handles: Sequence[str]
) -> Iterator[tuple[int, Finding]]:
    official = {_handle(h) for h in official_handles}
    for position, link in links:
        handle = _profile_handle(link)
        if handle is not None and handle.lstrip("@").lower() not in official:
            yield position, _finding(FindingKind.PERSONAL_LINK, link)


def _handle(official: str) -> str:
    """An official account as given ("@WillowPrimary", "WillowPrimary" or a link), compared
    without "@" and ignoring case."""
    handle = _profile_handle(official) if "/" in official else None
    return (handle or official).strip().lstrip("@").lower()


def _profile_handle(url: str) -> str | None:
    """The account a social media link points at, or None when it is not a link to an account
    (a post's or a page's own address, an event, a search)."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    host = (parts.hostname or "").lower()
    site = next((s for d, s in _SOCIAL_SITES.items() if host == d or host.endswith(f".{d}")), None)
    segments = [s for s in parts.path.split("/") if s]
    if site is None or not segments:
        return None
    first, second = segments[0], (segments[1] if len(segments) > 1 else None)
    if site == "facebook" and first == "profile.php":
        return parse_qs(parts.query).get("id", ["profile.php"])[0]
    if (site, first) in {("facebook", "people"), ("instagram", "stories"), ("linkedin", "in")}:
        return second
    if site == "youtube" and first in ("c", "user", "channel"):
        return second
    if site in ("tiktok", "youtube", "threads", "linkedin"):
        return first if first.startswith("@") else None
    return None if first.lower() in _NOT_PROFILES else first
