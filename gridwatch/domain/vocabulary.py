"""Every code list of GridWatch with its Chinese and English titles: the only such table.

Files store short English codes (``in_progress``, ``burning_confirmed``); the schema's CHECK lists,
the layer specs, the CLI, the UI, the exports and the sample generator all read the lists and titles
here, so a code reads the same at every door.  No SQL, no Qt.
"""

from __future__ import annotations

from typing import Any, Mapping, Union

Code = Union[str, int]
Titles = Mapping[Any, tuple[str, str]]

# --- people -----------------------------------------------------------------------------------

#: Roles as the work plans organise people: a grid inspector (网格员) patrols the cells of their village;
#: a township grid chief (网格长) assigns and verifies within the township; the district office's
#: supervisors (督查员) assign, verify and close anywhere; administrators keep the grid and the people.
ROLE_TITLES: dict[str, tuple[str, str]] = {
    "inspector": ("网格员", "Grid inspector"),
    "chief": ("网格长", "Township grid chief"),
    "supervisor": ("督查员", "District supervisor"),
    "admin": ("管理员", "Administrator"),
}

# --- tasks (assignments) ----------------------------------------------------------------------

KIND_TITLES: dict[str, tuple[str, str]] = {
    "patrol": ("巡查", "Routine patrol"),
    "unannounced": ("暗访", "Unannounced visit"),
    "fire_check": ("火点核查", "Fire-point check"),
    "construction_dust": ("工地扬尘检查", "Construction dust check"),
    "coal_ban": ("禁煤检查", "Coal-ban check"),
    "fireworks": ("烟花爆竹检查", "Fireworks check"),
    "mine": ("矿山检查", "Mine check"),
}
#: A task's states.  ``assigned`` reads 待检查 ("waiting to be inspected"): it says what happens next
#: and pairs with 检查中 / 已完成, where 已派发 ("dispatched") only repeats the office's own act.
TASK_STATUS_TITLES: dict[str, tuple[str, str]] = {
    "assigned": ("待检查", "Assigned"),
    "in_progress": ("检查中", "In progress"),
    "done": ("已完成", "Done"),
    "cancelled": ("已撤销", "Cancelled"),
}
TASK_ACTION_TITLES: dict[str, tuple[str, str]] = {
    "start": ("开始检查", "Start"),
    "finish": ("完成", "Finish"),
    "cancel": ("撤销", "Cancel task"),
}
PRIORITY_TITLES: dict[int, tuple[str, str]] = {1: ("紧急", "Urgent"), 2: ("普通", "Normal"), 3: ("低", "Low")}

# --- findings ---------------------------------------------------------------------------------

CATEGORY_TITLES: dict[str, tuple[str, str]] = {
    "scattered_coal": ("散煤", "Scattered coal"),
    "open_burning": ("秸秆/露天焚烧", "Straw or open burning"),
    "construction_dust": ("扬尘", "Construction dust"),
    "fireworks": ("烟花爆竹", "Fireworks sale or use"),
    "mine_dust": ("矿山扬尘", "Mine dust"),
    "scattered_polluter": ("散乱污", "Scattered polluting enterprise"),
    "catering_fumes": ("餐饮油烟", "Catering fumes"),
    # issue 17: the summer ozone season's VOCs (挥发性有机物) and open-air barbecue (露天烧烤)
    "vocs": ("VOCs排放", "VOCs emissions"),
    "open_air_bbq": ("露天烧烤", "Open-air barbecue"),
    "other": ("其他", "Other"),
}
FINDING_STATUS_TITLES: dict[str, tuple[str, str]] = {
    "found": ("发现", "Found"),
    "assigned": ("已交办", "Assigned for rectification"),
    "rectified": ("已整改", "Rectified"),
    "verified": ("已核查", "Verified"),
    "closed": ("已销号", "Closed"),
}
FINDING_ACTION_TITLES: dict[str, tuple[str, str]] = {
    "assign": ("交办", "Assign for rectification"),
    "rectify": ("整改", "Record rectification"),
    "verify": ("核查通过", "Verify"),
    "reject": ("驳回", "Reject"),
    "close": ("销号", "Close"),
}
SEVERITY_TITLES: dict[int, tuple[str, str]] = {1: ("一般", "Minor"), 2: ("较重", "Serious"), 3: ("严重", "Grave")}
PHOTO_ROLE_TITLES: dict[str, tuple[str, str]] = {"evidence": ("现场照片", "Evidence"), "after": ("整改后照片", "After")}

