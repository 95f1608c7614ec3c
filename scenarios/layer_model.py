"""A typed model of Lambda layer versions and function configurations, the limit checker
that validates a configuration against the documented rules, and the merged /opt tree.

Rules, each with its page:
- A function uses at most five layers, and the function and all its layers together
  may not exceed 250 MB unzipped
  (https://docs.aws.amazon.com/lambda/latest/dg/adding-layers.html;
  https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html: 250 MB
  unzipped "including layers and custom runtimes"; GetAccountSettings reports it as
  CodeSizeUnzipped, 262,144,000 bytes = 250 MiB). Lambda refuses such configurations.
- Layers work only with functions deployed as a .zip archive; a container image carries
  its dependencies itself
  (https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html).
- The layers must be compatible with the function's runtime and instruction set
  architecture (adding-layers.html). A layer version declares them (up to 15 runtimes and
  2 architectures, PublishLayerVersion); Lambda uses the lists to filter ListLayers and
  ListLayerVersions, so this checker, not the API, refuses a declared mismatch.
- Layers merge into /opt in the order the function lists them (adding-layers.html): a
  later layer's file replaces an earlier layer's file at the same path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from scenarios.layer_archive import (
    MIB,
    PACKAGING_PAGE,
    LayerArchive,
    LayoutReport,
    check_layout,
    parse_runtime,
)

_LAMBDA: Final = "https://docs.aws.amazon.com/lambda/latest/dg/"
ADDING_PAGE: Final = _LAMBDA + "adding-layers.html"
QUOTAS_PAGE: Final = _LAMBDA + "gettingstarted-limits.html"
LAYERS_PAGE: Final = _LAMBDA + "chapter-layers.html"
PUBLISH_API: Final = "https://docs.aws.amazon.com/lambda/latest/api/API_PublishLayerVersion.html"

MAX_LAYERS: Final = 5
MAX_UNZIPPED_BYTES: Final = 250 * MIB
LAYER_VERSION_ARN: Final = r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$"


class LayerModelError(ValueError):
    """A layer version or function configuration that does not fit the model: one line."""


class Architecture(StrEnum):
    X86_64 = "x86_64"
    ARM64 = "arm64"


class PackageType(StrEnum):
    ZIP = "Zip"
    IMAGE = "Image"


def _runtime_identifier(value: str) -> str:
    parse_runtime(value)  # raises LayerArchiveError (a ValueError) with its one line
    return value


RuntimeId = Annotated[str, AfterValidator(_runtime_identifier)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class LayerVersion(_Model):
    arn: Annotated[str, Field(pattern=LAYER_VERSION_ARN)]
    compatible_runtimes: tuple[RuntimeId, ...] = Field((), max_length=15)
    compatible_architectures: tuple[Architecture, ...] = Field((), max_length=2)
    archive: LayerArchive

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]

    @property
    def label(self) -> str:
        """`NAME:VERSION`, as people name a layer version."""
        return ":".join(self.arn.split(":")[6:8])

    @property
    def unzipped_bytes(self) -> int:
        return self.archive.unzipped_bytes


class FunctionConfiguration(_Model):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
    account: Annotated[str, Field(pattern=r"^\d{12}$")]
    runtime: RuntimeId | None = None  # None for a container image
    architecture: Architecture = Architecture.X86_64
    package_type: PackageType = PackageType.ZIP
    code_unzipped_bytes: Annotated[int, Field(ge=0)] = 0  # the function's own package
    layers: tuple[LayerVersion, ...] = ()  # in merge order

    @property
    def total_unzipped_bytes(self) -> int:
        return self.code_unzipped_bytes + sum(layer.unzipped_bytes for layer in self.layers)


def one_line(error: ValidationError, what: str) -> str:
    """The first problem pydantic found, as `WHAT: FIELD: message`."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "value"
    return f"{what}: {where}: {first['msg'].removeprefix('Value error, ')}"


def function_configuration(**fields: object) -> FunctionConfiguration:
    """A configuration, or LayerModelError naming the function, the field and the problem."""
    try:
        return FunctionConfiguration.model_validate(fields)
    except ValidationError as error:
        raise LayerModelError(one_line(error, f"function `{fields.get('name')}`")) from None


class Rule(StrEnum):
    TOO_MANY_LAYERS = "too-many-layers"
    TOO_LARGE = "package-too-large"
    IMAGE_WITH_LAYERS = "image-has-layers"
    RUNTIME_INCOMPATIBLE = "runtime-incompatible"
    ARCHITECTURE_INCOMPATIBLE = "architecture-incompatible"
    LAYOUT = "layout"


