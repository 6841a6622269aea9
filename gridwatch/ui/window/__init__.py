"""The main window: menus, docks, status bar, and how the panels are wired together."""
