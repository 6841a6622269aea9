"""Analysis over a project: patrol coverage, rule checks (:mod:`.rules`) and, next, fire-point follow-up and rankings."""
