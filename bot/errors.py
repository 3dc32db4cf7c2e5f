# Domain errors: each carries a plain-words message that can be shown to the person.
#
#   PolicyError            something the person can understand and usually fix
#   ├── FormInvalid        answers on a form are wrong; `.errors` maps field name -> message
#   ├── UnknownPerson      the person is not in the Trust's directory
#   ├── NotAllowed         the person may not do this (now)
#   ├── NotFound           no such record, or not one this person may see
#   └── AlreadyDone        the change was made before (a double click); nothing changed
from __future__ import annotations


class PolicyError(Exception):
    """An error with a message fit to show to the person who caused it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FormInvalid(PolicyError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Some answers need another look.")
        self.errors = errors


class UnknownPerson(PolicyError):
    pass


class NotAllowed(PolicyError):
    pass


class NotFound(PolicyError):
    pass


class AlreadyDone(PolicyError):
    pass
