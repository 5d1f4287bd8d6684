#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that the YNL spec of the flowstream family and its uAPI header agree.
#
#   spec-check.sh [-s SPEC] [-H HEADER] [-k] [YNL_DIR]
#
#   -s SPEC    spec to check (default Documentation/netlink/specs/flowstream.yaml)
#   -H HEADER  uAPI header (default uapi/linux/flowstream.h)
#   -k         keep the work directory (generated header, C program) and
#              print its path
#   YNL_DIR    an extracted Linux 6.12 source tree, or its tools/net/ynl
#              directory; default $FLOWSTREAM_YNL_DIR, else the parts of
#              /usr/src/linux-source-6.12.tar.xz that are needed, extracted
#              once into ${FLOWSTREAM_CACHE:-~/.cache/flowstream}/ynl-6.12
#
# Steps: validate the spec against the kernel's schema for its protocol
# (Documentation/netlink/genetlink-legacy.yaml) with python3-jsonschema;
# generate a uAPI header from it with the kernel's ynl-gen-c.py (--mode uapi
# --header); build a C program that includes both headers (the generated one
# with every name it defines prefixed by ynl_gen__) and compares each name
# defined in either header: family name and version, multicast groups, every
# enumerator of every enum and the *_MAX defines. A name defined in only one
# header fails the check unless listed in UAPI_ONLY below.
#
# Output is TAP; exit status 0 if every test passed, 1 otherwise.
# Needs bash, python3 with yaml and jsonschema (apt-get install python3-yaml
# python3-jsonschema), a C compiler ($CC, default cc) and, without YNL_DIR,
# the linux-source-6.12 package.

set -uo pipefail

# Names our header defines that the ynl format cannot produce, one per line as
# NAME:reason. They are reported as notes rather than failures.
UAPI_ONLY="\
__FLOWSTREAM_FEAT_BIT_MAX:ynl's render-max on an enum definition would name it __FLOWSTREAM_FEAT_MAX (and add FLOWSTREAM_FEAT_MAX)
__FLOWSTREAM_OVERLOAD_MAX:ynl's render-max on an enum definition would also add FLOWSTREAM_OVERLOAD_MAX
__FLOWSTREAM_END_MAX:ynl's render-max on an enum definition would also add FLOWSTREAM_END_MAX
__FLOWSTREAM_SMP_MODE_MAX:ynl's render-max on an enum definition would also add FLOWSTREAM_SMP_MODE_MAX
__FLOWSTREAM_SMP_KEY_MAX:ynl's render-max on an enum definition would also add FLOWSTREAM_SMP_KEY_MAX
__FLOWSTREAM_STREAM_MAX:ynl's render-max on an enum definition would also add FLOWSTREAM_STREAM_MAX
__FLOWSTREAM_FOS_POLICY_MAX:ynl's render-max on an enum definition would also add FLOWSTREAM_FOS_POLICY_MAX
__FLOWSTREAM_PM_MODE_MAX:ynl's render-max on an enum definition would also add FLOWSTREAM_PM_MODE_MAX
__FLOWSTREAM_MIG_PHASE_MAX:ynl's render-max on an enum definition would also add FLOWSTREAM_MIG_PHASE_MAX
__FLOWSTREAM_MIG_EV_MAX:ynl's render-max on an enum definition would also add FLOWSTREAM_MIG_EV_MAX
"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
spec=$repo/Documentation/netlink/specs/flowstream.yaml
header=$repo/uapi/linux/flowstream.h
keep=

usage() {
	echo "usage: $0 [-s SPEC] [-H HEADER] [-k] [YNL_DIR]" >&2
	exit 1
}

while getopts "s:H:kh" opt; do
	case $opt in
	s) spec=$OPTARG ;;
	H) header=$OPTARG ;;
	k) keep=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage
ynl_dir=${1:-${FLOWSTREAM_YNL_DIR:-}}

bail() {
	echo "Bail out! $*"
	exit 1
}

# --- prerequisites ----------------------------------------------------------

[ -f "$spec" ] || bail "no spec $spec"
[ -f "$header" ] || bail "no uAPI header $header"
spec=$(realpath "$spec")
header=$(realpath "$header")

