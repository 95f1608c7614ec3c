"""Quiz mode: curated question banks (data in `banks/`) and the code that reads them.

`model` is the question model, `bank` loads and validates bank files, `explain` answers a
decision question with the engine and words the answer from its trace, `schema` gives the
JSON Schema of a bank file. `generator` (with `templates`) builds seeded decision
questions; `progress` keeps answers and cards in SQLite, `review` schedules cards with
fsrs and `stats` summarizes progress. The runner calls the library; it never decides
access itself.
"""
