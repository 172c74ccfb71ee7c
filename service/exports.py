"""The one CSV writer for every export: UTF-8 with a BOM (so Excel reads Chinese), streamed in
pieces, and every cell made inert for spreadsheets (no formulas)."""
import csv
import io
from collections.abc import Iterable, Iterator, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """A value as spreadsheet text; text that a spreadsheet would run as a formula is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def csv_pieces(header: Sequence[str], batches: Iterable[Iterable[Sequence]]) -> Iterator[str]:
    """CSV text, one piece per batch of rows (memory stays flat); the BOM and header lead the first."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(header)
    sent = False
    for rows in batches:
        for row in rows:
            writer.writerow([cell(value) for value in row])
        yield out.getvalue()
        sent = True
        out.seek(0)
        out.truncate()
    if not sent:
        yield out.getvalue()
