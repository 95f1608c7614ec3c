"""Validation: the rules AWS documents for a policy kind, as small functions in one table.

Named `validation` (not `rules`, which `KindRules` already means: the data row per kind)
for what it decides: whether AWS would accept the policy. Each rule reads a typed view of
the raw JSON value (`view.py`) and words what it finds with `wording.py`.
"""
