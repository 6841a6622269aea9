"""Findings: the panel, recording a finding, each step of its loop, corrections, photos."""
