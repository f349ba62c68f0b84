"""Shared Lambda layer: domain rules, store, auth and enterprise codes for 涉企行政检查."""
