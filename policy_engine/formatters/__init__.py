"""Renderers: pure functions from results to text. Only the text renderers import rich."""
