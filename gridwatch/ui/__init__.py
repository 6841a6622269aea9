"""The Qt user interface: the only package that imports PySide6 or pyqtgraph.

The main window, map canvas and panels arrive with the desktop-app issue; the core never
imports anything from here.
"""
