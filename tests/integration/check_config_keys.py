#!/usr/bin/env python3
"""tests/integration/check_config_keys.py CONFIG_MD KEYS_FILE: docs/config.md's key table
against the keys the code accepts (KEYS_FILE: the output of `spectcv --list-config-keys`, one
key per line, e.g. `data.path`, `train_by_arch.NAME.lr`, `exclude.augmentation`).

The table is found by its structure, not its position: the first Markdown table whose header's
first cell is `key`.  Format rule for its rows: the first cell lists one or more keys, each in
backticks, separated by commas (`gan.lr`, `gan.beta1`); a group's members are written
`group.key`; a group per name is written with NAME (`train_by_arch.NAME`).  Other backticked
text in the first cell is not allowed (it would read as a key).

A key K of the code is documented when
  - K is a row key, or
  - K is a group with documented members (a row key starts with "K."), e.g. `data`, or
  - K's parent is a row key whose row describes its members, e.g. `exclude.augmentation` under
    `exclude`, `train_by_arch.NAME.lr` under `train_by_arch.NAME`.
A row key D exists when D is a key of the code, or the parent of one (`train_by_arch.NAME`).
Prints one line per problem and exits 1 if there is any."""
import re
import sys


def table_keys(md_path):
    rows, in_table, header_seen = [], False, False
    with open(md_path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.startswith("|"):
                if in_table:
                    break
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not in_table:
                if cells and cells[0].lower() == "key":
                    in_table, header_seen = True, True
                continue
            if re.fullmatch(r":?-+:?", cells[0]):
                continue  # the separator row
            keys = re.findall(r"`([^`]+)`", cells[0])
            rest = re.sub(r"`[^`]+`", "", cells[0])
            if not keys or rest.replace(",", "").strip():
                sys.exit(f"{md_path}:{n}: first cell '{cells[0]}' is not a comma-separated list "
                         f"of `keys`")
            rows += [(k.strip(), n) for k in keys]
    if not header_seen:
        sys.exit(f"{md_path}: no table with a first header cell 'key'")
    return rows


def parent(key):
    return key.rsplit(".", 1)[0] if "." in key else None


def main():
    md, keys_file = sys.argv[1], sys.argv[2]
    rows = table_keys(md)
    doc = {k for k, _ in rows}
    with open(keys_file, encoding="utf-8") as f:
        code = {l.strip() for l in f if l.strip()}
    if len(code) < 10:
        sys.exit(f"{keys_file}: only {len(code)} keys: not the output of --list-config-keys?")
    problems = []
    for k in sorted(code):
        if k in doc or any(d.startswith(k + ".") for d in doc) or parent(k) in doc:
            continue
        problems.append(f"{md}: key '{k}' is accepted by the code (pipeline/experiment.c) "
                        f"but has no row in the key table")
    for k, n in rows:
        if k in code or any(c.startswith(k + ".") for c in code):
            continue
        problems.append(f"{md}:{n}: key '{k}' is documented but the code accepts no such key")
    seen = {}
    for k, n in rows:
        if k in seen:
            problems.append(f"{md}:{n}: key '{k}' has two rows (also line {seen[k]})")
        seen[k] = n
    for p in problems:
        print(p)
    print(f"{len(code)} keys in the code, {len(doc)} in the table, {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
