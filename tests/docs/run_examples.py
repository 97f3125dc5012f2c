#!/usr/bin/env python3
"""Runs the examples in the docs, so they cannot drift from the tools.

Every fenced block of shell in a document says what it is:
  ```sh run              runs in a scratch copy of samples/, mappings/ and profiles/, and must
                         exit 0 (```sh run exit=1 for a block that must fail so)
  ```console run         lines starting with "$ " run; the lines after each are what it must
                         print (stdout and stderr; timings masked)
  ```sh norun: WHY       does not run here, and says why (an outside server, a placeholder)
Every ```jsonc block is a mapping that `etl-transform --check` must accept, unless it is marked
```jsonc fragment (a part of one). The blocks of one document run in order in one scratch
directory, so a block may use what an earlier one made.

Usage: run_examples.py BIN_DIR REPO_ROOT DOC...
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(\w*)(.*)$")
TIMING = re.compile(r" in [0-9.]+s( \([0-9]+ records/s\))?")


def blocks(path):
    """(line, language, attributes, text) of each fenced block."""
    out, open_at, lang, attrs, body = [], None, "", "", []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = FENCE.match(line.rstrip("\n"))
            if open_at is None and m:
                open_at, lang, attrs, body = n, m.group(1), m.group(2).strip(), []
            elif open_at is not None and line.rstrip("\n") == "```":
                out.append((open_at, lang, attrs, "".join(body)))
                open_at = None
            elif open_at is not None:
                body.append(line)
    return out


def run(cmd, cwd, env):
    p = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=cwd, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def console_steps(text):
    """[(command, expected output)] of a console block."""
    steps, cmd, expected = [], None, []
    for line in text.splitlines():
        if line.startswith("$ "):
            if cmd is not None:
                steps.append((cmd, expected))
            cmd, expected = line[2:], []
        elif cmd is not None and cmd.endswith("\\") and not expected:
            cmd = cmd[:-1] + "\n" + line
        elif cmd is not None:
            expected.append(line)
    if cmd is not None:
        steps.append((cmd, expected))
    return steps


def check_doc(doc, scratch, env, bin_dir):
    failures, ran = [], 0
    for line, lang, attrs, text in blocks(doc):
        where = f"{os.path.relpath(doc)}:{line}"
        if lang in ("sh", "console"):
            if attrs.startswith("norun:") and len(attrs) > len("norun:"):
                continue
            if not attrs.startswith("run"):
                failures.append(f"{where}: a {lang} block says 'run' or 'norun: why'")
                continue
            ran += 1
            if lang == "sh":
                want = int(attrs.split("exit=")[1]) if "exit=" in attrs else 0
                code, out = run(text, scratch, env)
                if code != want:
                    failures.append(f"{where}: exit {code}, expected {want}:\n{out}")
                continue
            for cmd, expected in console_steps(text):
                code, out = run(cmd, scratch, env)
                got = [TIMING.sub(" in Ns", l) for l in out.rstrip("\n").split("\n")] if out else []
                want = [TIMING.sub(" in Ns", l) for l in expected]
                if got != want:
                    failures.append(f"{where}: `{cmd}` printed:\n" + "\n".join(got) +
                                    "\n--- the doc shows:\n" + "\n".join(want))
        elif lang == "jsonc" and attrs != "fragment":
            ran += 1
            path = os.path.join(scratch, "mappings", f"doc-example-{line}.json")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            code, out = run(f"etl-transform --check '{path}'", scratch, env)
            if code != 0:
                failures.append(f"{where}: the mapping does not pass --check:\n{out}")
    return failures, ran


def main():
    bin_dir, root, docs = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3:]
    failures = []
    for doc in docs:
        with tempfile.TemporaryDirectory() as scratch:
            for d in ("samples", "mappings", "profiles"):
                shutil.copytree(os.path.join(root, d), os.path.join(scratch, d))
            env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"], HOME=scratch)
            found, ran = check_doc(os.path.join(root, doc), scratch, env, bin_dir)
            print(f"{doc}: {ran} examples run, {len(found)} failed")
            failures += found
    for f in failures:
        print(f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
