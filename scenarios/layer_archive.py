"""Lambda layer archives: built as real .zip files in memory, read back with `zipfile`, and
their layout checked against the paths each runtime searches under /opt.

Lambda extracts a layer's archive into /opt, and each runtime puts specific folders of
/opt on its search path, so a layer's files only load from those folders
(https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html, "Layer paths for each
Lambda runtime"):

- Node.js: `nodejs/node_modules`, and `nodejs/nodeNN/node_modules` for Node.js NN
  (NODE_PATH); a module is a directory inside node_modules.
- Python: `python`, and `python/lib/python3.x/site-packages` (the site directory of that
  exact Python version).
- Java: `java/lib` (CLASSPATH): the jar files.
- Ruby: `ruby/gems/X.Y.0` (GEM_PATH, the gem directory of that Ruby version) and `ruby/lib`
  (RUBYLIB).
- Every runtime: `bin` (PATH) and `lib` (LD_LIBRARY_PATH).

Older material shows `ruby/gems/2.7.0`; the page now shows `ruby/gems/3.4.0` for the
current Ruby runtime: the folder follows the runtime's Ruby version, as modelled here.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

PACKAGING_PAGE: Final = "https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html"
MIB: Final = 1024 * 1024
_CHUNK: Final = bytes(MIB)


class LayerArchiveError(ValueError):
    """An archive that is not a readable .zip, or a runtime identifier we do not know."""


@dataclass(frozen=True)
class Runtime:
    """A Lambda runtime identifier split into its language and version."""

    identifier: str  # `python3.13`, `nodejs22.x`, `java21`, `ruby3.4`, `provided.al2023`
    family: str  # python, nodejs, java, ruby, provided, dotnet
    version: str  # `3.13`, `22`, `21`, `3.4`, `al2023`

    def __str__(self) -> str:
        return self.identifier


_RUNTIME_SHAPES: Final = (
    (re.compile(r"python(3\.\d+)"), "python"),
    (re.compile(r"nodejs(\d+)\.x"), "nodejs"),
    (re.compile(r"java(\d+)(?:\.al2)?"), "java"),
    (re.compile(r"ruby(\d\.\d)"), "ruby"),
    (re.compile(r"provided(?:\.(al2|al2023))?"), "provided"),
    (re.compile(r"dotnet(\d+)"), "dotnet"),
)


def parse_runtime(identifier: str) -> Runtime:
    """The runtime named by a Lambda runtime identifier (lambda-runtimes.html)."""
    for pattern, family in _RUNTIME_SHAPES:
        found = pattern.fullmatch(identifier)
        if found:
            return Runtime(identifier, family, found.group(1) or "")
    raise LayerArchiveError(
        f"`{identifier}` is not a Lambda runtime identifier (such as python3.13, "
        "nodejs22.x, java21, ruby3.4 or provided.al2023)")


@dataclass(frozen=True)
class SearchDir:
    """A folder of /opt that a runtime searches, and the variable that puts it there."""

    path: str  # relative to the archive root, as packaged: `python`, `nodejs/node_modules`
    variable: str  # PYTHONPATH, NODE_PATH, CLASSPATH, GEM_PATH, RUBYLIB, PATH, ...


def search_dirs(runtime: Runtime) -> tuple[SearchDir, ...]:
    """The archive folders whose files `runtime` finds once extracted to /opt."""
    family, version = runtime.family, runtime.version
    found: list[SearchDir] = []
    if family == "python":
        found += [SearchDir("python", "PYTHONPATH"),
                  SearchDir(f"python/lib/python{version}/site-packages", "site directory")]
    elif family == "nodejs":
        found += [SearchDir("nodejs/node_modules", "NODE_PATH"),
                  SearchDir(f"nodejs/node{version}/node_modules", "NODE_PATH")]
    elif family == "java":
        found += [SearchDir("java/lib", "CLASSPATH")]
    elif family == "ruby":
        found += [SearchDir(f"ruby/gems/{version}.0", "GEM_PATH"),
                  SearchDir("ruby/lib", "RUBYLIB")]
    return (*found, SearchDir("bin", "PATH"), SearchDir("lib", "LD_LIBRARY_PATH"))


@dataclass(frozen=True)
class ArchiveEntry:
    path: str
    size: int  # bytes once extracted
    crc: int  # tells two copies of one path apart in the merged /opt


@dataclass(frozen=True)
class LayerArchive:
    """What `zipfile` reads from a layer's .zip: its files and their sizes."""

    entries: tuple[ArchiveEntry, ...]
    zipped_bytes: int

    @property
    def unzipped_bytes(self) -> int:
        return sum(entry.size for entry in self.entries)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(entry.path for entry in self.entries)


