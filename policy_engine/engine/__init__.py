"""The evaluation core: pure functions, no I/O, no front-end imports."""
