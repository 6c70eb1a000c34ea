"""Read a user's site list (CSV bytes) robustly, or refuse it with a message that says what to fix.

Spreadsheets save CSV as UTF-8, UTF-8 with a byte-order mark, Windows-1252 or UTF-16, with
commas, semicolons or tabs; all of those are read. Anything else gets a :class:`SiteFileError`.
Every cell is kept as text, exactly as written (no NA guessing, no number parsing).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re

import pandas as pd

MAX_BYTES = 5_000_000
MAX_ROWS = 50_000
#: Characters in one cell: Python's csv default field limit, far above any real name or note.
MAX_CELL_CHARS = 131_072
#: Columns: far more than a site list has, and with the geocoding columns well within Excel's 16,384.
MAX_COLUMNS = 1_000
#: The separator is guessed from the header's start: csv.Sniffer's patterns take time quadratic in
#: the length of what they read, and a header shows its separator long before this.
SNIFF_CHARS = 2_000
#: Separators a row may use; a row that splits on another one than its header is refused.
DELIMITERS = ",;\t|"
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
        # Latin text in UTF-16 has its zero bytes second (little-endian) or first (big-endian).
        odd, even = sample[1::2].count(0), sample[0::2].count(0)
        name = "utf-16-le" if odd > even else "utf-16-be"
        try:
            text = data.decode(name)
        except UnicodeDecodeError as exc:
            raise SiteFileError(f"the file looks like {name.upper()} without a byte-order mark but does not "
                                "decode as it: save it again as 'CSV UTF-8'") from exc
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


def read_site_file(path: str | os.PathLike, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a site list, refused from its length (or a bounded read) before reading it all.

    A device or pipe has no useful length (``/dev/zero`` says 0), so at most ``max_bytes + 1``
    bytes are ever read. Raises :class:`SiteFileError` (too large, a folder) or ``OSError``.
    """
    if os.path.isdir(path):
        raise SiteFileError("this is a folder, not a file: give the path of a CSV file")
    size = os.stat(path).st_size
    if size > max_bytes:
        raise SiteFileError(_too_big(size, max_bytes))
    with open(path, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SiteFileError(f"the file is larger than the limit of {max_bytes / 1e6:.0f} MB (it was not read "
                            "to the end): give a CSV file under the limit, or split the list")
    return data


def _too_big(size: int, max_bytes: int) -> str:
    return (f"the file is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB: "
            "split it into smaller files")


def _comment_lines(text: str) -> int:
    """Lines before the header that this project's exports write: one cell starting with ``# ``."""
    count = 0
    for line in text.splitlines():
        if not line.startswith(("# ", '"# ')):
            break
        count += 1
    return count


def read_site_csv(data: bytes, max_bytes: int = MAX_BYTES) -> pd.DataFrame:
    """A site list as text columns; known columns renamed to their canonical names (``Site name``).

    Lines before the header that start with ``#`` (the attribution lines of this project's own
    exports) are skipped, so a geocoded file can be geocoded again.
    """
    if len(data) > max_bytes:
        raise SiteFileError(_too_big(len(data), max_bytes))
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise SiteFileError("this is an Excel workbook, not CSV: in Excel use File > Save As > 'CSV UTF-8'")
    text, _encoding = decode(data)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise SiteFileError("the file is empty: it needs a header row with a site_name column and one row per site")
    skipped = _comment_lines(text)
    lines = text.splitlines(keepends=True)
    text = "".join(lines[skipped:])
    if not text.strip():
        raise SiteFileError("the file has no header row: it needs a site_name column and one row per site")
    first = next(line for line in text.splitlines() if line.strip())
    try:
        delimiter = csv.Sniffer().sniff(first[:SNIFF_CHARS], delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    header, body = _rows(text, delimiter, skipped)
    if len(header) > MAX_COLUMNS:
        raise SiteFileError(f"the header has {len(header):,} columns; the limit is {MAX_COLUMNS:,}: keep the "
                            "columns you need (site_name and its optional columns) and remove the rest")
    width = len(header)
    others = [d for d in DELIMITERS if d != delimiter]
    for line, row in body:
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            raise SiteFileError(f"this is not a well-formed CSV: line {line} has {len(row)} cells but the header "
                                f"has {width}; check for unquoted commas or a missing header")
        if width > 1 and len(row) < width and any(d in cell for cell in row for d in others):
            used = next(d for d in others if any(d in cell for cell in row))
            raise SiteFileError(f"line {line} does not split like the header: it has {len(row)} of {width} cells "
                                f"and uses {_name(used)} where the header uses {_name(delimiter)}; use one "
                                "separator throughout (or quote the cell)")
    rows = [(row + [""] * width)[:width] for _line, row in body]
    header = [h.strip() for h in header]
    _check_names(header)
    frame = pd.DataFrame(rows, columns=header, dtype=str)
    rename = {}
    for column in frame.columns:
        canonical = _canonical(str(column))
        if canonical in (REQUIRED, *OPTIONAL) and canonical not in rename.values():
            rename[column] = canonical
    frame = frame.rename(columns=rename)
    _check_names([str(c) for c in frame.columns], before=header)
    if REQUIRED not in frame.columns:
        found = ", ".join(str(c) for c in frame.columns[:8]) or "none"
        raise SiteFileError(f"no '{REQUIRED}' column (columns found: {found}): add a header row whose site "
                            "names column is called site_name")
    return frame.reset_index(drop=True)


def _name(delimiter: str) -> str:
    return {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars (|)"}[delimiter]


def _rows(text: str, delimiter: str, skipped: int) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, cells) of every non-blank row; limits on cells and rows enforced."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            line, start = start + skipped, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            rows.append((line, row))
            if len(rows) > MAX_ROWS + 1:
                raise SiteFileError(f"more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,}: split the list")
    except csv.Error as exc:
        line = start + skipped
        if "field larger than field limit" in str(exc):
            raise SiteFileError(f"line {line}: cell too long (limit {MAX_CELL_CHARS:,} characters): shorten it "
                                "or split the row") from exc
        raise SiteFileError(f"this is not a well-formed CSV (line {line}: {exc}); check the quotes") from exc
    if not rows:
        raise SiteFileError("the file is empty: it needs a header row with a site_name column and one row per site")
    for line, row in rows:
        for cell in row:
            if len(cell) > MAX_CELL_CHARS:
                raise SiteFileError(f"line {line}: cell too long (limit {MAX_CELL_CHARS:,} characters): shorten "
                                    "it or split the row")
    return rows[0][1], rows[1:]


def _check_names(names: list[str], before: list[str] | None = None) -> None:
    """Two columns of one name cannot both come back: say which and how to fix it."""
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name in seen:
            first = seen[name]
            if not name:
                raise SiteFileError(f"columns {first} and {position} both have an empty header: give every "
                                    "column a name (or delete the empty columns)")
            if before is not None and (before[first - 1] != name or before[position - 1] != name):
                raise SiteFileError(f"columns {first} ('{before[first - 1]}') and {position} "
                                    f"('{before[position - 1]}') both mean '{name}': keep one, or rename the other")
            raise SiteFileError(f"columns {first} and {position} are both called '{name}': rename one of them")
        seen[name] = position
