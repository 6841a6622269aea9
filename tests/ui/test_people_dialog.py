"""People, the cells' inspectors and correcting a finding, through the real dialogs on a copy of the
sample district.  Edits run on the controller's worker thread: results are awaited with
``qtbot.waitSignal(controller.changed)``."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialog

from gridwatch.storage import Project, queries
from gridwatch.storage.workflow import Actor, change_assignment, create_assignments, record_finding
from gridwatch.ui import i18n
from gridwatch.ui.data.people import CellInspectorDialog, PeopleDialog, PersonForm
from gridwatch.ui.findings.panel import FindingEditDialog, FindingsPanel, reads_pending
from gridwatch.ui.session import WorkflowController

from .test_main_window import window  # noqa: F401 - fixture

WAIT = 20_000  # ms


def people(path):
    return Project.open(path).read_table("inspector")


def actor(path, role, n=0) -> Actor:
    who = people(path)
    row = who[who["role"] == role].sort_values("name").iloc[n]
    return Actor(str(row["uuid"]), str(row["name"]), role)


def townships(path) -> list[tuple[str, str]]:
    tw = Project.open(path).read_layer("township").sort_values("code")
    return list(zip(tw["code"].astype(str), tw["name"].astype(str)))



@pytest.fixture
def sample_copy(bare_copy):
    """The sample district without its two months of work: these tests count what they make."""
    return bare_copy

@pytest.fixture
def controller_for(qtbot, tmp_path, sample_copy, qapp):
    """``controller_for(role_or_actor)``: a WorkflowController on the copy with that person as the user."""
    i18n.install("en")
    made = []

    def make(who) -> WorkflowController:
        person = actor(sample_copy, who) if isinstance(who, str) else who
        settings = QSettings(str(tmp_path / f"s{len(made)}.ini"), QSettings.Format.IniFormat)
        settings.setValue("user", person.name)
        c = WorkflowController(settings)
        c.set_project(sample_copy)
        assert c.actor is not None and c.actor.uuid == person.uuid
        made.append(c)
        return c

    yield make
    for c in made:  # let a last edit finish before the project file is removed
        qtbot.waitUntil(lambda c=c: not c.busy, timeout=WAIT)


def table_column(dialog: PeopleDialog, c: int) -> list[str]:
    return [dialog.table.item(r, c).text() for r in range(dialog.table.rowCount())]


def open_people(qtbot, controller, path) -> PeopleDialog:
    dialog = PeopleDialog(controller, townships(path))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def add_through_form(qtbot, controller, dialog: PeopleDialog, name: str, role="inspector", township=1,
                     wait_changed=True) -> PersonForm:
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    form = dialog.form
    assert isinstance(form, PersonForm) and form.objectName() == "personForm" and form.isVisible()
    form.findChild(type(form.name), "personName").setText(name)
    form.role.setCurrentIndex(form.role.findData(role))
    form.phone.setText("13800000000")
    form.township.setCurrentIndex(township)
    assert form.active.isChecked()
    if wait_changed:
        with qtbot.waitSignal(controller.changed, timeout=WAIT):
            qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    else:
        with qtbot.waitSignal(controller.failed, timeout=WAIT):
            qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    return form


def test_an_administrator_adds_a_person_and_a_duplicate_name_is_refused_inline(qtbot, controller_for, sample_copy):
    controller = controller_for("admin")
    dialog = open_people(qtbot, controller, sample_copy)
    assert dialog.objectName() == "peopleDialog" and dialog.windowTitle() == "People"
    n = dialog.table.rowCount()
    assert n == len(people(sample_copy))
    assert not dialog.hint.isVisibleTo(dialog)
    assert dialog.add_button.isEnabled() and not dialog.edit_button.isEnabled()  # nothing selected yet
    assert "Administrator" in table_column(dialog, 1) and table_column(dialog, 4).count("No") == 1  # one retired

    form = add_through_form(qtbot, controller, dialog, "新网格员")
    assert form.result() == QDialog.DialogCode.Accepted and not form.isVisible()
    assert dialog.table.rowCount() == n + 1 and "新网格员" in table_column(dialog, 0)
    assert dialog.selected_person()["name"] == "新网格员"  # the new person is selected
    row = table_column(dialog, 0).index("新网格员")
    tw_name = townships(sample_copy)[0][1]
    assert [dialog.table.item(row, c).text() for c in range(6)] == ["新网格员", "Grid inspector", "13800000000",
                                                                     tw_name, "Yes", "0"]
    stored = people(sample_copy)
    assert (stored["name"] == "新网格员").sum() == 1
    assert "新网格员" in set(controller.people["name"])  # the controller re-read its people
    assert controller.undo_stack.count() == 1  # ... and kept the undo stack

    # the same name again: refused, the message shown in the dialog, the form stays open
    form = add_through_form(qtbot, controller, dialog, "新网格员", wait_changed=False)
    assert dialog.error.isVisibleTo(dialog) and "新网格员" in dialog.error.text()
    assert dialog.findChild(type(dialog.error), "peopleError") is dialog.error
    assert form.isVisible() and form.error.isVisibleTo(form) and form.ok_button.isEnabled()
    form.name.setText("新网格员（二）")
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    assert not form.isVisible() and dialog.table.rowCount() == n + 2

    # change the selected person's phone through the same form
    dialog.select_person(dialog.selected_uuid())
    form = dialog.edit_selected()
    assert form.name.text() == "新网格员（二）" and form.township.currentIndex() == 1
    form.phone.setText("13900000000")
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    assert "13900000000" in table_column(dialog, 2)

    # deactivate: kept in the list, marked inactive; undo brings them back
    assert dialog.deactivate_button.isEnabled()
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        qtbot.mouseClick(dialog.deactivate_button, Qt.MouseButton.LeftButton)
    person = dialog.selected_person()
    assert person["name"] == "新网格员（二）" and person["active"] == 0
    assert not dialog.deactivate_button.isEnabled() and table_column(dialog, 4).count("No") == 2
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        controller.undo_stack.undo()
    assert table_column(dialog, 4).count("No") == 1  # the sample's retired inspector only

    # an inspector with cells cannot be deactivated: the core's refusal shows inline
    busy = controller.people.sort_values("cell_count").iloc[-1]
    assert dialog.select_person(str(busy["uuid"]))
    with qtbot.waitSignal(controller.failed, timeout=WAIT):
        qtbot.mouseClick(dialog.deactivate_button, Qt.MouseButton.LeftButton)
    assert dialog.error.isVisibleTo(dialog) and "cells" in dialog.error.text()


def test_a_supervisor_sees_people_read_only(qtbot, controller_for, sample_copy):
    controller = controller_for("supervisor")
    dialog = open_people(qtbot, controller, sample_copy)
    assert dialog.table.rowCount() == len(people(sample_copy))
    dialog.table.selectRow(0)
    assert dialog.selected_uuid() is not None
    for button in ("peopleAdd", "peopleEdit", "peopleDeactivate"):
        assert not dialog.findChild(type(dialog.add_button), button).isEnabled(), button
    hint = dialog.findChild(type(dialog.hint), "peopleHint")
    assert hint.isVisibleTo(dialog) and hint.text() == "Only an administrator may change people"
    assert dialog.add_person() is None and dialog.edit_selected() is None


def test_cells_are_given_to_a_new_inspector_and_undone(qtbot, controller_for, sample_copy):
    controller = controller_for("admin")
    dialog = open_people(qtbot, controller, sample_copy)
    add_through_form(qtbot, controller, dialog, "新网格员")
    new_uuid = dialog.selected_uuid()
    cells = Project.open(sample_copy).read_layer("grid_cell")
    codes = cells["code"].astype(str).iloc[:2].tolist()
    before = dict(zip(cells["code"], cells["inspector_uuid"]))

    give = CellInspectorDialog(controller, codes)
    qtbot.addWidget(give)
    give.show()
    assert give.objectName() == "cellInspectorDialog" and give.label.text() == "Give 2 cell(s) to:"
    combo = give.findChild(type(give.combo), "cellInspectorCombo")
    names = [combo.itemText(i) for i in range(combo.count())]
    assert "新网格员 (0 cell(s))" in names
    assert len(names) == ((controller.people["role"] == "inspector") & (controller.people["active"] != 0)).sum()
    combo.setCurrentIndex(combo.findData(new_uuid))
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        qtbot.mouseClick(give.ok_button, Qt.MouseButton.LeftButton)
    assert give.result() == QDialog.DialogCode.Accepted
    after = Project.open(sample_copy).read_layer("grid_cell")
    assert after.set_index("code").loc[codes, "inspector_uuid"].tolist() == [new_uuid] * 2
    # the people (and the open People dialog) count the cells again
    assert int(controller.people.set_index("uuid").loc[new_uuid, "cell_count"]) == 2
    assert dialog.selected_person()["cell_count"] == 2

    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        controller.undo_stack.undo()
    restored = Project.open(sample_copy).read_layer("grid_cell")
    assert restored.set_index("code").loc[codes, "inspector_uuid"].tolist() == [before[c] for c in codes]
    assert int(controller.people.set_index("uuid").loc[new_uuid, "cell_count"]) == 0

    # a supervisor may not
    sup = CellInspectorDialog(controller_for("supervisor"), codes)
    qtbot.addWidget(sup)
    assert not sup.ok_button.isEnabled() and sup.error.text()


@pytest.fixture
def recorded(sample_copy):
    """A supervisor assigns a coal-ban check; the cell's inspector starts it and records a finding."""

    sup = actor(sample_copy, "supervisor")
    cells = Project.open(sample_copy).read_layer("grid_cell")
    cell = cells[cells["inspector_uuid"].notna()].iloc[0]
    who = people(sample_copy)
    ins_row = who[who["uuid"] == cell["inspector_uuid"]].iloc[0]
    ins = Actor(str(ins_row["uuid"]), str(ins_row["name"]), "inspector")
    task = create_assignments(sample_copy, sup, [cell["code"]], "coal_ban").created("assignment")[0]
    change_assignment(sample_copy, ins, task, "start")
    p = cell.geometry.representative_point()
    edit = record_finding(sample_copy, ins, assignment_uuid=task, category="scattered_coal", severity=2,
                          description="散煤销售", longitude=p.x, latitude=p.y, responsible_party="张三小卖部")
    return ins, edit.created("finding")[0]


