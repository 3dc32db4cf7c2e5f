# Oversight (rule M8): the weekly digests and `/policybot summary` for Headteachers, ELT and
# the Head of Communications.
