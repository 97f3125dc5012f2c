#!/usr/bin/env python3
"""Inputs that span many chunks (--threads cuts at 256 KiB) with every hard case on the way:
quoted CSV fields with newlines and doubled quotes, CRLF, lone CR, blank lines, a BOM, ragged
rows and invalid UTF-8 (rejects in the middle), a record longer than a chunk; NDJSON with
invalid lines, non-objects, duplicate keys, escapes, CRLF, blank lines and a very long line."""
import gzip, json, random, sys

out = sys.argv[1]
rnd = random.Random(20261130)

def note(i):
    k = i % 11
    if k == 0: return '"two\nlines, and a comma"'
    if k == 1: return '"a ""quoted"" word"'
    if k == 2: return '5" screen'  # a quote inside an unquoted field is a byte like any other
    if k == 3: return '"\r\nstarts with CRLF"'
    if k == 4: return '"' + 'x' * 300 + '\n' * 3 + '"'
    return 'plain %d' % rnd.randrange(10**6)

with open(f"{out}/quoted.csv", "wb") as f:
    f.write(b"\xef\xbb\xbfid,name,note,amount\n")
    for i in range(30000):
        end = "\r\n" if i % 5 == 0 else "\n"
        if i % 997 == 0: f.write(b"\n")                           # blank line
        if i % 1499 == 0:
            f.write(f"{i},ragged{end}".encode()); continue        # a reject
        if i % 2003 == 0:
            f.write(f"{i},bad \xff name,n,1{end}".encode("latin-1")); continue
        if i == 15000:                                            # longer than a chunk
            f.write(f'{i},long,"{"y" * 300000}\n{"z" * 10}",1{end}'.encode()); continue
        f.write(f"{i},name {i},{note(i)},{i % 100}.{i % 7:02d}{end}".encode())

with open(f"{out}/nulls.csv", "w") as f:  # empty, "", NULL and "NULL" fields (--null)
    f.write("id,a,b,c\n")
    kinds = ['', '""', 'NULL', '"NULL"', 'x', '"y,z"']
    for i in range(40000):
        f.write(f"{i},{kinds[i % 6]},{kinds[i % 5]},{kinds[i % 4]}\n")

with open(f"{out}/one-column.csv", "wb") as f:  # blank lines (empty values), CRLF ones too
    f.write(b"sku\n")
    kinds = [b"A-%d\n", b"\n", b'""\n', b"\r\n", b'"multi\nline %d"\n']
    for i in range(200000):
        k = kinds[i % 5]
        f.write(k % i if b"%d" in k else k)

with open(f"{out}/old-mac.csv", "wb") as f:  # lone CRs only: one chunk that grows
    f.write(b"a,b\r")
    for i in range(20000):
        f.write(f'{i},"v\r{i}"\r'.encode())

with open(f"{out}/tabs.tsv", "w") as f:
    f.write("k\tv\n")
    for i in range(20000):
        f.write(f'{i}\t"tab\tin {i}"\n' if i % 9 == 0 else f"{i}\tv{i}\n")

with open(f"{out}/rows.txt", "wb") as f:  # the text format (PostgreSQL COPY, MySQL OUTFILE)
    f.write(b"id\tname\tnote\n")
    notes = [b"two\\nlines", b"tab\\there", b"\\N", b"back\\\\slash", b"oct \\101 hex \\x42",
             b"", b"\xc3\xa9t\xc3\xa9"]
    for i in range(60000):
        end = b"\r\n" if i % 7 == 0 else b"\n"
        if i % 1499 == 0: f.write(b"%d\tragged" % i + end); continue         # a reject
        if i % 2003 == 0: f.write(b"%d\tbad \xff\tn" % i + end); continue  # invalid UTF-8
        if i % 2999 == 0: f.write(b"%d\tcut\tends \\" % i + end); continue  # a lone backslash
        if i == 30000: f.write(b"%d\tlong\t" % i + b"y" * 300000 + end); continue
        f.write(b"%d\tname %d\t" % (i, i) + notes[i % len(notes)] + end)
    f.write(b"60000\tlast\tno newline")

lines = []
plain = []  # the records no mapping here rejects: whole chunks that need no record on the writing thread
for i in range(30000):
    r = {"id": i, "status": ["paid", "cancelled", "open"][i % 3], "qty": i % 9,
         "price": f"{i % 50}.{i % 10}9", "name": f"é☃ \"{i}\"\t\\", "tags": ["a", {"b": [i, None]}],
         "amount": "n/a" if i % 997 == 0 else i % 13}
    if i % 1201 == 0: lines.append('{"id": %d, "broken": ' % i); continue
    if i % 1301 == 0: lines.append("[1,2,3]"); continue
    if i % 1409 == 0: lines.append('{"id":%d,"id":%d}' % (i, i)); continue
    if i % 1777 == 0: lines.append(""); continue
    if i == 20000: r["blob"] = "w" * 400000
    lines.append(json.dumps(r, ensure_ascii=(i % 2 == 0)) + ("\r" if i % 4 == 0 else ""))
    if i != 20000 and i % 997 != 0: plain.append(lines[-1])
with open(f"{out}/orders.ndjson", "w") as f:
    f.write("\n".join(lines) + "\n")
with open(f"{out}/plain.ndjson", "w") as f:
    f.write("\n".join(plain) + "\n")
with gzip.open(f"{out}/orders.ndjson.gz", "wt") as f:
    f.write("\n".join(lines))  # no newline at the end
# A gzip CSV cut short in the middle of its stream: a data error after the rows before it.
import io
packed = io.BytesIO()
with gzip.GzipFile(fileobj=packed, mode="wb") as f:
    f.write(b"id,name,amount\n" + b"".join(b"%d,name %d,%d.50\n" % (i, i, i % 1000) for i in range(80000)))
with open(f"{out}/cut.csv.gz", "wb") as f:
    f.write(packed.getvalue()[: len(packed.getvalue()) * 3 // 5])
packed = io.BytesIO()
with gzip.GzipFile(fileobj=packed, mode="wb") as f:
    f.write("\n".join(lines).encode())
with open(f"{out}/cut.ndjson.gz", "wb") as f:
    f.write(packed.getvalue()[: len(packed.getvalue()) * 2 // 3])

# A SQLite table read a batch ahead on its own thread: nulls, text past ASCII, JSON columns with
# values that are not JSON (a note after the end), and a row whose JSON a query fails on, midway.
import sqlite3
db = sqlite3.connect(f"{out}/shop.db")
db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, price NUMERIC(8,2), doc JSON)")
db.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", [
    (i, None if i % 7 == 0 else f"é☃ {i}\t\"x\"", f"{i % 90}.{i % 10}0",
     "{oops" if i in (1700, 2404) else json.dumps({"a": i, "b": [i, None]}))
    for i in range(1, 3001)])
db.commit()
db.close()
