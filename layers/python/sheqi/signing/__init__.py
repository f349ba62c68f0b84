"""Signing: the enterprises' scan-in codes (Art. 24) and the visit record's hash chain (Art. 19), with their
keyrings read at run time from their secrets."""
