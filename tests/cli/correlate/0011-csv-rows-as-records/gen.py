#!/usr/bin/env python3
"""Two CSV sides and the same records as NDJSON (written here, not by etlkit), for holding a CSV
side's rows, keyed and stored as text, to the records the NDJSON sides make. The CSV values hold
quotes, delimiters, line ends, backslashes, control bytes and characters past ASCII; some keys
are empty; rows of a field too many and of invalid UTF-8 are rejects (not in the NDJSON), the
first row of the right side among them."""
import json, random, sys

out = sys.argv[1]
rnd = random.Random(20261201)
pieces = ["a", '"', ",", "\n", "\u00e9", "\\", "\x01", " ", "\t", "x y", "7"]

def text():
    return "".join(rnd.choice(pieces) for _ in range(rnd.randrange(5)))

def csv_field(v):
    return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n\r') else v

def write(name, header, rows, bad_first):
    with open(f"{out}/{name}.csv", "wb") as c, open(f"{out}/{name}.ndjson", "w") as j:
        c.write((",".join(header) + "\n").encode())
        for i, row in enumerate(rows):
            if (bad_first and i == 0) or i % 97 == 50:  # a field too many
                c.write((",".join(csv_field(v) for v in row) + ",extra\n").encode())
                continue
            if i % 131 == 70:  # invalid UTF-8
                c.write((",".join(csv_field(v) for v in row[:-1]) + ",").encode() + b"\xff\n")
                continue
            c.write((",".join(csv_field(v) for v in row) + "\n").encode())
            j.write(json.dumps(dict(zip(header, row)), ensure_ascii=False) + "\n")

def key():
    return "" if rnd.randrange(12) == 0 else str(rnd.randrange(400))

left = [[key(), rnd.choice(["A", "B", ""]), text(), text()] for _ in range(3000)]
right = [[key(), rnd.choice(["A", "B"]), text(), text(), text()] for _ in range(1200)]
write("left", ["cust", "kind", "note", "amount"], left, False)
write("right", ["id", "kind", "name", "note", "city"], right, True)
