"""Project storage: the GeoPackage schema, reading, writing, checks and migrations."""

from .project import LayerInfo, Project, ProjectInfo, check_project, project_info, write_project
from .schema import META_TABLE, SCHEMA_VERSION, WORKFLOW_TABLES

__all__ = [
    "LayerInfo",
    "Project",
    "ProjectInfo",
    "check_project",
    "project_info",
    "write_project",
    "META_TABLE",
    "SCHEMA_VERSION",
    "WORKFLOW_TABLES",
]
