"""The parts of the Metrics & KPIs page: one form per kind of definition."""
