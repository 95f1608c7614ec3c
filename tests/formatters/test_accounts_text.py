"""`formatters.accounts_text`: the tables of who-can, what-can, assume-paths and check."""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table

from policy_engine.analysis.assume_paths import assume_paths
from policy_engine.analysis.check import CheckReport
from policy_engine.analysis.resolve import Resolver
from policy_engine.analysis.what_can import what_can
from policy_engine.analysis.who_can import who_can
from policy_engine.formatters import accounts_text

Plain = Callable[[object], str]
ACCOUNT = "111122223333"
ALICE = f"{ACCOUNT}:user/alice"
DEPLOYER = f"arn:aws:iam::{ACCOUNT}:role/deployer"
REPORT = "arn:aws:s3:::reports/q1.csv"


def _rows(plain: Plain, table: Table) -> list[list[str]]:
    """Header and body cells of a table as shown, one list per line."""
    return [[cell.strip() for cell in line.strip().strip("┃│").split("┃" if "┃" in line
                                                                        else "│")]
            for line in plain(table).splitlines() if line.strip()[:1] in ("┃", "│")]


def test_who_can(resolver: Resolver, plain: Plain) -> None:
    grants = who_can(resolver, "s3:GetObject", REPORT, ACCOUNT)
    table = accounts_text.render_who_can("s3:GetObject", REPORT, grants)
    assert str(table.title) == f"who can s3:GetObject on {REPORT}"
    assert table.caption is None
    rows = _rows(plain, table)
    assert rows[0] == ["principal", "decided by", "granting statements"]
    assert [ALICE, "identity", "identity alice-inline ReadReports"] in rows
    root = next(row for row in rows if row[0] == f"{ACCOUNT}:root")
    assert root[1] == "root" and root[2]  # no statement grants: the reason is shown


def test_who_can_nobody(plain: Plain) -> None:
    table = accounts_text.render_who_can("s3:GetObject", REPORT, [])
    assert table.caption == "nobody in the snapshot is allowed"
    assert "nobody in the snapshot is allowed" in plain(table)
    assert len(_rows(plain, table)) == 1


def test_what_can(resolver: Resolver, plain: Plain) -> None:
    report = what_can(resolver, "user/alice", REPORT, service="s3", resource_account=ACCOUNT)
    lines = plain(accounts_text.render_what_can(report)).splitlines()
    assert [line.rstrip() for line in lines] == [
        f"what {ALICE} can do on {REPORT}",
        f"1 of {report.considered} catalogue actions allowed; 0 explicitly denied",
        "",
        "s3: 1 allowed",
        "  Read — decided by identity (1): s3:GetObject"]


def test_assume_paths(resolver: Resolver, plain: Plain) -> None:
    start = resolver.caller("user/alice")
    table = accounts_text.render_assume_paths(start.display, assume_paths(resolver, start))
    assert str(table.title) == f"role assumption paths from {ALICE}"
    rows = _rows(plain, table)
    assert rows[0] == ["hops", "path", "how each hop is allowed"]
    assert rows[1][:2] == ["1", f"{ALICE} → {ACCOUNT}:role/deployer"]
    assert rows[1][2].startswith("sts:AssumeRole: ")
    empty = accounts_text.render_assume_paths(ALICE, [])
    assert empty.caption == "no chain of role assumptions found"


def test_check(checks: CheckReport, plain: Plain) -> None:
    table = accounts_text.render_check(checks)
    assert str(table.title) == "checks in checks.whatif"
    assert table.caption == "1/2 assertions hold"
    rows = _rows(plain, table)
    assert rows[0] == ["line", "question", "expected", "decision", "result"]
    assert [(r[0], r[2], r[3], r[4]) for r in rows[1:]] == [
        ("1", "allowed", "allowed", "pass"), ("2", "allowed", "implicitDeny", "FAIL"),
        ("3", "", "implicitDeny", "-")]
