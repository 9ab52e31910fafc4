#!/usr/bin/env python3
"""Regenerates the example outputs in README.md and docs/*.md from the code.

A block to regenerate is a fenced code block right after a marker line

    <!-- output: build/capsim run models/web-peak.json -->

The command runs with bash in a scratch folder where build/, models/, experiments/, docs/ and
bench/ point at the project's (so `-o curve.csv` writes nothing into the tree); the block becomes
"$ " + the command up to its first " | " (filters such as `| head -5` stay out of sight) and
then its standard output. Standard error (progress, timings) is not shown.

    scripts/update-doc-outputs.py                 # rewrite the blocks in place
    scripts/update-doc-outputs.py --check         # exit 1 and show a diff if any block is stale
    scripts/update-doc-outputs.py --build DIR     # the build folder holding capsim (default build)

The ctest `doc_outputs_up_to_date` runs --check, so a change that moves a documented number
fails until this script is run and the new text committed.
"""

import argparse
import difflib
import glob
import os
import re
import subprocess
import sys
import tempfile

MARKER = re.compile(r"^<!-- output: (.+) -->\s*$")
LINKED = ["models", "experiments", "docs", "bench"]


def run(command, scratch):
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=scratch,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"update-doc-outputs: `{command}` exited with {done.returncode}:\n{done.stderr}")
    return done.stdout


def regenerate(path, scratch):
    """The file's text with every marked block replaced by its command's output."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        marker = MARKER.match(line)
        if not marker:
            continue
        if i >= len(lines) or not lines[i].startswith("```"):
            sys.exit(f"update-doc-outputs: {path}:{i}: a marker must be followed by a ``` block")
        out.append(lines[i])
        i += 1
        while i < len(lines) and lines[i] != "```":
            i += 1
        if i >= len(lines):
            sys.exit(f"update-doc-outputs: {path}:{i}: the block after the marker never ends")
        command = marker.group(1)
        shown = command.split(" | ")[0]
        text = run(command, scratch).rstrip("\n")
        out.append("$ " + shown)
        if text:
            out.extend(line.rstrip() for line in text.split("\n"))
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description="Regenerate the example outputs in the docs.")
    parser.add_argument("--check", action="store_true", help="fail if a block is stale")
    parser.add_argument("--build", default="build", help="the build folder holding capsim")
    args = parser.parse_args()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = os.path.abspath(os.path.join(root, args.build) if not os.path.isabs(args.build)
                            else args.build)
    if not os.path.exists(os.path.join(build, "capsim")):
        sys.exit(f"update-doc-outputs: no capsim in {build}: build it first")
    files = [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md")))

    stale = False
    with tempfile.TemporaryDirectory(prefix="capsim-doc-outputs-") as scratch:
        os.symlink(build, os.path.join(scratch, "build"))
        for name in LINKED:
            os.symlink(os.path.join(root, name), os.path.join(scratch, name))
        for path in files:
            with open(path, encoding="utf-8") as f:
                before = f.read()
            if "<!-- output: " not in before:
                continue
            after = regenerate(path, scratch)
            if after == before:
                continue
            rel = os.path.relpath(path, root)
            if args.check:
                stale = True
                sys.stdout.writelines(difflib.unified_diff(
                    before.splitlines(True), after.splitlines(True), rel, rel + " (regenerated)"))
            else:
                with open(path + ".tmp", "w", encoding="utf-8") as f:
                    f.write(after)
                os.replace(path + ".tmp", path)
                print(f"updated {rel}")
    if stale:
        print("\nexample outputs are stale: run scripts/update-doc-outputs.py and commit")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
