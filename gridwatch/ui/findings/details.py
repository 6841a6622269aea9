"""The selected finding's details, photos and history, and the steps its buttons offer (the loop's actions,
a correction), as the findings panel shows them."""

from __future__ import annotations

import html
from typing import Any, Optional

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QListWidgetItem,
    QTreeWidgetItem,
)

from ...app.store import queries
from ...domain.policy import Action
from ...domain.vocabulary import (
    CATEGORY_TITLES,
    FINDING_ACTION_TITLES,
    FINDING_STATUS_TITLES,
    KIND_TITLES,
    SEVERITY_TITLES,
    title,
)
from ...errors import GridWatchError
from ...lazy import frame_read
from ...photos import describe_flags
from ...times import beijing_text as beijing
from .. import i18n
from ..texts import field_title
from .common import (
    _CREATE_SHOWN,
    _HISTORY_SKIP,
    _PEOPLE_COLUMNS,
    _WARN,
    UUID_ROLE,
    PhotoViewer,
    _blank,
    _esc,
    _float,
    _int,
    _photo_caption_item,
    _serious,
    _short,
    _split_flags,
    _text,
)
from .dialogs import FindingActionDialog, FindingEditDialog

# Texts keep the panel's translation context (they were the panel's own).
translate = QCoreApplication.translate

