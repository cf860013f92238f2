"""Helpers the contract tests share: starting a served mock, and checking responses against the specs."""
