"""Analysis over a project: patrol coverage (and, next, fire-point follow-up, rule checks, rankings)."""
