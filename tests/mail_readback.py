#!/usr/bin/python3
"""Reads back the messages smtp_sink.py kept, as a mail program would (the
standard library's email parser): for each DIR/msg-N.eml writes
DIR/msg-N.txt (the envelope's recipients, the To and Subject headers
decoded, a blank line, then the text body decoded) and DIR/msg-N.xlsx (the
attached workbook), and prints one line per message:
  msg-N <TAB> envelope recipients <TAB> attachment name <TAB> sheet:first-column labels;...
with the labels read from the workbook by openpyxl.

Usage: mail_readback.py DIR
Exit 1 when a message is not what a mail program can read (no text part,
no workbook, not exactly one attachment)."""
import email
import email.policy
import glob
import os
import re
import sys

import openpyxl


def fail(message):
    print("mail_readback: " + message)
    sys.exit(1)


def main():
    folder = sys.argv[1]
    paths = sorted(glob.glob(os.path.join(folder, "msg-*.eml")),
                   key=lambda p: int(re.search(r"msg-(\d+)", p).group(1)))
    for path in paths:
        with open(path, "rb") as data:
            message = email.message_from_binary_file(data, policy=email.policy.default)
        base = path[:-4]
        name = os.path.basename(base)
        envelope = message["X-Envelope-To"]
        body = message.get_body(preferencelist=("plain",))
        if body is None:
            fail(f"{name}: no text part")
        attachments = list(message.iter_attachments())
        if len(attachments) != 1:
            fail(f"{name}: {len(attachments)} attachments, expected the workbook alone")
        book = attachments[0]
        if book.get_content_type() != \
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
            fail(f"{name}: the attachment is {book.get_content_type()}")
        with open(base + ".txt", "w", encoding="utf-8") as out:
            out.write(f"Envelope-To: {envelope}\nTo: {message['To']}\n"
                      f"Subject: {message['Subject']}\n\n")
            out.write(body.get_content().replace("\r\n", "\n"))
        with open(base + ".xlsx", "wb") as out:
            out.write(book.get_content())
        workbook = openpyxl.load_workbook(base + ".xlsx")
        sheets = []
        for sheet in workbook.worksheets:
            labels = [str(row[0].value) for row in sheet.iter_rows(min_row=3) if row[0].value]
            sheets.append(sheet.title + ":" + ",".join(labels))
        print(f"{name}\t{envelope}\t{book.get_filename()}\t{';'.join(sheets)}")


if __name__ == "__main__":
    main()