# --- fire points ------------------------------------------------------------------------------

#: What a fire-point check found; written back to every fire point of the check.
#: ``burning_confirmed`` is straw (crop residue) burning, the plans' 秸秆焚烧; ``burning_other`` the
#: burning of other combustibles (rubbish, leaves: 其他可燃物), deducted less in the assessment.
RESULT_TITLES: dict[str, tuple[str, str]] = {
    "burning_confirmed": ("确认秸秆焚烧", "Straw burning confirmed"),
    "burning_other": ("确认其他焚烧", "Other burning confirmed"),
    "no_burning": ("未发现焚烧", "No burning found"),
    "outside_cell": ("不在本网格", "Outside the cell"),
    # issue 17: a kiln, plant or steel works found on site, not open burning: never counted
    "industrial_heat": ("核查为工业热源", "Industrial heat source (checked)"),
}
#: How each check result counts (the one place every door asks): results that confirm open burning
#: (counted against the township) and results that clear the fire point (not counted).
FIRE_BURNING_RESULTS: tuple[str, ...] = ("burning_confirmed", "burning_other")
FIRE_CLEARED_RESULTS: tuple[str, ...] = ("no_burning", "outside_cell", "industrial_heat")
#: The assessment's kind of fire point (:data:`ASSESSMENT_FIRE_KIND_TITLES`) each check result gives.
FIRE_RESULT_ASSESSMENT_KIND: dict[str, str] = {
    "burning_confirmed": "straw", "burning_other": "other", "no_burning": "not_counted",
    "outside_cell": "not_counted", "industrial_heat": "industrial_heat",
}
FIRE_STATUS_TITLES: dict[str, tuple[str, str]] = {"unverified": ("未核查", "Not yet checked"), **RESULT_TITLES}
#: How a fire point is drawn and counted besides its check status: a persistent heat source
#: (kilns, plants; see :mod:`gridwatch.domain.heat_sources`) is kept out of straw-burning counts.
FIRE_KIND_TITLES: dict[str, tuple[str, str]] = {"heat_source": ("持续热源", "Persistent heat source")}
FIRE_SOURCE_TITLES: dict[str, tuple[str, str]] = {
    "MODIS": ("MODIS", "MODIS"),
    "VIIRS": ("VIIRS", "VIIRS"),
    "Fengyun": ("风云", "Fengyun"),
    "manual": ("人工上报", "Manual"),
}

# --- periods (the one period control of the map, panels, statistics and exports) ------------

PERIOD_TITLES: dict[str, tuple[str, str]] = {
    "24h": ("近24小时", "Last 24 hours"),
    "7d": ("近7天", "Last 7 days"),
    "30d": ("近30天", "Last 30 days"),
    "month": ("本月", "This month"),
    "custom": ("自定义", "Custom range"),
    "all": ("全部", "All"),
}

# --- sync conflicts --------------------------------------------------------------------------

CONFLICT_STATUS_TITLES: dict[str, tuple[str, str]] = {
    "open": ("待审核", "Open"),
    "accepted": ("已确认", "Accepted"),
    "restored": ("已恢复", "Restored"),
}

# --- map layers -------------------------------------------------------------------------------