class FindingDetails:
    """Details, photos and history of the selected finding: part of FindingsPanel (uses its widgets)."""

    def _person(self, uuid: Any) -> str:
        people = self.controller.people
        if _blank(uuid) or people is None or not len(people):
            return _text(uuid)
        match = people[people["uuid"] == uuid]
        return _text(match.iloc[0]["name"]) if len(match) else _text(uuid)

    def _show_details(self) -> None:
        row = self._row
        self._show_actions()
        self.photos.clear()
        self.history.clear()
        if row is None:
            listed = frame_read(self, "frame") and len(self.frame)  # nothing read yet: no pandas
            self.detail.setText(translate("FindingsPanel", "Select a finding to see its details.") if listed else "")
            return
        self.detail.setText(self._detail_html(row))
        self._show_photos()
        self._show_history()

    def _detail_html(self, row: dict[str, Any]) -> str:
        lang = i18n.current()
        red = 'style="color:#c62828"'
        # tr() outside f-strings: lupdate does not see calls inside them
        overdue_text = html.escape(translate("FindingsPanel", "overdue"))
        place_label = html.escape(translate("FindingsPanel", "Place"))
        location_label = html.escape(translate("FindingsPanel", "Location"))
        rejected_text = translate("FindingsPanel", "rejected %d times")
        f = lambda col: html.escape(field_title("finding", col))  # noqa: E731
        status = html.escape(title(FINDING_STATUS_TITLES, row.get("status"), lang))
        if row.get("overdue"):
            status = f'<span {red}>{status} · {overdue_text}</span>'
        head = " · ".join([html.escape(title(CATEGORY_TITLES, row.get("category"), lang)),
                           html.escape(title(SEVERITY_TITLES, _int(row.get("severity"), 2), lang)), status])
        place = " / ".join(_esc(row.get(k)) for k in ("township_name", "village_name", "cell_name")
                           if _text(row.get(k)))
        lines = [f"<b>{head}</b>",
                 f"{place_label}: {place} ({_esc(row.get('cell_code'))})"]
        lon, lat = _float(row.get("longitude")), _float(row.get("latitude"))
        if lon is not None and lat is not None:
            lines.append(f"{location_label}: {lon:.6f}, {lat:.6f}")
        if _text(row.get("location_note")):
            lines.append(f'<span {red}>{_WARN} {_esc(row.get("location_note"))}</span>')
        lines.append(f"{f('found_by')}: {_esc(self._person(row.get('found_by')))} · "
                     f"{html.escape(beijing(row.get('found_at')))}")
        if _text(row.get("description")):
            lines.append(f"{f('description')}: {_esc(row.get('description'))}")
        origin = self._origin_line(row)
        if origin:
            lines.append(origin)
        if _text(row.get("responsible_party")):
            lines.append(f"{f('responsible_party')}: {_esc(row.get('responsible_party'))}")
        if _text(row.get("rectify_deadline")):
            deadline = _esc(row.get("rectify_deadline"))
            if row.get("overdue"):
                deadline = f'<span {red}>{deadline} ({overdue_text})</span>'
            lines.append(f"{f('rectify_deadline')}: {deadline}")
        if _text(row.get("assigned_by")):
            lines.append(f"{f('assigned_by')}: {_esc(self._person(row.get('assigned_by')))}")
        if _text(row.get("rectify_note")):
            who = _esc(self._person(row.get("rectified_by")))
            when = html.escape(beijing(row.get("rectified_at")))
            lines.append(f"{f('rectify_note')}: {_esc(row.get('rectify_note'))} ({who} {when})")
        if _text(row.get("reject_reason")):
            count = _int(row.get("reject_count"))
            lines.append(f'<span {red}>{f("reject_reason")}: {_esc(row.get("reject_reason"))}'
                         + (f" ({html.escape(rejected_text % count)})" if count > 1 else "")
                         + "</span>")
        if _text(row.get("verify_note")):
            who = _esc(self._person(row.get("verified_by")))
            when = html.escape(beijing(row.get("verified_at")))
            lines.append(f"{f('verify_note')}: {_esc(row.get('verify_note'))} ({who} {when})")
        if _text(row.get("closed_by")):
            lines.append(f"{f('closed_by')}: {_esc(self._person(row.get('closed_by')))} "
                         f"{html.escape(beijing(row.get('closed_at')))}")
        return "<br>".join(lines)

    def _origin_line(self, row: dict[str, Any]) -> str:
        """The checklist item the finding was made of and the inspection it came from ('' if none)."""
        from ...app.store import finding_origin

        path = self.controller.path
        try:
            origin = finding_origin(path, str(row["uuid"])) if path is not None else None
        except GridWatchError:
            return ""
        if origin is None:
            return ""
        from ...app.store import read_settings
        from ...domain.checklists import item_title

        lang = i18n.current()
        item = item_title(str(origin["item"]), read_settings(path)["checklist_titles"], lang)
        text = translate("FindingsPanel", "From checklist item: %1 (failed)").replace("%1", item)
        if _text(origin.get("note")):
            text += f" · {_text(origin['note'])}"
        if _text(origin.get("inspection_uuid")):
            text += " · " + (translate("FindingsPanel", "inspection: %1 by %2, started %3")
                             .replace("%1", title(KIND_TITLES, origin.get("kind"), lang))
                             .replace("%2", _text(origin.get("inspector_name")))
                             .replace("%3", beijing(origin.get("started_at"))))
        return html.escape(text)

    def _show_photos(self) -> None:
        lang_before = translate("FindingsPanel", "Before", "photo taken before rectification (整改前)")
        lang_after = translate("FindingsPanel", "After", "photo taken after rectification (整改后)")
        for row in self._attachments.to_dict("records"):
            flags = _split_flags(row.get("flags"))
            taken = beijing(row.get("taken_at"), "%m-%d %H:%M")
            caption = (lang_after if row.get("role") == "after" else lang_before) + (f" · {taken}" if taken else "")
            taken_text = beijing(row.get("taken_at"), "%Y-%m-%d %H:%M:%S") or translate("FindingsPanel", "unknown")
            tip = [_text(row.get("filename")), translate("FindingsPanel", "Taken: %s") % taken_text]
            lon, lat = _float(row.get("longitude")), _float(row.get("latitude"))
            known = lon is not None and lat is not None
            tip.append(translate("FindingsPanel", "Position: %.6f, %.6f") % (lon, lat) if known
                       else translate("FindingsPanel", "Position: unknown"))
            if flags:
                tip.append(describe_flags(flags))
            item = _photo_caption_item(caption, "\n".join(tip), row.get("thumbnail"), bool(_serious(flags)))
            item.setData(UUID_ROLE, row["uuid"])
            self.photos.addItem(item)

    def _on_photo_double_click(self, item: QListWidgetItem) -> None:
        self.open_photo(str(item.data(UUID_ROLE)))

    def open_photo(self, attachment_uuid: str) -> Optional[PhotoViewer]:
        """Show one photo of the selected finding at full size (a non-blocking dialog, ``self.viewer``)."""
        if self.controller.path is None or self._row is None:
            return None
        frame = queries.attachments(self.controller.path, self._row["uuid"], with_data=True)
        match = frame[frame["uuid"] == attachment_uuid]
        if not len(match):
            return None
        row = match.iloc[0]
        caption = "\n".join(x for x in (
            _text(row["filename"]),
            beijing(row["taken_at"], "%Y-%m-%d %H:%M:%S"),
            describe_flags(_split_flags(row["flags"]))) if x)
        if self.viewer is not None:
            self.viewer.deleteLater()
        self.viewer = PhotoViewer(bytes(row["data"]), caption, self)
        self.viewer.open()
        return self.viewer

    def _history_value(self, col: str, value: Any) -> str:
        lang = i18n.current()
        if _blank(value):
            return ""
        if col == "status":
            return title(FINDING_STATUS_TITLES, value, lang)
        if col == "category":
            return title(CATEGORY_TITLES, value, lang)
        if col == "severity":
            return title(SEVERITY_TITLES, _int(value, 2), lang)
        if col in _PEOPLE_COLUMNS:
            return self._person(value)
        return _short(_text(value))

    def _finding_changes(self, old: dict[str, Any], new: dict[str, Any], created: bool) -> list[str]:
        out = []
        for col in (_CREATE_SHOWN if created else list(new or old)):
            if col in _HISTORY_SKIP or col in _PEOPLE_COLUMNS:  # who did it is in its own column
                continue
            a = self._history_value(col, old.get(col)) if not created else ""
            b = self._history_value(col, new.get(col))
            if created and not b:
                continue
            if a == b:
                continue
            label = field_title("finding", col)
            out.append(f"{label} {a} → {b}" if a else f"{label} → {b}")
        return out

    def _action_title(self, action: str, has_finding: bool) -> str:
        lang = i18n.current()
        prefix = None
        base = action
        for p in ("undo ", "redo "):
            if action.startswith(p):
                prefix, base = p.strip(), action[len(p):]
        if base == "create":
            text = translate("FindingsPanel", "Recorded") if has_finding else translate("FindingsPanel", "Photos added")
        else:
            text = title(FINDING_ACTION_TITLES, base, lang)
        if prefix == "undo":
            return translate("FindingsPanel", "Undo: %s") % text
        if prefix == "redo":
            return translate("FindingsPanel", "Redo: %s") % text
        return text

    def _show_history(self) -> None:
        groups: list[tuple[tuple[Any, ...], list[dict[str, Any]]]] = []
        for rec in self._history.to_dict("records"):
            key = (rec.get("at"), rec.get("user_name"), rec.get("action"), _text(rec.get("details")))
            if groups and groups[-1][0] == key:
                groups[-1][1].append(rec)
            else:
                groups.append((key, [rec]))
        uuid = self._row["uuid"] if self._row is not None else None
        for (at, user, action, details), recs in groups:
            changes: list[str] = []
            photos_added: list[str] = []
            photos_removed: list[str] = []
            has_finding = False
            for rec in recs:
                old = rec.get("old") or {}
                new = rec.get("new") or {}
                if rec.get("table_name") == "finding" and rec.get("row_uuid") == uuid:
                    has_finding = True
                    if new and not old:
                        changes += self._finding_changes({}, new, created=True)
                    elif old and not new:
                        changes.append(translate("FindingsPanel", "Deleted"))
                    else:
                        changes += self._finding_changes(old, new, created=False)
                elif rec.get("table_name") == "attachment":
                    name = _text(new.get("filename") or old.get("filename"))
                    (photos_added if new and not old else photos_removed).append(name)
            if photos_added:
                changes.append(translate("FindingsPanel", "Photos +%d") % len(photos_added))
            if photos_removed:
                changes.append(translate("FindingsPanel", "Photos −%d") % len(photos_removed))
            act = _text(action)
            base = act.split(" ", 1)[1] if act.startswith(("undo ", "redo ")) else act
            item = QTreeWidgetItem(self.history, [beijing(at), _text(user),
                                                  self._action_title(act, has_finding or base != "create"),
                                                  "; ".join(changes), _text(details)])
            if photos_added or photos_removed:
                item.setToolTip(3, "\n".join(photos_added + photos_removed))
            item.setToolTip(4, _text(details))

    # --- the steps the user may take -----------------------------------------------------------------
    def _on_busy(self, busy: bool) -> None:
        self._show_actions()

    def _show_actions(self) -> None:
        allowed = (self.controller.finding_actions(str(self._row["status"]), self._row)
                   if self._row is not None else [])
        busy = bool(getattr(self.controller, "busy", False))
        for a, b in self.action_buttons.items():
            b.setVisible(a in allowed)
            b.setEnabled(a in allowed and not busy)
        editable = self.may_edit(self._row)
        self.edit_button.setVisible(editable)
        self.edit_button.setEnabled(editable and not busy)
        self.notice_button.setVisible(self._row is not None)

    def may_edit(self, row: Optional[dict[str, Any]]) -> bool:
        """Whether the current user may correct this finding (the core checks the same again)."""
        return row is not None and bool(self.controller.may(Action.EDIT_FINDING, row))

    def start_edit(self) -> Optional[FindingEditDialog]:
        """Open the correction dialog on the selected finding (non-blocking, kept as ``self.edit_dialog``)."""
        if not self.may_edit(self._row):
            return None
        assert self._row is not None
        if self.edit_dialog is not None:
            self.edit_dialog.deleteLater()
        self.edit_dialog = FindingEditDialog(self.controller, self._row, self)
        self.edit_dialog.open()
        return self.edit_dialog

    def start_action(self, action: str) -> Optional[FindingActionDialog]:
        """Open the dialog for ``action`` on the selected finding (non-blocking, kept as ``self.dialog``)."""
        row = self._row
        if row is None or action not in self.controller.finding_actions(str(row["status"]), row):
            return None
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = FindingActionDialog(self.controller, row, action, self)
        self.dialog.open()
        return self.dialog
