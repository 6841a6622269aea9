"""The application layer, shared by the CLI and the UI (no Qt): the session (project, actor, undo
stack, change events), the workflow commands, one export runner and one period parser."""
