"""The exams a question can be tagged for, with their official content domains.

Domain names and weights are the exam guides' own ("Content outline"):
https://docs.aws.amazon.com/aws-certification/latest/solutions-architect-associate-03/solutions-architect-associate-03.html
https://docs.aws.amazon.com/aws-certification/latest/security-specialty-02/security-specialty-02.html
https://docs.aws.amazon.com/aws-certification/latest/solutions-architect-professional-02/solutions-architect-professional-02.html
A question names domains by a short stable id (`saa-c03:secure`); the timed mock exam of
a later step weights its draw with `weight` (per cent of scored content).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class DomainInfo:
    exam: str
    number: int
    name: str
    weight: int  # per cent of the exam's scored content


class Domain(StrEnum):
    """`EXAM:short-name`; the official name and weight are in `DOMAINS`."""

    SAA_SECURE = "saa-c03:secure"
    SAA_RESILIENT = "saa-c03:resilient"
    SAA_PERFORMING = "saa-c03:high-performing"
    SAA_COST = "saa-c03:cost-optimized"
    SCS_DETECTION = "scs-c02:threat-detection"
    SCS_LOGGING = "scs-c02:logging-monitoring"
    SCS_INFRASTRUCTURE = "scs-c02:infrastructure"
    SCS_IAM = "scs-c02:iam"
    SCS_DATA = "scs-c02:data-protection"
    SCS_GOVERNANCE = "scs-c02:governance"
    SAP_ORGANIZATION = "sap-c02:organizational-complexity"
    SAP_NEW = "sap-c02:new-solutions"
    SAP_IMPROVEMENT = "sap-c02:continuous-improvement"
    SAP_MIGRATION = "sap-c02:migration-modernization"

    @property
    def info(self) -> DomainInfo:
        return DOMAINS[self]


DOMAINS: dict[Domain, DomainInfo] = {
    Domain.SAA_SECURE: DomainInfo("SAA-C03", 1, "Design Secure Architectures", 30),
    Domain.SAA_RESILIENT: DomainInfo("SAA-C03", 2, "Design Resilient Architectures", 26),
    Domain.SAA_PERFORMING: DomainInfo("SAA-C03", 3, "Design High-Performing Architectures", 24),
    Domain.SAA_COST: DomainInfo("SAA-C03", 4, "Design Cost-Optimized Architectures", 20),
    Domain.SCS_DETECTION: DomainInfo("SCS-C02", 1, "Threat Detection and Incident Response", 14),
    Domain.SCS_LOGGING: DomainInfo("SCS-C02", 2, "Security Logging and Monitoring", 18),
    Domain.SCS_INFRASTRUCTURE: DomainInfo("SCS-C02", 3, "Infrastructure Security", 20),
    Domain.SCS_IAM: DomainInfo("SCS-C02", 4, "Identity and Access Management", 16),
    Domain.SCS_DATA: DomainInfo("SCS-C02", 5, "Data Protection", 18),
    Domain.SCS_GOVERNANCE: DomainInfo("SCS-C02", 6, "Management and Security Governance", 14),
    Domain.SAP_ORGANIZATION: DomainInfo("SAP-C02", 1, "Design Solutions for Organizational "
                                        "Complexity", 26),
    Domain.SAP_NEW: DomainInfo("SAP-C02", 2, "Design for New Solutions", 29),
    Domain.SAP_IMPROVEMENT: DomainInfo("SAP-C02", 3, "Continuous Improvement for Existing "
                                       "Solutions", 25),
    Domain.SAP_MIGRATION: DomainInfo("SAP-C02", 4, "Accelerate Workload Migration and "
                                     "Modernization", 20),
}


def exam_domains(exam: str) -> list[Domain]:
    """The domains of one exam (`SAA-C03`), in the guide's order."""
    return sorted((d for d, info in DOMAINS.items() if info.exam == exam.upper()),
                  key=lambda d: DOMAINS[d].number)


@dataclass(frozen=True, slots=True)
class ExamFormat:
    """An exam's format as its guide states it: questions in all (scored and unscored
    pretest questions look alike, so a mock exam scores them all), minutes, and the
    passing score on the 100-1,000 scale."""

    code: str
    title: str
    questions: int
    scored: int
    minutes: int
    passing: int
    guide: str


_GUIDES = "https://docs.aws.amazon.com/aws-certification/latest/"
EXAMS: dict[str, ExamFormat] = {
    "SAA-C03": ExamFormat("SAA-C03", "AWS Certified Solutions Architect - Associate", 65, 50,
                          130, 720, _GUIDES + "solutions-architect-associate-03/"
                          "solutions-architect-associate-03.html"),
    "SCS-C02": ExamFormat("SCS-C02", "AWS Certified Security - Specialty", 65, 50, 170, 750,
                          _GUIDES + "security-specialty-02/security-specialty-02.html"),
    "SAP-C02": ExamFormat("SAP-C02", "AWS Certified Solutions Architect - Professional", 75,
                          65, 180, 750, _GUIDES + "solutions-architect-professional-02/"
                          "solutions-architect-professional-02.html"),
}
DEFAULT_EXAM = "SAA-C03"


def exam_format(code: str) -> ExamFormat | None:
    return EXAMS.get(code.strip().upper())
