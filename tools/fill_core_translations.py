"""Fill the Chinese translations of core titles (contexts Layers, Fields, Groups, Values) in the
.ts file from the core specs, where the Chinese titles are kept.  UI strings are translated in
the .ts itself (Qt Linguist) and left alone.  Part of tools/i18n.sh.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from gen_ui_strings import entries  # noqa: E402

TS = ROOT / "resources" / "translations" / "gridwatch_zh_CN.ts"


def main() -> None:
    table = entries()
    tree = ET.parse(TS)
    filled = 0
    for ctx in tree.getroot().findall("context"):
        name = ctx.findtext("name")
        if name not in table:
            continue
        for msg in ctx.findall("message"):
            src = msg.findtext("source")
            tr = msg.find("translation")
            if src in table[name] and tr is not None:
                tr.text = table[name][src]
                tr.attrib.pop("type", None)
                filled += 1
    ET.indent(tree, space="    ")
    tree.write(TS, encoding="utf-8", xml_declaration=True)
    print(f"{TS}: {filled} core titles filled")


if __name__ == "__main__":
    main()
