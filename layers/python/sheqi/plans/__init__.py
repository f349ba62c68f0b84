"""Annual inspection plans (Art. 11, 16) and special campaigns (Art. 13)."""