def test_the_finder_corrects_the_description_and_others_may_not(qtbot, controller_for, sample_copy, recorded):
    ins, fid = recorded
    controller = controller_for(ins)
    panel = FindingsPanel(controller)
    qtbot.addWidget(panel)
    panel.resize(1100, 800)
    panel.show()
    assert panel.select_finding(fid)
    edit_button = panel.findChild(type(panel.edit_button), "findingEdit")
    assert edit_button.isVisibleTo(panel) and edit_button.isEnabled() and edit_button.text() == "Edit…"

    qtbot.mouseClick(edit_button, Qt.MouseButton.LeftButton)
    dialog = panel.findChild(FindingEditDialog, "findingEditDialog")
    assert dialog is not None and dialog.isVisible()
    assert dialog.category.currentData() == "scattered_coal" and dialog.severity.currentData() == 2
    assert dialog.description.toPlainText() == "散煤销售" and dialog.party.text() == "张三小卖部"
    assert not dialog.deadline_enabled.isChecked() and not dialog.ok_button.isEnabled()  # nothing changed yet
    dialog.description.setPlainText("村东头小卖部散煤销售")
    assert dialog.changes() == {"description": "村东头小卖部散煤销售"}  # only what changed is sent
    with qtbot.waitSignal(controller.changed, timeout=WAIT) as saved:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert saved.args[0].action == "edit"
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    row = queries.findings(sample_copy).set_index("uuid").loc[fid]
    assert row["description"] == "村东头小卖部散煤销售" and row["severity"] == 2
    qtbot.waitUntil(lambda: not reads_pending(), timeout=WAIT)  # the panel reads the edit on a worker
    assert panel.selected_finding()["description"] == "村东头小卖部散煤销售"

    # another inspector: no Edit button
    other = people(sample_copy)
    other = other[(other["role"] == "inspector") & (other["uuid"] != ins.uuid)].iloc[0]
    controller2 = controller_for(Actor(str(other["uuid"]), str(other["name"]), "inspector"))
    panel2 = FindingsPanel(controller2)
    qtbot.addWidget(panel2)
    panel2.show()
    assert panel2.select_finding(fid)
    assert not (panel2.edit_button.isVisibleTo(panel2) and panel2.edit_button.isEnabled())
    assert panel2.start_edit() is None

    # a supervisor may correct it (here: set a deadline)
    controller3 = controller_for("supervisor")
    panel3 = FindingsPanel(controller3)
    qtbot.addWidget(panel3)
    panel3.show()
    assert panel3.select_finding(fid) and panel3.edit_button.isVisibleTo(panel3)
    dialog3 = panel3.start_edit()
    dialog3.deadline_enabled.setChecked(True)
    assert set(dialog3.changes()) == {"rectify_deadline"}
    with qtbot.waitSignal(controller3.changed, timeout=WAIT):
        qtbot.mouseClick(dialog3.ok_button, Qt.MouseButton.LeftButton)
    assert queries.findings(sample_copy).set_index("uuid").loc[fid, "rectify_deadline"] == \
        dialog3.deadline.date().toPython().isoformat()


