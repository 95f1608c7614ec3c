"""`policy-engine lint` against parliament over the comparison corpus (issue 7).

    python benchmarks/lint_vs_parliament.py [--cli] [--only FILE...] [--quiet] [--no-parliament]
                                            [--dump-ours JSON] [--ours-from JSON]

Needs the package installed (`pip install -e '.[dev]'`). Parliament is optional:
`pip install parliament` (1.6.x); without it the script says so and scores ours only.

For each policy of `benchmarks/lint_corpus/` (kinds and known problems in its
`manifest.json`, see `lint_corpus_manifest.py`) it runs our lint (in-process through
`lint_paths`, or with `--cli` through `policy-engine lint --kind K … --format json`) and
parliament (as a library, community auditors included: the CLI refuses `--file` when
stdin is not a terminal), and prints side by side what each finds. Then:

1. every parliament finding is classified: **real** (it reports a manifest problem: the
   problem's code is among the codes `PARLIAMENT_TO_OURS` maps the issue to, and the
   locations agree by statement), **false positive** (on a construct the manifest lists as
   valid, on a clean file, or on a kind parliament does not model: trust, key, SCP/RCP…
   policies without Resource or with `Resource: "*"`), or **opinion** (an issue code
   parliament itself rates as style, e.g. RESOURCE_STAR, with no manifest problem there);
   anything else is listed as **unclassified** for the manifest to decide;
2. every real problem parliament reports must be reported by ours;
3. ours is scored against the manifest: recall of the listed problems, false positives on
   must-not-flag constructs, and findings the manifest does not list (extras).

Exit 1 when ours misses a manifest problem (or a real parliament one), or flags a valid
construct; 0 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from lint_corpus_manifest import (
    CorpusFile,
    Finding,
    false_positives,
    found,
    load_manifest,
    overlaps,
    reports,
)

from policy_engine.lint.api import lint_paths
from policy_engine.model.kinds import PolicyKind

# Parliament issue code -> the codes of ours that report the same problem.
PARLIAMENT_TO_OURS: dict[str, tuple[str, ...]] = {
    "UNKNOWN_ACTION": ("UNKNOWN_ACTION", "ACTION_WILDCARD_MATCHES_NOTHING"),
    "UNKNOWN_PREFIX": ("UNKNOWN_SERVICE",),
    "RESOURCE_MISMATCH": ("RESOURCE_TYPE_MISMATCH", "STATEMENT_NEVER_APPLIES"),
    "UNKNOWN_CONDITION_FOR_ACTION": ("UNKNOWN_CONDITION_KEY", "STATEMENT_NEVER_APPLIES"),
    "MISMATCHED_TYPE": ("DATA_TYPE_MISMATCH", "INVALID_CONDITION"),
    "MISMATCHED_TYPE_BUT_USABLE": ("DATA_TYPE_MISMATCH",),
    "MISMATCHED_TYPE_OPERATION_TO_NULL": ("DATA_TYPE_MISMATCH", "INVALID_CONDITION"),
    "UNKNOWN_OPERATOR": ("INVALID_CONDITION_OPERATOR", "NULL_WITH_IF_EXISTS"),
    "PRIVILEGE_ESCALATION": ("PRIVILEGE_ESCALATION", "PRIVILEGE_ESCALATION_COMBINATION",
                             "FULL_ADMIN_ACCESS"),
    # Parliament counts iam:PassRole, iam:UpdateAssumeRolePolicy and iam:CreateAccessKey as
    # permissions management / credentials exposure; ours reports them as escalations.
    "PERMISSIONS_MANAGEMENT_ACTIONS": ("PERMISSIONS_MANAGEMENT_ON_STAR", "FULL_ADMIN_ACCESS",
                                       "PRIVILEGE_ESCALATION", "PRIVILEGE_ESCALATION_COMBINATION",
                                       "PASS_ROLE_WITH_STAR_IN_RESOURCE",
                                       "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
                                       "CREDENTIALS_EXPOSURE_ON_STAR"),
    "CREDENTIALS_EXPOSURE": ("CREDENTIALS_EXPOSURE_ON_STAR", "FULL_ADMIN_ACCESS",
                             "PRIVILEGE_ESCALATION", "PRIVILEGE_ESCALATION_COMBINATION",
                             "PERMISSIONS_MANAGEMENT_ON_STAR"),
    "SENSITIVE_ACCESS": ("DATA_EXFILTRATION_ON_STAR",),
    "RESOURCE_STAR": ("DATA_EXFILTRATION_ON_STAR", "CREDENTIALS_EXPOSURE_ON_STAR",
                      "PERMISSIONS_MANAGEMENT_ON_STAR", "PASS_ROLE_WITH_STAR_IN_RESOURCE",
                      "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", "PRIVILEGE_ESCALATION",
                      "FULL_ADMIN_ACCESS"),
    "RESOURCE_EFFECTIVELY_STAR": ("ALLOW_WITH_NOT_RESOURCE", "FULL_ADMIN_ACCESS"),
    "NOTRESOURCE_WITH_ALLOW": ("ALLOW_WITH_NOT_RESOURCE",),
    "NOTPRINCIPAL_WITH_ALLOW": ("UNSUPPORTED_ELEMENT_COMBINATION",),
    "SINGLE_VALUE_CONDITION_TOO_PERMISSIVE": ("FORALLVALUES_WITH_SINGLE_VALUED_KEY",
                                              "FORANYVALUE_WITH_SINGLE_VALUED_KEY"),
    # "s3:PutBucketPolicy allowed where s3:Delete* is not": the policy can be rewritten.
    "RESOURCE_POLICY_PRIVILEGE_ESCALATION": ("PERMISSIONS_MANAGEMENT_ON_STAR", "PUBLIC_ACCESS",
                                             "ALLOW_WITH_NOT_ACTION"),
    "NO_VERSION": ("MISSING_VERSION",),
    "OLD_VERSION": ("OUTDATED_VERSION",),
    "INVALID_VERSION": ("INVALID_VERSION",),
    "DUPLICATE_SID": ("UNIQUE_SIDS_REQUIRED",),
    "INVALID_SID": ("INVALID_SID",),
    "INVALID_ARN": ("INVALID_ARN", "RESOURCE_TYPE_MISMATCH"),
    "UNKNOWN_PRINCIPAL": ("INVALID_PRINCIPAL_FORMAT", "INVALID_ARN"),
    "UNKNOWN_FEDERATION_SOURCE": ("INVALID_PRINCIPAL_FORMAT",),
    "MALFORMED": ("MISSING_ELEMENT", "INVALID_POLICY_ELEMENT", "UNSUPPORTED_ELEMENT",
                  "UNSUPPORTED_ELEMENT_COMBINATION", "INVALID_JSON_TYPE", "EMPTY_VALUE",
                  "INVALID_VALUE", "INVALID_EFFECT", "INVALID_ACTION"),
    "MALFORMED_JSON": ("POLICY_ERROR",),
    "BAD_PATTERN_FOR_MFA": (),  # no rule of ours yet: reported as a gap when real
}
# Parliament's own "not ideal" findings: style opinions, not problems, unless the manifest
# lists a problem at the place.
OPINIONS = frozenset({"RESOURCE_STAR", "RESOURCE_EFFECTIVELY_STAR",
                      "MISMATCHED_TYPE_BUT_USABLE"})
# Kinds whose grammar parliament does not model (it checks every document as an identity
# policy): a finding there that reports no problem is a false positive of that kind.
NOT_MODELLED = frozenset({
    PolicyKind.TRUST, PolicyKind.KMS_KEY, PolicyKind.SCP, PolicyKind.RCP,
    PolicyKind.ECR_REPOSITORY, PolicyKind.SECRETSMANAGER_SECRET, PolicyKind.VPC_ENDPOINT,
    PolicyKind.S3_BUCKET, PolicyKind.SQS_QUEUE, PolicyKind.SNS_TOPIC,
    PolicyKind.LAMBDA_FUNCTION, PolicyKind.LAMBDA_LAYER, PolicyKind.BOUNDARY})


@dataclass(frozen=True)
class ParliamentFinding:
    issue: str
    severity: str
    detail: str
    line: int | None

    @property
    def text(self) -> str:
        return f"{self.issue} ({self.detail})" if self.detail else self.issue


@dataclass
class Verdict:
    finding: ParliamentFinding
    kind: str  # real, false-positive, opinion, unclassified
    reason: str
    problem_indices: tuple[int, ...] = ()


@dataclass
class FileResult:
    corpus_file: CorpusFile
    ours: list[Finding]
    parliament: list[ParliamentFinding] | None
    verdicts: list[Verdict] = field(default_factory=list)


# --- running the tools ------------------------------------------------------------------


def ours_in_process(files: list[CorpusFile]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for corpus_file in files:
        report = lint_paths([corpus_file.path], kind=corpus_file.kind)
        if report.errors:
            raise SystemExit(f"{corpus_file.name}: {report.errors[0].one_line()}")
        out[corpus_file.name] = [Finding(f.code, f.pointer, f.severity.value, f.message)
                                 for f in report.findings]
    return out


def ours_cli(files: list[CorpusFile]) -> dict[str, list[Finding]]:
    command = shutil.which("policy-engine") or str(Path(sys.executable).parent / "policy-engine")
    by_kind: dict[PolicyKind, list[CorpusFile]] = defaultdict(list)
    for corpus_file in files:
        by_kind[corpus_file.kind].append(corpus_file)
    out: dict[str, list[Finding]] = {f.name: [] for f in files}
    names = {str(f.path): f.name for f in files}
    for kind, group in by_kind.items():
        argv = [command, "lint", "--kind", kind.value, "--format", "json",
                *(str(f.path) for f in group)]
        run = subprocess.run(argv, capture_output=True, text=True, check=False)
        if run.returncode not in (0, 1):
            raise SystemExit(f"`{' '.join(argv[:4])} …` exited {run.returncode}: "
                             f"{run.stderr.strip()[:300]}")
        for item in json.loads(run.stdout)["findings"]:
            out[names[item["file"]]].append(
                Finding(item["code"], item["pointer"], item["severity"], item["message"]))
    return out


def parliament_available() -> bool:
    try:
        import parliament  # noqa: F401
    except ImportError:
        return False
    return True


def _load_community_config() -> None:
    """The community auditors' issue codes, as `parliament --include-community-auditors`
    loads them (their titles and severities live in a separate file)."""
    import parliament

    override = Path(parliament.__file__).parent / "community_auditors" / "config_override.yaml"
    if override.exists() and "CREDENTIALS_EXPOSURE" not in parliament.config:
        parliament.override_config(str(override))


def run_parliament(corpus_file: CorpusFile) -> list[ParliamentFinding]:
    from parliament import analyze_policy_string, enhance_finding

    _load_community_config()
    text = corpus_file.path.read_text(encoding="utf-8")
    policy = analyze_policy_string(text, filepath=str(corpus_file.path),
                                   include_community_auditors=True)
    out = []
    for raw in policy.findings:
        finding = enhance_finding(raw)
        location = finding.location if isinstance(finding.location, dict) else {}
        out.append(ParliamentFinding(finding.issue, str(finding.severity),
                                     str(finding.detail or "")[:120], location.get("line")))
    return out


# --- placing parliament's findings -------------------------------------------------------


def statement_lines(corpus_file: CorpusFile) -> list[tuple[int, int]]:
    """(first line, last line) of each statement in the file as written (2-space JSON),
    to place parliament's line numbers: it names lines, not pointers."""
    lines = corpus_file.path.read_text(encoding="utf-8").splitlines()
    spans: list[tuple[int, int]] = []
    start = None
    for number, line in enumerate(lines, start=1):
        if line.startswith("    {"):
            start = number
        elif line.startswith("    }") and start is not None:
            spans.append((start, number))
            start = None
    return spans


