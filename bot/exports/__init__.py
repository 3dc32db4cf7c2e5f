# Exports: CSV rows of the records a role may see, for inspection and subject access.
