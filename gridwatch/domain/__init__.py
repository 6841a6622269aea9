"""The domain: code lists and titles, lifecycles, who may do what, places.  No SQL, no Qt.

Everything else (storage, importers, sync, analysis, exports, the app layer, CLI and UI) reads
its rules from here, so a rule is written once and holds at every door.
"""