def pointer_of(finding: ParliamentFinding, spans: list[tuple[int, int]]) -> str:
    if finding.line is None:
        return ""
    for index, (first, last) in enumerate(spans):
        if first <= finding.line <= last:
            return f"/Statement/{index}"
    return ""


def classify(result: FileResult) -> None:
    corpus_file = result.corpus_file
    spans = statement_lines(corpus_file)
    for finding in result.parliament or ():
        pointer = pointer_of(finding, spans)
        ours = PARLIAMENT_TO_OURS.get(finding.issue, ())
        probe = [Finding(code, pointer, "error") for code in ours]
        matched = tuple(index for index, problem in enumerate(corpus_file.problems)
                        if any(reports(p, problem) for p in probe))
        if matched:
            result.verdicts.append(Verdict(finding, "real",
                                           corpus_file.problems[matched[0]].note, matched))
            continue
        valid = next((v for v in corpus_file.must_not_flag
                      if pointer and overlaps(pointer, v.pointer)), None)
        if valid is None and not pointer:  # a policy-wide finding: name the construct
            valid = next((v for v in corpus_file.must_not_flag
                          if v.codes and set(v.codes) & set(ours)), None)
        if valid is not None:
            result.verdicts.append(Verdict(finding, "false-positive",
                                           f"on a valid construct: {valid.note}"))
        elif finding.issue == "MALFORMED" and "Resource" in finding.detail:
            result.verdicts.append(Verdict(
                finding, "false-positive",
                f"a {corpus_file.kind.value} policy needs no Resource: parliament reads every "
                "policy as an identity policy"))
        elif finding.issue in OPINIONS:
            result.verdicts.append(Verdict(finding, "opinion", "parliament's style finding; "
                                           "no problem listed there"))
        elif corpus_file.clean or corpus_file.kind in NOT_MODELLED:
            why = "a clean file" if corpus_file.clean else \
                f"a {corpus_file.kind.value} policy, a kind parliament does not model"
            result.verdicts.append(Verdict(finding, "false-positive", why))
        else:
            result.verdicts.append(Verdict(finding, "unclassified",
                                           "not in the manifest: decide and record it there"))


