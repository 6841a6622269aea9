"""gridwatch.photos: reading inspectors' photos (EXIF time, GPS, orientation, thumbnail) and flags."""

from __future__ import annotations

import dataclasses
import hashlib
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
import shapely
from PIL import Image, ImageOps
from PIL.TiffImagePlugin import IFDRational

from gridwatch import photos
from gridwatch.errors import ValidationError
from gridwatch.photos import (
    MAX_PHOTO_BYTES,
    THUMBNAIL_SIZE,
    Photo,
    describe_flags,
    photo_flags,
    read_photo,
)

EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATETIME = 0x0132
ORIENTATION = 0x0112
DATETIME_ORIGINAL = 0x9003
DATETIME_DIGITIZED = 0x9004
OFFSET_TIME = 0x9010
OFFSET_TIME_ORIGINAL = 0x9011


# ------------------------------------------------------------------------------------------
# helpers


def R(num, den=1) -> IFDRational:
    return IFDRational(num, den)


def dms(deg, minutes, seconds_num, seconds_den=1):
    return (R(deg), R(minutes), R(seconds_num, seconds_den))


def make_exif(*, original=None, offset_original=None, digitized=None, datetime_=None, offset_time=None,
              orientation=None, gps=None) -> Image.Exif:
    exif = Image.Exif()
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if datetime_ is not None:
        exif[DATETIME] = datetime_
    sub = exif.get_ifd(EXIF_IFD)
    if original is not None:
        sub[DATETIME_ORIGINAL] = original
    if offset_original is not None:
        sub[OFFSET_TIME_ORIGINAL] = offset_original
    if digitized is not None:
        sub[DATETIME_DIGITIZED] = digitized
    if offset_time is not None:
        sub[OFFSET_TIME] = offset_time
    if gps is not None:
        exif.get_ifd(GPS_IFD).update(gps)
    return exif


def two_colour_image(size=(400, 200)) -> Image.Image:
    """Left half red, right half blue: makes the orientation of a thumbnail checkable."""
    img = Image.new("RGB", size, (255, 0, 0))
    img.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    return img


def save(path: Path, img: Image.Image, exif: Image.Exif | None = None, **kw) -> Path:
    if exif is not None:
        kw["exif"] = exif
    img.save(path, **kw)
    return path


def jpeg(tmp_path: Path, name="IMG_0001.jpg", *, size=(400, 200), **exif_kw) -> Path:
    return save(tmp_path / name, two_colour_image(size), make_exif(**exif_kw), quality=95)


def open_thumb(photo: Photo) -> Image.Image:
    thumb = Image.open(io.BytesIO(photo.thumbnail))
    thumb.load()
    return thumb


def mean_abs_diff(a: Image.Image, b: Image.Image) -> float:
    assert a.size == b.size
    pa, pb = a.convert("RGB").tobytes(), b.convert("RGB").tobytes()
    return sum(abs(x - y) for x, y in zip(pa, pb)) / len(pa)


# ------------------------------------------------------------------------------------------
# time


def test_datetime_original_with_offset_is_converted_to_utc(tmp_path):
    path = jpeg(tmp_path, original="2024:05:01 10:30:15", offset_original="+02:00")
    photo = read_photo(path)
    expected = datetime(2024, 5, 1, 10, 30, 15, tzinfo=timezone(timedelta(hours=2)))
    assert photo.taken_at == expected
    assert photo.taken_at.utcoffset() == timedelta(0)
    assert (photo.taken_at.hour, photo.taken_at.minute) == (8, 30)


def test_negative_offset(tmp_path):
    path = jpeg(tmp_path, original="2024:05:01 22:00:00", offset_original="-05:30")
    photo = read_photo(path)
    assert photo.taken_at == datetime(2024, 5, 2, 3, 30, tzinfo=timezone.utc)


