"""`policy-engine diff` as text: one block per new access or forbidden grant."""

from __future__ import annotations

from policy_engine.analysis.access_diff import DiffReport, NewAccess
from policy_engine.analysis.access_not_granted import ForbiddenGrant

SHOWN_ACTIONS = 12  # more are counted, not listed (`--format json` lists them all)


def _where(source: str, index: int, sid: str | None, line: int | None) -> str:
    at = f"{source}:{line}" if line is not None else source
    return f"{at}: statement {index}" + (f" ({sid})" if sid else "")


def _actions(shown: tuple[str, ...], total: int) -> str:
    text = ", ".join(shown[:SHOWN_ACTIONS])
    if len(shown) > SHOWN_ACTIONS:
        text += f", … ({len(shown) - SHOWN_ACTIONS} more)"
    return f"{text} [{total} action{'s' if total != 1 else ''}]"


def _resources(resources: tuple[str, ...], negated: bool) -> str:
    listed = ", ".join(resources)
    return f"every resource except {listed}" if negated else listed


def _new_access(source: str, found: NewAccess) -> str:
    lines = [f"new access  {_where(source, found.statement_index, found.sid, found.line)}",
             f"  actions:   {_actions(found.shown_actions, len(found.actions))}",
             f"  resource:  {_resources(found.resources, found.resources_negated)}"]
    if found.principal is not None:
        lines.append(f"  principal: {found.principal}")
    lines.append(f"  why:       {found.reason}")
    if found.witness is not None:
        proof = found.witness
        lines.append(f"  proof:     {proof.action} on {proof.resource} by {proof.principal}: "
                     f"OLD {proof.old_decision}, NEW {proof.new_decision}")
    return "\n".join(lines)


def _forbidden(source: str, found: ForbiddenGrant) -> str:
    lines = [f"forbidden grant  {_where(source, found.statement_index, found.sid, found.line)}",
             f"  actions:   {_actions(found.shown_actions, len(found.actions))}",
             f"  resource:  {_resources(found.resources, found.resources_negated)}"]
    if found.conditional:
        lines.append("  note:      granted under the statement's conditions")
    return "\n".join(lines)


def render_text(report: DiffReport, forbidden: tuple[ForbiddenGrant, ...] | None = None,
                must_not_grant: str | None = None, on: str = "*") -> str:
    blocks = [_new_access(report.new_source, found) for found in report.new_access]
    blocks += [_forbidden(report.new_source, found) for found in forbidden or ()]
    count = len(report.new_access)
    summary = (f"{report.new_source} grants no access {report.old_source} does not"
               if not count else
               f"{count} new access finding{'s' if count != 1 else ''}: "
               f"{report.new_source} grants what {report.old_source} does not")
    if forbidden is not None:
        summary += (f"; {len(forbidden)} statement{'s' if len(forbidden) != 1 else ''} "
                    f"grant{'s' if len(forbidden) == 1 else ''} {must_not_grant} on {on}"
                    if forbidden else f"; no statement grants {must_not_grant} on {on}")
    return "\n\n".join([*blocks, summary])
