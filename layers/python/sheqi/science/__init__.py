"""Science bureau duties with deadlines (seed 004)."""
