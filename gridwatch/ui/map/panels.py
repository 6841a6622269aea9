"""Side panels: layers (with legend), identify results and place search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from ...domain.vocabulary import (
    CATEGORY_TITLES,
    CHECKLIST_ITEM_TITLES,
    FINDING_ACTION_TITLES,
    FINDING_STATUS_TITLES,
    KIND_TITLES,
    ROLE_TITLES,
    TASK_ACTION_TITLES,
    TASK_STATUS_TITLES,
    title,
)
from ...layers import GROUPS, LAYERS
from ...layers.base import RGBA, Style
from ...mapview.search import PERSON, SearchHit, SearchResult
from ...times import beijing_text
from .. import i18n
from ..texts import feature_title, field_title, group_title, layer_title, value_title
from ..widgets import fill, hbox, named, set_texts

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd


def beijing_time(text: object, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC DATETIME text shown in Beijing time ('' for none)."""
    return beijing_text(text, fmt, keep_invalid=True)


def action_title(action: str, table: str) -> str:
    """Audit-log action as people read it (交办, 撤销 交办 ...)."""
    lang = i18n.current()
    prefix = ""
    for word, zh, en in (("undo ", "撤销 ", "Undo "), ("redo ", "重做 ", "Redo ")):
        if action.startswith(word):
            prefix, action = (zh if lang.startswith("zh") else en), action[len(word):]
    basic = {"create": ("新建", "Created"), "import": ("导入", "Imported")}
    table_titles = FINDING_ACTION_TITLES if table == "finding" else TASK_ACTION_TITLES
    if action in basic:
        text = title(basic, action, lang)
    else:
        text = title(table_titles, action, lang) if action in table_titles else action
    return prefix + text


_SKIP_COLUMNS = {"geom", "updated_at", "uuid", "data", "thumbnail"}


def _show_value(table: str, key: str, v: object, lang: str) -> str:
    if v is None:
        return ""
    if key == "status":
        return title(FINDING_STATUS_TITLES if table == "finding" else TASK_STATUS_TITLES, v, lang)
    if key == "category":
        return title(CATEGORY_TITLES, v, lang)
    if key == "kind":
        return title(KIND_TITLES, v, lang)
    if isinstance(v, str) and len(v) >= 20 and v[4:5] == "-" and v.endswith("Z"):
        return beijing_time(v)
    if isinstance(v, str) and v.startswith("<") and v.endswith("bytes>"):
        return ""
    return value_title(v) if isinstance(v, str) else str(v)


def describe_changes(table: str, old: dict, new: dict) -> str:
    """``状态: 发现 → 已交办; 整改期限: → 2025-11-25`` for an audit row (blobs and bookkeeping skipped)."""
    lang = i18n.current()
    parts = []
    for key in list(dict.fromkeys(list(new) + list(old))):
        if key in _SKIP_COLUMNS or old.get(key) == new.get(key):
            continue
        before, after = _show_value(table, key, old.get(key), lang), _show_value(table, key, new.get(key), lang)
        if old:
            parts.append(field_title(table, key) + ": " + before + " → " + after)
        elif after:
            parts.append(field_title(table, key) + ": " + after)
    return "; ".join(parts)

NAME_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class LegendEntry:
    """One line of a thematic legend under a layer: swatch, title in both languages and a count.

    ``outline`` draws the swatch as a bold outline of that colour instead of a fill."""

    key: str
    title_zh: str
    title_en: str
    rgba: RGBA
    count: Optional[int] = None
    hatch: Optional[str] = None
    hatch_rgba: RGBA = (255, 255, 255, 255)
    outline: bool = False

    def text(self, lang: str) -> str:
        title_ = self.title_zh if lang.startswith("zh") else self.title_en
        return title_ if self.count is None else f"{title_}  ({self.count:,})"


