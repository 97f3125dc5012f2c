#!/usr/bin/env python3
"""Every test a document cites exists, so that a promise never names a test that was renamed or
never written.

Cited as `TOOL/NNNN-name` (or `TOOL/NNNN`): a golden case, tests/cli/TOOL/, or
tests/pg/cases/, tests/mariadb/cases/, tests/http/cases/ for pg/, mariadb/ and http/.
Cited as unit `NAME` (NAME may end in "…", a prefix), or unit `[tag]`: a Catch2 TEST_CASE
in tests/unit/ of that name or with that tag.

Usage: cited_tests.py REPO_ROOT DOC...
"""
import os
import re
import sys

CASE = re.compile(r"`([a-z][a-z-]*)/(\d{4})(-[a-z0-9-]+)?`")
UNIT = re.compile(r"unit `([^`]+)`")
TEST_CASE = re.compile(r'TEST_CASE\(\s*"((?:[^"\\]|\\.)*)"\s*(?:,\s*"([^"]*)")?', re.S)
SERVER_CASES = {"pg": "tests/pg/cases", "mariadb": "tests/mariadb/cases", "http": "tests/http/cases"}


def unit_tests(root):
    """(name, tags) of every TEST_CASE under tests/unit."""
    found = []
    unit_dir = os.path.join(root, "tests", "unit")
    for name in sorted(os.listdir(unit_dir)):
        if name.endswith(".cpp"):
            with open(os.path.join(unit_dir, name), encoding="utf-8") as f:
                found += TEST_CASE.findall(f.read())
    return found


def case_exists(root, tool, number, rest):
    folder = os.path.join(root, SERVER_CASES.get(tool, os.path.join("tests", "cli", tool)))
    if not os.path.isdir(folder):
        return False
    names = os.listdir(folder)
    if rest:
        return number + rest in names
    return any(n.startswith(number + "-") for n in names)


def unit_exists(tests, cited):
    if re.fullmatch(r"\[[^\]]+\]", cited):
        return any(cited in tags for _, tags in tests)
    prefix = cited.endswith("…")
    want = cited.rstrip("…")
    return any(name.startswith(want) if prefix else name == want for name, _ in tests)


def main():
    root, docs = sys.argv[1], sys.argv[2:]
    tests = unit_tests(root)
    missing = []
    for doc in docs:
        with open(os.path.join(root, doc), encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                for tool, case, rest in CASE.findall(line):
                    if not case_exists(root, tool, case, rest):
                        missing.append(f"{doc}:{number}: no test {tool}/{case}{rest}")
                for cited in UNIT.findall(line):
                    if not unit_exists(tests, cited):
                        missing.append(f"{doc}:{number}: no unit test '{cited}'")
    for m in missing:
        print(m)
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