def build_archive(files: Mapping[str, bytes | int]) -> bytes:
    """A .zip holding `files` (path -> content, or a size in MiB of zero bytes, which
    deflate shrinks to almost nothing so large layers stay cheap to build)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for path, content in files.items():
            if isinstance(content, bytes):
                archive.writestr(path, content)
                continue
            with archive.open(path, "w", force_zip64=True) as stream:
                for _ in range(content):
                    stream.write(_CHUNK)
    return buffer.getvalue()


def read_archive(data: bytes) -> LayerArchive:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = tuple(ArchiveEntry(info.filename, info.file_size, info.CRC)
                            for info in archive.infolist() if not info.is_dir())
    except zipfile.BadZipFile as error:
        raise LayerArchiveError(f"the layer archive is not a .zip file ({error})") from None
    return LayerArchive(entries, len(data))


@dataclass(frozen=True)
class LayoutReport:
    """Where each file of an archive lands for one runtime, and what cannot load."""

    runtime: Runtime
    loadable: Mapping[str, SearchDir]  # path -> the search folder that finds it
    problems: tuple[str, ...]  # one line each

    @property
    def ok(self) -> bool:
        return not self.problems


def check_layout(archive: LayerArchive, runtime: Runtime) -> LayoutReport:
    dirs = search_dirs(runtime)
    loadable: dict[str, SearchDir] = {}
    stray: dict[str, int] = {}  # problem line -> number of files it covers
    for path in archive.paths:
        unsafe = path.startswith("/") or ".." in path.split("/")
        found = None if unsafe else _search_dir_of(path, dirs, runtime)
        if found is not None:
            loadable[path] = found
            continue
        problem = f"`{path}` would extract outside /opt" if unsafe else \
            _misplaced(path, runtime, dirs)
        stray[problem] = stray.get(problem, 0) + 1
    problems = [line if count == 1 else f"{line} ({count} files)"
                for line, count in stray.items()]
    if not archive.entries:
        problems.append("the archive holds no files")
    return LayoutReport(runtime, loadable, tuple(problems))


def _search_dir_of(path: str, dirs: Iterable[SearchDir], runtime: Runtime
                   ) -> SearchDir | None:
    for found in dirs:
        if not path.startswith(found.path + "/"):
            continue
        inner = path[len(found.path) + 1:]
        if found.variable == "NODE_PATH" and "/" not in inner:
            continue  # a module is a directory: node_modules/<module>/...
        if found.variable == "CLASSPATH" and ("/" in inner or not inner.endswith(".jar")):
            continue  # the classpath holds the jars in java/lib itself
        if runtime.family == "java" and path.endswith(".jar") and \
                found.variable != "CLASSPATH":
            continue  # a jar in bin/ or lib/ is on PATH or LD_LIBRARY_PATH, not the classpath
        if found.variable == "PYTHONPATH" and _PYTHON_SITE.match(path):
            continue  # /opt/python/lib/python3.x/site-packages/x imports only as a site dir
        return found
    return None


_PYTHON_SITE: Final = re.compile(r"python/lib/python(3\.\d+)/site-packages/")
_NODE_VERSIONED: Final = re.compile(r"nodejs/node(\d+)/node_modules/")
_RUBY_GEMS: Final = re.compile(r"ruby/gems/(\d+\.\d+)\.\d+/")


def _misplaced(path: str, runtime: Runtime, dirs: Iterable[SearchDir]) -> str:
    """One line: why `path` does not load for `runtime`, and where it belongs."""
    where = ", ".join(d.path + "/" for d in dirs)
    for pattern, family, expected in (
            (_PYTHON_SITE, "python", f"python/lib/python{runtime.version}/site-packages/"),
            (_NODE_VERSIONED, "nodejs", f"nodejs/node{runtime.version}/node_modules/"),
            (_RUBY_GEMS, "ruby", f"ruby/gems/{runtime.version}.0/")):
        built_for = pattern.match(path)
        if built_for and runtime.family == family:
            return (f"`{built_for.group(0)}` is for another {family} version; {runtime} "
                    f"searches `{expected}`")
    if path.startswith("node_modules/") and runtime.family == "nodejs":
        return ("`node_modules/` at the archive root lands in /opt/node_modules, which "
                f"{runtime} does not search; put it under `nodejs/node_modules/`")
    if re.fullmatch(r"nodejs/(node\d+/)?node_modules/[^/]+", path):
        return f"`{path}` is not inside a module directory (`node_modules/<module>/`)"
    if path.endswith(".jar") and runtime.family == "java":
        return f"`{path}` is not on the classpath: put jar files in `java/lib/`"
    if runtime.family == "python" and (path.endswith(".py") or path.startswith(
            "site-packages/")):
        return (f"`{path.split('/', 1)[0]}/` at the archive root is not on {runtime}'s "
                "path; put Python packages under `python/`")
    top = path.split("/", 1)[0] + ("/" if "/" in path else "")
    return f"`{top}` is not under a folder {runtime} searches ({where})"