def legend_swatch(entry: LegendEntry, size: int = 16) -> QIcon:
    """Swatch of a thematic legend entry: the class fill with its hatch, or a bold outline."""
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    if entry.outline:
        pen = QPen(QColor(*entry.rgba), 3)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(3, 3, size - 6, size - 6)
    else:
        p.setPen(QPen(QColor(120, 120, 120), 1))
        p.setBrush(QColor(*entry.rgba))
        p.drawRect(1, 1, size - 3, size - 3)
        if entry.hatch:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QBrush(QColor(*entry.hatch_rgba), Qt.BrushStyle.BDiagPattern if entry.hatch == "diagonal"
                              else Qt.BrushStyle.DiagCrossPattern))
            p.drawRect(2, 2, size - 4, size - 4)
    p.end()
    return QIcon(pm)


def swatch(style: Style, color: Optional[RGBA] = None, geometry: str = "MultiPolygon", size: int = 16) -> QIcon:
    """A legend swatch: a filled box for areas, an outline for boundaries, a dot for points."""
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    stroke = QColor(*style.stroke)
    fill_rgba = color or style.fill
    if geometry == "Point" or (style.marker and color is not None and geometry != "MultiPolygon"):
        p.setPen(QPen(stroke, 1))
        p.setBrush(QColor(*(fill_rgba or (230, 90, 0, 230))))
        p.drawEllipse(3, 3, size - 6, size - 6)
    else:
        p.setPen(QPen(stroke, max(1.0, min(style.stroke_width, 3.0))))
        if fill_rgba is not None:
            c = QColor(*fill_rgba)
            c.setAlpha(max(c.alpha(), 120))
            p.setBrush(c)
        else:
            p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(2, 2, size - 4, size - 4)
        if style.hatch:
            p.setBrush(QBrush(stroke, Qt.BrushStyle.BDiagPattern if style.hatch == "diagonal"
                              else Qt.BrushStyle.DiagCrossPattern))
            p.drawRect(2, 2, size - 4, size - 4)
    p.end()
    return QIcon(pm)


