"""policy-engine: local AWS IAM policy evaluation."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("policy-engine")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
