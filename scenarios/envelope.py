"""Envelope encryption performed for real, with every KMS call authorized by the engine.

A local 256-bit master key stands in for the KMS key (it never leaves this object, as a
KMS key never leaves KMS). GenerateDataKey returns a fresh 256-bit data key in plaintext
and wrapped under the master key; the payload is encrypted with AES-256-GCM under the
data key with the encryption context as additional authenticated data; the plaintext
data key is then discarded. Decrypt unwraps the data key only when the engine allows
kms:Decrypt for the caller with that context. Facts (kms-cryptography.html "Envelope
encryption", "Encryption context"; API_Encrypt.html: at most 4,096 bytes of plaintext;
the Encryption SDK's best practices: check the expected context pairs on decrypt).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from policy_engine.scenario.api import Narrate
from policy_engine.scenario.checks import resolver_for
from policy_engine.whatif import parse_question

MAX_DIRECT_ENCRYPT = 4096  # bytes of plaintext kms:Encrypt accepts (API_Encrypt.html)
_NONCE = 12


class AccessDenied(Exception):
    """The engine refused the KMS call (the decision and its reason are the message)."""


class ScenarioLike(Protocol):
    name: str

    def snapshot(self) -> dict[str, object]: ...


def _aad(context: dict[str, str]) -> bytes:
    """The context as associated data: canonical, so the same pairs in any order agree."""
    return json.dumps(context, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class DataKey:
    plaintext: bytes
    wrapped: bytes


@dataclass(frozen=True)
class Envelope:
    """What is stored: the ciphertext, the wrapped data key and the context (in clear)."""

    ciphertext: bytes
    wrapped_key: bytes
    context: dict[str, str]


class LocalKms:
    """A stand-in for one KMS key; every operation first asks the engine."""

    def __init__(self, scenario: ScenarioLike, key_arn: str) -> None:
        self._resolver = resolver_for(scenario)  # type: ignore[arg-type]
        self._key_arn = key_arn
        self._master = AESGCM(AESGCM.generate_key(bit_length=256))

    def _authorize(self, caller: str, action: str, context: dict[str, str]) -> str:
        pairs = " and ".join(f"kms:EncryptionContext:{k} = {v}"
                             for k, v in sorted(context.items()))
        conditions = f"when {pairs}" if pairs else ""
        question = parse_question(f"can {caller} do {action} on {self._key_arn} {conditions}"
                                  .strip())
        result = self._resolver.ask(question)
        if not result.allowed:
            raise AccessDenied(f"{action} for {caller}: {result.decision.value} "
                               f"({result.verdict.reason})")
        return result.verdict.reason

    def generate_data_key(self, caller: str, context: dict[str, str]) -> DataKey:
        self._authorize(caller, "kms:GenerateDataKey", context)
        plaintext = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(_NONCE)
        return DataKey(plaintext, nonce + self._master.encrypt(nonce, plaintext, _aad(context)))

    def decrypt(self, caller: str, wrapped: bytes, context: dict[str, str]) -> bytes:
        self._authorize(caller, "kms:Decrypt", context)
        return self._master.decrypt(wrapped[:_NONCE], wrapped[_NONCE:], _aad(context))

    def encrypt(self, caller: str, plaintext: bytes, context: dict[str, str]) -> bytes:
        if len(plaintext) > MAX_DIRECT_ENCRYPT:
            raise ValueError(f"kms:Encrypt takes at most {MAX_DIRECT_ENCRYPT:,} bytes of "
                             f"plaintext, not {len(plaintext):,}: use envelope encryption")
        self._authorize(caller, "kms:Encrypt", context)
        nonce = os.urandom(_NONCE)
        return nonce + self._master.encrypt(nonce, plaintext, _aad(context))


def seal(kms: LocalKms, caller: str, payload: bytes, context: dict[str, str]) -> Envelope:
    """Encrypt `payload` under a fresh data key; only the wrapped data key is kept."""
    data_key = kms.generate_data_key(caller, context)
    nonce = os.urandom(_NONCE)
    ciphertext = nonce + AESGCM(data_key.plaintext).encrypt(nonce, payload, _aad(context))
    return Envelope(ciphertext, data_key.wrapped, dict(context))


class ContextMismatch(Exception):
    """The envelope's context lacks a pair the reader expects (checked before trusting)."""


