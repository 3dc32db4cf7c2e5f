# Authorised posters on official accounts, and requests for new accounts.
