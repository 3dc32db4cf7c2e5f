# Post approval requests: the form, screening, consent check, sign-offs and publication.