VILLAGE_KIND_TITLES: dict[str, tuple[str, str]] = {"village": ("村", "Village"), "community": ("社区", "Community")}
CELL_LEVEL_TITLES: dict[str, tuple[str, str]] = {"grid": ("网格", "Grid cell"), "special": ("专属网格", "Special cell")}
MINE_KIND_TITLES: dict[str, tuple[str, str]] = {
    "limestone": ("石灰岩", "Limestone"),
    "sand_gravel": ("砂石", "Sand and gravel"),
    "clay": ("粘土", "Clay"),
    "granite": ("花岗岩", "Granite"),
    "dolomite": ("白云岩", "Dolomite"),
    "other": ("其他", "Other"),
}
MINE_STATUS_TITLES: dict[str, tuple[str, str]] = {
    "operating": ("生产中", "Operating"),
    "closed": ("已关闭", "Closed"),
    "rehabilitating": ("生态修复中", "Rehabilitating"),
}
DUST_GRADE_TITLES: dict[str, tuple[str, str]] = {"A": ("A级", "Grade A"), "B": ("B级", "Grade B"),
                                                 "C": ("C级", "Grade C")}
KEY_AREA_KIND_TITLES: dict[str, tuple[str, str]] = {
    "national_station": ("国控站点", "National monitoring station"),
    "provincial_station": ("省控站点", "Provincial monitoring station"),
    "city_station": ("市控站点", "City monitoring station"),
    "school": ("学校", "School"),
    "hospital": ("医院", "Hospital"),
    "residential": ("居民集中区", "Residential area"),
    # issue 17: the built-up area (城市建成区) open-pit mines must keep away from; not a 3 km dust zone
    "built_up": ("城市建成区", "Built-up area"),
    "other": ("其他", "Other"),
}

# --- assessment, warnings (issue 17) -------------------------------------------------------------

#: Veto items (一票否决): one puts the township last in every assessment period containing its date.
VETO_ITEM_TITLES: dict[str, tuple[str, str]] = {
    "falsified_data": ("监测数据造假", "Falsified monitoring data"),
    "interfered_station": ("干扰监测站点", "Interference with a monitoring station"),
    "major_incident": ("重大污染事件", "Major pollution incident"),
    "concealed_fire": ("瞒报火点", "Concealed fire points"),
    "other": ("其他", "Other"),
}
#: Heavy-pollution warning levels (重污染天气预警), mildest first.
WARNING_LEVEL_TITLES: dict[str, tuple[str, str]] = {
    "yellow": ("黄色预警", "Yellow warning"),
    "orange": ("橙色预警", "Orange warning"),
    "red": ("红色预警", "Red warning"),
}
#: Checklist items recorded with inspections (per task kind: gridwatch.domain.checklists): the plans'
#: "six 100%" of construction sites, the coal-ban patrol's, the fireworks check's.
CHECKLIST_ITEM_TITLES: dict[str, tuple[str, str]] = {
    "fencing": ("工地周边围挡", "Site fencing"),
    "covering": ("物料堆放和裸土覆盖", "Stockpiles and bare soil covered"),
    "vehicle_washing": ("出入车辆清洗", "Vehicles washed at the exit"),
    "hardened_roads": ("施工现场路面硬化", "Site roads hardened"),
    "wet_work": ("拆迁工地湿法作业", "Wet work on demolition"),
    "sealed_transport": ("渣土车辆密闭运输", "Muck trucks sealed"),
    "coal_sold": ("无散煤销售", "No scattered coal sold"),
    "coal_burnt": ("无散煤燃用", "No scattered coal burnt"),
    "stoves": ("无燃煤炉具", "No coal stoves"),
    "sales_points": ("无非法烟花爆竹销售点", "No illegal fireworks sales points"),
    "fireworks_set_off": ("无燃放烟花爆竹", "No fireworks set off"),
}
#: Campaign templates (专项行动; gridwatch.domain.campaigns).
CAMPAIGN_TITLES: dict[str, tuple[str, str]] = {
    "winter_coal_ban": ("冬防期禁煤专项行动", "Winter coal-ban campaign"),
    "fireworks_ban": ("春节烟花爆竹禁放专项行动", "Spring Festival fireworks-ban campaign"),
    "spring_dust": ("春季扬尘治理专项行动", "Spring dust campaign"),
    "straw_burning": ("秋季秸秆禁烧专项行动", "Autumn straw-burning campaign"),
}
#: How a fire point counts in the assessment (gridwatch.analysis.assessment.fire_kinds).
ASSESSMENT_FIRE_KIND_TITLES: dict[str, tuple[str, str]] = {
    "straw": ("秸秆焚烧", "Straw burning"),
    "other": ("其他焚烧", "Other burning"),
    "unverified": ("未核查", "Unverified"),
    "industrial_heat": ("工业热源", "Industrial heat source"),
    "not_counted": ("不计入", "Not counted"),
}
#: The monthly reporting deadlines (gridwatch.domain.calendar.report_deadlines).
DEADLINE_TITLES: dict[str, tuple[str, str]] = {
    "township_report": ("乡镇报送截止", "Townships report by"),
    "bulletin": ("月通报截止", "Bulletin by"),
}
#: Assessment periods (月通报、季评比、年考核).
ASSESSMENT_PERIOD_TITLES: dict[str, tuple[str, str]] = {
    "month": ("月通报", "Monthly bulletin"),
    "quarter": ("季评比", "Quarterly comparison"),
    "year": ("年考核", "Yearly assessment"),
}
# --- patrol tracks ---------------------------------------------------------------------------

