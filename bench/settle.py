"""Server time to settle a row on the Geocode page: the whole script run after "Use this reading".

    .venv/bin/python bench/settle.py [--rows 31] [--repeat 5]

Streamlit's AppTest runs the real page (``pages/geocode.py``, through ``app.py``) in this process,
as the server would for a session; a click on "Use this reading" is one script run, timed from the
click to the end of the run: the choice itself, then the counts, tables, overlap with the programme,
map layers and download buttons drawn again. Each repeat settles the next row not matched. The list is
the issue's kind of list: CCGs in several spellings, councils, trusts, towns, groupings, one nonsense
row, repeated to ``--rows``. Also prints the choice alone (``geo.geocode.settle.choose``).
Target: <= 300 ms per settle.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NAMES = ["NHS Wakefield CCG", "Wakefield Clinical Commissioning Group", "Bradford District CCG", "Leeds City Council",
         "Salford Royal NHS Foundation Trust", "Nottinghamshire", "Kent", "Richmond", "West Yorkshire", "Sutton",
         "Zzyzx Qwerty Partnership", "Milton Keynes", "Devon", "Whitstable Medical Practice", "N. Lincolnshire CCG",
         "Kent and Medway", "NHS Greater Manchester ICB", "Cumbria (North and West)", "Bury", "Newcastle"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=31)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = [NAMES[i % len(NAMES)] for i in range(args.rows)]
    body = "site_name\r\n" + "".join(f'"{name}"\r\n' for name in rows)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.switch_page("pages/geocode.py")
    at.run()
    started = time.perf_counter()
    at.file_uploader(key="geocode_upload").set_value(("list.csv", body.encode(), "text/csv")).run()
    print(f"{args.rows} rows uploaded and geocoded in {time.perf_counter() - started:.2f} s (first run, "
          "gazetteer loaded)")
    at.run()  # a plain rerun, for comparison
    started = time.perf_counter()
    at.run()
    print(f"a rerun with nothing changed: {(time.perf_counter() - started) * 1000:.0f} ms")
    times = []
    for _ in range(args.repeat):
        if not at.button or "settle_use" not in [b.key for b in at.button]:
            break
        if at.checkbox:
            at.checkbox[0].uncheck().run()  # one row per settle
        started = time.perf_counter()
        at.button(key="settle_use").click().run()
        times.append((time.perf_counter() - started) * 1000)
        assert not at.exception, at.exception
    print(f"settle one row, whole script run: {', '.join(f'{t:.0f}' for t in times)} ms "
          f"(median {statistics.median(times):.0f} ms)   target <= 300 ms")
    choose_alone()


def choose_alone() -> None:
    import pandas as pd

    from geo.atlas import open_atlas
    from geo.geocode import settle
    from geo.geocode.batch import geocode_in_chunks
    from geo.geocode.ladder import Geocoder

    geocoder = Geocoder(open_atlas())
    batch = geocode_in_chunks(geocoder, pd.DataFrame({"site_name": NAMES * 50}))
    times = []
    for position in settle.unsettled(batch)[:20]:
        offered = settle.offered(batch, position) or settle.search(geocoder, "Wakefield")
        started = time.perf_counter()
        settle.choose(geocoder, batch, [position], offered[0])
        times.append((time.perf_counter() - started) * 1000)
    print(f"the choice alone (geo.geocode.settle.choose, {len(batch.frame):,}-row list): "
          f"median {statistics.median(times):.1f} ms, max {max(times):.1f} ms")


if __name__ == "__main__":
    main()