python=
for p in ${PYTHON:-} python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 &&
	   "$p" -c 'import yaml, jsonschema' >/dev/null 2>&1; then
		python=$p
		break
	fi
done
[ -n "$python" ] || bail "need python3 with yaml and jsonschema: apt-get install python3-yaml python3-jsonschema"
cc=${CC:-cc}
command -v "$cc" >/dev/null 2>&1 || bail "no C compiler ($cc)"

# Extract Documentation/netlink and tools/net/ynl from the 6.12 source
# package into the cache, once per version of the tarball.
extract_ynl() {
	local cache=${FLOWSTREAM_CACHE:-$HOME/.cache/flowstream}
	local tarball=/usr/src/linux-source-6.12.tar.xz
	local dest=$cache/ynl-6.12 stamp tmp

	[ -f "$tarball" ] || bail "$tarball missing: apt-get install linux-source-6.12, or pass an extracted tree"
	stamp=$(stat -c '%s %Y' "$tarball")
	if [ -f "$dest/.flowstream-extracted" ] &&
	   [ "$(cat "$dest/.flowstream-extracted")" = "$stamp" ]; then
		ynl_dir=$dest
		return
	fi
	echo "# extracting ynl tools and schemas from $tarball into $dest"
	mkdir -p "$cache" || bail "cannot create $cache"
	tmp=$(mktemp -d "$cache/ynl-6.12.tmp.XXXXXX") || bail "mktemp failed"
	if ! tar -xJf "$tarball" -C "$tmp" --strip-components=1 --wildcards \
		'*/Documentation/netlink/*' '*/tools/net/ynl/*'; then
		rm -rf "$tmp"
		bail "extracting $tarball failed"
	fi
	echo "$stamp" > "$tmp/.flowstream-extracted"
	rm -rf "$dest"
	mv "$tmp" "$dest" || bail "cannot move $tmp to $dest"
	ynl_dir=$dest
}

[ -n "$ynl_dir" ] || extract_ynl
[ -d "$ynl_dir" ] || bail "no directory $ynl_dir"
ynl_dir=$(realpath "$ynl_dir")

# The generator: tools/net/ynl/ynl-gen-c.py up to 6.12, pyynl/ynl_gen_c.py later.
gen=
for g in tools/net/ynl/ynl-gen-c.py tools/net/ynl/pyynl/ynl_gen_c.py \
	 ynl-gen-c.py pyynl/ynl_gen_c.py ynl_gen_c.py; do
	if [ -f "$ynl_dir/$g" ]; then
		gen=$ynl_dir/$g
		break
	fi
done
[ -n "$gen" ] || bail "no ynl-gen-c.py under $ynl_dir"
# The schemas: Documentation/netlink of the tree holding the generator.
schema_dir=
d=$(dirname "$gen")
while [ "$d" != / ]; do
	if [ -f "$d/Documentation/netlink/genetlink-legacy.yaml" ]; then
		schema_dir=$d/Documentation/netlink
		break
	fi
	d=$(dirname "$d")
done
[ -n "$schema_dir" ] || bail "no Documentation/netlink/genetlink-legacy.yaml above $gen"

work=$(mktemp -d "${TMPDIR:-/tmp}/flowstream-spec-check.XXXXXX") || bail "mktemp failed"
if [ -n "$keep" ]; then
	trap 'echo "# work directory kept: $work"' EXIT
else
	trap 'rm -rf "$work"' EXIT
fi

# --- the helper: schema validation, header parsing, C generation, report ----

cat > "$work/helper.py" <<'PYEOF'
# SPDX-License-Identifier: GPL-2.0
import json
import os
import re
import sys

import yaml


def c_upper(name):
    return name.upper().replace('-', '_')


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    text = re.sub(r'//[^\n]*', '', text)
    return text.replace('\\\n', ' ')