def test_datetime_without_offset_is_beijing_time(tmp_path):
    path = jpeg(tmp_path, original="2024:05:01 10:00:00")
    photo = read_photo(path)
    assert photo.taken_at == datetime(2024, 5, 1, 2, 0, tzinfo=timezone.utc)
    assert photo.taken_at.utcoffset() == timedelta(0)
    # Crossing midnight: 07:00 Beijing is 23:00 UTC the day before.
    path2 = jpeg(tmp_path, "early.jpg", original="2024:01:01 07:00:00")
    assert read_photo(path2).taken_at == datetime(2023, 12, 31, 23, 0, tzinfo=timezone.utc)


def test_datetime_original_wins_over_digitized_and_datetime(tmp_path):
    path = jpeg(tmp_path, original="2024:05:01 10:00:00", digitized="2024:06:01 10:00:00",
                datetime_="2024:07:01 10:00:00", offset_original="+00:00")
    assert read_photo(path).taken_at == datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)


def test_falls_back_to_digitized_then_datetime_with_offset_time(tmp_path):
    p1 = jpeg(tmp_path, "a.jpg", digitized="2024:06:01 12:00:00", datetime_="2024:07:01 12:00:00")
    assert read_photo(p1).taken_at == datetime(2024, 6, 1, 4, 0, tzinfo=timezone.utc)
    p2 = jpeg(tmp_path, "b.jpg", datetime_="2024:07:01 12:00:00", offset_time="+09:00")
    assert read_photo(p2).taken_at == datetime(2024, 7, 1, 3, 0, tzinfo=timezone.utc)


def test_unparseable_original_falls_back_and_all_unparseable_gives_none(tmp_path):
    p1 = jpeg(tmp_path, "zero.jpg", original="0000:00:00 00:00:00")
    assert read_photo(p1).taken_at is None
    p2 = jpeg(tmp_path, "garbage.jpg", original="yesterday", datetime_="    ")
    assert read_photo(p2).taken_at is None
    p3 = jpeg(tmp_path, "fallback.jpg", original="0000:00:00 00:00:00", datetime_="2024:07:01 12:00:00")
    assert read_photo(p3).taken_at == datetime(2024, 7, 1, 4, 0, tzinfo=timezone.utc)


def test_bad_offset_is_ignored_and_beijing_assumed(tmp_path):
    path = jpeg(tmp_path, original="2024:05:01 10:00:00", offset_original="   :  ")
    assert read_photo(path).taken_at == datetime(2024, 5, 1, 2, 0, tzinfo=timezone.utc)


def test_datetime_tag_in_ifd0_is_also_read(tmp_path):
    exif = Image.Exif()
    exif[DATETIME_ORIGINAL] = "2024:05:01 10:00:00"  # non-standard place, written by some tools
    path = save(tmp_path / "ifd0.jpg", two_colour_image(), exif)
    assert read_photo(path).taken_at == datetime(2024, 5, 1, 2, 0, tzinfo=timezone.utc)


# ------------------------------------------------------------------------------------------
# position


def test_gps_north_east(tmp_path):
    gps = {1: "N", 2: dms(38, 5, 125, 10), 3: "E", 4: dms(114, 18, 30)}
    photo = read_photo(jpeg(tmp_path, gps=gps))
    assert photo.latitude == pytest.approx(38.08681, abs=1e-5)
    assert photo.longitude == pytest.approx(114.30833, abs=1e-5)
    assert photo.latitude == pytest.approx(38 + 5 / 60 + 12.5 / 3600, abs=1e-9)
    assert photo.longitude == pytest.approx(114 + 18 / 60 + 30 / 3600, abs=1e-9)
    assert photo.has_position


def test_gps_south_west_are_negative(tmp_path):
    gps = {1: "S", 2: dms(33, 52, 4), 3: "W", 4: dms(70, 40, 0)}
    photo = read_photo(jpeg(tmp_path, gps=gps))
    assert photo.latitude == pytest.approx(-(33 + 52 / 60 + 4 / 3600), abs=1e-9)
    assert photo.longitude == pytest.approx(-(70 + 40 / 60), abs=1e-9)


