"""Analysis panels: patrol coverage, the dashboard's charts, rule checks."""
