# Relationship declarations to the Safeguarding Lead (rule D1).
