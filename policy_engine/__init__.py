"""policy-engine: local AWS IAM policy evaluation."""
