"""Exports for briefings (tables now; maps and HTML to come)."""
