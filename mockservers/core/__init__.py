"""The shared core every vendor builds on: one clock, tokens, faults, journal, fetcher, state store,
HTTP helpers and error kinds. Importing this package has no side effects."""