#: Where a patrol track's points came from: recorded by GridWatch from a GPS receiver, or imported.
TRACK_SOURCE_TITLES: dict[str, tuple[str, str]] = {
    "gps": ("GPS记录", "Recorded by GPS"),
    "gpx": ("GPX导入", "Imported GPX"),
    "kml": ("KML导入", "Imported KML/KMZ"),
}
#: What counts as a patrol: reported inspections, patrol tracks, or both (either one counts).
COVERAGE_BASIS_TITLES: dict[str, tuple[str, str]] = {
    "reported": ("上报检查", "Reported inspections"),
    "tracks": ("巡查轨迹", "Patrol tracks"),
    "both": ("检查或轨迹", "Inspections or tracks"),
}

#: Every code list by name (the one-title-per-code test walks this).
CODE_LISTS: dict[str, Titles] = {
    "role": ROLE_TITLES,
    "task_kind": KIND_TITLES,
    "task_status": TASK_STATUS_TITLES,
    "task_action": TASK_ACTION_TITLES,
    "priority": PRIORITY_TITLES,
    "finding_category": CATEGORY_TITLES,
    "finding_status": FINDING_STATUS_TITLES,
    "finding_action": FINDING_ACTION_TITLES,
    "severity": SEVERITY_TITLES,
    "photo_role": PHOTO_ROLE_TITLES,
    "fire_check_result": RESULT_TITLES,
    "fire_status": FIRE_STATUS_TITLES,
    "fire_source": FIRE_SOURCE_TITLES,
    "fire_kind": FIRE_KIND_TITLES,
    "village_kind": VILLAGE_KIND_TITLES,
    "cell_level": CELL_LEVEL_TITLES,
    "mine_kind": MINE_KIND_TITLES,
    "mine_status": MINE_STATUS_TITLES,
    "dust_grade": DUST_GRADE_TITLES,
    "key_area_kind": KEY_AREA_KIND_TITLES,
    "conflict_status": CONFLICT_STATUS_TITLES,
    "period": PERIOD_TITLES,
    "veto_item": VETO_ITEM_TITLES,
    "warning_level": WARNING_LEVEL_TITLES,
    "assessment_period": ASSESSMENT_PERIOD_TITLES,
    "assessment_fire_kind": ASSESSMENT_FIRE_KIND_TITLES,
    "deadline": DEADLINE_TITLES,
    "checklist_item": CHECKLIST_ITEM_TITLES,
    "campaign": CAMPAIGN_TITLES,
    "track_source": TRACK_SOURCE_TITLES,
    "coverage_basis": COVERAGE_BASIS_TITLES,
}

