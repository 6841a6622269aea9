"""Fire-point tables (火点) from NASA FIRMS and the provincial satellite centre, normalised.

The FIRMS checks run on the real MODIS C6.1 global 24-hour download in ../shared/realdata; the
expected values are computed here from the file's own text, independently of the importer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from gridwatch.errors import LayerImportError
from gridwatch.importers.fires import COLUMNS, normalize_fire_table

MODIS_CSV = (Path(__file__).resolve().parents[1].parent / "shared" / "realdata" / "firms"
             / "world_fires_1_day_modis_c61.csv")

UTC = dt.timezone.utc


def read_csv_text(text: str) -> pd.DataFrame:
    """A CSV as the import reads it: every column as text."""
    return pd.read_csv(io.StringIO(text), dtype=str)


def read_xlsx(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """An XLSX as the import reads it: openpyxl cell values (numbers, datetimes, text)."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb[sheet] if sheet else wb.active
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    return pd.DataFrame(rows[1:], columns=rows[0], dtype=object)


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@pytest.fixture(scope="module")
def modis_raw() -> pd.DataFrame:
    if not MODIS_CSV.exists():
        pytest.fail(f"real FIRMS file missing: {MODIS_CSV}")
    return pd.read_csv(MODIS_CSV, dtype=str)


