"""An interactive quiz driven through a pseudo-terminal: the rich screens, re-asking after
input that is not an answer, the explanation after each answer and the final score."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import time

import pytest

pytestmark = pytest.mark.skipif(shutil.which("policy-engine") is None,
                                reason="needs the installed console script")

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _read_until(fd: int, wanted: str, seen: list[str], timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = ANSI.sub("", "".join(seen))
        if wanted in text:
            return text
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen.append(os.read(fd, 65536).decode("utf-8", "replace"))
            except OSError:
                break
    raise AssertionError(f"{wanted!r} not shown; screen so far:\n{ANSI.sub('', ''.join(seen))}")


def test_an_interactive_practice_quiz_on_a_terminal(quiz_db) -> None:
    primary, secondary = pty.openpty()
    env = dict(os.environ, COLUMNS="100", LINES="50", TERM="xterm",
               POLICY_ENGINE_QUIZ_DB=str(quiz_db))
    process = subprocess.Popen(["policy-engine", "quiz", "--seed", "4", "--count", "2",
                                "--topic", "evaluation-same-account"],
                               stdin=secondary, stdout=secondary, stderr=secondary, env=env,
                               close_fds=True)
    os.close(secondary)
    seen: list[str] = []
    try:
        _read_until(primary, "answer (", seen)
        assert "Question 1/2" in ANSI.sub("", "".join(seen))
        os.write(primary, b"maybe\r")
        _read_until(primary, "is not an answer", seen)
        os.write(primary, b"h\r")  # a letter the question lacks: asked again, not graded
        _read_until(primary, "the options are", seen)
        os.write(primary, b"a\r")
        _read_until(primary, "Question 2/2", seen)
        text = ANSI.sub("", "".join(seen))
        assert "Answer:" in text and ("Right." in text or "Wrong." in text)
        os.write(primary, b"skip\r")
        screen = _read_until(primary, "Score:", seen)
        assert re.search(r"Score: [0-2]/2", screen)
        assert process.wait(timeout=30) == 0
        from quizzes.progress import ProgressStore

        with ProgressStore(quiz_db) as store:  # both answers saved, the skip as wrong
            saved = store.answers()
        assert len(saved) == 2 and not saved[1].right
    finally:
        if process.poll() is None:
            process.kill()
        os.close(primary)