class LayersPanel(QDockWidget):
    """Layer tree grouped like the district's 4+1 structure, with legend and opacity."""

    visibilityChanged = Signal(str, bool)
    opacityChanged = Signal(str, float)
    orderChanged = Signal(list)  # bottom to top
    zoomToLayerRequested = Signal(str)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("layersDock")
        self.tree = named(QTreeWidget(), "layerTree")
        self.tree.setHeaderHidden(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.items: dict[str, QTreeWidgetItem] = {}
        self.group_items: dict[str, QTreeWidgetItem] = {}
        # Top of the list draws on top: show groups and layers top-down in reverse drawing order.
        self.order = list(LAYERS)
        for group in reversed(list(GROUPS)):
            gi = QTreeWidgetItem(self.tree)
            gi.setFlags(gi.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsAutoTristate)
            gi.setCheckState(0, Qt.CheckState.Checked)
            gi.setData(0, NAME_ROLE, f"group:{group}")
            self.group_items[group] = gi
            for name in reversed([n for n, s in LAYERS.items() if s.group == group]):
                spec = LAYERS[name]
                li = QTreeWidgetItem(gi)
                li.setFlags(li.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                li.setCheckState(0, Qt.CheckState.Checked)
                li.setData(0, NAME_ROLE, name)
                li.setIcon(0, swatch(spec.style, geometry=spec.geometry_type))
                self.items[name] = li
                for value, rgba in spec.style.categories.items():
                    ci = QTreeWidgetItem(li)
                    ci.setData(0, NAME_ROLE, f"value:{value}")
                    ci.setFlags(Qt.ItemFlag.ItemIsEnabled)
                    ci.setIcon(0, swatch(spec.style, rgba, geometry="Point" if spec.style.marker else "MultiPolygon"))
            gi.setExpanded(True)
        #: Thematic legends shown instead of a layer's style categories (see set_legend).
        self.legends: dict[str, list[LegendEntry]] = {}
        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.currentItemChanged.connect(self._on_current)
        self.tree.itemDoubleClicked.connect(self._on_double)

        self.opacity = named(QSlider(Qt.Orientation.Horizontal), "layerOpacity")
        self.opacity.setRange(0, 100)
        self.opacity.setValue(100)
        self.opacity.setEnabled(False)
        self.opacity.valueChanged.connect(self._on_opacity)
        self.opacity_label = QLabel()
        self.up = named(QToolButton(), "layerUp")
        self.up.setArrowType(Qt.ArrowType.UpArrow)
        self.down = named(QToolButton(), "layerDown")
        self.down.setArrowType(Qt.ArrowType.DownArrow)
        self.up.clicked.connect(lambda: self.move_current(+1))
        self.down.clicked.connect(lambda: self.move_current(-1))
        self._opacities = {n: 1.0 for n in LAYERS}

        row = hbox(self.opacity_label, (self.opacity, 1), self.up, self.down, stretch=False)
        box = QWidget()
        fill(box, (self.tree, 1), row, margins=4)
        self.setWidget(box)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Layers"))
        self.opacity_label.setText(self.tr("Opacity"))
        self.up.setToolTip(self.tr("Draw above the layer over it"))
        self.down.setToolTip(self.tr("Draw below the layer under it"))
        self.tree.blockSignals(True)
        for group, gi in self.group_items.items():
            gi.setText(0, group_title(group))
        for name, li in self.items.items():
            li.setText(0, layer_title(name))
            li.setToolTip(0, self.tr("Double-click to zoom to the layer"))
            legend = {e.key: e for e in self.legends.get(name, [])}
            for i in range(li.childCount()):
                ci = li.child(i)
                kind, key = str(ci.data(0, NAME_ROLE)).split(":", 1)
                if kind == "theme" and key in legend:
                    ci.setText(0, legend[key].text(i18n.current()))
                else:
                    ci.setText(0, value_title(key))
        self.items["fire_point"].setToolTip(0, self.tr(
            "Zoomed out, nearby fire points are drawn as one circle with their number: vermillion when some of "
            "them are not yet checked, grey when all are. Double-click to zoom to the layer"))
        self.tree.blockSignals(False)

    def set_legend(self, name: str, entries: Optional[list[LegendEntry]]) -> None:
        """Show ``entries`` (a thematic legend with counts) under layer ``name``; None: its style's
        categories again."""
        li = self.items.get(name)
        if li is None:
            return
        self.tree.blockSignals(True)
        li.takeChildren()
        if entries is None:
            self.legends.pop(name, None)
            spec = LAYERS[name]
            for value, rgba in spec.style.categories.items():
                ci = QTreeWidgetItem(li)
                ci.setData(0, NAME_ROLE, f"value:{value}")
                ci.setFlags(Qt.ItemFlag.ItemIsEnabled)
                ci.setIcon(0, swatch(spec.style, rgba, geometry="Point" if spec.style.marker else "MultiPolygon"))
        else:
            self.legends[name] = list(entries)
            for entry in entries:
                ci = QTreeWidgetItem(li)
                ci.setData(0, NAME_ROLE, f"theme:{entry.key}")
                ci.setFlags(Qt.ItemFlag.ItemIsEnabled)
                ci.setIcon(0, legend_swatch(entry))
            li.setExpanded(True)
        self.tree.blockSignals(False)
        self.retranslate()

    def legend_texts(self, name: str) -> list[str]:
        """The texts listed under layer ``name`` (its legend), top to bottom."""
        li = self.items[name]
        return [li.child(i).text(0) for i in range(li.childCount())]

    # --- user actions -------------------------------------------------------------------------
    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        name = str(item.data(0, NAME_ROLE))
        if name in self.items:
            self.visibilityChanged.emit(name, item.checkState(0) == Qt.CheckState.Checked)

    def _on_current(self, current: Optional[QTreeWidgetItem], previous: Optional[QTreeWidgetItem]) -> None:
        name = self.current_layer()
        self.opacity.setEnabled(name is not None)
        if name is not None:
            self.opacity.blockSignals(True)
            self.opacity.setValue(round(self._opacities[name] * 100))
            self.opacity.blockSignals(False)

    def _on_double(self, item: QTreeWidgetItem, column: int) -> None:
        name = str(item.data(0, NAME_ROLE))
        if name in self.items:
            self.zoomToLayerRequested.emit(name)

    def _on_opacity(self, value: int) -> None:
        name = self.current_layer()
        if name is not None:
            self._opacities[name] = value / 100.0
            self.opacityChanged.emit(name, value / 100.0)

    def current_layer(self) -> Optional[str]:
        item = self.tree.currentItem()
        while item is not None:
            name = str(item.data(0, NAME_ROLE))
            if name in self.items:
                return name
            item = item.parent()
        return None

    def set_visible(self, name: str, visible: bool) -> None:
        """Tick or untick a layer as if the user did (emits visibilityChanged)."""
        self.items[name].setCheckState(0, Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked)

    def move_current(self, direction: int) -> None:
        """Move the current layer one step up (+1, drawn later) or down (-1) in drawing order."""
        name = self.current_layer()
        if name is None:
            return
        i = self.order.index(name)
        j = i + direction
        if not 0 <= j < len(self.order):
            return
        self.order[i], self.order[j] = self.order[j], self.order[i]
        # Reflect the new order in the tree within the layer's group.
        item = self.items[name]
        parent = item.parent()
        idx = parent.indexOfChild(item)
        new_idx = idx - direction
        if 0 <= new_idx < parent.childCount():
            self.tree.blockSignals(True)
            expanded = item.isExpanded()
            parent.takeChild(idx)
            parent.insertChild(new_idx, item)
            item.setExpanded(expanded)
            self.tree.setCurrentItem(item)
            self.tree.blockSignals(False)
        self.orderChanged.emit(list(self.order))


class IdentifyPanel(QDockWidget):
    """Attributes of the feature last clicked on the map; for a cell also its tasks, inspections
    and findings (the cell panel)."""

    recordChosen = Signal(str, str)  # "task"/"finding", uuid
    historyRequested = Signal(str)  # uuid of the shown feature

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("identifyDock")
        self.title = named(QLabel(), "identifyTitle")
        self.title.setWordWrap(True)
        self.table = named(QTreeWidget(), "identifyTable")
        self.table.setColumnCount(2)
        self.table.setRootIsDecorated(False)
        self.table.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.records = named(QTreeWidget(), "cellRecords")
        self.records.setColumnCount(3)
        self.records.setRootIsDecorated(True)
        self.records.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.records.itemDoubleClicked.connect(self._on_record)
        self.records.hide()
        self.history_button = named(QPushButton(), "identifyHistory")
        self.history_button.clicked.connect(lambda: self.historyRequested.emit(self._uuid))
        self.history_button.setEnabled(False)
        box = QWidget()
        fill(box, self.title, (self.table, 3), (self.records, 2), self.history_button, margins=4)
        self.setWidget(box)
        self._rows: list[tuple[str, str]] = []
        self._heading = ""
        self._uuid = ""
        self._record_frames: Optional[tuple[Any, ...]] = None
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Identify"))
        self.table.setHeaderLabels([self.tr("Field"), self.tr("Value")])
        self.records.setHeaderLabels([self.tr("Record"), self.tr("Status"), self.tr("When")])
        set_texts(self.history_button, self.tr("Change history…"), self.tr("Who created or changed this, and when"))
        if not self._rows:
            self.title.setText(self.tr("Click a feature on the map to see its attributes."))
        if self._record_frames is not None:
            self.show_records(*self._record_frames)

    def show_feature(self, heading: str, rows: list[tuple[str, str]], uuid: str = "") -> None:
        self._heading = heading
        self._rows = rows
        self._uuid = uuid
        self.history_button.setEnabled(bool(uuid))
        self.title.setText(heading)
        self.table.clear()
        for label, value in rows:
            QTreeWidgetItem(self.table, [label, value])
        self.records.hide()
        self._record_frames = None

    def show_records(self, tasks: pd.DataFrame, inspections: pd.DataFrame, findings: pd.DataFrame,
                     checklists: Optional[pd.DataFrame] = None) -> None:
        """The cell panel: tasks, inspections (with the checklist items recorded with each: ✓ passed,
        ✗ failed) and findings of the shown cell (double-click opens one)."""
        self._record_frames = (tasks, inspections, findings, checklists)
        lang = i18n.current()
        self.records.clear()
        head = QTreeWidgetItem(self.records, [self.tr("Tasks (%n)", "", len(tasks)), "", ""])
        for r in tasks.itertuples():
            status = title(TASK_STATUS_TITLES, r.status, lang) + (self.tr(" · overdue") if r.overdue else "")
            item = QTreeWidgetItem(head, [title(KIND_TITLES, r.kind, lang), status,
                                          self.tr("due %s") % beijing_time(r.due_at) if r.due_at else ""])
            item.setData(0, NAME_ROLE, ("task", r.uuid))
            item.setToolTip(0, str(r.notes or ""))
        head.setExpanded(True)
        head = QTreeWidgetItem(self.records, [self.tr("Inspections (%n)", "", len(inspections)), "", ""])
        for r in inspections.itertuples():
            done = self.tr("finished") if r.finished_at else self.tr("in progress")
            visit = QTreeWidgetItem(head, [f"{title(KIND_TITLES, r.kind, lang)} · {r.inspector_name or ''}", done,
                                           beijing_time(r.started_at)])
            items = checklists[checklists["inspection_uuid"] == r.uuid] if checklists is not None else pd.DataFrame()
            for c in items.itertuples():
                mark = ("✓ " if c.passed else "✗ ") + str(getattr(c, "title", "") or title(CHECKLIST_ITEM_TITLES,
                                                                                          c.item, lang))
                child = QTreeWidgetItem(visit, [mark, self.tr("passed") if c.passed else self.tr("failed"),
                                                str(c.note or "")])
                if not c.passed:
                    child.setForeground(1, QBrush(QColor(200, 0, 0)))
                if c.finding_uuid:
                    child.setData(0, NAME_ROLE, ("finding", c.finding_uuid))
                    child.setToolTip(0, self.tr("Became a finding (double-click to open it)"))
            visit.setExpanded(True)
        head.setExpanded(True)
        head = QTreeWidgetItem(self.records, [self.tr("Findings (%n)", "", len(findings)), "", ""])
        for r in findings.itertuples():
            status = title(FINDING_STATUS_TITLES, r.status, lang) + (self.tr(" · overdue") if r.overdue else "")
            item = QTreeWidgetItem(head, [title(CATEGORY_TITLES, r.category, lang), status, beijing_time(r.found_at)])
            item.setData(0, NAME_ROLE, ("finding", r.uuid))
            item.setToolTip(0, str(r.description or ""))
            if r.overdue:
                item.setForeground(1, QBrush(QColor(200, 0, 0)))
        head.setExpanded(True)
        self.records.show()

    def showing_records(self) -> bool:
        """Whether the panel lists a cell's records (not another feature, not nothing)."""
        return self._record_frames is not None

    def _on_record(self, item: QTreeWidgetItem, column: int) -> None:
        data = item.data(0, NAME_ROLE)
        if data:
            self.recordChosen.emit(data[0], data[1])

    def clear_feature(self) -> None:
        self._rows = []
        self._uuid = ""
        self.history_button.setEnabled(False)
        self.records.hide()
        self._record_frames = None
        self.table.clear()
        self.title.setText(self.tr("Nothing here. Click a feature on the map to see its attributes."))

    def values(self) -> dict[str, str]:
        return dict(self._rows)


class SearchPanel(QDockWidget):
    """Find a township, village or cell by name or code and go there."""

    placeChosen = Signal(object)  # SearchHit
    queryChanged = Signal(str)
    hitHighlighted = Signal(object)  # the SearchHit the list's current row shows (the map highlights it)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchDock")
        self.box = named(QLineEdit(), "searchBox")
        self.box.setClearButtonEnabled(True)
        self.results = named(QListWidget(), "searchResults")
        self.more = named(QLabel(), "searchMore")
        self.more.setWordWrap(True)
        self.more.hide()
        self.hits: list[SearchHit] = []
        self.total = 0
        w = QWidget()
        fill(w, self.box, (self.results, 1), self.more, margins=4)
        self.setWidget(w)
        self.box.textChanged.connect(self.queryChanged)
        self.box.returnPressed.connect(self._choose_first)
        self.results.itemActivated.connect(self._choose_item)
        self.results.itemClicked.connect(self._choose_item)
        self.results.currentRowChanged.connect(
            lambda row: self.hitHighlighted.emit(self.hits[row]) if 0 <= row < len(self.hits) else None)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Search"))
        self.box.setPlaceholderText(self.tr("Name, code or pinyin initials (hlz)"))
        self.box.setToolTip(self.tr("Townships, villages, cells, key areas, construction sites, mines, zones and "
                                    "people; Chinese, codes, or pinyin such as hlz or huolu for 获鹿镇"))
        self.show_hits(SearchResult(self.hits, self.total))

    def hit_text(self, hit: SearchHit) -> str:
        """A result line: name, what it is, code (a person: role, phone tail and number of cells)."""
        if hit.kind == PERSON:
            role = title(ROLE_TITLES, hit.detail, i18n.current())
            cells = self.tr("%n cell(s)", "", len(hit.indices))
            tail = self.tr("phone …%s") % hit.code if hit.code else ""
            return "  ·  ".join(s for s in (hit.name, role, tail, cells) if s)
        return "  ·  ".join(s for s in (hit.name, feature_title(hit.layer), hit.code) if s)

    def show_hits(self, result: "SearchResult | list[SearchHit]") -> None:
        if isinstance(result, list):
            result = SearchResult(result, len(result))
        self.hits, self.total = list(result.hits), result.total
        self.results.clear()
        for hit in self.hits:
            self.results.addItem(QListWidgetItem(self.hit_text(hit)))
        if result.cut:
            self.more.setText(self.tr("Showing the best %1 of %2 results: type more to narrow them down.")
                              .replace("%1", str(len(self.hits))).replace("%2", f"{result.total:,}"))
        elif self.box.text().strip() and not self.hits:
            self.more.setText(self.tr("Nothing found."))
        else:
            self.more.setText("")
        self.more.setVisible(bool(self.more.text()))

    def _choose_first(self) -> None:
        if self.hits:
            self.placeChosen.emit(self.hits[0])

    def _choose_item(self, item: QListWidgetItem) -> None:
        row = self.results.row(item)
        if 0 <= row < len(self.hits):
            self.placeChosen.emit(self.hits[row])


class HistoryDialog(QDialog):
    """The audit log of one feature or record, oldest first."""

    def __init__(self, history: pd.DataFrame, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyDialog")
        self.setWindowTitle(self.tr("Change history"))
        self.tree = named(QTreeWidget(), "historyTree")
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels([self.tr("Time"), self.tr("Who"), self.tr("Action"), self.tr("Changes"),
                                   self.tr("Note")])
        for r in history.itertuples():
            QTreeWidgetItem(self.tree, [beijing_time(r.at), str(r.user_name), action_title(r.action, r.table_name),
                                        describe_changes(r.table_name, r.old, r.new), str(r.details or "")])
        for c in range(3):
            self.tree.resizeColumnToContents(c)
        if history.empty:
            QTreeWidgetItem(self.tree, ["", "", self.tr("No recorded changes"), "", ""])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        fill(self, self.tree, buttons)
        self.resize(900, 420)