def test_gps_decimal_minutes_style(tmp_path):
    # Many phones write degrees and decimal minutes with seconds 0/1.
    gps = {1: "N", 2: (R(38), R(520835, 100000), R(0)), 3: "E", 4: (R(114), R(1850, 100), R(0))}
    photo = read_photo(jpeg(tmp_path, gps=gps))
    assert photo.latitude == pytest.approx(38 + 5.20835 / 60, abs=1e-9)
    assert photo.longitude == pytest.approx(114 + 18.5 / 60, abs=1e-9)


@pytest.mark.parametrize(
    "gps",
    [
        pytest.param({1: "N", 2: (R(38), R(5, 0), R(0)), 3: "E", 4: dms(114, 18, 30)}, id="zero-denominator"),
        pytest.param({1: "N", 2: dms(95, 0, 0), 3: "E", 4: dms(114, 18, 30)}, id="latitude-out-of-range"),
        pytest.param({1: "N", 2: dms(38, 0, 0), 3: "E", 4: dms(190, 0, 0)}, id="longitude-out-of-range"),
        pytest.param({1: "N", 2: dms(38, 5, 12)}, id="no-longitude"),
        pytest.param({1: "X", 2: dms(38, 5, 12), 3: "E", 4: dms(114, 18, 30)}, id="bad-ref"),
        pytest.param({1: "N", 2: dms(0, 0, 0), 3: "E", 4: dms(0, 0, 0)}, id="null-island"),
    ],
)
def test_bad_gps_gives_no_position(tmp_path, gps):
    photo = read_photo(jpeg(tmp_path, gps=gps, original="2024:05:01 10:00:00"))
    assert photo.longitude is None and photo.latitude is None
    assert not photo.has_position
    assert photo.taken_at is not None  # the rest of the EXIF is still read


# ------------------------------------------------------------------------------------------
# orientation, size, thumbnail


def test_orientation_6_swaps_size_and_rotates_thumbnail(tmp_path):
    path = jpeg(tmp_path, size=(400, 200), orientation=6)
    photo = read_photo(path)
    assert (photo.width, photo.height) == (200, 400)
    thumb = open_thumb(photo)
    assert thumb.format == "JPEG" and thumb.mode == "RGB"
    assert thumb.size == (80, 160)
    # The thumbnail looks like Pillow's own exif_transpose of the full image, scaled down.
    with Image.open(path) as original:
        upright = ImageOps.exif_transpose(original).resize(thumb.size)
    assert mean_abs_diff(thumb, upright) < 12
    # Orientation 6 = rotate 90 degrees clockwise to display: the red left half ends up on top.
    top, bottom = thumb.getpixel((40, 20)), thumb.getpixel((40, 140))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


@pytest.mark.parametrize("orientation, swapped", [(1, False), (3, False), (5, True), (8, True)])
def test_other_orientations(tmp_path, orientation, swapped):
    path = jpeg(tmp_path, size=(400, 200), orientation=orientation)
    photo = read_photo(path)
    assert (photo.width, photo.height) == ((200, 400) if swapped else (400, 200))
    thumb = open_thumb(photo)
    assert thumb.size == ((80, 160) if swapped else (160, 80))
    with Image.open(path) as original:
        upright = ImageOps.exif_transpose(original).resize(thumb.size)
    assert mean_abs_diff(thumb, upright) < 12


def test_large_jpeg_thumbnail_longest_side(tmp_path):
    path = save(tmp_path / "big.jpg", two_colour_image((3000, 2000)), quality=80)
    photo = read_photo(path)
    assert (photo.width, photo.height) == (3000, 2000)
    thumb = open_thumb(photo)
    assert max(thumb.size) == THUMBNAIL_SIZE
    assert thumb.size == (160, 107)


def test_small_image_thumbnail_is_not_enlarged(tmp_path):
    path = save(tmp_path / "small.png", two_colour_image((60, 30)))
    thumb = open_thumb(read_photo(path))
    assert thumb.size == (60, 30)


