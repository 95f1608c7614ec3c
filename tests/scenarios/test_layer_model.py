"""The lambda-layers model: archives read with zipfile, layouts per runtime, the limit
checker, the merged /opt, and the local layer service's permission statements."""

from __future__ import annotations

import io
import zipfile

import pytest

from scenarios.layer_archive import (
    MIB,
    LayerArchiveError,
    build_archive,
    check_layout,
    parse_runtime,
    read_archive,
)
from scenarios.layer_model import (
    Architecture,
    LayerModelError,
    LayerVersion,
    PackageType,
    Rule,
    function_configuration,
    merged_opt,
    verdict,
    violations,
)
from scenarios.layer_service import LambdaError, LocalLambda, permission_statement

ACCOUNT = "111122223333"


def _layer(name: str, files: dict[str, bytes | int], runtimes: tuple[str, ...] = (),
           architectures: tuple[Architecture, ...] = (), version: int = 1) -> LayerVersion:
    return LayerVersion(arn=f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:{name}:{version}",
                        compatible_runtimes=runtimes,
                        compatible_architectures=architectures,
                        archive=read_archive(build_archive(files)))


def _problems(files: dict[str, bytes | int], runtime: str) -> tuple[str, ...]:
    return check_layout(read_archive(build_archive(files)), parse_runtime(runtime)).problems


