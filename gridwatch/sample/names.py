"""Plausible Chinese place and person names for the synthetic parts of the sample district.

Township names and codes are real (from the National Bureau of Statistics 2023 division codes);
villages, people, mines and sites are invented from common name parts.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from ..domain.vocabulary import MINE_KIND_TITLES, title

SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")  # noqa: E501
GIVEN = list("建国志强文华明伟秀英玉兰桂芳海涛春梅立新振东红霞永胜丽娟晓军德福瑞平宏亮金凤淑珍俊杰")
DIRECTIONS = ["东", "西", "南", "北", "上", "下", "前", "后", "大", "小", "中", "新"]
VILLAGE_SUFFIX_PLAIN = ["家庄", "庄", "村", "营", "屯", "店", "堡", "寨", "铺", "旺"]
VILLAGE_SUFFIX_HILL = ["峪", "沟", "岭", "坡", "台", "洼", "口", "寨"]
VILLAGE_CORE = list("石柳杨槐桃杏梨枣泉河井桥塔寺庙关城水龙凤马牛") + ["白鹿", "青龙", "黄土", "红石", "双庙", "高庄"]
COMMUNITY_CORE = ["向阳", "朝阳", "新华", "和平", "建设", "幸福", "东风", "人民", "振兴", "光明", "育才", "锦绣",
                  "阳光", "滨河", "文化", "铁路", "胜利", "康乐", "鹿城", "古城", "长安", "富强", "民主", "团结",
                  "紫薇", "翠竹", "金河", "银河", "迎宾", "健康"]
SITE_KINDS = ["安置房项目", "住宅小区项目", "道路改造工程", "污水管网工程", "学校建设项目", "医院扩建工程",
              "厂房建设项目", "物流园项目", "商业综合体项目", "公园建设工程", "桥梁工程", "供热管网工程"]
COMPANY_WORDS = ["鑫达", "恒泰", "华宇", "宏远", "金鼎", "中诚", "盛世", "永安", "瑞丰", "冀中", "泰和", "博远",
                 "嘉禾", "顺通", "天成", "广厦"]


def mine_word(kind: str) -> str:
    """What a mine of ``kind`` is called after its place: the vocabulary's title + 矿 (采石场 for others)."""
    return "采石场" if kind == "other" else title(MINE_KIND_TITLES, kind) + "矿"


def person_name(rng: np.random.Generator) -> str:
    n_given = 1 if rng.random() < 0.3 else 2
    return str(rng.choice(SURNAMES)) + "".join(str(c) for c in rng.choice(GIVEN, size=n_given))


def village_name(rng: np.random.Generator, hilly: bool, taken: set[str]) -> str:
    """A village name (…村) not in ``taken``; adds it to ``taken``."""
    for attempt in range(200):
        core = str(rng.choice(SURNAMES if rng.random() < 0.55 else VILLAGE_CORE))
        suffix = str(rng.choice(VILLAGE_SUFFIX_HILL if hilly and rng.random() < 0.6 else VILLAGE_SUFFIX_PLAIN))
        prefix = str(rng.choice(DIRECTIONS)) if rng.random() < 0.4 or attempt > 20 else ""
        name = prefix + core + suffix
        if not name.endswith("村"):
            name += "村"
        if attempt > 100:
            name = name[:-1] + str(rng.choice(DIRECTIONS)) + "村"
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("ran out of village names")


def community_name(rng: np.random.Generator, taken: set[str]) -> str:
    for attempt in range(200):
        core = str(rng.choice(COMMUNITY_CORE))
        if attempt > 30:
            core = str(rng.choice(DIRECTIONS)) + core
        if attempt > 100:
            core += str(rng.choice(list("一二三四五六七八九")))
        name = core + "社区"
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("ran out of community names")


def company_name(rng: np.random.Generator, county_short: str, trade: str) -> str:
    return f"{county_short}{rng.choice(COMPANY_WORDS)}{trade}有限公司"


def load_townships(csv_path: Path) -> list[tuple[str, str]]:
    """Real ``(code, name)`` township rows from a CSV with ``code,name`` columns (``#`` comments)."""
    with open(csv_path, encoding="utf-8", newline="") as fh:
        lines = [ln for ln in fh if not ln.startswith("#")]
    rows = [(r["code"], r["name"]) for r in csv.DictReader(lines)]
    if not rows:
        raise ValueError(f"{csv_path}: no township rows")
    return sorted(rows)