# The code lists as tuples, in display order (schema CHECK lists, layer specs, argparse choices).
ROLES: tuple[str, ...] = tuple(ROLE_TITLES)
ASSIGNMENT_KINDS: tuple[str, ...] = tuple(KIND_TITLES)
ASSIGNMENT_STATUSES: tuple[str, ...] = tuple(TASK_STATUS_TITLES)
FINDING_CATEGORIES: tuple[str, ...] = tuple(CATEGORY_TITLES)
FINDING_STATUSES: tuple[str, ...] = tuple(FINDING_STATUS_TITLES)
FIRE_CHECK_RESULTS: tuple[str, ...] = tuple(RESULT_TITLES)
FIRE_STATUSES: tuple[str, ...] = tuple(FIRE_STATUS_TITLES)
FIRE_SOURCES: tuple[str, ...] = tuple(FIRE_SOURCE_TITLES)
VILLAGE_KINDS: tuple[str, ...] = tuple(VILLAGE_KIND_TITLES)
CELL_LEVELS: tuple[str, ...] = tuple(CELL_LEVEL_TITLES)
MINE_KINDS: tuple[str, ...] = tuple(MINE_KIND_TITLES)
MINE_STATUSES: tuple[str, ...] = tuple(MINE_STATUS_TITLES)
DUST_GRADES: tuple[str, ...] = tuple(DUST_GRADE_TITLES)
KEY_AREA_KINDS: tuple[str, ...] = tuple(KEY_AREA_KIND_TITLES)
PHOTO_ROLES: tuple[str, ...] = tuple(PHOTO_ROLE_TITLES)
CONFLICT_STATUSES: tuple[str, ...] = tuple(CONFLICT_STATUS_TITLES)
VETO_ITEMS: tuple[str, ...] = tuple(VETO_ITEM_TITLES)
CHECKLIST_ITEMS: tuple[str, ...] = tuple(CHECKLIST_ITEM_TITLES)
CAMPAIGNS: tuple[str, ...] = tuple(CAMPAIGN_TITLES)
WARNING_LEVELS: tuple[str, ...] = tuple(WARNING_LEVEL_TITLES)
TRACK_SOURCES: tuple[str, ...] = tuple(TRACK_SOURCE_TITLES)
COVERAGE_BASES: tuple[str, ...] = tuple(COVERAGE_BASIS_TITLES)


def _layer_values() -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for table in (VILLAGE_KIND_TITLES, CELL_LEVEL_TITLES, MINE_KIND_TITLES, MINE_STATUS_TITLES, DUST_GRADE_TITLES,
                  FIRE_SOURCE_TITLES, FIRE_STATUS_TITLES, FIRE_KIND_TITLES, KEY_AREA_KIND_TITLES, ROLE_TITLES):
        for code, pair in table.items():
            if out.setdefault(code, pair) != pair:
                raise AssertionError(f"layer value {code!r} has two titles")  # kept one per code by construction
    return out


#: Coded values of map-layer fields (code -> titles), for legends, popups and the attribute table:
#: a layer field's code means the same in every layer that uses it.
CHOICE_TITLES: dict[str, tuple[str, str]] = _layer_values()


def title(table: Titles, code: object, language: str = "zh_CN") -> str:
    """The title of ``code`` in ``table`` for ``language`` (the code itself if unknown)."""
    pair = table.get(code)  # type: ignore[call-overload]
    if pair is None:
        return "" if code is None else str(code)
    return str(pair[0] if language.startswith("zh") else pair[1])


def choice_title(value: str, language: str = "zh") -> str:
    """Title of a map layer's coded value; unknown codes are shown as they are."""
    return title(CHOICE_TITLES, value, language)
