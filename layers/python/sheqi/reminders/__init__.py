"""Obligations with deadlines, the official calendar, notices and their delivery."""
