# Retention (issue 8): how long records are kept, and the daily pass that removes the rest.
