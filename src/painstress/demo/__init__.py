"""The simulated demo study with planted truth, and how well a run recovers it."""