def test_an_archive_is_read_back_with_its_unzipped_sizes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Lambda counts a layer's size unzipped against the 250 MB quota
    (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html): the archive
    is a real .zip, written to disk and read back with zipfile."""
    data = build_archive({"python/a.py": b"x" * 1000, "python/big.bin": 3})
    path = tmp_path / "layer.zip"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
    read = read_archive(path.read_bytes())
    assert read.unzipped_bytes == 1000 + 3 * MIB
    assert read.zipped_bytes < 100_000  # zeros deflate to almost nothing
    assert read.paths == ("python/a.py", "python/big.bin")


def test_a_file_that_is_not_a_zip_is_one_clear_error() -> None:
    with pytest.raises(LayerArchiveError, match=r"not a \.zip file"):
        read_archive(b"just text")


@pytest.mark.parametrize(("path", "runtime"), [
    ("python/requests/__init__.py", "python3.13"),
    ("python/lib/python3.13/site-packages/requests/__init__.py", "python3.13"),
    ("nodejs/node_modules/aws-xray-sdk/index.js", "nodejs22.x"),
    ("nodejs/node20/node_modules/aws-xray-sdk/index.js", "nodejs20.x"),
    ("java/lib/jackson-core-2.17.0.jar", "java21"),
    ("ruby/gems/3.4.0/gems/json-2.7.2/lib/json.rb", "ruby3.4"),
    ("ruby/lib/helpers.rb", "ruby3.4"),
    ("bin/jq", "provided.al2023"),
    ("lib/libsodium.so.23", "python3.12"),
])
def test_the_documented_folders_load(path: str, runtime: str) -> None:
    """Each folder of the "Layer paths for each Lambda runtime" table
    (https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html) is found."""
    assert _problems({path: b"x"}, runtime) == ()


@pytest.mark.parametrize(("path", "runtime", "fix"), [
    ("node_modules/tracer/index.js", "nodejs22.x", "put it under `nodejs/node_modules/`"),
    ("nodejs/node20/node_modules/tracer/index.js", "nodejs22.x",
     "searches `nodejs/node22/node_modules/`"),
    ("nodejs/node_modules/index.js", "nodejs22.x", "not inside a module directory"),
    ("requests/__init__.py", "python3.13", "put Python packages under `python/`"),
    ("python/lib/python3.11/site-packages/requests/__init__.py", "python3.13",
     "searches `python/lib/python3.13/site-packages/`"),
    ("java/jackson-core-2.17.0.jar", "java21", "put jar files in `java/lib/`"),
    ("lib/jackson-core-2.17.0.jar", "java21", "put jar files in `java/lib/`"),
    ("java/lib/deps/jackson-core-2.17.0.jar", "java21", "put jar files in `java/lib/`"),
    ("ruby/gems/3.3.0/gems/json-2.7.2/lib/json.rb", "ruby3.4", "searches `ruby/gems/3.4.0/`"),
    ("python/requests/__init__.py", "nodejs22.x", "not under a folder nodejs22.x searches"),
    ("../etc/passwd", "python3.13", "outside /opt"),
])
def test_misplaced_files_are_one_line_each_with_the_fix(path: str, runtime: str,
                                                        fix: str) -> None:
    """Files outside the runtime's folders are not found
    (https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html)."""
    (problem,) = _problems({path: b"x"}, runtime)
    assert fix in problem and "\n" not in problem


def test_problems_are_grouped_per_folder_and_an_empty_archive_is_named() -> None:
    problems = _problems({"site/a.txt": b"1", "site/b.txt": b"2"}, "nodejs22.x")
    assert problems == ("`site/` is not under a folder nodejs22.x searches "
                        "(nodejs/node_modules/, nodejs/node22/node_modules/, bin/, lib/) "
                        "(2 files)",)
    assert _problems({}, "python3.13") == ("the archive holds no files",)


def test_an_unknown_runtime_is_refused_in_one_line() -> None:
    with pytest.raises(LayerArchiveError, match="`python2` is not a Lambda runtime"):
        parse_runtime("python2")
    with pytest.raises(LayerModelError, match=r"^function `f`: runtime: `cobol` is not"):
        function_configuration(name="f", account=ACCOUNT, runtime="cobol")


def test_structural_errors_name_the_function_and_the_field() -> None:
    with pytest.raises(LayerModelError, match=r"^function `f`: architecture: Input should be"):
        function_configuration(name="f", account=ACCOUNT, runtime="python3.13",
                               architecture="sparc")
    with pytest.raises(LayerModelError, match=r"^function `f`: code_unzipped_bytes"):
        function_configuration(name="f", account=ACCOUNT, code_unzipped_bytes=-1)


def test_five_layers_are_allowed_and_six_refused() -> None:
    """At most five layers per function
    (https://docs.aws.amazon.com/lambda/latest/dg/adding-layers.html)."""
    layers = tuple(_layer(f"l{n}", {f"python/l{n}/__init__.py": b""}) for n in range(6))
    five = function_configuration(name="five", account=ACCOUNT, runtime="python3.13",
                                  layers=layers[:5])
    six = function_configuration(name="six", account=ACCOUNT, runtime="python3.13",
                                 layers=layers)
    assert verdict(five) == "valid"
    (found,) = violations(six)
    assert found.rule is Rule.TOO_MANY_LAYERS and found.refused_by_lambda
    assert found.message == "function `six` lists 6 layers; a function can use at most 5"


def test_the_quota_counts_the_function_and_every_layer_unzipped() -> None:
    """250 MB unzipped for the function and all its layers together
    (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)."""
    layers = (_layer("a", {"python/a.bin": 120}), _layer("b", {"python/b.bin": 120}))
    fits = function_configuration(name="f", account=ACCOUNT, runtime="python3.13",
                                  code_unzipped_bytes=9 * MIB, layers=layers)
    over = function_configuration(name="f", account=ACCOUNT, runtime="python3.13",
                                  code_unzipped_bytes=11 * MIB, layers=layers)
    assert verdict(fits) == "valid"
    (found,) = violations(over)
    assert found.message == ("function `f`: 11.0 MB of code and 240.0 MB of layers make "
                             "251.0 MB unzipped, over the 250 MB quota")


def test_declared_runtimes_and_architectures_must_match_the_function() -> None:
    """Layers must be compatible with the function's runtime and architecture
    (https://docs.aws.amazon.com/lambda/latest/dg/adding-layers.html); an undeclared list
    means any."""
    layer = _layer("deps", {"python/x/__init__.py": b""}, ("python3.12",),
                   (Architecture.X86_64,))
    any_layer = _layer("tool", {"bin/tool": b""})
    ok = function_configuration(name="f", account=ACCOUNT, runtime="python3.12",
                                layers=(layer, any_layer))
    wrong = function_configuration(name="g", account=ACCOUNT, runtime="python3.13",
                                   architecture=Architecture.ARM64, layers=(layer,))
    assert verdict(ok) == "valid"
    messages = [v.message for v in violations(wrong)]
    assert messages == [
        "layer `deps:1` is compatible with python3.12, not with python3.13 (function `g`)",
        "layer `deps:1` is built for x86_64, not for arm64 (function `g`)"]
    assert not any(v.refused_by_lambda for v in violations(wrong))


def test_a_container_image_cannot_use_layers() -> None:
    """Layers only work with .zip functions
    (https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html)."""
    layer = _layer("deps", {"python/x/__init__.py": b""})
    image = function_configuration(name="img", account=ACCOUNT,
                                   package_type=PackageType.IMAGE, layers=(layer,))
    assert verdict(image) == "rejected: image-has-layers"
    assert verdict(function_configuration(name="img", account=ACCOUNT,
                                          package_type=PackageType.IMAGE)) == "valid"


def test_later_layers_overwrite_earlier_ones_in_opt() -> None:
    """Layers merge in the order the function lists them
    (https://docs.aws.amazon.com/lambda/latest/dg/adding-layers.html)."""
    first = _layer("first", {"python/shared.py": b"one", "python/a.py": b"a"})
    second = _layer("second", {"python/shared.py": b"two!", "python/b.py": b"b"})
    third = _layer("third", {"python/shared.py": b"three"})
    tree = {f.path: f for f in merged_opt((first, second, third))}
    assert sorted(tree) == ["/opt/python/a.py", "/opt/python/b.py", "/opt/python/shared.py"]
    shared = tree["/opt/python/shared.py"]
    assert (shared.layer, shared.size, shared.replaced) == ("third:1", 5,
                                                             ("first:1", "second:1"))
    assert merged_opt((third, first))[-1].layer == "first:1"


def test_permission_statements_have_the_shape_add_layer_version_permission_writes() -> None:
    """An account id, `*`, or `*` with an organization id
    (https://docs.aws.amazon.com/lambda/latest/dg/permissions-layer-cross-account.html)."""
    arn = f"arn:aws:lambda:us-east-2:{ACCOUNT}:layer:my-layer:3"
    assert permission_statement(arn, "xaccount", "444455556666") == {
        "Sid": "xaccount", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
        "Action": "lambda:GetLayerVersion", "Resource": arn}
    org = permission_statement(arn, "engineering-org", "*", "o-t194hfs8cz")
    assert org["Principal"] == "*" and org["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": "o-t194hfs8cz"}}
    assert "Condition" not in permission_statement(arn, "public", "*")


