# The Microsoft Teams front end: the Agents SDK app, Adaptive Cards, and the outbox's sender.