# --- output ------------------------------------------------------------------------------


def _ours_text(findings: list[Finding]) -> list[str]:
    return [f"{f.code} {f.pointer or '/'}" for f in findings] or ["—"]


def print_side_by_side(results: list[FileResult], have_parliament: bool) -> None:
    width = 58
    print(f"{'file / ours':<{width}} | parliament")
    print("-" * (width * 2 + 3))
    for result in results:
        print(f"== {result.corpus_file.name} ({result.corpus_file.kind.value}"
              f"{', clean' if result.corpus_file.clean else ''})")
        left = _ours_text(result.ours)
        if not have_parliament:
            right = ["(not installed)"]
        else:
            right = [f"{v.finding.text[:70]} [{v.kind}]" for v in result.verdicts] or ["—"]
        for index in range(max(len(left), len(right))):
            one = left[index] if index < len(left) else ""
            other = right[index] if index < len(right) else ""
            print(f"   {one:<{width - 3}} | {other}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cli", action="store_true",
                        help="run `policy-engine lint --format json` instead of the library")
    parser.add_argument("--only", nargs="*", default=None, help="corpus file names to run")
    parser.add_argument("--quiet", action="store_true", help="no side-by-side listing")
    parser.add_argument("--ours-from", type=Path, default=None, metavar="JSON",
                        help="take ours from this file ({corpus file name: [{code, pointer, "
                        "severity, message}]}, e.g. findings of other builds merged) "
                        "instead of running lint")
    parser.add_argument("--dump-ours", type=Path, default=None, metavar="JSON",
                        help="write ours in the --ours-from shape")
    parser.add_argument("--no-parliament", action="store_true",
                        help="score ours only, even when parliament is installed")
    args = parser.parse_args(argv)

    files = load_manifest()
    if args.only:
        files = [f for f in files if f.name in set(args.only)]
    started = time.perf_counter()
    if args.ours_from is not None:
        loaded = json.loads(args.ours_from.read_text(encoding="utf-8"))
        ours = {f.name: [Finding(x["code"], x["pointer"], x["severity"], x.get("message", ""))
                         for x in loaded.get(f.name, [])] for f in files}
    else:
        ours = ours_cli(files) if args.cli else ours_in_process(files)
    if args.dump_ours is not None:
        args.dump_ours.write_text(json.dumps(
            {name: [vars(f) for f in found_here] for name, found_here in ours.items()},
            indent=1), encoding="utf-8")
    ours_seconds = time.perf_counter() - started
    have_parliament = not args.no_parliament and parliament_available()
    results = []
    started = time.perf_counter()
    for corpus_file in files:
        result = FileResult(corpus_file, ours[corpus_file.name],
                            run_parliament(corpus_file) if have_parliament else None)
        classify(result)
        results.append(result)
    parliament_seconds = time.perf_counter() - started

    if not args.quiet:
        print_side_by_side(results, have_parliament)
        print()
    how = (f"from {args.ours_from}" if args.ours_from else
           "CLI" if args.cli else "in-process")
    print(f"corpus: {len(files)} policies ({sum(f.clean for f in files)} clean), "
          f"{sum(len(f.problems) for f in files)} listed problems, "
          f"{sum(len(f.must_not_flag) for f in files)} must-not-flag constructs; "
          f"ours {ours_seconds:.2f} s ({how})"
          + (f", parliament {parliament_seconds:.2f} s" if have_parliament else ""))
    failed = False

    if not have_parliament:
        print("\nparliament not run (" + ("--no-parliament" if args.no_parliament else
              "not installed: `pip install parliament`") + "): ours only.")
    else:
        failed |= report_parliament(results)
    failed |= report_ours(results)
    return 1 if failed else 0


