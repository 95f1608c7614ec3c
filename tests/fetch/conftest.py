"""A moto server on 127.0.0.1 (one per test process) and a clean, seeded state per test.

The fetch tests talk HTTP to moto's `ThreadedMotoServer` exactly as boto3 talks to AWS;
`--endpoint-url` points the fetch at it. Each test starts from a reset server, with
the environment holding only the tests' own credentials (no profile, no config file).
"""

from __future__ import annotations

import logging
import socket
import urllib.request
from collections.abc import Iterator

import pytest

pytest.importorskip("boto3", reason="the fetch tests need the aws extra (boto3)")
moto_server = pytest.importorskip("moto.server", reason="the fetch tests need moto[server]")

from tests.fetch.seed import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, Seeded, seed  # noqa: E402


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(),
                                            verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _reset(url: str) -> None:
    request = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=30):
        pass


@pytest.fixture(scope="session")
def aws_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The tests' credentials in the environment, and nothing of the machine's."""
    empty = tmp_path_factory.mktemp("aws-config")
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN",
                     "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))
        patch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
        patch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY)
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        yield


@pytest.fixture
def clean_server(moto_url: str, aws_env: None) -> str:
    """An empty server, for a test that seeds what it needs."""
    _reset(moto_url)
    return moto_url


@pytest.fixture
def seeded(clean_server: str) -> Seeded:
    """An empty server seeded with tests/fetch/seed.py, for a test that changes it."""
    return seed(clean_server)


@pytest.fixture(scope="module")
def seeded_once(moto_url: str, aws_env: None) -> Seeded:
    """Seeded once for a module whose tests only read (pytest runs a module's tests one
    after another, on one worker)."""
    _reset(moto_url)
    return seed(moto_url)


@pytest.fixture
def server(seeded_once: Seeded, moto_url: str) -> str:
    """The module's seeded server, for a test that only reads from it."""
    return moto_url
