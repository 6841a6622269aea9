"""Data in and out: import and export dialogs, the attribute table, the people of the project."""
