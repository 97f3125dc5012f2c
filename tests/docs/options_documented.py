#!/usr/bin/env python3
"""Every option of every tool is documented in the README: its names come from the tool's own
definitions (the manual page `etl-x --manual` generates from them, the same as --help), and one
of them (`-o` or `--output`) must appear in README.md. An option added without a word in the
README fails here.

Usage: options_documented.py BIN_DIR README
"""
import re
import subprocess
import sys

TOOLS = ["extract", "transform", "load", "diff", "correlate", "migrate"]
# Every tool has these; the README's "Common options" section documents them once.
SELF_EXPLAINING = {"--help", "--version", "--manual", "--completion"}


def option_names(bin_dir, tool):
    page = subprocess.run([f"{bin_dir}/etl-{tool}", "--manual"], check=True,
                          stdout=subprocess.PIPE).stdout.decode()
    names, in_options = [], False
    for line in page.splitlines():
        if line.startswith(".SH "):
            in_options = line.startswith(".SH OPTIONS")
        elif in_options and line.startswith(".B "):
            spec = line[3:].split(" \\fI")[0].replace("\\-", "-")
            names.append([n.strip() for n in spec.split(",")])
    return names


def main():
    bin_dir, readme = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
    missing = []
    for tool in TOOLS:
        for names in option_names(bin_dir, tool):
            if SELF_EXPLAINING & set(names):
                continue
            if not any(re.search(r"(?<![\w-])" + re.escape(n) + r"(?![\w-])", readme) for n in names):
                missing.append(f"etl-{tool} {', '.join(names)}")
    for m in missing:
        print(f"not in README.md: {m}")
    print(f"{len(missing)} options undocumented")
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
