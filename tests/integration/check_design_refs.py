#!/usr/bin/env python3
"""tests/integration/check_design_refs.py ROOT: every reference to the design in the repository
names a section docs/design.md has.

A reference is "docs/design.md section N", "docs/design.md sections N-M" (or "N and M",
"N, M"), possibly broken across lines of a comment (the comment markers between are ignored).
The sections are the headings "## N. Title" of docs/design.md.  The old name of the design
file, an upper-case DESIGN followed by .md, is an error anywhere: it is not in the repository.
Prints one line per problem; exits 1 if there is any."""
import os
import re
import subprocess
import sys

OLD_NAME = "DESIGN" + ".md"  # spelled in two parts so that this file does not match itself
REF = re.compile(r"docs/design\.md,?\s+sections?\s+(\d+)((?:\s*(?:-|–|,|and)\s*\d+)*)")
SKIP_EXT = (".h5", ".png", ".svg", ".pdf", ".gz")


def files(root):
    try:  # the files git knows of (tracked or not ignored), else every file
        out = subprocess.run(["git", "-C", root, "ls-files", "-co", "--exclude-standard"],
                             capture_output=True, text=True, check=True).stdout
        return [f for f in out.splitlines() if f]
    except (OSError, subprocess.CalledProcessError):
        found = []
        for d, dirs, names in os.walk(root):
            dirs[:] = [x for x in dirs if x not in (".git", "build")]
            found += [os.path.relpath(os.path.join(d, n), root) for n in names]
        return found


def main():
    root = sys.argv[1]
    with open(os.path.join(root, "docs/design.md"), encoding="utf-8") as f:
        sections = {int(m.group(1)) for m in re.finditer(r"^## (\d+)\. ", f.read(), re.M)}
    if not sections:
        sys.exit("docs/design.md: no numbered sections (## N. Title)")
    problems, refs = [], 0
    for rel in files(root):
        if rel.endswith(SKIP_EXT):
            continue
        path = os.path.join(root, rel)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except (UnicodeDecodeError, OSError):
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if OLD_NAME in line:
                problems.append(f"{rel}:{n}: names {OLD_NAME}, which is not in the repository "
                                f"(the design is docs/design.md)")
        # join continuation lines: drop newlines with the comment markers after them
        flat = re.sub(r"\n[ \t]*(?:\*|//|#|\.\\\"|;)?[ \t]*", " ", text)
        for m in REF.finditer(flat):
            refs += 1
            nums = [int(m.group(1))] + [int(x) for x in re.findall(r"\d+", m.group(2))]
            for s in nums:
                if s not in sections:
                    problems.append(f"{rel}: '{m.group(0)}': docs/design.md has no section {s} "
                                    f"(it has {', '.join(map(str, sorted(sections)))})")
    for p in problems:
        print(p)
    print(f"{refs} references to docs/design.md sections, {len(sections)} sections, "
          f"{len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