def report_parliament(results: list[FileResult]) -> bool:
    verdicts = [(r, v) for r in results for v in r.verdicts]
    counts = Counter(v.kind for _, v in verdicts)
    print(f"\nparliament: {len(verdicts)} findings — {counts['real']} real, "
          f"{counts['false-positive']} false positives, {counts['opinion']} opinions, "
          f"{counts['unclassified']} unclassified")
    by_issue: dict[str, Counter[str]] = defaultdict(Counter)
    for _, verdict in verdicts:
        by_issue[verdict.finding.issue][verdict.kind] += 1
    print(f"\n{'parliament issue':<38} {'real':>5} {'FP':>4} {'opin.':>6} {'uncl.':>6}  ours")
    for issue in sorted(by_issue):
        c = by_issue[issue]
        ours = ", ".join(PARLIAMENT_TO_OURS.get(issue, ())) or "(no rule of ours)"
        print(f"{issue:<38} {c['real']:>5} {c['false-positive']:>4} {c['opinion']:>6} "
              f"{c['unclassified']:>6}  {ours}")
    print("\nparliament false positives, named (same issue and reason counted once):")
    named = Counter((r.corpus_file.name, v.finding.issue, v.reason) for r, v in verdicts
                    if v.kind == "false-positive")
    for (name, issue, reason), count in named.items():
        times = f" ×{count}" if count > 1 else ""
        print(f"  {name}: {issue}{times} — {reason}")
    unclassified = [(r, v) for r, v in verdicts if v.kind == "unclassified"]
    if unclassified:
        print("\nunclassified parliament findings (add them to the manifest):")
        for result, verdict in unclassified:
            print(f"  {result.corpus_file.name}: {verdict.finding.text}")
    opinions = Counter((r.corpus_file.name, v.finding.issue) for r, v in verdicts
                       if v.kind == "opinion")
    if opinions:
        print("\nparliament opinions (style, no problem there): " + ", ".join(
            f"{name} {issue}" + (f" ×{n}" if n > 1 else "")
            for (name, issue), n in opinions.items()))
    real: dict[tuple[str, int], tuple[FileResult, Verdict]] = {}
    for result, verdict in verdicts:
        for index in verdict.problem_indices:
            real.setdefault((result.corpus_file.name, index), (result, verdict))
    listed = [(r, i) for r in results for i in range(len(r.corpus_file.problems))]
    unseen = Counter(r.corpus_file.problems[i].code for r, i in listed
                     if (r.corpus_file.name, i) not in real)
    print(f"\nparliament reports {len(real)} of the {len(listed)} listed problems; it misses "
          + (", ".join(f"{code} {n}" for code, n in sorted(unseen.items())) or "none"))
    missed = [(result, verdict, result.corpus_file.problems[index])
              for (_, index), (result, verdict) in real.items()
              if not found(result.corpus_file.problems[index], result.ours)]
    if missed:
        print(f"\nREAL PROBLEMS PARLIAMENT REPORTS THAT OURS MISSES ({len(missed)} of "
              f"{len(real)}):")
        for result, verdict, problem in missed:
            print(f"  {result.corpus_file.name}: parliament {verdict.finding.issue}; manifest "
                  f"{problem.code} at {problem.pointer or '/'} ({problem.note})")
    else:
        print(f"\nevery real problem parliament reports ({len(real)} manifest problems, "
              f"{counts['real']} findings) is also reported by ours")
    return bool(missed)


