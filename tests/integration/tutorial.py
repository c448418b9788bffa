"""tests/integration/tutorial.py: run docs/tutorial.md's steps as written, in an empty folder.

  tutorial.py DOC WORKDIR ROOT          check the tutorial
  tutorial.py --fill DOC WORKDIR ROOT   run it and write every command's real output into DOC
                                        (how the shown outputs were made; review the diff)

The tutorial is read, not copied: a ```console block holds commands (lines starting with "$ ",
continued by a trailing backslash) each followed by its output as shown; an HTML comment
`<!-- file: NAME -->` just before a fenced block gives a file the reader writes (the test
writes it into WORKDIR).  `~/spectcv/` in a command is the source tree (ROOT).  A command
ending in `# exit status N` must exit N; every other one must exit 0.

Each command's output must contain every line the tutorial shows for it, up to what changes
from run to run and machine to machine: numbers become '#', a number with a time unit '#T',
runs of spaces one space (so column widths do not matter), the mark of a bound clipped to
[0, 1] ('§', which depends on the numbers) is dropped, and a line '...' stands for lines left out.
A line that explains the '§' mark is checked only when the command printed one.  The order of lines is not checked: the progress lines of a sweep come in the order
the jobs finish.  One "ok - ..." or "not ok - ..." line per command (tests/run.sh counts them)."""
import os
import re
import subprocess
import sys

NUM = re.compile(r'[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?')
TIME = re.compile(r'#\s?(?:ms|s|min|h|days)\b')


def mask(line):
    line = TIME.sub('#T', NUM.sub('#', line.rstrip().replace('\u00a7', '')))
    return ' '.join(line.split())


def parse(doc):
    """[(kind, payload)]: ('file', (name, text)) and ('cmd', (command, status, [output lines]))."""
    steps, lines, i, pending_file = [], doc.split('\n'), 0, None
    while i < len(lines):
        line = lines[i]
        m = re.match(r'<!-- file: (\S+) -->$', line.strip())
        if m:
            pending_file = m.group(1)
            i += 1
            continue
        fence = re.match(r'```(\w*)$', line.strip())
        if not fence:
            if line.strip():
                pending_file = None
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].strip() != '```':
            j += 1
        body = lines[i + 1:j]
        if pending_file:
            steps.append(('file', (pending_file, '\n'.join(body) + '\n')))
        elif fence.group(1) == 'console':
            k = 0
            while k < len(body):
                if not body[k].startswith('$ '):
                    raise SystemExit('tutorial.py: output before any command: %r' % body[k])
                cmd = body[k][2:]
                while cmd.endswith('\\') and k + 1 < len(body):
                    k += 1
                    cmd = cmd[:-1] + ' ' + body[k].strip()
                k += 1
                out = []
                while k < len(body) and not body[k].startswith('$ '):
                    out.append(body[k])
                    k += 1
                st = re.search(r'#\s*exit status (\d+)\s*$', cmd)
                steps.append(('cmd', (cmd, int(st.group(1)) if st else 0, out)))
        pending_file = None
        i = j + 1
    return steps


def execute(cmd, work, root):
    run = cmd.replace('~/spectcv/', root + '/')
    return subprocess.run(['bash', '-c', run], cwd=work, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=900)


def fill(doc, work, root):
    """The tutorial with each console block's outputs replaced by what the commands print."""
    lines, out, i, pending_file = open(doc).read().split('\n'), [], 0, None
    while i < len(lines):
        line = lines[i]
        out.append(line)
        m = re.match(r'<!-- file: (\S+) -->$', line.strip())
        fence = re.match(r'```(\w*)$', line.strip())
        if m:
            pending_file = m.group(1)
        elif fence:
            j = i + 1
            while j < len(lines) and lines[j].strip() != '```':
                j += 1
            body = lines[i + 1:j]
            if pending_file:
                with open(os.path.join(work, pending_file), 'w') as f:
                    f.write('\n'.join(body) + '\n')
                out.extend(body)
            elif fence.group(1) == 'console':
                k = 0
                while k < len(body):
                    if not body[k].startswith('$ '):
                        k += 1
                        continue
                    cmd = body[k][2:]
                    out.append(body[k])
                    while cmd.endswith('\\') and k + 1 < len(body):
                        k += 1
                        out.append(body[k])
                        cmd = cmd[:-1] + ' ' + body[k].strip()
                    k += 1
                    r = execute(cmd, work, root)
                    out.extend(l.rstrip() for l in r.stdout.rstrip('\n').split('\n') if r.stdout)
            else:
                out.extend(body)
            out.append(lines[j] if j < len(lines) else '```')
            pending_file = None
            i = j
        elif line.strip():
            pending_file = None
        i += 1
    return '\n'.join(out)


def main():
    if sys.argv[1] == '--fill':
        doc, work, root = sys.argv[2:5]
        text = fill(doc, work, root)
        with open(doc, 'w') as f:
            f.write(text)
        return
    doc, work, root = sys.argv[1:4]
    steps = parse(open(doc).read())
    n_cmd = sum(1 for k, _ in steps if k == 'cmd')
    if n_cmd < 5:
        print('not ok - the tutorial has %d commands; the parser found too few' % n_cmd)
        return
    failed = False
    for kind, payload in steps:
        if kind == 'file':
            name, text = payload
            with open(os.path.join(work, name), 'w') as f:
                f.write(text)
            continue
        cmd, status, shown = payload
        name = cmd if len(cmd) < 70 else cmd[:67] + '...'
        if failed:
            print('not ok - %s  (not run: an earlier step failed)' % name)
            continue
        r = execute(cmd, work, root)
        got = {mask(l) for l in r.stdout.split('\n')}
        clipped = '\u00a7' in r.stdout
        missing = [l for l in shown if l.strip() != '...' and mask(l) not in got
                   and (clipped or '\u00a7 : ' not in l)]
        if r.returncode != status or missing:
            failed = True
            print('not ok - %s' % name)
            print('#   exit status %d (the tutorial says %d)' % (r.returncode, status))
            for l in missing[:8]:
                print('#   shown but not printed: %s' % l)
            for l in r.stdout.split('\n')[-15:]:
                print('#   | %s' % l)
        else:
            print('ok - %s' % name)


if __name__ == '__main__':
    main()