def test_png_without_exif(tmp_path):
    path = save(tmp_path / "scan.png", two_colour_image((300, 100)))
    photo = read_photo(path)
    assert photo.filename == "scan.png"
    assert photo.mime_type == "image/png"
    assert photo.taken_at is None
    assert photo.longitude is None and photo.latitude is None
    assert (photo.width, photo.height) == (300, 100)
    raw = path.read_bytes()
    assert photo.data == raw
    assert photo.sha256 == hashlib.sha256(raw).hexdigest()
    assert open_thumb(photo).size == (160, 53)


def test_jpeg_data_and_hash_are_the_original_bytes(tmp_path):
    path = jpeg(tmp_path, original="2024:05:01 10:00:00", orientation=6)
    photo = read_photo(path)
    raw = path.read_bytes()
    assert photo.data == raw  # unchanged: EXIF and orientation are kept in the stored bytes
    assert photo.sha256 == hashlib.sha256(raw).hexdigest()
    assert photo.mime_type == "image/jpeg"
    assert photo.thumbnail != raw and photo.thumbnail[:2] == b"\xff\xd8"


def test_png_with_alpha_is_flattened_on_white(tmp_path):
    img = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    img.paste((0, 128, 0, 255), (100, 0, 200, 100))
    photo = read_photo(save(tmp_path / "alpha.png", img))
    thumb = open_thumb(photo)
    assert thumb.mode == "RGB"
    left, right = thumb.getpixel((20, 40)), thumb.getpixel((140, 40))
    assert min(left) > 240  # transparent -> white, not black
    assert right[1] > 100 and right[0] < 40 and right[2] < 40


def test_palette_png_with_transparency(tmp_path):
    img = Image.new("P", (100, 100), 0)
    img.putpalette([0, 0, 0, 255, 0, 0] + [0] * (256 * 3 - 6))
    img.paste(1, (50, 0, 100, 100))
    path = save(tmp_path / "pal.png", img, transparency=0)
    thumb = open_thumb(read_photo(path))
    assert thumb.mode == "RGB"
    assert min(thumb.getpixel((10, 50))) > 240
    assert thumb.getpixel((90, 50))[0] > 200


def test_16_bit_greyscale_png_is_not_clipped_to_white(tmp_path):
    arr = np.full((100, 100), 1000, dtype=np.uint16)
    arr[:, 50:] = 60000
    img = Image.fromarray(arr)
    assert img.mode.startswith("I;16")
    thumb = open_thumb(read_photo(save(tmp_path / "grey16.png", img)))
    dark, light = thumb.getpixel((10, 50)), thumb.getpixel((90, 50))
    assert dark[0] < 30 and light[0] > 200


@pytest.mark.parametrize(
    "fmt, suffix, mime, time_tag",
    [
        ("WEBP", "webp", "image/webp", "original"),
        # Pillow's TIFF writer keeps IFD0 tags but not the Exif sub-IFD: use DateTime there.
        ("TIFF", "tif", "image/tiff", "datetime_"),
    ],
)
def test_other_formats(tmp_path, fmt, suffix, mime, time_tag):
    path = tmp_path / f"photo.{suffix}"
    exif = make_exif(orientation=6, **{time_tag: "2024:05:01 10:00:00"})
    two_colour_image((400, 200)).save(path, fmt, exif=exif)
    photo = read_photo(path)
    assert photo.mime_type == mime
    assert (photo.width, photo.height) == (200, 400)
    assert open_thumb(photo).size == (80, 160)
    assert photo.taken_at == datetime(2024, 5, 1, 2, 0, tzinfo=timezone.utc)


def test_bytes_input(tmp_path):
    gps = {1: "N", 2: dms(38, 5, 125, 10), 3: "E", 4: dms(114, 18, 30)}
    path = jpeg(tmp_path, original="2024:05:01 10:00:00", orientation=6, gps=gps)
    raw = path.read_bytes()
    from_bytes = read_photo(raw, "现场照片.jpg")
    from_path = read_photo(path)
    assert from_bytes.filename == "现场照片.jpg"
    assert dataclasses.replace(from_bytes, filename=from_path.filename) == from_path
    assert read_photo(bytearray(raw)).filename == "photo"
    assert read_photo(raw, "C:\\Users\\ins\\DCIM\\IMG_1.jpg").filename == "IMG_1.jpg"


