"""Shared benchmark machinery: subprocess runs, interleaved repeats, medians, RESULTS.md."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Config:
    """Where and at what size the benchmarks run (``python -m benchmarks --scale/--data/--results``).

    ``scale="stress"`` is the measurement; ``scale="tiny"`` is the same code on a district a few
    hundred times smaller, so the test suite runs every benchmark (a smoke test, no timing) and a
    benchmark that no longer runs fails a test instead of rotting until someone measures.
    """

    scale: str = "stress"
    data: Path = ROOT / "benchmarks" / "data"
    results: Path = ROOT / "benchmarks" / "RESULTS.md"

    @property
    def district(self) -> Path:
        """The generated district every benchmark works on."""
        return self.data / f"{self.scale}.gpkg"

    @property
    def tiny(self) -> bool:
        return self.scale == "tiny"

    def size(self, stress: int, tiny: int) -> int:
        """A workload size: ``stress`` for the measurement, ``tiny`` for the smoke test."""
        return tiny if self.tiny else stress


CONFIG = Config()


def run_snippet(code: str, timeout: int = 1800) -> dict:
    """Run ``code`` in a fresh interpreter; it must print one JSON line last.

    A fresh process per measurement keeps caches and peak-memory readings independent.
    """
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                         cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": "0"})
    if res.returncode != 0:
        raise RuntimeError(f"benchmark snippet failed:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


PEAK_RSS = (
    "import resource\n"
    "def peak_mb():\n"
    "    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0\n"
)


@dataclass
class Comparison:
    """Interleaved repeats of a GridWatch operation and its baseline."""

    title: str
    ours: list[dict] = field(default_factory=list)
    baseline: list[dict] = field(default_factory=list)

    def median(self, which: str, key: str) -> float:
        return statistics.median(r[key] for r in getattr(self, which))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import pyogrio

    return (f"{cpu}, {os.cpu_count()} cores, {mem_gb:.0f} GiB RAM, Linux {platform.release()}, "
            f"Python {platform.python_version()}, GDAL {pyogrio.__gdal_version_string__}")


def append_results(section: str) -> None:
    RESULTS = CONFIG.results
    header = "# Benchmark results\n\nAppended by `bash scripts/bench.sh`; newest last.\n"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else header
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    text += f"\n## {stamp}\n\nMachine: {machine()}\n\n{section.strip()}\n"
    tmp = RESULTS.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, RESULTS)