def open_envelope(kms: LocalKms, caller: str, envelope: Envelope,
                  expected: dict[str, str]) -> bytes:
    """Check the expected context pairs first, then unwrap the data key (an engine-
    authorized kms:Decrypt) and decrypt; a changed context fails authentication."""
    missing = {k: v for k, v in expected.items() if envelope.context.get(k) != v}
    if missing:
        raise ContextMismatch(f"the envelope's encryption context lacks {missing}")
    data_key = kms.decrypt(caller, envelope.wrapped_key, envelope.context)
    ciphertext = envelope.ciphertext
    return AESGCM(data_key).decrypt(ciphertext[:_NONCE], ciphertext[_NONCE:],
                                    _aad(envelope.context))


@dataclass(frozen=True)
class DemoStep:
    title: str
    outcome: str
    ok: bool  # the step turned out as the scenario says it must


class EnvelopeDemo:
    """The narrated walk-through of `policy-engine scenario run kms-envelope-encryption`."""

    def __init__(self, scenario: ScenarioLike, key_arn: str, account: str) -> None:
        self.kms = LocalKms(scenario, key_arn)
        self.account = account

    def steps(self) -> list[DemoStep]:
        kms, context = self.kms, {"project": "alpha"}
        payload = b"quarterly results: revenue up 12%" * 200  # 6.6 KB: above 4 KB
        steps: list[DemoStep] = []
        envelope = seal(kms, "role/app-writer", payload, context)
        steps.append(DemoStep("app-writer seals 6,600 bytes under a fresh data key",
                              f"{len(envelope.ciphertext):,} bytes of ciphertext, a "
                              f"{len(envelope.wrapped_key)}-byte wrapped data key", True))
        opened = open_envelope(kms, "role/app-writer", envelope, context)
        steps.append(DemoStep("app-writer opens it (kms:Decrypt allowed by the key policy)",
                              "plaintext recovered" if opened == payload else "MISMATCH",
                              opened == payload))
        try:
            open_envelope(kms, "role/key-admin", envelope, context)
            steps.append(DemoStep("key-admin tries to open it", "decrypted (WRONG)", False))
        except AccessDenied as denied:
            steps.append(DemoStep("key-admin tries to open it", f"refused: {denied}", True))
        tampered = Envelope(envelope.ciphertext, envelope.wrapped_key,
                            {"project": "alpha", "stage": "test"})
        try:
            open_envelope(kms, "role/app-writer", tampered, context)
            steps.append(DemoStep("someone adds a pair to the stored context", "decrypted "
                                  "(WRONG)", False))
        except InvalidTag:
            steps.append(DemoStep("someone adds a pair to the stored context",
                                  "authentication fails: the context is bound to the key "
                                  "and the ciphertext", True))
        try:
            open_envelope(kms, "role/app-writer", envelope, {"project": "beta"})
            steps.append(DemoStep("a reader expecting project=beta", "trusted (WRONG)", False))
        except ContextMismatch as mismatch:
            steps.append(DemoStep("a reader expecting project=beta checks the context first",
                                  f"not trusted: {mismatch}", True))
        try:
            kms.encrypt("role/ops-encryptor", payload, {})
            steps.append(DemoStep("ops-encryptor calls Encrypt on 6,600 bytes", "encrypted "
                                  "(WRONG)", False))
        except ValueError as refused:
            steps.append(DemoStep("ops-encryptor calls Encrypt directly on 6,600 bytes",
                                  f"refused: {refused}", True))
        small = kms.encrypt("role/ops-encryptor", b"db-password-rotation-token", {})
        steps.append(DemoStep("ops-encryptor encrypts 26 bytes directly (under 4 KB)",
                              f"{len(small)} bytes of ciphertext", True))
        return steps

    def walk_through(self, narrate: Narrate) -> None:
        for number, step in enumerate(self.steps(), start=1):
            mark = "[green]ok[/green]" if step.ok else "[red]UNEXPECTED[/red]"
            narrate(f"{number}. {step.title}: {step.outcome}  {mark}")