def test_filename_argument_overrides_path_name_and_str_paths_work(tmp_path):
    path = jpeg(tmp_path, "tmp123.jpg")
    assert read_photo(str(path)).filename == "tmp123.jpg"
    assert read_photo(path, "IMG_0042.JPG").filename == "IMG_0042.JPG"


def test_reading_writes_nothing(tmp_path):
    path = jpeg(tmp_path, original="2024:05:01 10:00:00")
    before = {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    read_photo(path)
    after = {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    assert before == after


def test_repr_does_not_dump_bytes(tmp_path):
    photo = read_photo(jpeg(tmp_path))
    text = repr(photo)
    assert "IMG_0001.jpg" in text and len(text) < 600


# ------------------------------------------------------------------------------------------
# errors


def error_message(*args, **kw) -> str:
    with pytest.raises(ValidationError) as info:
        read_photo(*args, **kw)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_text_file_renamed_jpg(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("巡查记录：东风路企业未覆盖料堆\n" * 20, encoding="utf-8")
    message = error_message(path)
    assert message.startswith("notes.jpg:")
    assert "not a photo" in message and "JPEG or PNG" in message


def test_heic_is_named(tmp_path):
    path = tmp_path / "IMG_0012.HEIC"
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200)
    message = error_message(path)
    assert message.startswith("IMG_0012.HEIC:")
    assert "(HEIC)" in message and "JPEG or PNG" in message


def test_truncated_jpeg(tmp_path):
    good = jpeg(tmp_path, "good.jpg", size=(800, 600), original="2024:05:01 10:00:00")
    raw = good.read_bytes()
    path = tmp_path / "cut.jpg"
    path.write_bytes(raw[: len(raw) // 2])
    message = error_message(path)
    assert message.startswith("cut.jpg:") and "damaged" in message
    assert "damaged" in error_message(raw[: len(raw) // 2], "cut-bytes.jpg")


def test_truncated_large_jpeg_is_detected_despite_reduced_decoding(tmp_path):
    good = save(tmp_path / "big.jpg", two_colour_image((3000, 2000)), quality=90)
    raw = good.read_bytes()
    message = error_message(raw[: len(raw) * 2 // 3], "big-cut.jpg")
    assert message.startswith("big-cut.jpg:") and "damaged" in message


def test_corrupt_png(tmp_path):
    raw = bytearray(save(tmp_path / "ok.png", two_colour_image()).read_bytes())
    raw[len(raw) // 2] ^= 0xFF  # breaks the IDAT CRC
    path = tmp_path / "flipped.png"
    path.write_bytes(bytes(raw))
    message = error_message(path)
    assert message.startswith("flipped.png:") and "damaged" in message


def test_empty_file(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    message = error_message(path)
    assert message.startswith("empty.jpg:") and "empty" in message
    assert "empty" in error_message(b"", "blank.jpg")


def test_missing_file(tmp_path):
    message = error_message(tmp_path / "gone.jpg")
    assert message.startswith("gone.jpg:") and "file not found" in message


def test_folder_instead_of_file(tmp_path):
    folder = tmp_path / "DCIM"
    folder.mkdir()
    message = error_message(folder)
    assert message.startswith("DCIM:") and "folder" in message


def test_too_big(tmp_path):
    path = jpeg(tmp_path, "huge.jpg", size=(800, 600))
    size = path.stat().st_size
    message = error_message(path, max_bytes=size - 1)
    assert message.startswith("huge.jpg:") and "larger than" in message and "limit" in message
    assert "larger than" in error_message(path.read_bytes(), "huge-bytes.jpg", max_bytes=size - 1)
    assert read_photo(path, max_bytes=size).data == path.read_bytes()  # the limit itself is allowed


def test_too_big_message_in_megabytes(tmp_path):
    raw = jpeg(tmp_path, "x.jpg").read_bytes()
    padded = raw + b"\x00" * (int(31.2 * 1024 * 1024) - len(raw))
    message = error_message(padded, "x.jpg")
    assert message.startswith("x.jpg: 31.2 MB is larger than the 25 MB limit;")
    assert MAX_PHOTO_BYTES == 25 * 1024 * 1024


def test_too_many_pixels(tmp_path, monkeypatch):
    path = jpeg(tmp_path, "wide.jpg", size=(400, 200))
    monkeypatch.setattr(photos, "MAX_PHOTO_PIXELS", 400 * 200 - 1)
    message = error_message(path)
    assert message.startswith("wide.jpg:") and "megapixel" in message
    monkeypatch.setattr(photos, "MAX_PHOTO_PIXELS", 400 * 200)
    assert read_photo(path).width == 400


def test_decompression_bomb(tmp_path):
    # 200 megapixels of 1-bit pixels compress to a few kilobytes.
    path = tmp_path / "bomb.png"
    Image.new("1", (20000, 10000)).save(path)
    assert path.stat().st_size < 100_000
    message = error_message(path)
    assert message.startswith("bomb.png:") and "megapixel" in message


# ------------------------------------------------------------------------------------------
# flags


CELL_LON, CELL_LAT, HALF = 114.3, 38.08, 0.001
CELL = shapely.box(CELL_LON - HALF, CELL_LAT - HALF, CELL_LON + HALF, CELL_LAT + HALF)
TASK = (datetime(2024, 5, 1, 1, 0, tzinfo=timezone.utc), datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc))


@pytest.fixture(scope="module")
def base_photo(tmp_path_factory) -> Photo:
    """A real photo read from disk, with position and time, to derive variants from."""
    tmp = tmp_path_factory.mktemp("flags")
    gps = {1: "N", 2: dms(38, 4, 48), 3: "E", 4: dms(114, 18, 0)}  # 38.08, 114.3
    return read_photo(jpeg(tmp, gps=gps, original="2024:05:01 12:00:00"))  # 04:00 UTC


def test_base_photo_is_in_cell_and_in_time(base_photo):
    assert base_photo.latitude == pytest.approx(CELL_LAT, abs=1e-9)
    assert base_photo.longitude == pytest.approx(CELL_LON, abs=1e-9)
    assert photo_flags(base_photo, cell=CELL, window=TASK) == []
    assert photo_flags(base_photo) == []


def test_no_time_and_no_position(base_photo):
    bare = dataclasses.replace(base_photo, taken_at=None, longitude=None, latitude=None)
    assert photo_flags(bare, cell=CELL, window=TASK) == ["no_time", "no_position"]
    assert photo_flags(dataclasses.replace(base_photo, latitude=None), cell=CELL) == ["no_position"]


def far_photo(base: Photo, metres_north_of_cell: float) -> Photo:
    lat = CELL_LAT + HALF + metres_north_of_cell / 110_540.0
    return dataclasses.replace(base, latitude=lat, longitude=CELL_LON)


def test_far_from_cell(base_photo):
    photo = far_photo(base_photo, 2000)
    flags = photo_flags(photo, cell=CELL)
    assert len(flags) == 1 and flags[0].startswith("far_from_cell:")
    metres = int(flags[0].split(":")[1])
    assert 1800 <= metres <= 2200
    # Cross-check the cheap approximation against a geodesic distance to the nearest cell point.
    from pyproj import Geod

    _, _, geodesic = Geod(ellps="GRS80").inv(CELL_LON, CELL_LAT + HALF, photo.longitude, photo.latitude)
    assert metres == pytest.approx(geodesic, rel=0.01)


def test_far_from_cell_east_west_uses_cos_latitude(base_photo):
    # 2 km east of the cell: the longitude difference is scaled by cos(38.08 deg).
    import math

    dlon = 2000 / (111_320 * math.cos(math.radians(CELL_LAT)))
    photo = dataclasses.replace(base_photo, longitude=CELL_LON + HALF + dlon, latitude=CELL_LAT)
    (flag,) = photo_flags(photo, cell=CELL)
    assert 1950 <= int(flag.split(":")[1]) <= 2050


def test_near_cell_and_threshold(base_photo):
    near = far_photo(base_photo, 300)
    assert photo_flags(near, cell=CELL) == []
    (flag,) = photo_flags(near, cell=CELL, max_distance_m=100)
    assert 280 <= int(flag.split(":")[1]) <= 320
    far = far_photo(base_photo, 2000)
    assert photo_flags(far, cell=CELL, max_distance_m=5000) == []


def test_far_from_multipolygon_cell_uses_nearest_part(base_photo):
    other = shapely.box(114.35, 38.2, 114.36, 38.21)
    cell = shapely.MultiPolygon([other, CELL])
    assert photo_flags(base_photo, cell=cell) == []
    assert photo_flags(base_photo, cell=other)[0].startswith("far_from_cell:")


def test_position_without_cell_or_empty_cell_gives_no_distance_flag(base_photo):
    far = far_photo(base_photo, 2000)
    assert photo_flags(far) == []
    assert photo_flags(far, cell=shapely.Polygon()) == []


def test_task_time_window(base_photo):
    start, end = TASK
    at = lambda t: dataclasses.replace(base_photo, taken_at=t)  # noqa: E731
    assert photo_flags(at(start + timedelta(hours=2)), window=TASK) == []
    # Within the one-hour slack on either side.
    assert photo_flags(at(start - timedelta(minutes=59)), window=TASK) == []
    assert photo_flags(at(end + timedelta(minutes=59)), window=TASK) == []
    assert photo_flags(at(start - photos.TIME_SLACK), window=TASK) == []
    # Beyond the slack.
    assert photo_flags(at(start - timedelta(minutes=61)), window=TASK) == ["outside_task_time"]
    assert photo_flags(at(end + timedelta(hours=2)), window=TASK) == ["outside_task_time"]
    assert photo_flags(at(start - timedelta(days=3)), window=TASK) == ["outside_task_time"]
    # No time: reported as no_time, not as outside the window.
    assert photo_flags(at(None), window=TASK) == ["no_time"]


def test_task_time_window_in_other_time_zone(base_photo):
    beijing = timezone(timedelta(hours=8))
    # Photo taken 12:00 Beijing (04:00 UTC); task 13:30-17:00 Beijing -> 1.5 h early -> flagged.
    window = (datetime(2024, 5, 1, 13, 30, tzinfo=beijing), datetime(2024, 5, 1, 17, 0, tzinfo=beijing))
    assert photo_flags(base_photo, window=window) == ["outside_task_time"]
    window = (datetime(2024, 5, 1, 12, 30, tzinfo=beijing), datetime(2024, 5, 1, 17, 0, tzinfo=beijing))
    assert photo_flags(base_photo, window=window) == []


def test_naive_window_is_rejected(base_photo):
    with pytest.raises(ValueError):
        photo_flags(base_photo, window=(datetime(2024, 5, 1), datetime(2024, 5, 2)))


def test_all_flags_together_and_description(base_photo):
    photo = dataclasses.replace(far_photo(base_photo, 2000), taken_at=TASK[1] + timedelta(hours=5))
    flags = photo_flags(photo, cell=CELL, window=TASK)
    assert [f.split(":")[0] for f in flags] == ["far_from_cell", "outside_task_time"]
    metres = int(flags[0].split(":")[1])
    text = describe_flags(flags)
    assert text == f"拍摄位置距网格 {metres:,} 米；拍摄时间不在任务时间内"
    assert "," in text  # thousands separator for a ~2 km distance


def test_describe_flags():
    assert describe_flags([]) == ""
    assert describe_flags(["far_from_cell:1234"]) == "拍摄位置距网格 1,234 米"
    assert describe_flags(["no_time", "no_position"]) == "照片无拍摄时间；照片无位置信息"
    assert describe_flags(["outside_task_time"]) == "拍摄时间不在任务时间内"
    assert describe_flags(["something_new"]) == "something_new"