def parse_header(path):
    """Names a header defines: macros (name -> body), enums, struct tags."""
    text = strip_comments(open(path).read())
    guard = None
    m = re.search(r'^\s*#\s*ifndef\s+(\w+)\s*\n\s*#\s*define\s+\1\s*$', text, re.M)
    if m:
        guard = m.group(1)
    macros = {}
    for m in re.finditer(r'^[ \t]*#[ \t]*define[ \t]+(\w+)(\(?)(.*)$', text, re.M):
        name, fn, body = m.groups()
        if name == guard:
            continue
        macros[name] = None if fn else body.strip()   # None: function-like
    enums = []          # [tag or None, [enumerators]]
    for m in re.finditer(r'\benum\s+(\w+)?\s*\{([^}]*)\}', text):
        names = []
        for item in m.group(2).split(','):
            item = item.strip()
            if item:
                names.append(re.match(r'\w+', item).group(0))
        enums.append([m.group(1), names])
    structs = re.findall(r'\b(?:struct|union)\s+(\w+)\s*\{', text)
    return {'guard': guard, 'macros': macros, 'enums': enums, 'structs': structs}


def defined_names(h):
    names = set(h['macros'])
    for _, entries in h['enums']:
        names.update(entries)
    return names


def cmd_validate(schema_dir, spec_path):
    import jsonschema
    try:
        spec = yaml.safe_load(open(spec_path))
    except yaml.YAMLError as e:
        for line in str(e).splitlines():
            print(f'# {line}')
        return 1
    proto = spec.get('protocol', 'genetlink') if isinstance(spec, dict) else None
    schema_path = os.path.join(schema_dir, f'{proto}.yaml')
    if not os.path.exists(schema_path):
        print(f'# no schema {schema_path} for protocol {proto!r}')
        return 1
    print(f'# schema {schema_path}')
    schema = yaml.safe_load(open(schema_path))
    # The kernel schemas say draft-07 in a spelling jsonschema does not know.
    if 'draft-07' in schema.get('$schema', ''):
        cls = jsonschema.Draft7Validator
    else:
        cls = jsonschema.validators.validator_for(schema)
    errors = sorted(cls(schema).iter_errors(spec), key=lambda e: list(e.path))
    for e in errors:
        where = '/'.join(str(p) for p in e.path) or '(top)'
        print(f'# {where}: {e.message}'[:400])
    return 1 if errors else 0


def cmd_plan(ours_path):
    ours = parse_header(ours_path)
    # schema, generation, compilation, name, version, multicast groups,
    # one per enum of the uAPI header, every other name
    print(7 + len(ours['enums']))
    return 0


def cmd_prepare(spec_path, ours_path, gen_path, work):
    """Write the renamed generated header, check.c and the test groups."""
    spec = yaml.safe_load(open(spec_path))
    ours = parse_header(ours_path)
    gen = parse_header(gen_path)

    # Rename everything the generated header defines: ynl_gen__NAME.
    rename = set(defined_names(gen)) | {t for t, _ in gen['enums'] if t}
    rename |= set(gen['structs'])
    if gen['guard']:
        rename.add(gen['guard'])
    text = open(gen_path).read()
    if rename:
        rx = re.compile(r'\b(' + '|'.join(sorted(map(re.escape, rename),
                                                 key=len, reverse=True)) + r')\b')
        text = rx.sub(lambda m: 'ynl_gen__' + m.group(1), text)
    with open(os.path.join(work, 'ynl-gen-flowstream.h'), 'w') as f:
        f.write(text)

    ours_names = defined_names(ours)
    gen_names = defined_names(gen)
    all_names = ours_names | gen_names
    used = set()

    def macros_using(names):
        found = set()
        for h in (ours, gen):
            for mac, body in h['macros'].items():
                if body and set(re.findall(r'\w+', body)) & names:
                    found.add(mac)
        return found

    groups = []
    ident = spec['name'].replace('-', '_')
    fam_key = c_upper(spec.get('c-family-name', spec['name'] + '_FAMILY_NAME'))
    ver_key = c_upper(spec.get('c-version-name', spec['name'] + '_FAMILY_VERSION'))
    groups.append({'desc': f'family name {fam_key} matches', 'names': [fam_key],
                   'problems': []})
    groups.append({'desc': f'family version {ver_key} matches',
                   'names': [ver_key], 'problems': []})
    mc = [c_upper(g.get('c-define-name', f"{ident}-mcgrp-{g['name']}"))
          for g in spec.get('mcast-groups', {}).get('list', [])]
    groups.append({'desc': 'multicast groups ' + (' '.join(mc) or '(none)')
                   + ' match',
                   'names': mc, 'problems': []})
    for g in groups:
        used.update(g['names'])

    gen_enums = {t: names for t, names in gen['enums'] if t}
    for tag, names in ours['enums']:
        problems = []
        members = set(names)
        if tag is None:
            desc = f'anonymous enum starting {names[0] if names else "(empty)"} matches'
        else:
            desc = f'enum {tag} matches'
            if tag in gen_enums:
                members |= set(gen_enums[tag])
            else:
                problems.append(f'enum {tag} is not in the generated header')
        members |= macros_using(members)
        members -= used
        used |= members
        groups.append({'desc': desc, 'names': sorted(members),
                       'problems': problems})

    problems = []
    for tag in sorted(set(gen_enums) - {t for t, _ in ours['enums'] if t}):
        problems.append(f'enum {tag} is only in the generated header')
    rest = sorted(all_names - used)
    groups.append({'desc': 'every other name defined in either header matches',
                   'names': rest, 'problems': problems})

    # check.c compares each name defined in both headers.
    both = sorted(n for n in all_names if n in ours_names and n in gen_names
                  and ours['macros'].get(n, '') is not None
                  and gen['macros'].get(n, '') is not None
                  and (n not in ours['macros'] or ours['macros'][n])
                  and (n not in gen['macros'] or gen['macros'][n]))
    lines = ['CMP("%s", %s, ynl_gen__%s);' % (n, n, n) for n in both]
    with open(os.path.join(work, 'check.c'), 'w') as f:
        f.write(CHECK_C.replace('@CHECKS@', '\n\t'.join(lines)))

    with open(os.path.join(work, 'groups.json'), 'w') as f:
        json.dump({'groups': groups, 'ours': sorted(ours_names),
                   'gen': sorted(gen_names), 'compared': both}, f)
    return 0