def test_the_main_window_gives_selected_cells_and_opens_people(qtbot, window):  # noqa: F811
    import numpy as np

    w = window
    path = w.project_path
    w.set_selection(np.array([3, 4]))
    assert not w.act_cell_inspector.isEnabled()  # nobody chosen yet
    w.workflow.set_user(actor(path, "supervisor").name)
    assert not w.act_cell_inspector.isEnabled()  # supervisors do not change the grid
    w.workflow.set_user(actor(path, "admin").name)
    assert w.act_cell_inspector.isEnabled() and w.act_people.isEnabled()
    assert w.act_cell_inspector in w.menu_work.actions() and w.act_people in w.menu_settings.actions()
    cells = w.data.layers["grid_cell"].frame
    codes = w.selected_codes()
    target = next(u for u in w.workflow.people[w.workflow.people["role"] == "inspector"]["uuid"]
                  if u not in set(cells["inspector_uuid"].iloc[[3, 4]]))
    w.show_identify("grid_cell", 3)

    w.act_cell_inspector.trigger()
    give = w._cell_inspector_dialog
    assert give.isVisible() and give.cell_codes == codes
    give.combo.setCurrentIndex(give.combo.findData(target))
    with qtbot.waitSignal(w.workflow.changed, timeout=WAIT):
        qtbot.mouseClick(give.ok_button, Qt.MouseButton.LeftButton)
    assert cells["inspector_uuid"].iloc[[3, 4]].tolist() == [target, target]  # the map's frame follows
    name = w.workflow.people.set_index("uuid").loc[target, "name"]
    shown = w.identify_panel.table
    assert name in [shown.topLevelItem(i).text(1) for i in range(shown.topLevelItemCount())]  # identify too
    with qtbot.waitSignal(w.workflow.changed, timeout=WAIT):
        w.workflow.undo_stack.undo()
    assert target not in cells["inspector_uuid"].iloc[[3, 4]].tolist()

    w.act_people.trigger()
    dialog = w._people_dialog
    assert dialog.isVisible() and dialog.table.rowCount() == len(w.workflow.people)
    assert dialog.add_button.isEnabled()
    form = add_through_form(qtbot, w.workflow, dialog, "新网格员")
    assert not form.isVisible()
    assert "新网格员" in set(w.inspectors["name"])  # identify names the new person
    dialog.reject()
