#!/usr/bin/env python3
"""tests/integration/check_reliability.py ROOT [MIN_ROWS]: the catalogue of bad inputs and
faults in ROOT/docs/reliability.md (the section "## Bad input and faults: the catalogue") is
backed by tests that `make check` runs.

Every table row of the section (up to the next "## " heading) ends with a cell naming one or
more tests, each written `PATH`: `NAME`:
  - a unit test: PATH is tests/unit/test_*.c, NAME a function defined there
    (`static void NAME(void **state)`) and registered with cmocka_unit_test(NAME);
  - an integration check: PATH is tests/integration/t_*.sh, or a script one of them runs
    (named by its path in it, as t_fuzz.sh runs tests/fuzz/run.sh), and NAME the name of one
    of its checks: the first quoted argument of a call to a check helper of lib.sh (ok, notok,
    check, expect_ok, expect_fail, expect_status) or to a function the script defines (its own
    wrappers, as run_fault or refuse), or the text after `echo "ok - `.  A variable in that
    argument ($x, ${x}, $(...)) matches any text; an argument with fewer than 12 characters of
    its own (as "$name") matches no name.
The table must have at least MIN_ROWS rows (default 40).  Each problem is printed as
docs/reliability.md:LINE: ...; the exit status is 1 if there is any.
"""
import glob
import os
import re
import sys

SECTION = "## Bad input and faults: the catalogue"
HELPERS = ("ok", "notok", "check", "expect_ok", "expect_fail", "expect_status")
REF = re.compile(r"`([^`\s]+)`:\s*`([^`]+)`")
MIN_LITERAL = 12


def table_rows(path):
    """(line number, cells) of each data row of the catalogue's tables."""
    rows, inside = [], False
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            if line.startswith("## "):
                inside = line.strip() == SECTION
                continue
            if not inside or not line.startswith("|"):
                continue
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                continue  # the separator under a header
            rows.append((no, cells))
    # a header row is the one just above a separator: drop those
    headers = set()
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for i, line in enumerate(lines[1:], 1):
        if re.fullmatch(r"\|(\s*:?-{3,}:?\s*\|)+", line.strip()):
            headers.add(i)  # 1-based number of the line above
    return [(no, cells) for no, cells in rows if no not in headers]


def unquote(s):
    return re.sub(r"\\([$`\"\\])", r"\1", s)


VAR = re.compile(r"\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*|\$[0-9#?@*]")


def template(arg):
    """A regex for the names a quoted shell argument can print, or None if it has too little
    text of its own."""
    parts, literal, pos = [], 0, 0
    for m in VAR.finditer(arg):
        text = unquote(arg[pos:m.start()])
        parts.append(re.escape(text))
        literal += len(text)
        parts.append(".+?")
        pos = m.end()
    text = unquote(arg[pos:])
    parts.append(re.escape(text))
    literal += len(text)
    if literal < MIN_LITERAL:
        return None
    return re.compile("".join(parts) + r"\Z", re.S)


def script_names(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    local = re.findall(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(\)\s*\{", text, re.M)
    callers = "|".join(re.escape(n) for n in sorted(set(HELPERS) | set(local), key=len, reverse=True))
    quoted = r'"((?:[^"\\]|\\.)*)"'
    found = [m.group(1) for m in re.finditer(r"(?:^|[\s;&|{(!])(?:%s)\s+%s" % (callers, quoted), text, re.M)]
    found += re.findall(r'echo\s+"ok - ((?:[^"\\]|\\.)*)"', text)
    return [t for t in (template(a) for a in found) if t]


def run_by_make_check(root, rel):
    if re.fullmatch(r"tests/unit/test_[A-Za-z0-9_]+\.c", rel):
        return True
    if re.fullmatch(r"tests/integration/t_[A-Za-z0-9_]+\.sh", rel):
        return True
    for t in glob.glob(os.path.join(root, "tests/integration/t_*.sh")):
        with open(t, encoding="utf-8") as f:
            if rel in f.read():
                return True
    return False


def check_ref(root, rel, name, cache):
    path = os.path.join(root, rel)
    if not os.path.isfile(path):
        return f"`{rel}`: no such file"
    if not run_by_make_check(root, rel):
        return f"`{rel}`: not a unit test file, an integration script or a script one runs"
    if rel.endswith(".c"):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if not re.search(r"^static void %s\(void \*\*\w*\)" % re.escape(name), text, re.M):
            return f"`{rel}`: no test function `{name}`"
        if not re.search(r"cmocka_unit_test\w*\(\s*%s\s*[,)]" % re.escape(name), text):
            return f"`{rel}`: `{name}` is not registered (cmocka_unit_test)"
        return None
    if rel not in cache:
        cache[rel] = script_names(path)
    if not any(t.match(name) for t in cache[rel]):
        return f"`{rel}`: no check named '{name}'"
    return None


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    root = sys.argv[1]
    min_rows = int(sys.argv[2]) if len(sys.argv) == 3 else 40
    doc = os.path.join(root, "docs/reliability.md")
    rows = table_rows(doc)
    problems, cache = [], {}
    for no, cells in rows:
        refs = REF.findall(cells[-1]) if cells else []
        if len(cells) < 3:
            problems.append(f"docs/reliability.md:{no}: a row of {len(cells)} cells")
            continue
        if not refs:
            problems.append(f"docs/reliability.md:{no}: no test named (`PATH`: `NAME`) in its last cell")
        for rel, name in refs:
            why = check_ref(root, rel, name, cache)
            if why:
                problems.append(f"docs/reliability.md:{no}: {why}")
    if len(rows) < min_rows:
        problems.append(f"docs/reliability.md: the catalogue has {len(rows)} rows, fewer than {min_rows}")
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print(f"docs/reliability.md: {len(rows)} catalogue rows, every test found")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
