"""The quiz questions of kms-envelope-encryption: decisions the engine answers over the
scenario's snapshot, and questions about envelope encryption whose answers the scenario's
own model (`scenarios.envelope`, real AES-256-GCM) computes when they are built."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidTag

from policy_engine.scenario.questions import About, Option, choice, decision, true_false
from scenarios.envelope import MAX_DIRECT_ENCRYPT, LocalKms, open_envelope, seal

_KMS = "https://docs.aws.amazon.com/kms/latest/developerguide/"
ABOUT = About("kms-key-policies", ("scs-c02:data-protection", "saa-c03:secure"),
              (_KMS + "key-policy-default.html",))
ENVELOPE = _KMS + "kms-cryptography.html"
CONTEXT = _KMS + "encrypt_context.html"
ENCRYPT_API = "https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html"
ASYMMETRIC_SPECS = _KMS + "asymmetric-key-specs.html"  # RSA plaintext limits per algorithm
CMK_CHANGE = ("Older material calls these customer master keys (CMKs); AWS KMS now says "
              "KMS keys, and customer managed keys for the ones you create.")


def _refused(attempt: Callable[[], object]) -> bool:
    try:
        attempt()
    except (ValueError, InvalidTag):
        return True
    return False


def _decisions(key: str, consumer: str) -> list[dict[str, Any]]:
    alpha = "when kms:EncryptionContext:project = alpha"
    beta = "when kms:EncryptionContext:project = beta"
    grants = (_KMS + "grants.html",)
    return [
        decision(ABOUT, "kms-envelope-admin-decrypts",
                 "The key policy gives role key-admin the administrative actions (Create*, "
                 "Describe*, Put*, ScheduleKeyDeletion ...) and role app-writer the "
                 "cryptographic ones. key-admin has no IAM policy for the key. key-admin "
                 "calls kms:Decrypt on data encrypted with project=alpha. Decision?",
                 f"role/key-admin kms:Decrypt {key} {alpha}", changed=CMK_CHANGE),
        decision(ABOUT, "kms-envelope-user-puts-key-policy",
                 "Role app-writer is a key user in the key policy (Encrypt, Decrypt, "
                 "ReEncrypt*, GenerateDataKey*, DescribeKey when the encryption context has "
                 "project=alpha). It calls kms:PutKeyPolicy on the key. Decision?",
                 f"role/app-writer kms:PutKeyPolicy {key}"),
        decision(ABOUT, "kms-envelope-user-other-context",
                 "Role app-writer may use the key when the encryption context has "
                 "project=alpha. It asks kms:Decrypt for a ciphertext whose context is "
                 "project=beta. Decision?", f"role/app-writer kms:Decrypt {key} {beta}",
                 topic="encryption-context", references=(_KMS + "conditions-kms.html",)),
        decision(ABOUT, "kms-envelope-root-statement-enables-iam",
                 "The key policy's first statement allows the account root principal kms:*. "
                 "Role ops-encryptor is not named in the key policy, but its IAM policy "
                 "allows kms:Encrypt on the key. It calls kms:Encrypt. Decision?",
                 f"role/ops-encryptor kms:Encrypt {key}", difficulty="hard"),
        decision(ABOUT, "kms-envelope-consumer-decrypts",
                 f"The key policy allows account {consumer} kms:Decrypt with project=alpha, "
                 f"and role analytics in {consumer} has an IAM policy allowing kms:Decrypt "
                 "on the key. analytics decrypts alpha data. Decision?",
                 f"{consumer}:role/analytics kms:Decrypt {key} {alpha}",
                 topic="evaluation-cross-account",
                 references=(_KMS + "key-policy-modifying-external-accounts.html",)),
        decision(ABOUT, "kms-envelope-consumer-without-iam-policy",
                 f"The key policy allows account {consumer} kms:Decrypt with project=alpha. "
                 f"Role intern in {consumer} has no IAM policies. intern decrypts alpha "
                 "data. Decision?", f"{consumer}:role/intern kms:Decrypt {key} {alpha}",
                 topic="evaluation-cross-account", difficulty="hard",
                 references=(_KMS + "key-policy-modifying-external-accounts.html",)),
        decision(ABOUT, "kms-envelope-via-service-direct-call",
                 "The key policy allows role uploader kms:GenerateDataKey only when "
                 "kms:ViaService is s3.us-east-1.amazonaws.com. The uploader calls "
                 "GenerateDataKey directly with the SDK, not through S3. Decision?",
                 f"role/uploader kms:GenerateDataKey {key}",
                 references=(_KMS + "conditions-kms.html",)),
        decision(ABOUT, "kms-envelope-grant-constraint",
                 "A grant lets role batch-reader call Decrypt with the constraint "
                 "EncryptionContextSubset {project: alpha}; the key policy does not name "
                 "batch-reader. It decrypts data whose context is project=beta. Decision?",
                 f"role/batch-reader kms:Decrypt {key} {beta}", topic="kms-grants",
                 references=grants),
        decision(ABOUT, "kms-envelope-grant-allows",
                 "A grant lets role batch-reader call Decrypt with the constraint "
                 "EncryptionContextSubset {project: alpha}; neither the key policy nor an "
                 "IAM policy names batch-reader. It decrypts data whose context is "
                 "project=alpha. Decision?", f"role/batch-reader kms:Decrypt {key} {alpha}",
                 topic="kms-grants", references=grants),
    ]


def _model_questions(kms: LocalKms) -> list[dict[str, Any]]:
    too_big = MAX_DIRECT_ENCRYPT + 904
    direct_refused = _refused(lambda: kms.encrypt("role/ops-encryptor", b"x" * too_big, {}))
    alpha = {"project": "alpha"}
    sealed = seal(kms, "role/app-writer", b"quarterly numbers", alpha)
    tampered = type(sealed)(sealed.ciphertext, sealed.wrapped_key,
                            {"project": "alpha", "stage": "prod"})
    tamper_refused = _refused(lambda: kms.decrypt("role/app-writer", tampered.wrapped_key,
                                                  tampered.context))
    # What GenerateDataKey returns: both forms of a 256-bit key (the model's own output).
    data_key = kms.generate_data_key("role/app-writer", alpha)
    plaintext_bits = len(data_key.plaintext) * 8
    opened = open_envelope(kms, "role/app-writer", sealed, alpha) == b"quarterly numbers"
    return [
        choice(ABOUT, "kms-envelope-direct-encrypt-limit",
               f"An application calls kms:Encrypt directly on a {too_big:,}-byte file. "
               "What happens?", [
                   Option("KMS refuses it: Encrypt takes at most 4,096 bytes of plaintext; "
                          "encrypt the file under a data key instead", "Right: the Encrypt "
                          "API takes up to 4 KB of plaintext; larger data is encrypted "
                          "locally with a data key (envelope encryption).", direct_refused),
                   Option("KMS encrypts it in 4 KB chunks", "Wrong: KMS never splits data; "
                          "the request is refused.", not direct_refused),
                   Option("KMS encrypts it, but only with an asymmetric key", "Wrong: an "
                          "RSA key takes even less plaintext than a symmetric one (RSA_2048 "
                          "with RSAES_OAEP_SHA_256: at most 190 bytes); large data is "
                          "encrypted under a data key whatever the KMS key.", False),
               ], topic="kms-keys", references=(ENCRYPT_API, ENVELOPE, ASYMMETRIC_SPECS)),
        true_false(ABOUT, "kms-envelope-changed-context-fails",
                   "A ciphertext was encrypted with encryption context {project: alpha}. "
                   "Asking Decrypt with {project: alpha, stage: prod} still decrypts it, "
                   "because the original pair is present.", not tamper_refused,
                   "Wrong: the context is bound to the ciphertext as additional "
                   "authenticated data; decryption needs exactly the same context.",
                   "Right: the encryption context must match exactly (case-sensitive, "
                   "every pair); a different context fails authentication.",
                   topic="encryption-context", references=(CONTEXT,)),
        choice(ABOUT, "kms-envelope-data-key-forms",
               "GenerateDataKey with KeySpec AES_256 returns which of these?", [
                   Option(f"A {plaintext_bits}-bit plaintext data key", "Right: used at "
                          "once to encrypt the data locally, then discarded.",
                          plaintext_bits == 256),
                   Option("The same data key encrypted under the KMS key", "Right: stored "
                          "beside the data; Decrypt unwraps it later.",
                          bool(data_key.wrapped)),
                   Option("The KMS key's own key material", "Wrong: KMS key material never "
                          "leaves AWS KMS unencrypted.", False),
                   Option("A ciphertext of the caller's data", "Wrong: GenerateDataKey "
                          "takes no data; the caller encrypts the data itself.", False),
               ], topic="kms-keys", references=(ENVELOPE,
                                                "https://docs.aws.amazon.com/kms/latest/"
                                                "APIReference/API_GenerateDataKey.html")),
        true_false(ABOUT, "kms-envelope-reader-verifies-context",
                   "A reader that knows the data belongs to project alpha can open an "
                   "envelope sealed with {project: alpha} after checking that pair, and "
                   "gets the original plaintext back.", opened,
                   "Right: the expected pair is present, Decrypt unwraps the data key, and "
                   "AES-GCM authenticates the ciphertext with the same context.",
                   "Wrong: the context matches, so decryption succeeds.",
                   topic="encryption-context", references=(CONTEXT,)),
    ]


def questions(scenario: Any, key: str, consumer: str) -> list[dict[str, Any]]:
    return _decisions(key, consumer) + _model_questions(LocalKms(scenario, key))