@pytest.mark.parametrize(("args", "message"), [
    (("s1", "444455556666", None, "lambda:DeleteLayerVersion"), "grants only"),
    (("s1", "4444", None, "lambda:GetLayerVersion"), "neither an account id"),
    (("s1", "444455556666", "o-t194hfs8cz", "lambda:GetLayerVersion"), "principal `*`"),
    (("bad id!", "*", None, "lambda:GetLayerVersion"), "statement id"),
])
def test_bad_permission_requests_are_refused(args: tuple[str, str, str | None, str],
                                             message: str) -> None:
    """The action is lambda:GetLayerVersion; an organization id goes with `*`
    (https://docs.aws.amazon.com/lambda/latest/api/API_AddLayerVersionPermission.html)."""
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:x:1"
    with pytest.raises(LambdaError, match=message):
        permission_statement(arn, *args)


def test_versions_count_up_and_each_has_its_own_policy() -> None:
    """Publishing makes a new version; permissions apply to one version; a deleted version
    cannot be added to new functions
    (https://docs.aws.amazon.com/lambda/latest/dg/creating-deleting-layers.html)."""
    service = LocalLambda("us-east-1")
    content = build_archive({"python/x.py": b""})
    one = service.publish_layer_version(ACCOUNT, "deps", content)
    service.add_layer_version_permission(one.arn, "partner", "444455556666")
    two = service.publish_layer_version(ACCOUNT, "deps", content)
    assert (one.label, two.label) == ("deps:1", "deps:2")
    assert service.versions[two.arn].policy() is None
    with pytest.raises(LambdaError, match="ResourceConflictException"):
        service.add_layer_version_permission(one.arn, "partner", "444455556666")
    service.delete_layer_version(two.arn)
    assert [e["arn"] for e in service.snapshot_entries()] == [one.arn]
    assert service.publish_layer_version(ACCOUNT, "deps", content).label == "deps:3"
    with pytest.raises(LambdaError, match="ResourceNotFoundException"):
        service.create_function("role/x", lambda *_: (True, ""), name="f", account=ACCOUNT,
                                layers=(two.arn,), runtime="python3.13")


def test_create_function_asks_before_it_checks_limits() -> None:
    """The caller needs lambda:GetLayerVersion on each layer version
    (https://docs.aws.amazon.com/lambda/latest/dg/adding-layers.html)."""
    service = LocalLambda("us-east-1")
    layer = service.publish_layer_version(ACCOUNT, "deps", build_archive({"python/x.py": b""}))
    asked: list[tuple[str, str, str]] = []

    def refuse(caller: str, action: str, resource: str) -> tuple[bool, str]:
        asked.append((caller, action, resource))
        return False, "implicitDeny: no statement"

    with pytest.raises(LambdaError, match=r"^AccessDeniedException: role/x may not call"):
        service.create_function("role/x", refuse, name="f", account=ACCOUNT,
                                layers=(layer.arn,), runtime="python3.13")
    assert asked == [("role/x", "lambda:GetLayerVersion", layer.arn)]
    assert not service.functions


def test_the_archive_helper_writes_a_standard_zip() -> None:
    data = build_archive({"bin/jq": b"\x7fELF"})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("bin/jq") == b"\x7fELF"
