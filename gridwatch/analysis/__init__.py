"""Analysis over a project: patrol coverage, rule checks (:mod:`.rules`), statistics, fire-point
follow-up and rankings."""
