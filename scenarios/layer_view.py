"""lambda-layers as rich renderables: each layer version with its archive, compatibility
and policy statements, and each function with its layers in merge order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from rich.tree import Tree

from scenarios.layer_model import merged_opt, size_text
from scenarios.layer_service import LocalLambda


def _grantee(statement: dict[str, Any]) -> str:
    principal = statement["Principal"]
    organization = statement.get("Condition", {}).get("StringEquals", {}).get(
        "aws:PrincipalOrgID")
    if principal == "*":
        return f"every account of organization {organization}" if organization else \
            "every AWS account (public)"
    return f"account {principal['AWS'].split(':')[4]}"


def render_layers(service: LocalLambda,
                  functions: Sequence[tuple[str, str, str, dict[str, Any], tuple[str, ...]]]
                  ) -> RenderableType:
    layers = Tree(Text("layer versions", style="bold"))
    for arn, published in service.versions.items():
        version = published.layer
        node = layers.add(Text(f"{version.label}  {arn}", style="magenta"))
        node.add(Text(f"runtimes: {', '.join(version.compatible_runtimes) or 'any'}; "
                      f"architectures: {', '.join(version.compatible_architectures) or 'any'}"))
        count = len(version.archive.entries)
        files = node.add(Text(f"archive: {count} file{'s' if count != 1 else ''}, "
                              f"{size_text(version.unzipped_bytes)} unzipped"))
        for entry in version.archive.entries:
            files.add(Text(f"{entry.path} ({entry.size:,} bytes)"))
        grants = node.add(Text("version policy" if published.statements else
                               "version policy: none (the owner account's IAM only)"))
        for statement in published.statements:
            grants.add(Text(f"{statement['Sid']}: {statement['Action']} for "
                            f"{_grantee(statement)}"))
    uses = Tree(Text("functions (layers in merge order; later layers win in /opt)",
                     style="bold"))
    for caller, name, account, settings, arns in functions:
        node = uses.add(Text(f"{account}:{name} ({settings.get('runtime')}, "
                             f"{settings.get('architecture', 'x86_64')}) deployed by "
                             f"{caller}", style="cyan"))
        for position, arn in enumerate(arns, 1):
            node.add(Text(f"{position}. {arn}"))
        opt = node.add(Text("/opt after the merge"))
        for opt_file in merged_opt([service.versions[arn].layer for arn in arns]):
            replaced = f" (replaces {', '.join(opt_file.replaced)})" if opt_file.replaced \
                else ""
            opt.add(Text(f"{opt_file.path} from {opt_file.layer}{replaced}"))
    return Group(layers, uses)
