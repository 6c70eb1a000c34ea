"""Read a user's site list (CSV bytes) robustly, or refuse it with a message that says what to fix.

Spreadsheets save CSV as UTF-8, UTF-8 with a byte-order mark, Windows-1252 or UTF-16, with
commas, semicolons or tabs; all of those are read. Anything else gets a :class:`SiteFileError`.
Every cell is kept as text, exactly as written (no NA guessing, no number parsing).
"""

from __future__ import annotations

import codecs
import csv
import io
import re

import pandas as pd

MAX_BYTES = 5_000_000
MAX_ROWS = 50_000
REQUIRED = "site_name"
OPTIONAL = ("lead_organisation", "areas", "postcode", "lat", "lon")


class SiteFileError(ValueError):
    """The file cannot be read as a site list; the message says what to fix."""


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with (BOMs first, then UTF-8, then Windows-1252)."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise SiteFileError(f"the file starts like {name} but is not valid {name}: save it again as "
                                    "'CSV UTF-8'") from exc
    sample = data[:2000]
    if sample.count(b"\x00") > len(sample) // 4:  # UTF-16 without a byte-order mark
        for name in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(name)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text:
                return text, name
    if b"\x00" in data:
        raise SiteFileError("this is not a text file (it contains binary data): save the sheet as 'CSV UTF-8'")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise SiteFileError("the text encoding is not UTF-8, UTF-16 or Windows-1252: save the file as "
                            "'CSV UTF-8'") from exc


def _canonical(column: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", column.strip().lower()).strip("_")


def read_site_csv(data: bytes, max_bytes: int = MAX_BYTES) -> pd.DataFrame:
    """A site list as text columns; known columns renamed to their canonical names (``Site name``)."""
    if len(data) > max_bytes:
        raise SiteFileError(f"the file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB: "
                            "split it into smaller files")
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise SiteFileError("this is an Excel workbook, not CSV: in Excel use File > Save As > 'CSV UTF-8'")
    text, _encoding = decode(data)
    if not text.strip():
        raise SiteFileError("the file is empty: it needs a header row with a site_name column and one row per site")
    first = text.lstrip("\ufeff").splitlines()[0]
    try:
        delimiter = csv.Sniffer().sniff(first, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    try:
        reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter, strict=True)
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise SiteFileError(f"this is not a well-formed CSV ({exc}); check the quotes") from exc
    header, body = [h.strip() for h in rows[0]], rows[1:]
    for number, row in enumerate(body, start=2):
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
            raise SiteFileError(f"this is not a well-formed CSV: row {number} has {len(row)} cells but the header "
                                f"has {len(header)}; check for unquoted commas or a missing header")
    body = [(row + [""] * len(header))[: len(header)] for row in body]
    frame = pd.DataFrame(body, columns=header, dtype=str)
    rename = {}
    for column in frame.columns:
        canonical = _canonical(str(column))
        if canonical in (REQUIRED, *OPTIONAL) and canonical not in rename.values():
            rename[column] = canonical
    frame = frame.rename(columns=rename)
    if REQUIRED not in frame.columns:
        found = ", ".join(str(c) for c in frame.columns[:8]) or "none"
        raise SiteFileError(f"no '{REQUIRED}' column (columns found: {found}): add a header row whose site "
                            "names column is called site_name")
    if len(frame) > MAX_ROWS:
        raise SiteFileError(f"{len(frame):,} rows; the limit is {MAX_ROWS:,}: split the list")
    return frame.reset_index(drop=True)
