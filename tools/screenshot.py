"""Screenshot of the main window on the sample district, for README.md.

Run under a virtual screen (real X server, not offscreen), from the checkout:

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python tools/screenshot.py --out docs/screenshot.png

It opens the sample in Chinese, selects the cells of one village, identifies a cell and saves the
window as a PNG.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--lang", default="zh_CN", choices=["zh_CN", "en"])
    parser.add_argument("--size", default="1500x940")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="gridwatch-shot-")
    os.environ["GRIDWATCH_CONFIG_DIR"] = str(Path(tmp) / "config")
    os.environ["GRIDWATCH_DATA_DIR"] = str(Path(tmp) / "data")
    from PySide6.QtCore import QEventLoop, QTimer

    from gridwatch.ui.app import create_app, create_window, make_settings

    app = create_app()
    settings = make_settings()
    settings.setValue("language", args.lang)
    settings.sync()
    window = create_window()
    w, h = (int(v) for v in args.size.split("x"))
    window.resize(w, h)
    window.show()

    def wait(condition, timeout_ms: int = 30_000) -> None:
        loop = QEventLoop()
        timer = QTimer()
        timer.timeout.connect(lambda: loop.quit() if condition() else None)
        timer.start(50)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()
        timer.stop()
        if not condition():
            raise SystemExit("timed out waiting for the window")

    def rendered() -> bool:
        c = window.canvas
        return c._image is not None and not c.is_rendering and c._image_vp == c.viewport

    wait(lambda: window.data is not None)
    wait(rendered)
    cells = window.data.layers["grid_cell"].frame
    villages = window.data.layers["village"].frame
    village = villages[villages["kind"] == "village"].iloc[40]
    chosen = (cells["village_code"] == village["code"]).to_numpy().nonzero()[0]
    window.set_selection(chosen)
    window.show_identify("grid_cell", int(chosen[0]))
    window.search_panel.box.setText(village["name"][:2])
    wait(rendered)
    app.processEvents()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(args.out))
    print(f"wrote {args.out}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
