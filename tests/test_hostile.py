"""Hostile files, links and loads (issue 10): a clear answer, nothing lost, no stalled server.

Every fixture is generated here; nothing large is kept in git. Browser checks of the same
cases are in test_browser_hostile.py.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import html
import io
import os
import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import cli
from geo.geocode.ladder import OUTPUT_COLUMNS, Geocoder
from geo.geocode.site_csv import MAX_CELL_CHARS, SiteFileError, read_site_csv, read_site_file
from geo.present.export import safe_cell, to_safe_csv
from geo.present.folium_map import footprint_geometries

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


@pytest.fixture(scope="module")
def geocoder(atlas):
    return Geocoder(atlas)


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def read_output(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def one_line_error(err: str) -> str:
    """The one line that starts with 'error:' (progress lines may come before it), and nothing like a traceback."""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    return lines[0]


# -- 1. a small upload cannot stall the server: chunks, a budget, and a stop between chunks ----------------

class FakeClock:
    def __init__(self, step: float):
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


@pytest.mark.build
def test_a_time_budget_keeps_every_row_in_order_and_says_why(geocoder):
    from geo.geocode.batch import geocode_in_chunks

    frame = pd.DataFrame({"site_name": ["Wirral", "Leeds", "Kent County Council", "Salford", "Atlantis"] * 3,
                          "mine": [str(i) for i in range(15)]})
    seen = []
    result = geocode_in_chunks(geocoder, frame, chunk_rows=4, budget_s=2.5, clock=FakeClock(1.0),
                               progress=lambda done, total: seen.append((done, total)))
    out = result.frame
    assert len(out) == 15 and out["mine"].tolist() == [str(i) for i in range(15)]  # nothing lost, in order
    assert result.done == 8 and seen == [(0, 15), (4, 15), (8, 15)]
    assert out["status"].iloc[:8].tolist()[:4] == ["matched"] * 4
    rest = out.iloc[8:]
    assert (rest["status"] == "unmatched").all() and rest["population"].isna().all()
    assert rest["note"].str.contains("time budget of 2 s").all() and rest["note"].str.contains("separate file").all()
    assert result.sets[8:] == [frozenset()] * 7 and len(result.sets) == 15


@pytest.mark.build
def test_a_long_list_shares_one_set_per_distinct_footprint(geocoder):
    from geo.geocode.batch import geocode_in_chunks

    names = ["Wirral", "Leeds", "Kent County Council"] * 50
    result = geocode_in_chunks(geocoder, pd.DataFrame({"site_name": names}), chunk_rows=7)
    distinct = {s for s in result.sets if s}
    assert len(distinct) == 3 and len({id(s) for s in result.sets if s}) == 3  # memory in proportion to places


@pytest.mark.build
def test_work_stops_at_the_next_chunk_when_progress_says_stop(geocoder, monkeypatch):
    """Streamlit stops a closed or rerun session by raising from its next element update."""
    from geo.geocode.batch import geocode_in_chunks

    class Stop(Exception):
        pass

    calls = []
    real = geocoder.geocode_frame
    monkeypatch.setattr(geocoder, "geocode_frame", lambda chunk: (calls.append(len(chunk)), real(chunk))[1])

    def progress(done: int, _total: int) -> None:
        if done >= 20:
            raise Stop

    with pytest.raises(Stop):
        geocode_in_chunks(geocoder, pd.DataFrame({"site_name": ["Leeds"] * 1000}), chunk_rows=10, progress=progress)
    assert calls == [10, 10]


# -- 2. links and file names are shown as text, never markdown or HTML --------------------------------------

@pytest.mark.parametrize("typed", ["[Sign in again](https://example.org)", "![x](https://example.org/t.png)",
                                   "<img src=x onerror=alert(1)>", ":red[big] $x^2$ :material/home: **b** `c`",
                                   "<https://example.org> www.example.org", "a\\_b &#91; &amp;"])
def test_as_text_leaves_no_markdown_or_html_and_reads_back_as_typed(typed):
    from ui.text import JOINER, as_text

    shown = as_text(typed)
    assert not any(c in shown for c in "[]()<>!*`:$_\\") and "www." not in shown and "https:" not in shown
    assert html.unescape(shown).replace(JOINER, "") == typed


@pytest.fixture
def app_at(cache_dir):
    def start(page: str = "pages/overview.py", **params: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=120)
        for key, value in params.items():
            at.query_params[key] = value
        if page != "pages/overview.py":
            at.switch_page(page)
        return at.run()
    return start


@pytest.mark.build
@pytest.mark.parametrize("params", [{"region": "[Sign in again](https://example.org)"},
                                    {"region": "![x](https://example.org/t.png)"},
                                    {"[Sign in](https://example.org)": "1"}])
def test_a_link_cannot_put_a_link_or_an_image_into_a_notice(app_at, params):
    at = app_at(**params)
    assert not at.exception
    (notice,) = at.warning
    assert "](" not in notice.value and "![" not in notice.value and "\\" not in notice.value
    typed = next(iter(params.values())) if "region" in params else next(iter(params))
    assert typed in html.unescape(notice.value).replace("\u2060", "")


@pytest.mark.build
def test_a_markdown_file_name_is_shown_as_typed(app_at):
    at = app_at("pages/geocode.py")
    name = "[urgent](https://example.org)_list*.csv"
    at.file_uploader(key="geocode_upload").set_value((name, b"name\nx\n", "text/csv")).run()
    (error,) = at.error
    assert "](" not in error.value and "\\" not in error.value
    assert name in html.unescape(error.value).replace("\u2060", "")


# -- 3. user data comes back, in place and unchanged --------------------------------------------------------

@pytest.mark.build
def test_input_columns_named_like_output_columns_come_back_unchanged(tmp_path, capsys, cache_dir):
    source = tmp_path / "in.csv"
    source.write_text("id,status,site_name,note,population,method\n1,open,Wirral,my note,12,=phone\n"
                      "2,closed,Atlantis,,-5,\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "geocode", str(source), "-o", str(tmp_path / "out.csv"))
    assert code == 0, err
    result = read_output(tmp_path / "out.csv")
    columns = list(result.columns)
    assert columns[:6] == ["id", "status", "site_name", "note", "population", "method"]  # in place, same names
    assert result["status"].tolist() == ["open", "closed"] and result["note"].tolist() == ["my note", ""]
    assert result["population"].tolist() == ["12", "-5"] and result["method"].tolist() == ["'=phone", ""]
    for name in ("status", "note", "population", "method"):
        assert f"geocoded_{name}" in columns
    assert result["geocoded_status"].tolist() == ["matched", "unmatched"]
    assert {c.removeprefix("geocoded_") for c in columns[6:]} == set(OUTPUT_COLUMNS)
    assert "geocoded_status" in err  # the rename is said, once


def test_the_formula_guard_keeps_numbers_as_numbers():
    assert [safe_cell(v) for v in ("-2.29", "+44", "-1e-3", ".5", "-0", "12")] == \
        ["-2.29", "+44", "-1e-3", ".5", "-0", "12"]
    assert [safe_cell(v) for v in ("-2.29+A1", "=1+2", "+44 20 7946 0000", "-cmd|' /C calc'!A0", "@SUM(A1)",
                                   "-", "-inf", "1-2")] == \
        ["'-2.29+A1", "'=1+2", "'+44 20 7946 0000", "'-cmd|' /C calc'!A0", "'@SUM(A1)", "'-", "'-inf", "1-2"]
    rows = list(csv.reader(io.StringIO(to_safe_csv(pd.DataFrame({"lon": ["-2.29"], "x": [-3]}), ()).decode(
        "utf-8-sig"))))
    assert rows[1] == ["-2.29", "-3"]


@pytest.mark.build
@pytest.mark.parametrize("attribution", [False, True])
def test_a_geocoded_file_geocoded_again_keeps_its_coordinate_matches(tmp_path, capsys, cache_dir, attribution):
    source = tmp_path / "in.csv"
    source.write_text("site_name,lat,lon\nSite A,53.4875,-2.2901\nSite B,51.5072,-0.1276\n", encoding="utf-8")
    first, second = tmp_path / "once.csv", tmp_path / "twice.csv"
    extra = ["--attribution"] if attribution else []
    assert run_cli(capsys, "geocode", str(source), "-o", str(first), *extra)[0] == 0
    assert run_cli(capsys, "geocode", str(first), "-o", str(second), *extra)[0] == 0
    text = second.read_text(encoding="utf-8-sig")
    again = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, comment=None,
                        skiprows=sum(1 for line in text.splitlines() if line.startswith('"#') or
                                     line.startswith("# ")))
    assert again["lon"].tolist() == ["-2.2901", "-0.1276"]
    assert again["geocoded_method"].tolist() == ["coordinates", "coordinates"]
    assert again["geocoded_ccg_codes"].tolist() == again["ccg_codes"].tolist() == ["01G", again["ccg_codes"][1]]
    assert again["ccg_codes"][1] != ""


def test_a_row_that_does_not_split_like_the_header_is_reported_by_line():
    with pytest.raises(SiteFileError, match=r"line 4 does not split like the header.*semicolons.*commas"):
        read_site_csv(b"site_name,region\nWirral,North\n\nLeeds;r2\n")
    # a short row with no other separator is fine (a missing trailing cell)
    assert read_site_csv(b"site_name,region\nWirral\n")["region"].tolist() == [""]


# -- 4. one line, what to fix, exit status 2, before the work --------------------------------------------------

@pytest.mark.parametrize(("header", "says"), [
    ("site_name,x,x", "columns 2 and 3 are both called 'x'"),
    ("Site Name,site_name", "both mean 'site_name'"),
    ("site_name,,", "columns 2 and 3 both have an empty header"),
])
def test_duplicate_column_names_get_a_clear_message(tmp_path, capsys, header, says):
    source = tmp_path / "dup.csv"
    source.write_text(f"{header}\n" + ",".join(["Wirral"] + ["1"] * header.count(",")) + "\n", encoding="utf-8")
    code, _out, err = run_cli(capsys, "geocode", str(source), "-o", str(tmp_path / "out.csv"))
    assert code == 2 and says in one_line_error(err)


@pytest.fixture
def no_work(monkeypatch):
    """Fail if the geocoder is opened: the output path must be checked before any work."""
    def refuse(_args):
        raise AssertionError("work started before the output path was checked")
    monkeypatch.setattr(cli, "_open_geocoder", refuse)


@pytest.mark.parametrize(("output", "says"), [
    ("missing/out.csv", "does not exist"),
    (".", "is a folder"),
])
def test_a_bad_output_path_is_refused_before_the_work(tmp_path, capsys, no_work, output, says):
    source = tmp_path / "in.csv"
    source.write_text("site_name\nWirral\n", encoding="utf-8")
    code, _out, err = run_cli(capsys, "geocode", str(source), "-o", str(tmp_path / output))
    assert code == 2 and says in one_line_error(err)


def test_an_unwritable_output_folder_is_refused_before_the_work(tmp_path, capsys, no_work):
    source = tmp_path / "in.csv"
    source.write_text("site_name\nWirral\n", encoding="utf-8")
    # /proc takes no new files, whoever runs the test (a folder with mode 500 stops everyone but root)
    code, _out, err = run_cli(capsys, "geocode", str(source), "-o", "/proc/out.csv")
    assert code == 2 and "cannot create files" in one_line_error(err)


@pytest.mark.build
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_gives_one_line(tmp_path, capsys, cache_dir):
    source = tmp_path / "in.csv"
    source.write_text("site_name\nWirral\n", encoding="utf-8")
    code, _out, err = run_cli(capsys, "geocode", str(source), "-o", "/dev/full")
    assert code == 2 and "is full" in one_line_error(err)


def test_dev_zero_is_refused_after_a_bounded_read(tmp_path, capsys):
    tracemalloc.start()
    code, _out, err = run_cli(capsys, "geocode", "/dev/zero", "-o", str(tmp_path / "out.csv"))
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code == 2 and "limit of 5 MB" in one_line_error(err) and peak < 20_000_000


def test_a_huge_file_is_refused_from_its_length(tmp_path, capsys):
    huge = tmp_path / "huge.csv"
    with open(huge, "wb") as handle:  # sparse: 600 MB long, nothing on disk
        handle.write(b"site_name\n")
        handle.truncate(600_000_000)
    tracemalloc.start()
    code, _out, err = run_cli(capsys, "geocode", str(huge), "-o", str(tmp_path / "out.csv"))
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code == 2 and "600.0 MB; the limit is 5 MB" in one_line_error(err) and peak < 5_000_000


def test_a_folder_as_input_gets_one_line(tmp_path, capsys):
    code, _out, err = run_cli(capsys, "geocode", str(tmp_path), "-o", str(tmp_path / "out.csv"))
    assert code == 2 and "folder" in one_line_error(err)


def test_a_one_megabyte_cell_is_refused_as_too_long_not_as_bad_quoting():
    data = b"site_name,areas\nWirral,x\n" + b"A" * 1_000_000 + b",y\n"
    with pytest.raises(SiteFileError, match=rf"line 3: cell too long \(limit {MAX_CELL_CHARS:,} characters\)"):
        read_site_csv(data)
    quoted = b'site_name\n"' + b"B" * 1_000_000 + b'"\n'
    with pytest.raises(SiteFileError, match="cell too long"):
        read_site_csv(quoted)
    # a cell at the limit is read
    assert len(read_site_csv(b"site_name\n" + b"C" * MAX_CELL_CHARS + b"\n").loc[0, "site_name"]) == MAX_CELL_CHARS


def test_utf16_big_endian_without_a_byte_order_mark_is_read():
    text = "site_name;Notes\nBognor Régis;x\n"
    for data in (text.encode("utf-16-be"), text.encode("utf-16-le"), codecs.BOM_UTF16_BE + text.encode("utf-16-be")):
        frame = read_site_csv(data)
        assert list(frame.columns) == ["site_name", "Notes"] and frame.loc[0, "site_name"] == "Bognor Régis"


def test_read_site_file_never_reads_past_the_limit(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"site_name\n" + b"x" * 100)
    assert read_site_file(path, max_bytes=200).startswith(b"site_name")
    with pytest.raises(SiteFileError, match="limit"):
        read_site_file(path, max_bytes=50)


@pytest.mark.build
def test_empty_areas_are_not_matched_and_a_code_of_the_wrong_kind_is_refused(geocoder):
    frame = pd.DataFrame({"site_name": ["x", "y", "z", "w", "v"],
                          "areas": [";;;", "lad:12F", "ccg:12F", "utla:E08000015", "ccg:E08000015"]})
    out, sets = geocoder.geocode_frame(frame)
    assert out["status"].tolist() == ["unmatched", "unmatched", "matched", "matched", "unmatched"]
    assert "only separators" in out.loc[0, "note"] and sets[0] == frozenset()
    assert "lad:12F is the code of a CCG, not a district: write ccg:12F" in out.loc[1, "note"]
    assert "E08000015 is the code of a district, not a CCG" in out.loc[4, "note"]


# -- 5. a damaged cache: the app says how to rebuild ------------------------------------------------------------

@pytest.mark.build
def test_the_app_refuses_a_damaged_cache_and_says_how_to_rebuild(cache_dir, tmp_path, monkeypatch):
    from geo.cache import LSOA_TABLE, cache_damage
    from ui import data

    copy = tmp_path / "cache"
    shutil.copytree(cache_dir, copy)
    assert cache_damage(copy) is None
    with open(copy / LSOA_TABLE, "r+b") as handle:
        handle.seek(2000)
        handle.write(b"\x00damaged\x00")
    assert "lsoa.parquet" in cache_damage(copy)
    data.atlas.clear()
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(copy))
    try:
        for page in ("pages/overview.py", "pages/map.py", "pages/geocode.py"):
            at = AppTest.from_file(APP, default_timeout=60)
            at.switch_page(page)
            at.run()
            assert not at.exception
            (error,) = at.error
            assert "lsoa" in html.unescape(error.value) and "python -m geo build" in error.value
    finally:
        data.atlas.clear()


def test_cache_damage_needs_no_raw_directory(tmp_path, monkeypatch):
    from geo.cache import cache_damage

    monkeypatch.setenv("ATLAS_RAW_DIR", str(tmp_path / "nowhere"))
    assert "no built cache" in cache_damage(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    assert "damaged" in cache_damage(tmp_path)


# -- 6. memory and exposure ----------------------------------------------------------------------------------

@pytest.mark.build
def test_a_session_keeps_one_uploaded_result_and_no_server_wide_cache(app_at):
    at = app_at("pages/geocode.py")
    for name in ("a.csv", "b.csv", "c.csv"):
        at.file_uploader(key="geocode_upload").set_value((name, f"site_name\nWirral\n{name}\n".encode(),
                                                          "text/csv")).run()
        assert not at.exception
    digest, _result = at.session_state["_geocode_result"]  # one result per session: the last file's
    assert digest == hashlib.sha256(b"site_name\nWirral\nc.csv\n").hexdigest()
    source = (ROOT / "pages" / "geocode.py").read_text()
    assert "st.cache_data" not in source  # uploaded results live in the session, freed when it ends


def test_run_sh_serves_on_loopback_unless_told():
    script = (ROOT / "scripts" / "run.sh").read_text()
    probe = script.split("exec ", 1)[0].replace("bash scripts/setup.sh", "true")
    for env, expected in (({}, "127.0.0.1"), ({"ATLAS_ADDRESS": "0.0.0.0"}, "0.0.0.0")):
        shown = subprocess.run(["bash", "-c", probe + 'echo "ADDRESS=$address"'], cwd=ROOT, capture_output=True,
                               text=True, env={"PATH": os.environ["PATH"], **env}, check=True).stdout
        assert f"ADDRESS={expected}" in shown
    assert '--server.address "$address"' in script


def test_limits_are_in_the_readme():
    from geo.geocode.row_steps import MAX_AREAS
    from geo.geocode.site_csv import MAX_BYTES, MAX_COLUMNS, MAX_ROWS
    from geo.geocode.steps import MAX_NAME_CHARS
    from geo.present.list_footprints import MAX_FOOTPRINTS

    readme = (ROOT / "README.md").read_text()
    for figure in (f"{MAX_BYTES // 1_000_000} MB", f"{MAX_ROWS:,} rows", f"{MAX_CELL_CHARS:,} characters",
                   f"{MAX_COLUMNS:,} columns", f"over {MAX_NAME_CHARS:,} characters", f"over {MAX_AREAS:,} items",
                   f"at most {MAX_FOOTPRINTS:,} footprints", "ATLAS_ADDRESS", "geocoded_", "## Deploying"):
        assert figure in readme, figure


def test_module_imports_without_streamlit():
    code = "import sys; import geo.geocode.batch, geo.geocode.site_csv, geo.cli; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_the_long_link_check_uses_streamlits_own_limits():
    from streamlit.runtime.state import query_params

    from ui import links

    assert links.MAX_FIELDS == query_params.CLIENT_STATE_QUERY_STRING_MAX_FIELDS
    assert links.MAX_CHARS == query_params.CLIENT_STATE_QUERY_STRING_MAX_LENGTH


def test_garbage_is_collected_by_the_housekeeping_thread_not_after_every_rerun():
    import gc
    import tomllib
    import weakref

    from ui import memory

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False

    class Node:
        pass

    gc.disable()
    try:
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: reference counting alone never frees it
        alive = weakref.ref(a)
        del a, b
        assert alive() is not None
        assert memory.housekeeping_pass() >= 2
        assert alive() is None
    finally:
        gc.enable()


def test_memory_housekeeping_returns_freed_pages_on_linux():
    from ui import memory

    if not sys.platform.startswith("linux"):
        pytest.skip("glibc only")
    blocks = [bytearray(100_000) for _ in range(2000)]  # 200 MB in blocks below the mmap threshold
    del blocks
    before = int(next(line for line in Path("/proc/self/status").read_text().splitlines()
                      if line.startswith("VmRSS")).split()[1])
    assert memory.release_freed_memory()
    after = int(next(line for line in Path("/proc/self/status").read_text().splitlines()
                     if line.startswith("VmRSS")).split()[1])
    assert after <= before
    thread = memory.start_housekeeping(interval_s=3600)
    assert thread is not None and thread.daemon and thread.is_alive()


# -- 7. issue 20: hostile cells read in linear time, a bounded list, files that parse, a safe build ----------

#: Shapes of a long cell that made a pattern backtrack (quadratic: 60 s and more at the cell limit), and kin:
#: repeated separators, "<", "and ", spaces, brackets, punctuation, title words, letters that fold.
HOSTILE_UNITS = ["and ", "<", "<a", ">", "(", "(a", "a)", "()", " ", "\t", ",", ", ", ";", "/", "&", "+", "'",
                 "in ", "health in ", "care ", "x", "\u00e9", "-", "and, ", ", and ", "ccg ", "one "]


def hostile_cell(unit: str, length: int, head: str = "Health in x ") -> str:
    return (head + unit * (length // len(unit) + 1))[:length]


def cpu_seconds(work, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def assert_linear(read, cell_of, length: int, factor: int = 16) -> None:
    """``read`` on a cell ``factor`` times longer costs at most about ``factor`` times as much (3x slack, and
    50 ms for the clock): a pattern that backtracks costs ``factor`` squared times as much and fails."""
    small = cpu_seconds(lambda: read(cell_of(length // factor)), repeat=3)
    big = cpu_seconds(lambda: read(cell_of(length)))
    assert big <= 3 * factor * small + 0.05, f"{big:.3f} s at {length:,} characters, {small:.4f} s at 1/{factor}"


@pytest.mark.parametrize("unit", HOSTILE_UNITS)
def test_reading_a_hostile_cell_is_linear_in_its_length(unit):
    from geo.geocode.normalise import text_readings

    assert_linear(text_readings, lambda n: hostile_cell(unit, n), MAX_CELL_CHARS)


@pytest.fixture(scope="module")
def small_geocoder(small_atlas):
    return Geocoder(small_atlas)


@pytest.mark.parametrize("unit", ["and ", "<a", "(a", ", ", "&", "+", "health in ", "a b "])
def test_the_whole_ladder_is_linear_up_to_the_longest_name_it_reads(small_geocoder, unit):
    from geo.geocode.steps import MAX_NAME_CHARS

    def resolve(text: str) -> None:
        small_geocoder._resolve(text, text)
        small_geocoder.forget()

    assert_linear(resolve, lambda n: hostile_cell(unit, n), MAX_NAME_CHARS)


def test_a_longer_name_or_a_long_areas_cell_is_not_read_and_says_why(small_geocoder):
    from geo.geocode.row_steps import MAX_AREAS
    from geo.geocode.steps import MAX_NAME_CHARS

    long = hostile_cell("Wirral and ", MAX_CELL_CHARS)
    for name, lead in ((long, ""), ("Wirral Partnership", long)):
        match = small_geocoder.resolve(name, lead)
        assert match.status == "unmatched" and f"more than {MAX_NAME_CHARS:,} is not read" in match.note
        assert f"{MAX_CELL_CHARS:,} characters" in match.note
    assert small_geocoder.resolve("x", areas=";".join(["12F"] * (MAX_AREAS + 1))).note.startswith(
        f"areas lists {MAX_AREAS + 1:,} items; at most {MAX_AREAS:,}")
    one_long = small_geocoder.resolve("x", areas="12F;" + long)
    assert one_long.status == "ambiguous" and len(one_long.note) < 200  # Wirral kept, the long item named short
    assert "not read" not in small_geocoder.resolve("Wirral " * 500).note  # 3,500 characters: under the cap, read


def test_slow_rows_make_smaller_chunks_so_the_budget_acts_within_a_second(small_geocoder):
    """Time is the rows done times 0.2 s: the first chunk of 100 takes 20 s, then chunks of 5 (1 s each)."""
    from geo.geocode.batch import CHUNK_SECONDS, geocode_in_chunks

    done_so_far = [0]
    seen: list[int] = []

    def progress(done: int, _total: int) -> None:
        seen.append(done)
        done_so_far[0] = done

    result = geocode_in_chunks(small_geocoder, pd.DataFrame({"site_name": ["Wirral"] * 1000}), chunk_rows=100,
                               budget_s=30, progress=progress, clock=lambda: done_so_far[0] * 0.2)
    sizes = [b - a for a, b in zip(seen, seen[1:])]
    assert sizes[0] == 100 and set(sizes[1:]) == {int(CHUNK_SECONDS / 0.2)}
    assert result.done * 0.2 <= 30 + CHUNK_SECONDS  # stopped within one short chunk of the budget
    assert result.stopped and (result.frame["status"].iloc[result.done:] == "unmatched").all()


def test_the_separator_is_found_from_the_header_start_in_linear_time():
    from geo.geocode.site_csv import MAX_COLUMNS

    def header_of(n: int) -> bytes:
        return ("site_name" + ',"' * (n // 2)).encode() + b"\nWirral\n"

    def read(data: bytes) -> None:
        with pytest.raises(SiteFileError):
            read_site_csv(data)

    assert_linear(read, header_of, MAX_CELL_CHARS)
    with pytest.raises(SiteFileError, match=rf"the header has {MAX_COLUMNS + 1:,} columns; the limit is"):
        read_site_csv((",".join(["site_name"] + [f"c{i}" for i in range(MAX_COLUMNS)]) + "\nWirral\n").encode())
    assert len(read_site_csv((",".join(["site_name"] + [f"c{i}" for i in range(MAX_COLUMNS - 1)])
                              + "\nWirral\n").encode()).columns) == MAX_COLUMNS


#: Characters XML cannot hold, markup, mathematics and text that is long, wide or from beyond the first plane.
NASTY_TEXT = ["a\ufffeb", "\uffff", "nul\x00", "bell\x07esc\x1b", "lone \ud800 surrogate", "$\\foo$", "$x^2$",
              "<b>&amp;</b>", "\U0001f5fa map", "=1+2", "tab\tnew\nline"]


def test_every_workbook_parses_and_says_which_cells_were_cut():
    from openpyxl import load_workbook

    from geo.present.workbook import CUT_MARK, EXCEL_CELL_CHARS, to_xlsx

    long_cells = ["x" * 40_000, "\U0001f5fa" * 20_000, "y" * MAX_CELL_CHARS]
    frame = pd.DataFrame({"site_name": pd.Series(NASTY_TEXT + long_cells, dtype=object),
                          "n\ufffe": range(len(NASTY_TEXT) + 3)})
    data = to_xlsx(frame, ["attr \uffff"], sheet="Geocoded list", notes=["note \x00"],
                   title="NHS integration atlas: list\ufffe.csv geocoded")
    book = load_workbook(io.BytesIO(data))  # parses: no character XML cannot hold
    cells = [c.value for c in book["Geocoded list"]["A"]][1:]
    assert cells[0] == "ab" and cells[1] in (None, "") and cells[2] == "nul" and cells[4] == "lone  surrogate"
    assert "$x^2$" in cells and "\U0001f5fa map" in cells and cells[NASTY_TEXT.index("=1+2")] == "=1+2"
    cut = cells[len(NASTY_TEXT):]
    assert all(c.endswith(CUT_MARK) and len(c.encode("utf-16-le")) // 2 <= EXCEL_CELL_CHARS for c in cut)
    sources = " ".join(str(c.value) for row in book["Sources"].iter_rows() for c in row if c.value)
    assert "3 cells were longer than Excel holds (32,767 characters)" in sources and "list.csv" in sources
    with pytest.raises(ValueError, match="an Excel sheet holds 16,384"):
        to_xlsx(pd.DataFrame([range(16_385)]), [])


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_a_picture_draws_text_as_typed_and_always_parses(small_atlas, fmt):
    import xml.etree.ElementTree as ET

    from geo.present import map_data, picture

    land = [f["geometry"] for f in map_data.land_geojson(small_atlas)["features"]]
    typed = [f"matching '{t}'" for t in NASTY_TEXT if "\U0001f5fa" not in t]  # DejaVu Sans has no map glyph
    frame = pd.DataFrame({"site_id": ["s"], "care_model": ["MCP"], "display_name": ["$x^2$ <b>\x00site\nnext"],
                          "population": [1234]})
    geometries = {"s": land[0]}
    data = picture.render(frame, geometries, picture.basemap(land, []), "Title \ufffe$x$", typed,
                          ["attribution \x00"], fmt=fmt)
    if fmt == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        return
    root = ET.fromstring(data)  # well-formed XML
    text = " ".join(t for t in root.itertext())
    assert "$x^2$" in text and "$\\foo$" in text  # drawn as typed, not as mathematics
    assert "ab" in text and "\ufffe" not in data.decode("utf-8")
    assert "$x^2$ <b>site next" in text  # a site's name in the key, as typed, on one line


def test_a_link_gets_one_notice_per_key_however_many_values_it_repeats():
    from geo.present import filters as flt

    regions = ("North of England", "London")
    checked = flt.check_query({"region": [f"r{i}" for i in range(999)], "by": ["March 2015", "July 2015"],
                               "q": ["a", "b"], **{f"k{i}": ["1"] for i in range(500)}}, regions, (0, 2100))
    assert len(checked.notices) == 4
    text = " ".join(checked.notices)
    assert "region='r0', 'r1', 'r2' and 996 more" in text and "'k0', 'k1', 'k2' and 497 more" in text
    assert "by='March 2015', 'July 2015' from the link: give one month" in text
    assert "the search takes one text" in text
    assert checked.values["by"] == [] and checked.values["q"] == [] and checked.values["region"] == []


def geocoded_list(geocoder, frame: pd.DataFrame):
    """A list geocoded as the Geocode page does it: a row number column first."""
    from geo.geocode.batch import geocode_in_chunks

    result = geocode_in_chunks(geocoder, frame)
    result.frame.insert(0, "row", range(1, len(result.frame) + 1))
    return result


def test_the_lists_geojson_has_one_feature_per_distinct_footprint(small_atlas, small_geocoder):
    import json

    from geo.present import list_footprints as lf
    from geo.sources import ATTRIBUTION

    names = ["Wirral", "Salford", "Atlantis", "Wirral Council"] * 75  # 300 rows, two footprints, one unmatched
    result = geocoded_list(small_geocoder, pd.DataFrame({"site_name": names}))
    geometries = lf.list_geometries(small_atlas, result.sets)
    carried = result.frame[["row", "site_name", *lf.FOOTPRINT_COLUMNS]]
    data = lf.list_geojson(carried, result.sets, "row", geometries, ATTRIBUTION, about={"notes": ["mine"]})
    collection = json.loads(data)
    features = collection["features"]
    assert len(features) == 2 and all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in features)
    wirral = features[0]["properties"]
    assert wirral["rows"] == [r for r in range(1, 301) if names[r - 1].startswith("Wirral")]
    assert wirral["row_count"] == 150 and wirral["ccg_codes"] == "12F" and "and 130 more" in wirral["site_names"]
    assert collection["rows_without_footprint"] == list(range(3, 301, 4))
    assert "about 250 m" in collection["notes"][0] and collection["notes"][-1] == "mine" and collection["attribution"]
    assert len(data) < 200_000  # two shapes, not 300


def test_the_lists_geojson_is_bounded_and_says_what_it_left_out(small_atlas, small_geocoder):
    import json

    from geo.present import list_footprints as lf

    districts = ["E08000015", "E08000006", "E08000021", "E08000037", "E08000024"]
    pairs = [f"lad:{a};lad:{b}" for i, a in enumerate(districts) for b in districts[i + 1:]]  # 10 distinct
    result = geocoded_list(small_geocoder, pd.DataFrame({"site_name": "x", "areas": pairs * 3}))
    first = lf.distinct_footprints(result.sets)
    drawn, left_out = lf.drawable(first, max_footprints=4)
    assert list(drawn) == [1, 2, 3, 4] and left_out == 6
    geometries = footprint_geometries(small_atlas, drawn)
    carried = result.frame[["row", "site_name", "lad_codes"]]
    whole = lf.list_geojson(carried, result.sets, "row", geometries, [])
    assert len(json.loads(whole)["features"]) == 4  # the four drawn
    bound = len(whole) // 2
    data = lf.list_geojson(carried, result.sets, "row", geometries, [], max_bytes=bound)
    collection = json.loads(data)
    assert 1 <= len(collection["features"]) < 4 and len(data) <= bound + 2_000  # the rest of it is row numbers
    notes = " ".join(collection["notes"])
    assert "would take the file past" in notes and "6 of the list's distinct footprints are not drawn" in notes
    rows = sorted([r for f in collection["features"] for r in f["properties"]["rows"]] + collection["rows_not_drawn"])
    assert rows == list(range(1, 31))  # every row is in one feature or named as not drawn
    assert lf.drawable(first, max_lsoas=len(first[1]))[0] == {1: first[1]}


def test_map_data_files_do_not_depend_on_the_hash_seed_and_old_ones_are_pruned(small_cache, tmp_path):
    from geo.atlas import Atlas
    from geo.present import map_data

    cache, folder = tmp_path / "cache", tmp_path / "static"
    shutil.copytree(small_cache, cache)
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"  # another seed than this process's
    code = ("import sys; from pathlib import Path; from geo.atlas import Atlas; from geo.present import map_data;"
            "map_data.prepare(Atlas(Path(sys.argv[1])), Path(sys.argv[2]))")
    subprocess.run([sys.executable, "-c", code, str(cache), str(folder)], cwd=ROOT, check=True,
                   env=os.environ | {"PYTHONHASHSEED": seed})
    written = sorted(p.name for p in folder.glob("*.json"))
    assert any(n.startswith("sites.") for n in written) and any(n.startswith("shade_ccg.") for n in written)
    stale = folder / "sites.0123456789abcdef.json"
    stale.write_text("{}")
    mine = folder / "notes.txt"  # not a file map data names: never touched
    mine.write_text("keep")
    (cache / map_data.INDEX_FILE).unlink()  # made again here, under another hash seed: the same files
    urls = map_data.prepare(Atlas(cache), folder)
    assert sorted(u.rsplit("/", 1)[-1] for u in urls.values()) == written
    assert sorted(p.name for p in folder.glob("*.json")) == written and not stale.exists() and mine.exists()


def test_a_failed_build_leaves_the_good_cache_exactly_as_it_was(small_raw, small_cache, tmp_path, capsys):
    from geo.build import raw as rawfiles
    from geo.build.pipeline import build

    cache = tmp_path / "cache"
    shutil.copytree(small_cache, cache)
    before = {p.relative_to(cache): p.read_bytes() for p in cache.rglob("*") if p.is_file()}
    damaged = tmp_path / "raw"
    shutil.copytree(small_raw, damaged, symlinks=True)
    polygons = damaged / rawfiles.LSOA_POLYGONS / "E08000015.json"
    text = polygons.read_bytes()
    polygons.unlink()
    polygons.write_bytes(text[: len(text) // 2])  # half a file, as the audit damaged it
    with pytest.raises(rawfiles.RawDataError, match="E08000015.json"):
        build(damaged, cache, force=True, progress=lambda _m: None, expected_lsoas=None)
    after = {p.relative_to(cache): p.read_bytes() for p in cache.rglob("*") if p.is_file()}
    assert after == before  # not one byte changed, nothing left behind
    code, out, err = run_cli(capsys, "layers", "--cache", str(cache), "--raw", str(small_raw))
    assert code == 0 and "ccg" in out, err


def test_layers_reads_a_built_cache_without_the_raw_data(small_cache, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ATLAS_RAW_DIR", str(tmp_path / "no-raw-here"))
    code, out, err = run_cli(capsys, "layers", "--cache", str(small_cache))
    assert code == 0 and "ccg" in out and not err
    code, _out, err = run_cli(capsys, "layers", "--cache", str(tmp_path))
    assert code == 2 and "no built cache" in one_line_error(err)


def mount_namespace() -> list[str]:
    """A command prefix that runs its command in a mount namespace of its own (to mount a read-only or a full
    file system without touching the machine's), or skip: it needs root or unprivileged user namespaces."""
    for prefix in (["unshare", "-m"], ["unshare", "-rm"]):
        try:
            if subprocess.run([*prefix, "true"], capture_output=True, timeout=10).returncode == 0:
                return prefix
        except (OSError, subprocess.TimeoutExpired):
            continue
    pytest.skip("cannot make a mount namespace here (needs root or user namespaces) to mount a read-only disk")


@pytest.mark.parametrize(("make", "says"), [
    (lambda tmp: (tmp / "a-file").write_text("x") and tmp / "a-file", "is a file, not a folder"),
    (lambda _tmp: Path("/dev/null"), "is a file, not a folder"),
    (lambda _tmp: Path("/proc"), "/proc"),
    (lambda tmp: (tmp / "loop").symlink_to(tmp / "loop") or tmp / "loop", "cannot be used"),
    (lambda tmp: tmp / ("n" * 300), "cannot be used: File name too long"),
])
def test_a_cache_folder_that_cannot_be_one_gets_one_line_and_exit_2(small_raw, tmp_path, capsys, monkeypatch,
                                                                    make, says):
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(make(tmp_path)))
    monkeypatch.setenv("ATLAS_RAW_DIR", str(small_raw))
    for command in ("build", "layers"):
        code, _out, err = run_cli(capsys, command)
        assert code == 2 and says in one_line_error(err), (command, err)


def test_a_raw_folder_in_a_symlink_loop_gets_one_line(tmp_path, capsys, monkeypatch):
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    monkeypatch.setenv("ATLAS_RAW_DIR", str(tmp_path / "loop"))
    code, _out, err = run_cli(capsys, "build", "--cache", str(tmp_path / "c"))
    assert code == 2 and "raw data directory" in one_line_error(err)


@pytest.mark.parametrize(("mount", "says"), [
    ("mount -t tmpfs -o size=1m tmpfs {cache} && mount -o remount,ro {cache}", "read-only"),
    ("mount -t tmpfs -o size=4k,nr_inodes=2 tmpfs {cache}", "the disk is full"),  # no room for a folder
])
def test_a_read_only_or_full_cache_disk_gets_one_line(small_raw, tmp_path, mount, says):
    prefix = mount_namespace()
    cache = tmp_path / "cache"
    cache.mkdir()
    done = subprocess.run([*prefix, "sh", "-c", mount.format(cache=cache) + f" && '{sys.executable}' -m geo build "
                           f"--cache '{cache}' --raw '{small_raw}'"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 2, done.stderr
    assert says in one_line_error(done.stderr) and str(cache) in done.stderr
