"""What people write in the sample's findings, rectifications and refusals (Chinese, as in the field)."""

from __future__ import annotations

import datetime as _dt

import numpy as np

FINDING_TEXTS: dict[str, tuple[str, ...]] = {
    "scattered_coal": ("农户院内堆放散煤约1吨，未清运", "发现散煤复烧，烟囱冒烟", "小卖部仍在销售散煤",
                       "村委会锅炉房燃用散煤"),
    "open_burning": ("田间焚烧玉米秸秆，过火面积约2亩", "地头堆放秸秆有焚烧痕迹", "露天焚烧垃圾、树叶",
                     "沟渠内焚烧杂草"),
    "construction_dust": ("裸土未覆盖，渣土车未密闭", "工地出入口未冲洗车辆，道路遗撒", "土方作业未湿法施工",
                          "围挡破损，扬尘明显"),
    "fireworks": ("商店违规销售烟花爆竹",),
    "mine_dust": ("矿区道路未洒水，扬尘较大", "破碎设备未封闭", "堆场未苫盖"),
    "scattered_polluter": ("无手续小作坊喷漆作业，无治理设施", "小型铸造作业冒黑烟", "塑料颗粒加工异味明显"),
    "catering_fumes": ("饭店油烟净化器未开启", "露天烧烤", "油烟直排"),
    "other": ("垃圾随意堆放", "道路积尘严重", "车辆冒黑烟"),
}
RESPONSIBLE: dict[str, tuple[str, ...]] = {
    "scattered_coal": ("村民委员会", "农户", "个体商户"),
    "open_burning": ("村民委员会", "承包农户"),
    "construction_dust": ("施工单位", "建设单位项目部"),
    "fireworks": ("个体商户",),
    "mine_dust": ("矿山企业",),
    "scattered_polluter": ("作坊经营者", "村民委员会"),
    "catering_fumes": ("餐饮店经营者",),
    "other": ("村民委员会", "社区居委会", "环卫所"),
}
VERIFY_NOTES = ("现场核查，已整改到位", "复查属实，问题已解决", "已整改，照片与现场一致")
REJECT_REASONS = ("现场复查仍有裸土未覆盖", "整改照片与现场不符", "散煤仍未清运", "问题反弹，需再次整改")
CANCEL_REASONS = ("重复派发", "企业已停产", "网格调整，改派他人")


def patrol_category(rng: np.random.Generator, when: _dt.datetime) -> str:
    """What a routine patrol finds: straw burning in the harvest season, scattered coal once heating starts."""
    heating = (when.month, when.day) >= (11, 10) or when.month < 3
    cats = ["open_burning", "scattered_coal", "scattered_polluter", "catering_fumes", "construction_dust", "other"]
    p = [0.08, 0.45, 0.15, 0.12, 0.1, 0.1] if heating else [0.35, 0.05, 0.2, 0.15, 0.15, 0.1]
    return str(rng.choice(cats, p=p))
