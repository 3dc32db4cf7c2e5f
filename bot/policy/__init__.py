# Rule P1: the policy review, its ratification by ELT, and change announcements to staff.
