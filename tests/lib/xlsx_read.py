#!/usr/bin/python3
"""xlsx_read.py FILE - read a workbook with openpyxl (an independent XLSX
reader, Debian's python3-openpyxl) and print its first sheet as JSON for the
tests: {title, rows: [[{v, type, fmt}]]} where type is "date" for a cell
Excel shows as a date (a number with a date format), "s" text, "n" number,
and v is "YYYY-MM-DD" for dates."""
import datetime
import json
import sys

import openpyxl


def cell(c):
    if c.value is None:
        return None
    if c.is_date:
        v = c.value.date() if isinstance(c.value, datetime.datetime) else c.value
        return {'v': v.isoformat(), 'type': 'date', 'fmt': c.number_format}
    return {'v': c.value, 'type': c.data_type, 'fmt': c.number_format}


def main():
    wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
    ws = wb.worksheets[0]
    rows = [[cell(c) for c in row] for row in ws.iter_rows()]
    print(json.dumps({'title': ws.title, 'rows': rows}, ensure_ascii=False))


main()