CHECK_C = r'''// SPDX-License-Identifier: GPL-2.0
/* Generated by spec-check.sh: compare the uAPI header with the ynl one. */
#include <stdio.h>
#include <string.h>

#include <linux/flowstream.h>		/* the uAPI header under test */
#include "ynl-gen-flowstream.h"	/* generated, names ynl_gen__* */

#define KIND(x)	_Generic((x), char *: 's', const char *: 's', default: 'i')
#define IVAL(x)	_Generic((x), char *: 0LL, const char *: 0LL, default: (x))
#define SVAL(x)	_Generic((x), char *: (x), const char *: (x), default: "")

static int failed;

static void cmp(const char *name, char ok, long long oi, const char *os,
		char gk, long long gi, const char *gs)
{
	int same = ok == gk && (ok == 's' ? !strcmp(os, gs) : oi == gi);

	if (!same)
		failed = 1;
	printf("%s\t%s\t", name, same ? "same" : "DIFFERENT");
	if (ok == 's')
		printf("\"%s\"\t", os);
	else
		printf("%lld\t", oi);
	if (gk == 's')
		printf("\"%s\"\n", gs);
	else
		printf("%lld\n", gi);
}

#define CMP(name, o, g)							\
	cmp(name, KIND(o), (long long)IVAL(o), SVAL(o),			\
	    KIND(g), (long long)IVAL(g), SVAL(g))

int main(void)
{
	@CHECKS@
	return failed;
}
'''


def cmd_report(work, results_path, first):
    data = json.load(open(os.path.join(work, 'groups.json')))
    uapi_only = {}
    for item in os.environ.get('UAPI_ONLY', '').split('\n'):
        if ':' in item:
            name, reason = item.split(':', 1)
            uapi_only[name.strip()] = reason.strip()
    results = {}
    if results_path and os.path.exists(results_path):
        for line in open(results_path):
            parts = line.rstrip('\n').split('\t')
            if len(parts) == 4:
                results[parts[0]] = parts[1:]
    ours, gen = set(data['ours']), set(data['gen'])
    status = 0
    n = int(first)
    for g in data['groups']:
        problems = list(g['problems'])
        notes = []
        for name in g['names']:
            if name in ours and name not in gen:
                if name in uapi_only:
                    notes.append(f'{name} only in the uAPI header: {uapi_only[name]}')
                else:
                    problems.append(f'{name} is only in the uAPI header')
            elif name in gen and name not in ours:
                problems.append(f'{name} is only in the generated header')
            elif name not in ours:
                problems.append(f'{name} is defined in neither header')
            elif name in results:
                same, o, y = results[name]
                if same != 'same':
                    problems.append(f'{name}: uAPI header {o}, generated {y}')
            elif name in data['compared']:
                problems.append(f'{name}: no result from the C check')
        count = len(g['names'])
        ok = not problems
        status |= not ok
        detail = f' ({count} name{"s" if count != 1 else ""})'
        if count == 1:
            detail = f' ({results[g["names"][0]][1]})' if ok else ''
        print(f'{"ok" if ok else "not ok"} {n} - {g["desc"]}{detail}')
        for p in problems:
            print(f'# {p}')
        for p in notes:
            print(f'# note: {p}')
        n += 1
    return status


