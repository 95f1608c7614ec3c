"""A moto server on 127.0.0.1 (one per test process) and a clean, seeded state per test.

The fetch tests talk HTTP to moto's `ThreadedMotoServer` exactly as boto3 talks to AWS;
`--endpoint-url` points the fetch at it. Each test starts from a reset server, with
the environment holding only the tests' own credentials (no profile, no config file).
"""

from __future__ import annotations

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
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(),
                                            verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
            ) -> None:
    """The tests' credentials in the environment, and nothing of the machine's."""
    empty = tmp_path_factory.mktemp("aws-config")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN",
                 "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def clean_server(moto_url: str, aws_env: None) -> str:
    request = urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=30):
        pass
    return moto_url


@pytest.fixture
def seeded(clean_server: str) -> Seeded:
    return seed(clean_server)
