"""The "In the field" dock: the basemap, the GPS position, patrol tracks on the map and their recording."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDockWidget,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..widgets import named


class FieldPanel(QDockWidget):
    """Widgets only; the main window (``ui/window/field.py``) wires them to the canvas, GPS and project."""

    basemapChosen = Signal(int)  # index into the combo's entries (0: none)
    addBasemapRequested = Signal()
    gpsStartRequested = Signal(str)  # source kind
    gpsStopRequested = Signal()
    locateRequested = Signal()
    followToggled = Signal(bool)
    showTracksRequested = Signal()
    importTrackRequested = Signal()
    removeTrackRequested = Signal()
    intervalChanged = Signal(int)
    retentionChanged = Signal(int)
    signinRequested = Signal()

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldPanel")
        body = QWidget(self)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(6, 6, 6, 6)

        self.basemap_box = QGroupBox(body)
        bl = QVBoxLayout(self.basemap_box)
        self.basemap_combo = named(QComboBox(self.basemap_box), "basemapCombo")
        self.basemap_combo.activated.connect(self.basemapChosen.emit)
        self.add_basemap = named(QPushButton(self.basemap_box), "addBasemapButton")
        self.add_basemap.clicked.connect(self.addBasemapRequested.emit)
        self.basemap_note = named(QLabel(self.basemap_box), "basemapNote")
        self.basemap_note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.basemap_combo, 1)
        row.addWidget(self.add_basemap)
        bl.addLayout(row)
        bl.addWidget(self.basemap_note)
        lay.addWidget(self.basemap_box)

        self.gps_box = QGroupBox(body)
        gl = QVBoxLayout(self.gps_box)
        self.source_combo = named(QComboBox(self.gps_box), "gpsSourceCombo")
        for kind in ("replay", "serial", "gpsd", "system"):
            self.source_combo.addItem("", kind)
        self.gps_button = named(QPushButton(self.gps_box), "gpsButton")
        self.gps_button.setCheckable(True)
        self.gps_button.toggled.connect(self._toggle_gps)
        row = QHBoxLayout()
        row.addWidget(self.source_combo, 1)
        row.addWidget(self.gps_button)
        gl.addLayout(row)
        row = QHBoxLayout()
        self.locate = named(QPushButton(self.gps_box), "locateButton")
        self.locate.clicked.connect(self.locateRequested.emit)
        self.follow = named(QCheckBox(self.gps_box), "followCheck")
        self.follow.toggled.connect(self.followToggled.emit)
        row.addWidget(self.locate)
        row.addWidget(self.follow)
        row.addStretch(1)
        gl.addLayout(row)
        self.gps_label = named(QLabel(self.gps_box), "gpsLabel")
        self.gps_label.setWordWrap(True)
        gl.addWidget(self.gps_label)
        lay.addWidget(self.gps_box)

        self.track_box = QGroupBox(body)
        form = QFormLayout(self.track_box)
        self.person_combo = named(QComboBox(self.track_box), "trackPersonCombo")
        self.day_edit = named(QDateEdit(self.track_box), "trackDayEdit")
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("yyyy-MM-dd")
        self.day_edit.setDate(QDate.currentDate())
        self.show_tracks = named(QPushButton(self.track_box), "showTracksButton")
        self.show_tracks.clicked.connect(self.showTracksRequested.emit)
        self.import_track = named(QPushButton(self.track_box), "importTrackButton")
        self.import_track.clicked.connect(self.importTrackRequested.emit)
        self.remove_track = named(QPushButton(self.track_box), "removeTrackButton")
        self.remove_track.clicked.connect(self.removeTrackRequested.emit)
        self.interval = named(QSpinBox(self.track_box), "intervalSpin")
        self.interval.setRange(1, 600)
        self.interval.valueChanged.connect(self.intervalChanged.emit)
        self.retention = named(QSpinBox(self.track_box), "retentionSpin")
        self.retention.setRange(0, 3650)
        self.retention.valueChanged.connect(self.retentionChanged.emit)
        self.signin = named(QPushButton(self.track_box), "signinButton")
        self.signin.clicked.connect(self.signinRequested.emit)
        self.person_label, self.day_label, self.interval_label = QLabel(), QLabel(), QLabel()
        self.retention_label = QLabel()
        form.addRow(self.person_label, self.person_combo)
        form.addRow(self.day_label, self.day_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_tracks)
        buttons.addWidget(self.import_track)
        buttons.addWidget(self.remove_track)
        form.addRow(buttons)
        form.addRow(self.signin)
        form.addRow(self.interval_label, self.interval)
        form.addRow(self.retention_label, self.retention)
        self.track_label = named(QLabel(self.track_box), "trackLabel")
        self.track_label.setWordWrap(True)
        form.addRow(self.track_label)
        lay.addWidget(self.track_box)
        lay.addStretch(1)
        self.setWidget(body)
        self.retranslate()

    def _toggle_gps(self, on: bool) -> None:
        if on:
            self.gpsStartRequested.emit(str(self.source_combo.currentData()))
        else:
            self.gpsStopRequested.emit()
        self._gps_button_text()

    def set_gps_running(self, running: bool) -> None:
        self.gps_button.blockSignals(True)
        self.gps_button.setChecked(running)
        self.gps_button.blockSignals(False)
        self.source_combo.setEnabled(not running)
        self._gps_button_text()

    def _gps_button_text(self) -> None:
        self.gps_button.setText(self.tr("Stop") if self.gps_button.isChecked() else self.tr("Start"))

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("In the field"))
        self.basemap_box.setTitle(self.tr("Basemap"))
        self.add_basemap.setText(self.tr("Add…"))
        self.add_basemap.setToolTip(self.tr("Add a tile package (MBTiles, GeoPackage, PMTiles) or an "
                                            "OpenStreetMap extract (.osm.pbf) as a basemap of this project"))
        if self.basemap_combo.count():
            self.basemap_combo.setItemText(0, self.tr("No basemap"))
        self.gps_box.setTitle(self.tr("GPS position"))
        for i, text in enumerate((self.tr("Replay an NMEA log"), self.tr("GPS receiver (serial port)"),
                                  self.tr("gpsd"), self.tr("System positioning"))):
            self.source_combo.setItemText(i, text)
        self._gps_button_text()
        self.locate.setText(self.tr("Locate me"))
        self.follow.setText(self.tr("Follow"))
        self.follow.setToolTip(self.tr("Keep my position in view"))
        self.track_box.setTitle(self.tr("Patrol tracks"))
        self.person_label.setText(self.tr("Person"))
        self.day_label.setText(self.tr("Day"))
        self.show_tracks.setText(self.tr("Show on map"))
        self.import_track.setText(self.tr("Import track…"))
        self.import_track.setToolTip(self.tr("A GPX, KML/KMZ or NMEA file from a phone or receiver, for the "
                                             "person and day chosen above"))
        self.remove_track.setText(self.tr("Remove…"))
        self.remove_track.setToolTip(self.tr("Remove a track of the person and day chosen above (you may "
                                             "remove your own; supervisors any); Edit > Undo brings it back"))
        self.signin.setText(self.tr("Sign-in check (签到)"))
        self.signin.setToolTip(self.tr("The inspections of the chosen person (or everybody) on the chosen day with no "
                                       "track near their cell at that time; their cells are highlighted"))
        self.retention_label.setText(self.tr("Keep my tracks"))
        self.retention.setSuffix(self.tr(" days"))
        self.retention.setSpecialValueText(self.tr("for ever"))
        self.retention.setToolTip(self.tr("Your own track points older than this are removed when the GPS starts"))
        self.interval_label.setText(self.tr("Record every"))
        self.interval.setSuffix(self.tr(" s"))
        self.interval.setToolTip(self.tr("While a task of yours is in progress and the GPS is on, a point is "
                                         "recorded this often"))
