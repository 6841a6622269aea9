"""Thin lines rasterised with numpy (gridwatch.mapview.lines): the broadcast path for short segments sets
exactly the pixels of the generic path, whatever the polylines."""

from __future__ import annotations

import numpy as np
import pytest

from gridwatch.mapview import lines as L

W, H = 320, 200


def _polylines(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random polylines: mostly short segments (0-16 px) inside the view, some crossing its edges or far
    outside, repeated vertices (zero-length segments), runs of one vertex and of none."""
    rng = np.random.default_rng(seed)
    runs = rng.integers(0, 12, 400)
    runs[::17] = 1
    runs[5::23] = 0
    n = int(runs.sum())
    x, y = np.empty(n), np.empty(n)
    pos = 0
    for length in runs.tolist():
        if not length:
            continue
        start = rng.uniform([-30.0, -30.0], [W + 30.0, H + 30.0])
        if rng.random() < 0.03:
            start = rng.uniform([-5000.0, -5000.0], [5000.0, 5000.0])
        steps = rng.normal(0.0, 4.0, (length, 2))
        steps[0] = 0.0
        steps[rng.random(length) < 0.1] = 0.0  # a vertex repeated
        steps[rng.random(length) < 0.05] *= 12.0  # a longer segment now and then
        xy = start + np.cumsum(steps, axis=0)
        x[pos:pos + length], y[pos:pos + length] = xy[:, 0], xy[:, 1]
        pos += length
    # Some coordinates on whole and half pixels (where rounding is decided), and on the view's edges.
    x[::29] = np.round(x[::29] * 2) / 2
    y[::31] = np.round(y[::31])
    x[3::41], y[7::43] = -0.5, H - 0.5
    return x, y, runs


def _generic(monkeypatch, lines: L.Polylines) -> np.ndarray:
    with monkeypatch.context() as m:
        m.setattr(L, "SHORT", 0)  # every segment through the generic path
        return L.draw_lines(lines, (10, 20, 30, 255), W, H)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_short_segments_broadcast_set_the_pixels_of_the_generic_path(monkeypatch, seed):
    x, y, runs = _polylines(seed)
    expected = _generic(monkeypatch, L.Polylines.from_runs(x, y, runs))
    assert 500 < (expected[:, :, 3] > 0).sum() < W * H // 2

    broadcast = []
    original = L._broadcast_pixels
    monkeypatch.setattr(L, "_broadcast_pixels", lambda *a: broadcast.append(len(a[0])) or original(*a))
    monkeypatch.setattr(L, "FEW_SAMPLES", 0)  # even a group of one segment broadcast
    for segments in (L.SEGMENTS, 97):  # batches of segments that end within polylines too
        monkeypatch.setattr(L, "SEGMENTS", segments)
        broadcast.clear()
        assert np.array_equal(L.draw_polylines(x, y, runs, (10, 20, 30, 255), W, H), expected)
        assert sum(broadcast) > 0.4 * (len(x) - len(runs))  # most segments took the broadcast path


def test_runs_said_to_be_inside_need_no_test_and_give_the_same_pixels(monkeypatch):
    x, y, runs = _polylines(4)
    ends = np.cumsum(runs)
    starts = ends - runs
    inside = np.array([length == 0 or (x[a:b].min() >= 1 and x[a:b].max() <= W - 2 and y[a:b].min() >= 1
                                       and y[a:b].max() <= H - 2) for a, b, length in zip(starts, ends, runs)])
    # The runs inside first, as the map's renderer orders them, then those crossing the edges.
    order = np.concatenate([np.flatnonzero(inside), np.flatnonzero(~inside)])
    index = np.concatenate([np.arange(starts[i], ends[i]) for i in order])
    lines = L.Polylines.from_runs(x[index], y[index], runs[order], int(inside.sum()))
    assert 0 < lines.inside < len(lines)
    expected = _generic(monkeypatch, L.Polylines.from_runs(x, y, runs))
    assert np.array_equal(L.draw_lines(lines, (10, 20, 30, 255), W, H), expected)
    # The same vertices gathered a batch at a time, and transformed from map coordinates a batch at a time.
    gathered = L.Polylines(x, y, lines.starts, lines.inside, index=index)
    assert np.array_equal(L.draw_lines(gathered, (10, 20, 30, 255), W, H), expected)
    mapped = L.Polylines((x[index] - 7.0) / 0.5, (y[index] + 3.0) / -0.25, lines.starts, lines.inside,
                         affine=(0.5, 7.0, -0.25, -3.0))
    direct = L.Polylines.from_runs(mapped.x * 0.5 + 7.0, mapped.y * -0.25 - 3.0, runs[order])
    assert np.array_equal(L.draw_lines(mapped, (10, 20, 30, 255), W, H),
                          _generic(monkeypatch, direct))


def test_polylines_cut_where_others_start_draw_only_their_own_segments():
    # Two squares side by side in one run of vertices; the second square's vertices are hidden by starting
    # a polyline at each of them (as the map hides pieces it does not draw without gathering the others).
    x = np.array([10.0, 20, 20, 10, 10, 40, 50, 50, 40, 40])
    y = np.array([10.0, 10, 20, 20, 10, 10, 10, 20, 20, 10])
    both = L.Polylines(x, y, (np.array([5]),))
    first = L.Polylines(x + 0, y, (np.array([5]), np.arange(6, 10)))
    img_both = L.draw_lines(both, (0, 0, 0, 255), W, H)[:, :, 3] > 0
    img_first = L.draw_lines(first, (0, 0, 0, 255), W, H)[:, :, 3] > 0
    assert img_both[10:21, 10:21].sum() == 40 and img_both[10:21, 40:51].sum() == 40
    assert img_first[10:21, 10:21].sum() == 40 and img_first.sum() == 40
    assert not img_both[10:21, 21:40].any()  # nothing joins one square to the next


@pytest.mark.parametrize("short", [0, 16])
def test_a_segment_wholly_off_the_view_draws_nothing_even_within_half_a_pixel_of_it(monkeypatch, short):
    monkeypatch.setattr(L, "SHORT", short)
    monkeypatch.setattr(L, "FEW_SAMPLES", 0)
    off = L.draw_polylines(np.array([-0.4, -0.2, W - 0.3, W - 0.1]), np.array([50.0, 60.0, 70.0, 80.0]),
                           np.array([2, 2]), (0, 0, 0, 255), W, H)
    assert not off.any()
    # Half of it on screen: its samples are rounded into the first column.
    crossing = L.draw_polylines(np.array([-0.4, 0.2]), np.array([50.0, 60.0]), np.array([2]), (0, 0, 0, 255), W, H)
    assert (crossing[50:61, 0, 3] > 0).all() and crossing[:, 0, 3].sum() == 11 * 255
