"""Importers: bring real-world files into a project."""
