"""The static HTML access report: one self-contained file (no server, no network)."""
