"""Who may do what: the one place that decides, for every door.

The UI greys out what :func:`may` refuses (the :class:`Refusal`'s message is the tooltip), the core
calls :func:`require` before it writes, the CLI goes through the core, and the sync judges each row
a working copy changed with :func:`judge_row_change`, which derives the action from the row itself
(a finding's status before -> after is a lifecycle step; a deleted row is an undo or a removal;
an audit row must name its writer).  No SQL, no Qt: targets and rows are plain mappings.

Roles (:data:`~gridwatch.domain.vocabulary.ROLE_TITLES`): a grid inspector (网格员) works in the
cells of their village; a township grid chief (网格长) assigns, starts and finishes tasks, records,
assigns and verifies findings *within their township* (a row's township is the first 9 digits of
its cell code); district supervisors do all of that anywhere and also close findings (销号) and
review sync conflicts; administrators keep the grid and the people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Mapping, Optional, Sequence

from ..errors import GridWatchError, InvalidStep, InvalidTransition, RefusedByRole
from .lifecycle import next_state
from .vocabulary import ROLES

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Actor:
    """The person doing something: their inspector-table row."""

    uuid: str
    name: str
    role: str
    #: The township a grid chief (or an inspector) belongs to: a chief's work stays inside it.
    township_code: Optional[str] = None


class Action(str, Enum):
    """Everything a person can ask GridWatch to do that not everybody may."""

    ASSIGN_TASKS = "assign_tasks"
    CREATE_FIRE_CHECKS = "create_fire_checks"
    START_TASK = "start_task"
    FINISH_TASK = "finish_task"
    CANCEL_TASK = "cancel_task"
    RECORD_FINDING = "record_finding"  # target: the task it is recorded under, or None (directly in a cell)
    ASSIGN_FINDING = "assign_finding"
    RECTIFY_FINDING = "rectify_finding"
    VERIFY_FINDING = "verify_finding"
    REJECT_FINDING = "reject_finding"
    CLOSE_FINDING = "close_finding"
    EDIT_FINDING = "edit_finding"
    ADD_PHOTOS = "add_photos"
    MANAGE_PEOPLE = "manage_people"
    SET_CELL_INSPECTOR = "set_cell_inspector"
    REVIEW_CONFLICTS = "review_conflicts"
    IMPORT_LAYER = "import_layer"  # target: {"layer": name}; a script with no person of the project may append
    REPLACE_LAYER = "replace_layer"  # target: {"layer": name}; always needs a person who may
    # issue 17: the work plans' assessment, warnings and settings (the district office's)
    EDIT_SETTINGS = "edit_settings"
    SET_VETO = "set_veto"
    DECLARE_WARNING = "declare_warning"
    DOWNGRADE_SITE = "downgrade_site"
    # a campaign's rounds after its first: made by the district office alone (one place creates them)
    CREATE_CAMPAIGN_ROUNDS = "create_campaign_rounds"


#: Lifecycle action of each step action: (kind, action).
STEP_ACTIONS: dict[Action, tuple[str, str]] = {
    Action.START_TASK: ("assignment", "start"),
    Action.FINISH_TASK: ("assignment", "finish"),
    Action.CANCEL_TASK: ("assignment", "cancel"),
    Action.ASSIGN_FINDING: ("finding", "assign"),
    Action.RECTIFY_FINDING: ("finding", "rectify"),
    Action.VERIFY_FINDING: ("finding", "verify"),
    Action.REJECT_FINDING: ("finding", "reject"),
    Action.CLOSE_FINDING: ("finding", "close"),
}
#: Actions decided by role alone: who may, and how the refusal says what.
ROLE_ACTIONS: dict[Action, tuple[tuple[str, ...], str]] = {
    Action.ASSIGN_TASKS: (("chief", "supervisor", "admin"), "assign inspections"),
    Action.CREATE_FIRE_CHECKS: (("chief", "supervisor", "admin"), "create fire-point checks"),
    Action.MANAGE_PEOPLE: (("admin",), "manage people"),
    Action.SET_CELL_INSPECTOR: (("admin",), "change who is responsible for cells"),
    Action.REVIEW_CONFLICTS: (("supervisor", "admin"), "review sync conflicts"),
    Action.EDIT_SETTINGS: (("supervisor", "admin"), "change the assessment and calendar settings"),
    Action.SET_VETO: (("supervisor", "admin"), "set or lift veto items"),
    Action.DECLARE_WARNING: (("supervisor", "admin"), "declare heavy-pollution warnings"),
    Action.DOWNGRADE_SITE: (("supervisor", "admin"), "downgrade construction sites"),
    Action.CREATE_CAMPAIGN_ROUNDS: (("supervisor", "admin"), "create the campaigns' next rounds"),
}
#: Tables of the work plans' assessment and warnings (schema 5): the district office's, and each new
#: row names who set it (column).
PLAN_TABLES: dict[str, str] = {"assessment_veto": "set_by", "pollution_warning": "declared_by"}
#: Campaigns (专项行动): started like assignments, by whoever may assign (a chief in their township).
CAMPAIGN_TABLE = "campaign"
#: Layers only an administrator may change: the grid of responsibility itself.
BOUNDARY_LAYERS = ("township", "village", "grid_cell")
#: Tables only an administrator may change: the grid and the people.
ADMIN_TABLES = frozenset(BOUNDARY_LAYERS + ("inspector",))
#: Map layers supervisors keep (imports): zones, sources, key areas, fire points.
FEATURE_LAYERS = frozenset({"coal_ban_zone", "fireworks_ban_zone", "mine", "construction_site", "fire_point",
                            "key_area"})
#: Finding fields that can be corrected after recording (the loop fields change only by steps).
EDITABLE_FINDING_FIELDS = ("category", "severity", "description", "responsible_party", "rectify_deadline")
#: What a correction of a finding may touch besides those fields.
_CORRECTION_COLUMNS = frozenset(EDITABLE_FINDING_FIELDS + ("geom", "location_note", "updated_at"))
#: What an inspector may change in a task they were assigned.
INSPECTOR_TASK_COLUMNS = frozenset({"status", "started_at", "finished_at", "updated_at", "result", "status_note"})
#: Roles that assign and verify: within their township (chief) or anywhere (supervisor, admin).
OFFICE_ROLES = ("chief", "supervisor", "admin")
#: What a chief may change in a fire point of their township: its check result and the check covering it.
CHIEF_FIRE_COLUMNS = frozenset({"status", "check_uuid"})


@dataclass(frozen=True)
class Refusal:
    """Why an action or a row change is refused: a code (its kind), an English message, the values it names."""

    code: str  # "refused_by_role" or "invalid_step" (errors.RefusedByRole / errors.InvalidStep)
    message: str
    key: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)

    def error(self) -> InvalidTransition:
        """The exception the core raises for this refusal."""
        cls = InvalidStep if self.code == InvalidStep.code else RefusedByRole
        return cls(self.message, key=self.key or None, **dict(self.params))


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _role_refusal(actor: Actor, roles: tuple[str, ...], what: str) -> Refusal:
    who = " or ".join(roles)
    return Refusal("refused_by_role", f"{actor.name} is {actor.role!s}; only {_a(who)} {who} may {what}",
                   "role.only", {"name": actor.name, "role": actor.role, "roles": roles, "what": what})


def _no_actor(action: Action) -> Refusal:
    return Refusal("refused_by_role", "choose who you are first (the current user)", "actor.missing",
                   {"action": action.value})


def _from_error(exc: GridWatchError) -> Refusal:
    return Refusal(InvalidStep.code if isinstance(exc, InvalidStep) else RefusedByRole.code, str(exc),
                   exc.key or "", dict(exc.params))


def township_of(row: Row) -> Optional[str]:
    """The township a row belongs to: its ``township_code``, else the first 9 digits of its cell code."""
    code = row.get("township_code")
    if code:
        return str(code)
    cell = row.get("cell_code")
    return str(cell)[:9] if cell else None


def _chief_township(actor: Actor, context_township: Optional[str] = None) -> Optional[str]:
    return actor.township_code or context_township


def _outside_township(actor: Actor, codes: Sequence[Optional[str]], township: Optional[str],
                      strict: bool = True) -> Optional[Refusal]:
    """A chief's refusal when any of ``codes`` (townships of the rows acted on) is not ``township``.

    ``strict``: a chief whose township is unknown is refused (the app's doors know it); the sync's
    judge is lenient there (it judges with what the working copy tells it).
    """
    if actor.role != "chief":
        return None
    if township is None:
        if not strict:
            return None
        return Refusal("refused_by_role", f"{actor.name} is a township grid chief without a township; ask an "
                       "administrator to set it", "township.missing", {"name": actor.name})
    other = next((c for c in codes if c and c != township), None)
    if other is None:
        return None
    return Refusal("refused_by_role", f"{actor.name} is the grid chief of township {township} and may not act in "
                   f"township {other}", "township.other", {"name": actor.name, "township": township, "other": other})


def _work_on_task(actor: Actor, task: Row, what: str) -> Optional[Refusal]:
    if actor.role == "inspector" and task.get("assignee_uuid") != actor.uuid:
        return Refusal("refused_by_role", f"{actor.name} may not {what}: the task is assigned to someone else; "
                       "only its assignee or a supervisor may", "task.not_assignee", {"name": actor.name})
    return None


def _finding_step_rule(actor: Actor, action: str, finding: Row) -> Optional[Refusal]:
    """What the loop asks beyond roles: whose cell, whose township, nobody checks their own rectification."""
    if actor.role == "chief":
        refusal = _outside_township(actor, [township_of(finding)], _chief_township(actor))
        if refusal is None and action in ("verify", "reject") and finding.get("rectified_by") == actor.uuid:
            return _own_rectification(actor, action)
        return refusal
    if actor.role != "inspector":
        return None
    if action == "rectify":
        owner = finding.get("cell_inspector_uuid")
        if owner != actor.uuid and finding.get("found_by") != actor.uuid:
            return Refusal("refused_by_role", f"{actor.name} may not record the rectification of a finding in "
                           "another inspector's cell", "finding.other_cell", {"name": actor.name})
    if action in ("verify", "reject") and finding.get("rectified_by") == actor.uuid:
        return _own_rectification(actor, action)
    return None


def _own_rectification(actor: Actor, action: str) -> Refusal:
    verb = "verify it" if action == "verify" else "check it"
    return Refusal("refused_by_role", f"{actor.name} recorded the rectification and may not {verb}; "
                   "a supervisor or another inspector must", "finding.own_rectification",
                   {"name": actor.name, "action": action})


def why_not(actor: Optional[Actor], action: Action | str, target: Optional[Row] = None) -> Optional[Refusal]:
    """Why ``actor`` may not take ``action`` on ``target`` (None: they may).

    ``target`` is the row acted on: a task or a finding (with ``cell_inspector_uuid``, the
    inspector of its cell, for a rectification), the task a finding is recorded under, or
    ``{"layer": name}`` for imports.  What a form must fill in (a note, a reason) is checked by
    the core when the step is taken; here only who, and from which state.
    """
    action = Action(action)
    target = target or {}
    if actor is None:
        return None if action is Action.IMPORT_LAYER else _no_actor(action)
    if actor.role not in ROLES:
        return Refusal("refused_by_role", f"unknown role {actor.role!r}; roles: {', '.join(ROLES)}", "role.unknown",
                       {"role": actor.role})
    if action in ROLE_ACTIONS:
        roles, what = ROLE_ACTIONS[action]
        if actor.role not in roles:
            return _role_refusal(actor, roles, what)
        # a chief's tasks stay in their township: target {"cell_codes": [...]} or {"township_code": code}
        codes = [str(c)[:9] for c in target.get("cell_codes", ())] + \
            ([str(target["township_code"])] if target.get("township_code") else [])
        return _outside_township(actor, codes, _chief_township(actor))
    if action in (Action.IMPORT_LAYER, Action.REPLACE_LAYER):
        layer = str(target.get("layer", ""))
        allowed = ("admin",) if layer in BOUNDARY_LAYERS else ("supervisor", "admin")
        if actor.role in allowed:
            return None
        verb = "import into" if action is Action.IMPORT_LAYER else "replace"
        return Refusal("refused_by_role", f"{actor.name} is {actor.role}; only {' or '.join(allowed)} may "
                       f"{verb} {layer}", "import.role", {"name": actor.name, "role": actor.role, "roles": allowed,
                                                         "layer": layer, "replace": action is Action.REPLACE_LAYER})
    if action in STEP_ACTIONS:
        kind, step = STEP_ACTIONS[action]
        try:
            next_state(kind, str(target.get("status")), step, actor.role)
        except GridWatchError as exc:
            return _from_error(exc)
        if kind == "assignment":
            return _work_on_task(actor, target, f"{step} this task") or \
                _outside_township(actor, [township_of(target)], _chief_township(actor))
        return _finding_step_rule(actor, step, target)
    if action is Action.RECORD_FINDING:
        if "status" not in target:  # directly in a cell ({"cell_code": ...} or nothing), not under a task
            if actor.role == "inspector":
                return Refusal("refused_by_role", f"{actor.name} is an inspector: findings are recorded under a "
                               "task in progress", "finding.needs_task", {"name": actor.name})
            return _outside_township(actor, [township_of(target)], _chief_township(actor))
        refusal = _work_on_task(actor, target, "record findings for this task") or \
            _outside_township(actor, [township_of(target)], _chief_township(actor))
        if refusal is None and target.get("status") != "in_progress":
            return Refusal("invalid_step", f"the task is {target.get('status')}; start it before recording findings",
                           "finding.task_not_started", {"status": target.get("status")})
        return refusal
    if action is Action.EDIT_FINDING:
        if target.get("status") == "closed":
            return Refusal("invalid_step", "the finding is closed; it can no longer be changed", "finding.closed")
        if actor.role == "inspector" and not (target.get("found_by") == actor.uuid and target.get("status") == "found"):
            return Refusal("refused_by_role", f"{actor.name} may only correct findings they recorded, before they "
                           "are assigned for rectification; ask a supervisor", "finding.not_finder",
                           {"name": actor.name})
        return _outside_township(actor, [township_of(target)], _chief_township(actor))
    if action is Action.ADD_PHOTOS:
        if target.get("status") == "closed":
            return Refusal("invalid_step", "the finding is closed; photos can no longer be added",
                           "finding.closed_photos")
        return None
    raise ValueError(f"no rule for action {action!r}")  # pragma: no cover - every Action has a branch


def may(actor: Optional[Actor], action: Action | str, target: Optional[Row] = None) -> bool:
    """Whether ``actor`` may take ``action`` on ``target`` (see :func:`why_not`)."""
    return why_not(actor, action, target) is None


def require(actor: Optional[Actor], action: Action | str, target: Optional[Row] = None) -> None:
    """Raise :class:`~gridwatch.errors.RefusedByRole` or :class:`~gridwatch.errors.InvalidStep` if refused."""
    refusal = why_not(actor, action, target)
    if refusal is not None:
        raise refusal.error()


# --- judging one row change (the sync's and the server's door): gridwatch.domain.row_rules ------------

_ROW_RULES = ("RowContext", "judge_row_change", "why_not_record_track", "why_not_remove_track")


def __getattr__(name: str) -> Any:
    """The row rules, offered here too (:mod:`gridwatch.domain.row_rules` imports this module)."""
    if name in _ROW_RULES:
        from . import row_rules

        return getattr(row_rules, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
