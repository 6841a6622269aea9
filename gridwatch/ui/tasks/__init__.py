"""Tasks: the task panel, assigning inspections, fire-point checks."""