@pytest.fixture(scope="module")
def modis_rows() -> list[dict[str, str]]:
    with open(MODIS_CSV, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def expected_utc(rec: dict[str, str]) -> pd.Timestamp:
    """acq_date + acq_time (HHMM, UTC) of one FIRMS record, computed from the text."""
    d = dt.date.fromisoformat(rec["acq_date"])
    hhmm = rec["acq_time"].zfill(4)
    return pd.Timestamp(dt.datetime(d.year, d.month, d.day, int(hhmm[:2]), int(hhmm[2:]), tzinfo=UTC))


def check_schema(frame: pd.DataFrame) -> None:
    assert tuple(frame.columns) == COLUMNS
    assert str(frame["longitude"].dtype) == "float64"
    assert str(frame["latitude"].dtype) == "float64"
    assert str(frame["detected_utc"].dtype) == "datetime64[ms, UTC]"
    assert frame["source"].dtype == object
    assert frame["satellite"].dtype == object
    assert str(frame["confidence"].dtype) == "Int64"
    assert str(frame["frp"].dtype) == "float64"
    assert frame["row"].dtype.kind == "i"
    assert set(frame["source"]) <= {"MODIS", "VIIRS", "Fengyun", "manual"}


# --------------------------------------------------------------------------------------------
# NASA FIRMS


def test_real_modis_global_24h_file(modis_raw, modis_rows):
    frame, notes = normalize_fire_table(modis_raw, name=MODIS_CSV.name)
    check_schema(frame)
    assert len(frame) == len(modis_rows) == 3125
    assert frame["row"].tolist() == list(range(2, 3127))  # as a spreadsheet shows them: the header is row 1
    assert (frame["source"] == "MODIS").all()
    assert frame["frp"].notna().all() and frame["confidence"].notna().all()
    assert any("UTC" in n and "FIRMS" in n for n in notes)

    # A few known rows: the first, the last, the first of the second day, the extremes of confidence.
    second_day = next(i for i, r in enumerate(modis_rows) if r["acq_date"] != modis_rows[0]["acq_date"])
    conf = [int(r["confidence"]) for r in modis_rows]
    picks = {0, len(modis_rows) - 1, second_day, conf.index(min(conf)), conf.index(max(conf)), 1234}
    for i in sorted(picks):
        rec, got = modis_rows[i], frame.iloc[i]
        assert got["row"] == i + 2
        assert got["detected_utc"] == expected_utc(rec), (i, rec)
        assert got["longitude"] == float(rec["longitude"]) and got["latitude"] == float(rec["latitude"])
        assert got["confidence"] == int(rec["confidence"])
        assert got["frp"] == float(rec["frp"])
        assert got["satellite"] == {"T": "Terra", "A": "Aqua"}[rec["satellite"]]
    assert frame["detected_utc"].iloc[0] == ts("2022-04-03 00:50")

    # Every time, not just the sample, matches the text.
    want = pd.to_datetime([r["acq_date"] + " " + r["acq_time"][:2] + ":" + r["acq_time"][2:] for r in modis_rows],
                          utc=True)
    assert (frame["detected_utc"].to_numpy() == want.to_numpy()).all()


def test_archive_download_with_instrument_type_and_integer_acq_time(modis_rows):
    """Archive/area downloads: instrument and type columns, acq_time as an unpadded number."""
    recs = modis_rows[:400]
    table = pd.DataFrame({
        "latitude": [r["latitude"] for r in recs],
        "longitude": [r["longitude"] for r in recs],
        "acq_date": [r["acq_date"] for r in recs],
        "acq_time": [int(r["acq_time"]) for r in recs],  # 50, not "0050"
        "satellite": ["Terra"] * len(recs),
        "instrument": ["MODIS"] * len(recs),
        "confidence": [int(r["confidence"]) for r in recs],
        "version": ["6.1"] * len(recs),
        "frp": [float(r["frp"]) for r in recs],
        "daynight": [r["daynight"] for r in recs],
        "type": [3 if i < 7 else 0 for i in range(len(recs))],
    }, dtype=object)
    frame, notes = normalize_fire_table(table, name="fire_archive_M-C61_12345.csv")
    check_schema(frame)
    assert (frame["source"] == "MODIS").all()
    assert frame["detected_utc"].tolist() == [expected_utc(r) for r in recs]
    assert frame["detected_utc"].iloc[0] == ts("2022-04-03 00:50")
    assert frame["confidence"].tolist() == [int(r["confidence"]) for r in recs]
    assert any("instrument" in n for n in notes)
    assert any("7 rows are FIRMS type 1-3" in n for n in notes)


VIIRS_HEADER = ("latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,confidence,version,bright_ti5,"
                "frp,daynight\n")


def test_viirs_nrt_with_l_n_h_confidence():
    text = VIIRS_HEADER + (
        "38.11,114.52,340.1,0.39,0.36,2025-10-20,0535,N,n,2.0NRT,290.1,3.2,D\n"
        "38.12,114.53,367.0,0.39,0.36,2025-10-20,0535,N20,h,2.0NRT,291.0,12.75,D\n"
        "38.13,114.54,300.2,0.39,0.36,2025-10-20,1805,N21,l,2.0NRT,280.3,0.61,N\n"
        "-33.9,18.4,330.0,0.5,0.4,2025-10-19,2359,1,n,2.0NRT,285.0,,N\n"
    )
    frame, notes = normalize_fire_table(read_csv_text(text), name="SUOMI_VIIRS_C2_Global_24h.csv")
    check_schema(frame)
    assert (frame["source"] == "VIIRS").all()
    assert frame["confidence"].tolist() == [60, 90, 20, 60]
    assert frame["satellite"].tolist() == ["N", "N20", "N21", "N20"]  # FIRMS "1" is NOAA-20
    assert frame["detected_utc"].tolist() == [ts("2025-10-20 05:35"), ts("2025-10-20 05:35"),
                                              ts("2025-10-20 18:05"), ts("2025-10-19 23:59")]
    assert frame["frp"].iloc[1] == 12.75 and np.isnan(frame["frp"].iloc[3])
    assert frame["longitude"].iloc[3] == 18.4 and frame["latitude"].iloc[3] == -33.9
    assert "confidence given as l/n/h: mapped low=20, nominal=60, high=90" in notes


def test_viirs_archive_with_words_instrument_and_colon_times():
    text = (
        "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,"
        "bright_ti5,frp,daynight,type\n"
        "45.01,126.2,331.5,0.4,0.4,2022-04-03,00:50,NOAA-20,VIIRS,low,2,282.0,1.4,D,0\n"
        "45.02,126.3,345.5,0.4,0.4,2022-04-03,5,Suomi NPP,VIIRS,nominal,2,283.0,4.4,D,0\n"
        "45.03,126.4,367.0,0.4,0.4,2022-04-04,1420,N21,VIIRS,high,2,284.0,22.0,N,2\n"
    )
    frame, notes = normalize_fire_table(read_csv_text(text), name="fire_archive_J1V-C2.csv")
    assert (frame["source"] == "VIIRS").all()
    assert frame["confidence"].tolist() == [20, 60, 90]
    assert frame["satellite"].tolist() == ["N20", "N", "N21"]
    assert frame["detected_utc"].tolist() == [ts("2022-04-03 00:50"), ts("2022-04-03 00:05"),
                                              ts("2022-04-04 14:20")]
    assert "confidence given as low/nominal/high: mapped low=20, nominal=60, high=90" in notes


def test_synthetic_200k_viirs_rows():
    n = 200_000
    rng = np.random.default_rng(20251020)
    lat = rng.uniform(-60, 70, n).round(5)
    lon = rng.uniform(-180, 180, n).round(5)
    day = rng.integers(0, 3, n)
    minute = rng.integers(0, 1440, n)
    sat = rng.integers(0, 3, n)
    conf = rng.integers(0, 3, n)
    frp = rng.gamma(1.0, 5.0, n).round(2)
    dates = np.array(["2025-10-18", "2025-10-19", "2025-10-20"])[day]
    hhmm = np.char.zfill((minute // 60 * 100 + minute % 60).astype(str), 4)
    table = pd.DataFrame({
        "latitude": lat.astype(str), "longitude": lon.astype(str),
        "bright_ti4": rng.uniform(300, 367, n).round(2).astype(str),
        "acq_date": dates, "acq_time": hhmm,
        "satellite": np.array(["N", "N20", "N21"])[sat],
        "confidence": np.array(["l", "n", "h"])[conf],
        "frp": frp.astype(str), "daynight": "D",
    }).astype("str")
    frame, notes = normalize_fire_table(table, name="synthetic_viirs.csv")
    check_schema(frame)
    assert len(frame) == n
    assert np.array_equal(frame["latitude"].to_numpy(), lat)
    assert np.array_equal(frame["longitude"].to_numpy(), lon)
    assert np.array_equal(frame["frp"].to_numpy(), frp)
    want = (np.datetime64("2025-10-18", "ms") + day.astype("timedelta64[D]")
            + minute.astype("timedelta64[m]")).astype("datetime64[ms]")
    assert np.array_equal(frame["detected_utc"].dt.tz_localize(None).to_numpy(), want)
    assert np.array_equal(frame["confidence"].to_numpy(dtype=np.int64), np.array([20, 60, 90])[conf])
    assert np.array_equal(frame["satellite"].to_numpy(), np.array(["N", "N20", "N21"], dtype=object)[sat])
    assert (frame["source"] == "VIIRS").all()


# --------------------------------------------------------------------------------------------
# Provincial satellite centre (Chinese headers, Beijing time)


def test_chinese_csv_beijing_time_and_sources():
    text = (
        " 经度(°) ,纬度（°）,监测时间,卫星名称,可信度,火辐射功率(MW),数据源\n"
        "114.5213,38.0412,2025-10-20 13:35,FY-3D,85,12.5,风云三号\n"
        "114.6001,38.1102,2025/10/21 03:00:00,Terra,70,,EOS/MODIS\n"
        "114.7002,38.2203,2025年10月20日 08时05分,NPP,高,3.1,NPP/VIIRS\n"
        "114.8003,38.3304,2025-10-20 09:10,,,,群众举报\n"
    )
    frame, notes = normalize_fire_table(read_csv_text(text), name="石家庄火点20251020.csv")
    check_schema(frame)
    assert frame["detected_utc"].tolist() == [ts("2025-10-20 05:35"), ts("2025-10-20 19:00"),
                                              ts("2025-10-20 00:05"), ts("2025-10-20 01:10")]
    assert frame["source"].tolist() == ["Fengyun", "MODIS", "VIIRS", "manual"]
    assert frame["satellite"].tolist() == ["FY-3D", "Terra", "N", None]
    assert frame["confidence"].tolist()[:3] == [85, 70, 90] and frame["confidence"].isna().tolist()[3]
    assert frame["frp"].iloc[0] == 12.5 and np.isnan(frame["frp"].iloc[1])
    assert frame["longitude"].iloc[0] == 114.5213 and frame["latitude"].iloc[0] == 38.0412
    assert any("Beijing time (UTC+8)" in n for n in notes)


def test_chinese_xlsx_with_datetime_cells(tmp_path):
    path = tmp_path / "省卫星中心火点.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "中心经度", "中心纬度", "监测时间(北京时间)", "卫星", "置信度", "火点强度"])
    ws.append([1, 114.3301, 37.9902, dt.datetime(2025, 10, 20, 13, 35), "FY-3D", 80, 15.2])
    ws.append([2, 114.4402, 37.8803, dt.datetime(2025, 10, 21, 2, 10, 30), "风云三号D星", 65, None])
    ws.append([None] * 7)
    ws.append([4, 114.5503, 37.7704, dt.datetime(2025, 3, 1, 7, 0), "Aqua", 100, 7])
    for row in ws.iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].number_format = "yyyy-mm-dd hh:mm"
    wb.save(path)

    table = read_xlsx(path)
    assert isinstance(table.iloc[0, 3], dt.datetime)  # real datetime cells, not text
    frame, notes = normalize_fire_table(table, name=path.name)
    check_schema(frame)
    assert frame["row"].tolist() == [2, 3, 5]  # the blank row is skipped, numbering kept
    assert frame["detected_utc"].tolist() == [ts("2025-10-20 05:35"), ts("2025-10-20 18:10:30"),
                                              ts("2025-02-28 23:00")]
    assert frame["source"].tolist() == ["Fengyun", "Fengyun", "MODIS"]
    assert frame["satellite"].tolist() == ["FY-3D", "FY-3D", "Aqua"]
    assert frame["confidence"].tolist() == [80, 65, 100]
    assert frame["frp"].iloc[0] == 15.2 and np.isnan(frame["frp"].iloc[1])
    assert frame["longitude"].tolist() == [114.3301, 114.4402, 114.5503]
    assert any("skipped 1 blank row" in n for n in notes)
    assert any("Beijing time" in n for n in notes)


def test_chinese_xlsx_with_separate_date_and_time_cells(tmp_path):
    path = tmp_path / "火点日报.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["东经", "北纬", "日期", "时间", "卫星", "数据源"])
    ws.append([115.1, 38.9, dt.date(2025, 10, 20), dt.time(13, 35), "NOAA-20", "VIIRS"])
    ws.append([115.2, 38.8, dt.date(2025, 10, 20), dt.time(7, 59), "FY-3D", "风云"])
    ws["C2"].number_format = ws["C3"].number_format = "yyyy-mm-dd"
    ws["D2"].number_format = ws["D3"].number_format = "hh:mm"
    wb.save(path)

    frame, _ = normalize_fire_table(read_xlsx(path), name=path.name)
    assert frame["detected_utc"].tolist() == [ts("2025-10-20 05:35"), ts("2025-10-19 23:59")]
    assert frame["source"].tolist() == ["VIIRS", "Fengyun"]
    assert frame["satellite"].tolist() == ["N20", "FY-3D"]
    assert frame["confidence"].isna().all()


@pytest.mark.parametrize("header, value, expected", [
    ("监测时间", "2025-10-20 13:35", "2025-10-20 05:35"),           # unmarked: Beijing time
    ("发现时间(北京时间)", "2025-10-20 13:35", "2025-10-20 05:35"),
    ("监测时间(UTC)", "2025-10-20 13:35", "2025-10-20 13:35"),
    ("时间（世界时）", "2025-10-20 13:35", "2025-10-20 13:35"),
    ("时间", "2025-10-20 13:35 UTC", "2025-10-20 13:35"),           # the value says UTC
    ("时间", "2025-10-20T13:35:00+08:00", "2025-10-20 05:35"),
    ("时间", "2025-10-21 03:00", "2025-10-20 19:00"),               # crosses midnight
])
def test_time_zone_of_chinese_times(header, value, expected):
    table = pd.DataFrame({"经度": ["114.5"], "纬度": ["38.0"], header: [value]}, dtype=object)
    frame, notes = normalize_fire_table(table, name="t.csv")
    assert frame["detected_utc"].iloc[0] == ts(expected)
    assert frame["source"].iloc[0] == "manual"


# --------------------------------------------------------------------------------------------
# Errors


def raises(table: pd.DataFrame, name: str = "fires.csv") -> str:
    with pytest.raises(LayerImportError) as info:
        normalize_fire_table(table, name=name)
    return str(info.value)


def test_missing_longitude_column_is_named():
    msg = raises(read_csv_text("x,latitude,acq_date,acq_time\n1,2,2025-10-20,0101\n"))
    assert msg.startswith("fires.csv: no longitude column found")
    assert "经度" in msg and "--field-map SRC=longitude" in msg and "'x'" in msg


def test_missing_latitude_and_time_columns_are_named():
    assert normalize_fire_table(read_csv_text("经度(°),北纬度数,时间\n114,38,2025-10-20 13:35\n"))[0]["latitude"][0] == 38
    msg = raises(read_csv_text("经度,Y坐标\n114,38\n"), name="a.xlsx")
    assert msg.startswith("a.xlsx: no latitude column found")
    msg = raises(read_csv_text("经度,纬度,卫星\n114,38,FY-3D\n"))
    assert "no time column found" in msg and "监测时间" in msg


def test_unreadable_coordinate_names_row_and_value():
    text = VIIRS_HEADER + (
        "38.11,114.52,340,0.4,0.4,2025-10-20,0535,N,n,2,290,3,D\n"
        "38.12,114.5x,340,0.4,0.4,2025-10-20,0535,N,n,2,290,3,D\n"
        "38.13,,340,0.4,0.4,2025-10-20,0535,N,n,2,290,3,D\n"
    )
    msg = raises(read_csv_text(text))
    assert "fires.csv: 2 rows with an empty or unreadable longitude in column 'longitude'" in msg
    assert "row 3 ('114.5x')" in msg and "row 4 (empty)" in msg


def test_out_of_range_and_swapped_coordinates():
    text = "经度,纬度,监测时间\n114.5,38.0,2025-10-20 13:35\n38.0,114.5,2025-10-20 13:36\n"
    msg = raises(read_csv_text(text))
    assert "1 row with a latitude outside -90..90" in msg and "row 3 (114.5)" in msg
    assert "swapped" in msg


def test_bad_and_empty_times_name_rows():
    text = VIIRS_HEADER + (
        "38.11,114.52,340,0.4,0.4,2025-10-20,0535,N,n,2,290,3,D\n"
        "38.12,114.53,340,0.4,0.4,2025-10-20,2460,N,n,2,290,3,D\n"
        "38.13,114.54,340,0.4,0.4,,0535,N,n,2,290,3,D\n"
        "38.14,114.55,340,0.4,0.4,2025-02-30,0535,N,n,2,290,3,D\n"
    )
    msg = raises(read_csv_text(text))
    assert "2 rows with a time that cannot be read as a date in columns 'acq_date' + 'acq_time'" in msg
    assert "row 3 ('2025-10-20', '2460')" in msg
    assert "row 5 ('2025-02-30', '0535')" in msg
    assert "1 row with no date in columns 'acq_date' + 'acq_time': row 4 (empty, '0535')" in msg


def test_a_row_without_a_date_is_refused_naming_it():
    text = "经度,纬度,发现时间\n114.5,38.0,2025-10-20 13:35\n114.6,38.1,2025-10-20\n114.7,38.2,\n"
    msg = raises(read_csv_text(text))
    assert "1 row with no date in column '发现时间': row 4 (empty)" in msg and "row 3" not in msg


def test_many_bad_rows_list_five_and_count_the_rest():
    lines = ["经度,纬度,时间"] + [f"114.5,38.0,bad{i}" for i in range(12)]
    msg = raises(read_csv_text("\n".join(lines) + "\n"))
    assert "12 rows with a time that cannot be read as a date" in msg
    assert "row 6 ('bad4')" in msg and "row 7" not in msg and "and 7 more" in msg


def test_bad_confidence_names_row():
    text = "经度,纬度,时间,置信度\n114.5,38.0,2025-10-20 13:35,80\n114.5,38.0,2025-10-20 13:35,150\n"
    msg = raises(read_csv_text(text))
    assert "1 row with a confidence" in msg and "'置信度'" in msg and "row 3 ('150')" in msg


def test_bad_frp_names_row():
    text = "经度,纬度,时间,火点强度(MW)\n114.5,38.0,2025-10-20 13:35,12.5\n114.5,38.0,2025-10-20 13:35,很大\n"
    msg = raises(read_csv_text(text))
    assert "1 row with an FRP that is not a number in column '火点强度(MW)'" in msg and "row 3 ('很大')" in msg