def report_ours(results: list[FileResult]) -> bool:
    listed = [(r, p) for r in results for p in r.corpus_file.problems]
    missed = [(r, p) for r, p in listed if not found(p, r.ours)]
    wrong = [(r, v, f) for r in results for v, f in false_positives(r.corpus_file, r.ours)]
    extra = [(r, f) for r in results for f in r.ours
             if not any(reports(f, p) for p in r.corpus_file.problems)
             and not any(f is g for _, _, g in wrong if _ is r)]
    recall = (len(listed) - len(missed)) / len(listed) if listed else 1.0
    print(f"\nours against the manifest: recall {len(listed) - len(missed)}/{len(listed)} "
          f"({recall:.0%}), {len(wrong)} findings on must-not-flag constructs, "
          f"{len(extra)} findings the manifest does not list")
    by_code = Counter(p.code for r, p in missed)
    if missed:
        print("missed (" + ", ".join(f"{c} {n}" for c, n in sorted(by_code.items())) + "):")
        for result, problem in missed:
            print(f"  {result.corpus_file.name}: {problem.code} at {problem.pointer or '/'} — "
                  f"{problem.note}")
    for result, valid, finding in wrong:
        print(f"  FALSE POSITIVE {result.corpus_file.name}: {finding.code} at "
              f"{finding.pointer or '/'} — {valid.note}")
    for result, finding in extra:
        print(f"  extra {result.corpus_file.name}: {finding.code} ({finding.severity}) at "
              f"{finding.pointer or '/'}")
    if os.environ.get("LINT_CORPUS_ALLOW_MISSES"):
        return bool(wrong)
    return bool(missed or wrong)


if __name__ == "__main__":
    sys.exit(main())
