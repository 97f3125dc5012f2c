#!/usr/bin/env python3
"""Seeded benchmark data for scripts/bench.

  bench-data.py orders ROWS PATH             orders CSV (quoted names, UTF-8, decimals)
  bench-data.py customers ORDERS CUSTOMERS ORDERS_PATH CUSTOMERS_PATH
                                             orders with a customer_id, ~2% of them naming no
                                             customer; customers keyed by id (no commas inside
                                             fields, so that GNU join can read them too)
  bench-data.py nested ROWS PATH             orders as NDJSON with 10 items each, some the
                                             children of others (Magento's bundles)
  bench-data.py snapshots SRC OLD NEW [N]    two snapshots of SRC's first N orders: OLD is them
                                             shuffled; NEW has ~1% changed (status), ~0.5%
                                             removed, 0.5% added, shuffled
"""
import json
import random
import re
import sys


def orders(n, path):
    random.seed(42)
    names = ["Müller, Anna", "O'Brien \"Ace\"", "Zoë Dubois", "Łukasz Nowak", "José García",
             "Sven Østergaard"]
    with open(path, "w", encoding="utf-8") as f:
        f.write("order_no,customer,email,sku,quantity,unit_price,total,status,created_at,currency\n")
        for i in range(n):
            name = random.choice(names)
            q = random.randint(1, 9)
            p = random.randint(100, 99999)
            f.write('SO-%08d,"%s",c%d@example.com,%05d,%d,%d.%02d,%d.%02d,%s,2024-%02d-%02dT%02d:%02d:00Z,%s\n' % (
                i, name.replace('"', '""'), i % 50000, random.randint(0, 99999), q, p // 100, p % 100,
                p * q // 100, p * q % 100, random.choice(["paid", "shipped", "cancelled"]),
                random.randint(1, 12), random.randint(1, 28), random.randint(0, 23),
                random.randint(0, 59), random.choice(["eur", "usd", "chf"])))


def nested(n, path):
    random.seed(7)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            items = []
            for k in range(10):
                parent = items[k - 1]["item_id"] if k % 4 == 3 else None
                p = random.randint(100, 99999)
                items.append({"item_id": i * 10 + k, "parent_item_id": parent,
                              "sku": "%05d" % random.randint(0, 99999), "qty_ordered": random.randint(1, 9),
                              "price": "%d.%02d" % (p // 100, p % 100)})
            f.write(json.dumps({"increment_id": "%09d" % i, "status": random.choice(["processing", "complete"]),
                                "items": items}, separators=(",", ":")) + "\n")


def customers(n_orders, n_customers, orders_path, customers_path):
    random.seed(11)
    first = ["Anna", "Zoë", "Łukasz", "José", "Sven", "María", "Chloé", "Jürgen"]
    last = ["Müller", "O'Brien", "Dubois", "Nowak", "García", "Østergaard", "Rossi", "Lee"]
    with open(customers_path, "w", encoding="utf-8") as f:
        f.write("id,name,email,city,postcode\n")
        for i in range(1, n_customers + 1):
            f.write('%d,%s %s,c%d@example.com,%s,%05d\n' % (
                i, random.choice(first), random.choice(last), i,
                random.choice(["Paris", "Köln", "Kraków", "Genève", "Aarhus"]), random.randint(1000, 99999)))
    with open(orders_path, "w", encoding="utf-8") as f:
        f.write("order_no,customer_id,sku,quantity,total,status\n")
        for i in range(n_orders):
            p = random.randint(100, 99999)
            f.write('SO-%08d,%d,%05d,%d,%d.%02d,%s\n' % (
                i, random.randint(1, n_customers * 102 // 100), random.randint(0, 99999),
                random.randint(1, 9), p // 100, p % 100, random.choice(["paid", "shipped"])))


def snapshots(src, old_path, new_path, limit=None):
    random.seed(7)
    with open(src, encoding="utf-8") as f:
        header = f.readline()
        rows = f.readlines()
    if limit:
        rows = rows[:limit]
    status = re.compile(r",(paid|shipped|cancelled),(\d{4}-)")
    new = []
    for line in rows:
        r = random.random()
        if r < 0.005:
            continue
        if r < 0.015:
            line = status.sub(r",refunded,\2", line, count=1)
        new.append(line)
    for i in range(len(rows) // 200):
        new.append('SO-9%07d,"New Customer",new%d@example.com,00042,1,10.00,10.00,paid,'
                   '2024-12-01T10:00:00Z,eur\n' % (i, i))
    old = rows[:]
    random.shuffle(old)
    random.shuffle(new)
    for path, data in ((old_path, old), (new_path, new)):
        with open(path, "w", encoding="utf-8") as f:
            f.write(header)
            f.writelines(data)


if __name__ == "__main__":
    if sys.argv[1] == "orders":
        orders(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "customers":
        customers(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5])
    elif sys.argv[1] == "nested":
        nested(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "snapshots":
        snapshots(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]) if len(sys.argv) > 5 else None)
    else:
        sys.exit(__doc__)
