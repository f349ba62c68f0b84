"""Registries: enterprises, agencies, inspectors, items, and the enterprises' scan-in codes."""
