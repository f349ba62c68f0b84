"""The judicial bureau's supervision (Art. 12, 16, 24, 27, 28, 30): watch lists, return visits, letters."""
