"""Statutory and county tables defined as data (domain.md §4): engine, cell queries, outputs,
submission."""
