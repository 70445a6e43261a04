#!/usr/bin/python3
"""Reads a Tilstede workbook back with openpyxl and checks every cell
against the reports it was made from (their JSON, as `report --json`
prints it): sheet names and order, the title, the headings, each row's
label, detail, hours, årsverk and visits stored as numbers with a number
format, the sum row, and the frozen headings.

Usage: xlsx_readback.py BOOK.xlsx REPORT.json [REPORT.json ...]
       xlsx_readback.py --visits BOOK.xlsx VISITS.csv
The second form checks a volunteer's visits (one sheet "Besøk") against
the CSV of the same list: the times stored as Excel dates, the hours as
numbers with two decimals, every cell equal to the CSV's field.
Exit 0 when every cell matches; 1 with the first difference otherwise."""
import csv
import datetime
import json
import sys

import openpyxl

SHEETS = {"site": ("Enhet", "Type"), "kind": ("Tjenesteområde", None),
          "activity": ("Aktivitet", "Dato og sted"), "month": ("Måned", None),
          "volunteer": ("Frivillig", "Navn")}


def fail(message):
    print("xlsx_readback: " + message)
    sys.exit(1)


def same_number(cell, value, where):
    if not isinstance(cell.value, (int, float)) or isinstance(cell.value, bool):
        fail(f"{where}: {cell.value!r} is not stored as a number")
    if abs(cell.value - value) > 1e-9 * max(1.0, abs(value)):
        fail(f"{where}: {cell.value!r} != {value!r}")
    if cell.number_format in ("General", "@"):
        fail(f"{where}: no number format ({cell.number_format})")


def check_sheet(sheet, report):
    group, detail = SHEETS[report["by"]]
    if not sheet["A1"].value.startswith(f"Frivillige timer {report['from']} til {report['to']}"):
        fail(f"{sheet.title}: title {sheet['A1'].value!r}")
    headings = [group] + ([detail] if detail else []) + ["Timer", "Årsverk", "Besøk"]
    got = [c.value for c in sheet[2][:len(headings)]]
    if got != headings:
        fail(f"{sheet.title}: headings {got} != {headings}")
    if sheet.freeze_panes != "A3":
        fail(f"{sheet.title}: the headings do not stay (freeze panes {sheet.freeze_panes})")
    rows = report["rows"] + [report["total"]]
    if sheet.max_row != 2 + len(rows):
        fail(f"{sheet.title}: {sheet.max_row - 2} rows, the report has {len(rows)}")
    for i, row in enumerate(rows):
        cells = sheet[3 + i]
        where = f"{sheet.title}!row {3 + i}"
        col = 0
        if cells[col].value != row["label"]:
            fail(f"{where}: label {cells[col].value!r} != {row['label']!r}")
        col += 1
        if detail:
            if (cells[col].value or "") != row["detail"]:
                fail(f"{where}: detail {cells[col].value!r} != {row['detail']!r}")
            col += 1
        same_number(cells[col], row["hours"], where + " hours")
        if "0.00" not in cells[col].number_format:
            fail(f"{where}: hours format {cells[col].number_format!r} has no two decimals")
        same_number(cells[col + 1], row["arsverk"], where + " årsverk")
        same_number(cells[col + 2], row["visits"], where + " visits")
        if cells[col + 2].value != int(cells[col + 2].value):
            fail(f"{where}: visits {cells[col + 2].value!r} is not a whole number")
    return len(rows)


def check_visits(book_path, csv_path):
    """Every cell of the sheet of visits equals the CSV (Excel in Norway's)."""
    with open(csv_path, "rb") as f:
        data = f.read()
    if not data.startswith(b"\xef\xbb\xbf"):
        fail("the visits' CSV has no BOM")
    lines = list(csv.reader(data[3:].decode("utf-8").split("\r\n")[:-1], delimiter=";"))
    book = openpyxl.load_workbook(book_path)
    if book.sheetnames != ["Besøk"]:
        fail(f"sheets {book.sheetnames}, expected one of visits")
    sheet = book["Besøk"]
    if not str(sheet["A1"].value).startswith("Besøk: "):
        fail(f"title {sheet['A1'].value!r}")
    if sheet.freeze_panes != "A3":
        fail(f"the headings do not stay (freeze panes {sheet.freeze_panes})")
    got = [c.value for c in sheet[2][:5]]
    if got != lines[0]:
        fail(f"headings {got} != {lines[0]}")
    if sheet.max_row != 1 + len(lines):
        fail(f"{sheet.max_row - 2} rows, the CSV has {len(lines) - 1}")
    for i, line in enumerate(lines[1:]):
        cells = sheet[3 + i]
        where = f"row {3 + i}"
        for col in (0, 2):
            value = cells[col].value
            if i == len(lines) - 2:  # the sum row: no times
                text = value or ""
            elif value is None:
                text = ""
            elif not isinstance(value, datetime.datetime):
                fail(f"{where}: {value!r} is not stored as a date")
            else:
                if "yy" not in cells[col].number_format:
                    fail(f"{where}: time format {cells[col].number_format!r}")
                text = value.strftime("%d.%m.%Y %H:%M")
            if text != line[col]:
                fail(f"{where}: {text!r} != {line[col]!r}")
        for col in (1, 3):
            if (cells[col].value or "") != line[col]:
                fail(f"{where}: {cells[col].value!r} != {line[col]!r}")
        hours = cells[4]
        if line[4] == "":
            if hours.value is not None:
                fail(f"{where}: hours {hours.value!r} for an open visit")
            continue
        same_number(hours, float(line[4].replace(",", ".")), where + " hours")
        if "0.00" not in hours.number_format:
            fail(f"{where}: hours format {hours.number_format!r} has no two decimals")
        if f"{hours.value:.2f}".replace(".", ",") != line[4]:
            fail(f"{where}: hours {hours.value!r} != {line[4]!r}")
    print(f"xlsx_readback: {len(lines) - 1} rows of visits, every cell equals the CSV")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--visits":
        check_visits(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) < 3:
        fail("usage: xlsx_readback.py BOOK.xlsx REPORT.json [REPORT.json ...]")
    book = openpyxl.load_workbook(sys.argv[1])
    reports = []
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            reports.append(json.load(f))
    if len(book.sheetnames) != len(reports):
        fail(f"{len(book.sheetnames)} sheets {book.sheetnames}, {len(reports)} reports")
    cells = 0
    for name, report in zip(book.sheetnames, reports):
        if not name.startswith(SHEETS[report["by"]][0]):
            fail(f"sheet {name!r} for a report by {report['by']}")
        cells += check_sheet(book[name], report)
    print(f"xlsx_readback: {len(reports)} sheets, {cells} rows, every cell equals the report")


main()
