# Misuse reports (policy rules M1–M6): the form, routing, the record's life and its messages.
