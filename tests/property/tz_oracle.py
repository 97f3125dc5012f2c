#!/usr/bin/env python3
"""Property test: time-zone conversions against Python's zoneinfo, 1900-2100.

For each zone, every offset change between 1900 and 2100 is found with zoneinfo (a daily scan,
then a bisection to the second), and the instants one second before, at and after each change,
plus one a month, go through etl-transform: to_zone(instant, zone) must show the same local
time and offset as zoneinfo (offsets with seconds included), and the local time read back in the
zone (dst: earliest) must give the instant zoneinfo gives for it (fold=0). Both read the same
system zone files; zoneinfo applies their POSIX footer rule past 2037 on its own.

usage: tz_oracle.py BIN_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

ZONES = [
    "America/New_York", "America/Los_Angeles", "America/Chicago", "America/St_Johns",
    "America/Sao_Paulo", "America/Santiago", "America/Havana", "Europe/London", "Europe/Dublin",
    "Europe/Berlin", "Europe/Moscow", "Europe/Lisbon", "Africa/Casablanca", "Asia/Kolkata",
    "Asia/Kathmandu", "Asia/Tehran", "Asia/Jerusalem", "Australia/Lord_Howe", "Australia/Sydney",
    "Australia/Adelaide", "Pacific/Auckland", "Pacific/Chatham", "America/Godthab",
]
START = datetime(1900, 1, 1, tzinfo=timezone.utc)
END = datetime(2100, 12, 31, tzinfo=timezone.utc)


def changes(zone):
    """The instants (UTC) where the zone's offset changes between START and END."""
    out = []
    t, off = START, START.astimezone(zone).utcoffset()
    while t < END:
        nxt = t + timedelta(days=1)
        noff = nxt.astimezone(zone).utcoffset()
        if noff != off:
            lo, hi = t, nxt  # the change lies in (lo, hi]
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(microsecond=0)
                if mid.astimezone(zone).utcoffset() == off:
                    lo = mid
                else:
                    hi = mid
            out.append(hi)
        t, off = nxt, noff
    return out


def rfc3339(dt):
    text = dt.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def main():
    bin_dir = sys.argv[1]
    failures, checked = [], 0
    with tempfile.TemporaryDirectory() as work:
        for name in ZONES:
            zone = ZoneInfo(name)
            instants = set()
            for c in changes(zone):
                instants.update({c - timedelta(seconds=1), c, c + timedelta(seconds=1)})
            t = START
            while t < END:
                instants.add(t)
                t += timedelta(days=30, hours=7)
            instants = sorted(instants)
            mapping = {"name": "tz-oracle", "timezone": name, "dst": "earliest",
                       "fields": {"z": f"string(to_zone(parse_time(u), '{name}'))",
                                  "b": "string(parse_time(l))"}}
            path = os.path.join(work, "m.json")
            with open(path, "w") as f:
                json.dump(mapping, f)
            lines = []
            for u in instants:
                local = u.astimezone(zone).replace(tzinfo=None)
                lines.append(json.dumps({"u": rfc3339(u), "l": local.isoformat()}))
            run = subprocess.run([os.path.join(bin_dir, "etl-transform"), "-q", "-m", path],
                                 input="\n".join(lines) + "\n", capture_output=True, text=True)
            if run.returncode != 0:
                sys.exit(f"etl-transform exited {run.returncode} for {name}: {run.stderr}")
            got = [json.loads(line) for line in run.stdout.splitlines()]
            for u, g in zip(instants, got):
                checked += 1
                local = u.astimezone(zone)
                want_z = rfc3339(local)
                back = local.replace(tzinfo=None).replace(tzinfo=zone, fold=0)
                want_b = rfc3339(back)
                if g["z"] != want_z or g["b"] != want_b:
                    failures.append(f"{name} {rfc3339(u)}: to_zone {g['z']} (zoneinfo {want_z}), "
                                    f"back {g['b']} (zoneinfo {want_b})")
            if len(got) != len(instants):
                failures.append(f"{name}: {len(got)} results for {len(instants)} instants")
    for f in failures[:20]:
        print("MISMATCH", f)
    print(f"tz oracle: {checked - len(failures)} passed, {len(failures)} failed "
          f"({len(ZONES)} zones, 1900-2100)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
