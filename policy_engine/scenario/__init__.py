"""Scenario plugins: whole architectures modelled as snapshots and checked by the engine."""
