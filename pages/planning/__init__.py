"""The parts of the "What would it take?" page (pages/plan.py), one tab each."""
