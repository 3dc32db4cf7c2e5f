# Adaptive Card verbs and the reserved keys of Action.Execute data, shared by cards.py and parse.py.
from __future__ import annotations

FORM_VERB = "form:"  # + form id: submit the form
SEARCH_VERB = "search:"  # + form id: look up options for one search field, keep the answers
CANCEL_VERB = "cancel"  # close the form without sending it (no inputs travel)

FORM_KEY = "form"  # the form id
CONTEXT_KEY = "context"  # the form's context, {str: str} (Slack's private_metadata)
ZONE_KEY = "zone"  # the time zone DATETIME answers are in (an IANA name)
SEARCH_KEY = "search"  # the field a search button looks up
CHOICES_KEY = "choices"  # {field: [[value, title], ...]}: the search fields' options on the card
VALUE_KEY = "value"  # a message button's value

RESERVED = frozenset({FORM_KEY, CONTEXT_KEY, ZONE_KEY, SEARCH_KEY, CHOICES_KEY})
QUERY_SUFFIX = ".query"  # input id of a search field's query box: field name + suffix
TIME_SUFFIX = ".time"  # input id of a DATETIME field's time: field name + suffix


def form_verb(form_id: str) -> str:
    return FORM_VERB + form_id


def search_verb(form_id: str) -> str:
    return SEARCH_VERB + form_id