@dataclass(frozen=True)
class Violation:
    rule: Rule
    message: str  # one line, naming the function and the layer
    doc: str
    refused_by_lambda: bool  # the API refuses it, rather than the function breaking later


def megabytes(size: int) -> str:
    return f"{size / MIB:.1f} MB"


def size_text(size: int) -> str:
    """Bytes for small sizes, MB (MiB, as Lambda's quotas count them) for large ones."""
    return f"{size:,} bytes" if size < MIB // 10 else megabytes(size)


def violations(config: FunctionConfiguration) -> tuple[Violation, ...]:
    """Every documented rule the configuration breaks, in the order listed above."""
    found: list[Violation] = []
    name = f"function `{config.name}`"
    if len(config.layers) > MAX_LAYERS:
        found.append(Violation(Rule.TOO_MANY_LAYERS, f"{name} lists {len(config.layers)} "
                               f"layers; a function can use at most {MAX_LAYERS}",
                               ADDING_PAGE, True))
    if config.total_unzipped_bytes > MAX_UNZIPPED_BYTES:
        layers = config.total_unzipped_bytes - config.code_unzipped_bytes
        found.append(Violation(
            Rule.TOO_LARGE, f"{name}: {megabytes(config.code_unzipped_bytes)} of code and "
            f"{megabytes(layers)} of layers make {megabytes(config.total_unzipped_bytes)} "
            "unzipped, over the 250 MB quota", QUOTAS_PAGE, True))
    if config.package_type is PackageType.IMAGE and config.layers:
        found.append(Violation(Rule.IMAGE_WITH_LAYERS, f"{name} is a container image, "
                               "which cannot use layers: build the dependencies into the "
                               "image", LAYERS_PAGE, True))
    for layer in config.layers:
        found += _compatibility(config, layer)
    return tuple(found)


def _compatibility(config: FunctionConfiguration, layer: LayerVersion) -> list[Violation]:
    found: list[Violation] = []
    runtimes = layer.compatible_runtimes
    if config.runtime is not None and runtimes and config.runtime not in runtimes:
        found.append(Violation(
            Rule.RUNTIME_INCOMPATIBLE, f"layer `{layer.label}` is compatible with "
            f"{', '.join(runtimes)}, not with {config.runtime} (function `{config.name}`)",
            ADDING_PAGE, False))
    architectures = layer.compatible_architectures
    if architectures and config.architecture not in architectures:
        found.append(Violation(
            Rule.ARCHITECTURE_INCOMPATIBLE, f"layer `{layer.label}` is built for "
            f"{', '.join(architectures)}, not for {config.architecture} (function "
            f"`{config.name}`)", ADDING_PAGE, False))
    if config.runtime is not None and config.package_type is PackageType.ZIP:
        report = layout_for(layer, config.runtime)
        found += [Violation(Rule.LAYOUT, f"layer `{layer.label}` for {config.runtime}: "
                            f"{problem}", PACKAGING_PAGE, False)
                  for problem in report.problems]
    return found


def layout_for(layer: LayerVersion, runtime: str) -> LayoutReport:
    return check_layout(layer.archive, parse_runtime(runtime))


def verdict(config: FunctionConfiguration) -> str:
    """`valid`, or `rejected: RULE[, RULE...]` (each rule once): what ModelChecks compare."""
    rules = list(dict.fromkeys(v.rule.value for v in violations(config)))
    return "valid" if not rules else "rejected: " + ", ".join(rules)


@dataclass(frozen=True)
class OptFile:
    """One file of the function's /opt after every layer is merged."""

    path: str  # `/opt/python/urllib3/__init__.py`
    size: int
    layer: str  # the label of the layer whose copy is there
    replaced: tuple[str, ...]  # earlier layers whose copy of the path it overwrote


def merged_opt(layers: Sequence[LayerVersion]) -> tuple[OptFile, ...]:
    """/opt as the function sees it: layers extracted in order, later copies winning."""
    tree: dict[str, OptFile] = {}
    for layer in layers:
        for entry in layer.archive.entries:
            path = "/opt/" + entry.path
            earlier = tree.get(path)
            replaced = (*earlier.replaced, earlier.layer) if earlier else ()
            tree[path] = OptFile(path, entry.size, layer.label, replaced)
    return tuple(tree[path] for path in sorted(tree))


def provider_of(config: FunctionConfiguration, path: str) -> str | None:
    """The layer whose file the function reads at `path` (an /opt path), or None."""
    for opt_file in merged_opt(config.layers):
        if opt_file.path == path:
            return opt_file.layer
    return None

