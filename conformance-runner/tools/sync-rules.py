#!/usr/bin/env python3
"""Rewrites every `Rule:` header of features/*.feature from the spec, in place.

A Rule reads `Rule: <ID> (<LEVEL>) <summary from spec/clauses.tsv>`, and its description quotes
the clause as spec/litsxg.md states it, wrapped at 96 columns. A scenario tag line that names a
clause and has no level tag gets the level tag of its first clause. Run it from the repository
root after editing the spec; TraceabilityTest fails while a quote is out of date.
"""
import glob
import re
import sys
import textwrap

md = open('spec/litsxg.md', encoding='utf-8').read()
text, level = {}, {}
for m in re.finditer(r'^- \*\*([A-Z]+-\d+)\*\* \(([A-Z -]+)\) (.*?) — source:', md, re.M | re.S):
    text[m.group(1)] = ' '.join(m.group(3).split())
    level[m.group(1)] = m.group(2)
summary = {}
for line in open('spec/clauses.tsv', encoding='utf-8').read().splitlines()[1:]:
    fields = line.split('\t')
    if len(fields) > 3:
        summary[fields[0]] = fields[3]


def level_tag(lvl):
    lvl = lvl.lower()
    for word in ('must', 'should', 'may'):
        if lvl.startswith(word):
            return '@' + word
    return '@informational'


for path in sorted(glob.glob('features/*.feature')):
    lines = open(path, encoding='utf-8').read().splitlines()
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r'^(\s*)Rule: ([A-Z]+-\d+)\b', line)
        if m:
            indent, cid = m.group(1), m.group(2)
            if cid not in text:
                sys.exit(f'{path}:{i + 1}: clause {cid} is not in spec/litsxg.md')
            out.append(f'{indent}Rule: {cid} ({level[cid]}) {summary.get(cid, "")}'.rstrip())
            for w in textwrap.wrap('"' + text[cid] + '"', 96 - len(indent) - 2, break_on_hyphens=False):
                out.append(f'{indent}  {w}')
            i += 1
            while i < len(lines) and lines[i].strip():
                i += 1  # the old description
            continue
        m = re.match(r'^(\s*)(@[A-Z]+-\d+.*)$', line)
        if m:
            tags = m.group(2).split()
            if not any(t in ('@must', '@should', '@may', '@informational') for t in tags):
                tags.append(level_tag(level.get(tags[0][1:], 'MUST')))
            line = m.group(1) + ' '.join(tags)
        out.append(line)
        i += 1
    open(path, 'w', encoding='utf-8').write('\n'.join(out) + '\n')