if __name__ == '__main__':
    cmd, args = sys.argv[1], sys.argv[2:]
    sys.exit({'validate': cmd_validate, 'plan': cmd_plan,
              'prepare': cmd_prepare, 'report': cmd_report}[cmd](*args))
PYEOF

helper() {
	"$python" "$work/helper.py" "$@"
}

# Print each line of a file as a TAP comment.
comment() {
	sed 's/^/# /' "$1"
}

# --- the tests --------------------------------------------------------------

plan=$(helper plan "$header") || bail "cannot parse $header"
echo "1..$plan"
echo "# spec $spec"
echo "# header $header"
echo "# ynl $gen"
status=0

# 1: the spec is valid against the schema of its protocol.
if helper validate "$schema_dir" "$spec" > "$work/validate.out" 2>&1; then
	echo "ok 1 - spec is valid against the kernel schema"
else
	echo "not ok 1 - spec is valid against the kernel schema"
	status=1
fi
sed 's/^\([^#]\)/# \1/' "$work/validate.out"

# 2: ynl-gen-c.py generates a uAPI header. It wants the spec inside a kernel
# tree (Documentation/netlink/specs, a MAINTAINERS file above it, the schemas
# in Documentation/netlink), so stage one.
tree=$work/tree
mkdir -p "$tree/Documentation/netlink/specs"
: > "$tree/MAINTAINERS"
cp "$schema_dir"/*.yaml "$tree/Documentation/netlink/"
cp "$spec" "$tree/Documentation/netlink/specs/flowstream.yaml"
generated=$work/generated.h
if (cd "$(dirname "$gen")" &&
    "$python" "$gen" --mode uapi --header \
	--spec "$tree/Documentation/netlink/specs/flowstream.yaml" \
	-o "$generated") > "$work/gen.out" 2>&1 && [ -s "$generated" ]; then
	echo "ok 2 - ynl-gen-c.py --mode uapi --header generates a header"
else
	echo "not ok 2 - ynl-gen-c.py --mode uapi --header generates a header"
	comment "$work/gen.out" | tail -n 20
	for ((i = 3; i <= plan; i++)); do
		echo "not ok $i - skipped: no generated header"
	done
	exit 1
fi

# 3: the generated header compiles alone, and together with ours (its names
# prefixed) in the program that compares them.
mkdir -p "$work/include/linux"
cp "$header" "$work/include/linux/flowstream.h"
cflags=(-std=gnu11 -Wall -Wextra -Werror)
if helper prepare "$spec" "$header" "$generated" "$work" > "$work/cc.out" 2>&1 &&
   printf '#include "generated.h"\n' |
	$cc "${cflags[@]}" -fsyntax-only -I"$work" -x c - >> "$work/cc.out" 2>&1 &&
   $cc "${cflags[@]}" -I"$work/include" -I"$work" -o "$work/check" "$work/check.c" \
	>> "$work/cc.out" 2>&1; then
	echo "ok 3 - generated header compiles, alone and with the uAPI header"
	"$work/check" > "$work/results" 2> "$work/check.err"
	comment "$work/check.err"
else
	echo "not ok 3 - generated header compiles, alone and with the uAPI header"
	comment "$work/cc.out" | head -n 30
	status=1
	: > "$work/results"
	if [ ! -f "$work/groups.json" ]; then
		for ((i = 4; i <= plan; i++)); do
			echo "not ok $i - skipped: no comparison"
		done
		exit 1
	fi
fi

# 4..: family name, version, multicast groups, each enum, everything else.
UAPI_ONLY=$UAPI_ONLY helper report "$work" "$work/results" 4 || status=1

exit $status
