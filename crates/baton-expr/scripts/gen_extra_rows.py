"""Regenerate fixtures/expr/extra.jsonl: the inputs below, each answered by the reference.

    python3 crates/baton-expr/scripts/gen_extra_rows.py /path/to/reference/python

Rows whose answer baton deliberately does not reproduce carry `baton` (baton's answer)
and `note` (why); everything else must match the reference exactly.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
PYTHON = sys.argv[1] if len(sys.argv) > 1 else os.environ["BATON_REFERENCE_PYTHON"]
R = []
def add(mode, inp, ns=None, opts=None, note=None, baton=None):
    r = {"mode": mode, "input": inp}
    if baton is not None: r["baton"] = baton
    if ns is not None: r["ns"] = ns
    if opts is not None: r["opts"] = opts
    if note: r["note"] = note
    R.append(r)
E = lambda t, **k: add("expr", t, **k)
SURR = "baton cannot hold a lone surrogate in a string and reads it as U+FFFD"
C = lambda t, **k: add("cond", t, **k)
D = lambda t, **k: add("diag", t, **k)
L = lambda t, **k: add("loads", t, **k)
U = lambda t, **k: add("dumps", t, **k)

# §21 one-offs
E("{{ item[0] }}-{{ item[-1] }}", ns={"item": ["x","y","z"]})
E("{{ item }}", ns={"item": 3})
E("{{ inputs.flag and\n   inputs.count }}")
E("{{ inputs.a or\n inputs.b }}", ns={"inputs": {"a": 0, "b": 0}})
E("{{ '٣' }}"); E("{{ ٣ }}"); E("{{ '1.5' > '1.25' }}")
E("{{ false | default('d') }}"); E("{{ [] | default('d') }}")
E("{{ inputs.tags | default('x') | upper }}")
for t in ["{{ inputs.nested['k'] }}", "{{ inputs.tags[1:] }}", "{{ inputs . name }}", "{{ 'x' ~ 'y' }}", "{{ a if b else c }}"]:
    E(t)
J = {"inputs": {"j": '[NaN, 1e400, 12345678901234567890, {"a":1,"a":2}]'}}
E("{{ inputs.j | from_json }}", ns=J)
E("{{ inputs.j | from_json | to_json }}", ns=J)
E("{{ inputs.a | from_json }} {{ inputs.b | from_json }} {{ inputs.c | from_json }}",
  ns={"inputs": {"a": "0.30000000000000004", "b": "1e16", "c": "100000000000000000000"}})
E(5); E({"a": "{{ inputs.x }}"}); E(None); E([1, "{{ inputs.name }}"])
C(None); C([1]); C(True); C(False); C(0); C([]); C({})

# whitespace and collapse
E("{{\tinputs.flag\u3000and\u00a0inputs.count }}")
E("{{ inputs.flag\x1cand inputs.count }}")
E("{{ inputs.mode == 'read  and\twrite' }}", ns={"inputs": {"mode": "read  and\twrite"}})
E("\u2003{{ inputs.count }}\u2003")
E("{{ inputs.count }}\x1f")
E("{{ 'a\nb' }}")
# paths
E("{{ inputs.dash-key }}"); E("{{ inputs.tags[-3] }}"); E("{{ inputs.tags[-4] }}")
E("{{ inputs.tags[٠] }}"); E("{{ inputs.tags[+1] }}"); E("{{ inputs.tags[ 1] }}")
E("{{ inputs.tags[" + "1" * 4301 + "] }}")
E("{{ inputs.missing.tags[" + "1" * 4301 + "] }}")
E("{{ inputs.tags[99999999999999999999999] }}")
E("{{ inputs.tags.a[" + "1" * 4301 + "] }}")
E("{{ inputs }}", ns={"inputs": None}); E("{{ steps }}", ns={"steps": {}}); E("{{ fan_in }}")
E("{{ fan_in.results }}", ns={"fan_in": {"results": [1, 2]}})
E("{{ context }}", ns={"run_id": None, "workflow_dir": None})
E("{{ inputs.nested.k.v.w }}"); E("{{ inputs.name.upper }}"); E("{{ inputs.items[2].n }}")
E("{{ item[0] }}", ns={"item": {"a": 1}}); E("{{ inputs..name }}"); E("{{ .inputs }}")
E("{{ inputs.é }}", ns={"inputs": {"é": 1}}); E("{{ inputs.k[0] }}", ns={"inputs": {"k": "abc"}})
E("{{ inputs.x }}", ns={"inputs": {"x": "{{ inputs.y }}"}})
E("{{ inputs['name'] }}"); E("{{ steps.plan.output.files[1] }}")
# literals
for t in ["{{ 0 }}", "{{ -0 }}", "{{ 007 }}", "{{ +7 }}", "{{ 1__0 }}", "{{ _1 }}", "{{ 1_ }}", "{{ 1. }}", "{{ -.5 }}",
          "{{ 1.5e-3 }}", "{{ 1.0e400 }}", "{{ -1.0e400 }}", "{{ 1e-7 }}", "{{ 0.0001 }}", "{{ 0.00001 }}", "{{ 1.5E+3 }}",
          "{{ 12345678901234567890123 }}", "{{ " + "9" * 4301 + " }}", "{{ 1.2.3 }}", "{{ nan }}", "{{ inf }}",
          "{{ 1_000.5 }}", "{{ ١٢.٥ }}", "{{ 1e16 }}", "{{ 10000000000000000.0 }}", "{{ 0.1 }}", "{{ 123456789.123456789 }}",
          "{{ TRUE }}", "{{ tRuE }}", "{{ NONE }}", "{{ nULL }}", "{{ 'a' 'b' }}", "{{ '' }}", "{{ \"\" }}", "{{ ' }}",
          "{{ 'a\"b' }}", "{{ \"a'b\" }}", "{{ '\\n' }}", "{{ [ ] }}", "{{ [,] }}", "{{ [1,,2] }}", "{{ ['a, b', 'c'] }}",
          "{{ [[1, 2], [3]] }}", "{{ [1, [2, [3, []]]] }}", "{{ [1 2] }}", "{{ [inputs.missing] }}", "{{ [(1)] }}", "{{ [1] == [1] }}",
          "{{ ( 'x' ) }}", "{{ ((1)) }}", "{{ () }}", "{{ (1, 2) }}", "{{ ('(') }}", "{{ (a) and (b) }}", "{{ [1, 2)] }}",
          "{{ [1, (2]) }}", "{{ 'it''s' }}", "{{ \"a\" == \"a\" }}"]:
    E(t)
# comparisons
for t in ["{{ 1 == true }}", "{{ 0 == false }}", "{{ 2 == true }}", "{{ 1.0 == true }}", "{{ 'a' != 'a' }}",
          "{{ null == none }}", "{{ inputs.missing == null }}", "{{ [1, 2] == [1, 2.0] }}", "{{ [1] != [1, 2] }}",
          "{{ inputs.nested == inputs.nested }}", "{{ true > false }}", "{{ true > 0.5 }}", "{{ true >= 1 }}",
          "{{ 'b' > 'a' }}", "{{ 'B' > 'a' }}", "{{ 'é' > 'z' }}", "{{ '' < 'a' }}", "{{ [1, 2] < [1, 3] }}",
          "{{ [1, 2] < [1, 2, 0] }}", "{{ [1, 'a'] < [1, 2] }}", "{{ [2, 'a'] > [1, 2] }}", "{{ [] < [] }}", "{{ [] <= [] }}",
          "{{ inputs.nested > inputs.nested }}", "{{ inputs.nested >= inputs.nested }}", "{{ null < 1 }}", "{{ null <= null }}",
          "{{ '5' < 10 }}", "{{ ' 7 ' > 6 }}", "{{ '1_000' > 999 }}", "{{ '+3' == 3 }}", "{{ '+3' >= 3 }}", "{{ '3.0' >= 3 }}",
          "{{ '1e3' > 5 }}", "{{ '1.5e3' > 1000 }}", "{{ 'abc' > 'abd' }}", "{{ '10' < '9' }}", "{{ '10' < 'x' }}",
          "{{ inputs.scount >= '10' }}", "{{ inputs.scount <= 10.0 }}", "{{ true < '2' }}", "{{ [1] < 'a' }}",
          "{{ 'nan' > 1 }}", "{{ 'inf' > 1 }}", "{{ '1.0e400' > 1 }}", "{{ '٣' > 2 }}",
          "{{ 12345678901234567890123 > 1.2345678901234567e22 }}", "{{ 9007199254740993 > 9007199254740992.0 }}",
          "{{ 9007199254740993 == 9007199254740992.0 }}", "{{ 100000000000000000000 == 1e20 }}",
          "{{ 100000000000000000000 == 100000000000000000000.0 }}",
          "{{ a <> b }}", "{{ a => b }}", "{{ inputs.count>3 }}", "{{ inputs.count>=5 }}", "{{ inputs.count =< 5 }}",
          "{{ 'a' in 'abc' }}", "{{ 'abc' in 'a' }}", "{{ '' in 'a' }}", "{{ 1 in [1, 2] }}", "{{ 1.0 in [1, 2] }}",
          "{{ true in [1] }}", "{{ [1] in [[1], 2] }}", "{{ 'name' in inputs }}", "{{ 1 in inputs }}", "{{ [1] in inputs }}",
          "{{ null in inputs }}", "{{ 1 in 'abc' }}", "{{ 'a' in null }}", "{{ 'a' not in null }}", "{{ 'a' not in 'abc' }}",
          "{{ 'x' in inputs.tags or 'a' in inputs.tags }}", "{{ 'a' in ['a'] == true }}", "{{ inputs.count == 5 in [true] }}",
          "{{ inputs.count not in [1, 5] }}", "{{ 'a'in inputs.tags }}", "{{ 'a' in inputs.tags }}", "{{ not 'a' in inputs.tags }}",
          "{{ inputs.missing != inputs.none }}", "{{ 1 == 1 == 1 }}", "{{ 1 != 2 != 3 }}"]:
    E(t)
NAN = {"inputs": {"n": float("nan"), "l": [1, float("nan")], "big": 10**30, "inf": float("inf")}}
for t in ["{{ inputs.n == inputs.n }}", "{{ inputs.n != inputs.n }}", "{{ inputs.n > 1 }}", "{{ inputs.n <= 1 }}",
          "{{ inputs.l < [1, 2] }}", "{{ inputs.l >= [1, 2] }}", "{{ inputs.big > 1e29 }}", "{{ inputs.big < inputs.inf }}",
          "{{ inputs.inf > inputs.big }}", "{{ inputs.n }}", "{{ inputs.inf }}", "x{{ inputs.n }}{{ inputs.inf }}",
          "{{ inputs.l == inputs.l }}", "{{ inputs.l != inputs.l }}", "{{ inputs.l >= inputs.l }}", "{{ inputs.l < inputs.l }}",
          "{{ [inputs.l] == [inputs.l] }}", "{{ inputs.l | contains(inputs.n) }}", "{{ inputs.n in [inputs.n] }}",
          "{{ inputs.l == [1, inputs.n] }}", "{{ inputs.n | to_json }}", "{{ inputs.big | to_json }}", "{{ not inputs.n }}"]:
    E(t, ns=NAN)
E("{{ (inputs.a | from_json) == (inputs.a | from_json) }}", ns={"inputs": {"a": "[NaN]"}})
E("{{ (inputs.a | from_json) == (inputs.a | from_json) }}", ns={"inputs": {"a": "NaN"}})
E("{{ (inputs.a | from_json) in [inputs.a | from_json] }}", ns={"inputs": {"a": "NaN"}})
# boolean operators
for t in ["{{ inputs.name and inputs.count }}", "{{ inputs.empty or inputs.none }}", "{{ not inputs.tags }}",
          "{{ not not inputs.flag }}", "{{ not  inputs.flag }}", "{{ not\ninputs.flag }}", "{{ nota }}", "{{ not }}",
          "{{ not 'a' == 'b' or true }}", "{{ true and false or true }}", "{{ false or false and true }}",
          "{{ true or inputs.tags | bogus }}", "{{ (true or (inputs.tags | bogus)) }}", "{{ true or (inputs.tags | bogus) }}",
          "{{ false and (inputs.tags | bogus) }}", "{{ false or (inputs.tags | bogus) }}", "{{ inputs.tags and(inputs.z) }}",
          "{{ a or }}", "{{ or b }}", "{{ and }}", "{{ 'x' or'y' }}", "{{ inputs.x is none }}", "{{ !inputs.flag }}",
          "{{ inputs.flag && inputs.count }}", "{{ inputs.flag || inputs.count }}", "{{ true and (false or true) }}",
          "{{ ((inputs.flag or inputs.z) and false) or 'ok' }}"]:
    E(t)
# filters
for t in ["{{ inputs.none | default('d') }}", "{{ inputs.empty | default('d') }}", "{{ inputs.z | default }}",
          "{{ inputs.missing | default(inputs.name) }}", "{{ inputs.missing | default(inputs.missing) }}",
          "{{ inputs.missing | default('a, b') }}", "{{ inputs.missing | default(\"a|b\") }}", "{{ inputs.missing | default('(x)') }}",
          "{{ inputs.missing | default((1)) }}", "{{ inputs.missing | default(()) }}", "{{ inputs.missing | default() }}",
          "{{ inputs.missing | default( ) }}", "{{ inputs.missing | default ('x') }}", "{{ inputs.missing |default('x')}}",
          "{{ inputs.missing|default('x') }}", "{{ inputs.missing | default('x') | default('y') }}",
          "{{ inputs.missing | default('a\nb') }}", "{{ inputs.missing | default(1) > 0 }}",
          "{{ inputs.missing | default(inputs.tags | join('-')) }}", "{{ inputs.missing | default((inputs.tags | join('-'))) }}",
          "{{ inputs.missing | default([1, 2] | length) }}", "{{ inputs.missing | default(x, y) }}",
          "{{ inputs.missing | default([1, 2], 3) }}", "{{ inputs.missing | default('1, 2') }}",
          "{{ inputs.tags | join('') }}", "{{ inputs.tags | join(' | ') }}", "{{ inputs.items | join(';') }}",
          "{{ inputs.count | join(',') }}", "{{ inputs.nested | join(',') }}", "{{ inputs.name | join(',') }}",
          "{{ inputs.tags | join(inputs.missing) }}", "{{ inputs.tags | join(',', 'x') }}", "{{ [1.0, true, null, 'a'] | join(' ') }}",
          "{{ [[1, 'a'], {'k': 1}] | join(' ') }}", "{{ inputs.tags | join(',') | split(',') }}",
          "{{ inputs.items | map('n') }}", "{{ inputs.items | map('') }}", "{{ inputs.items | map('r') }}",
          "{{ inputs.items | map('r.s.t') }}", "{{ inputs.items | map(inputs.missing) }}", "{{ inputs.nested | map('k') }}",
          "{{ inputs.missing | map('k') }}", "{{ [] | map('k') }}", "{{ inputs.items | map('n') | length }}",
          "{{ inputs.tags | contains('a') }}", "{{ inputs.tags | contains('z') }}", "{{ inputs.tags | contains(inputs.missing) }}",
          "{{ [1, 2] | contains(1.0) }}", "{{ [1, 2] | contains(true) }}", "{{ inputs.nested | contains('k') }}",
          "{{ inputs.missing | contains('k') }}", "{{ inputs.txt | contains('') }}", "{{ inputs.txt | contains(inputs.missing) }}",
          "{{ inputs.txt | contains }}", "{{ inputs.txt | split(' ') }}", "{{ inputs.mode | split(' ') }}",
          "{{ inputs.mode | split(' and ') }}", "{{ inputs.count | split(',') }}", "{{ inputs.txt | split(1) }}",
          "{{ inputs.txt | split }}", "{{ inputs.txt | split(',', 1) }}", "{{ 'a  b' | split(' ') }}", "{{ '' | split(',') }}",
          "{{ inputs.none | split(',') }}", "{{ 'Straße' | upper }}", "{{ 'ΑΣ ΟΔΟΣ' | lower }}", "{{ 'İ' | lower }}",
          "{{ 'ﬁ' | upper }}", "{{ inputs.txt | lower }}", "{{ inputs.tags | lower }}", "{{ inputs.none | upper }}",
          "{{ inputs.txt | upper() }}", "{{ inputs.txt | upper | lower }}", "{{ inputs.txt | upperx }}", "{{ inputs.txt | upper x }}",
          "{{ inputs.txt | upper('x') }}", "{{ inputs.txt | upper) }}", "{{ 'é😀' | length }}", "{{ '' | length }}",
          "{{ inputs.count | length }}", "{{ inputs.none | length }}", "{{ inputs.flag | length }}", "{{ inputs.f | length }}",
          "{{ [[], []] | length }}", "{{ inputs.tags | length() }}", "{{ inputs.items | to_json }}", "{{ inputs | to_json }}",
          "{{ inputs.none | to_json }}", "{{ inputs.flag | to_json }}", "{{ 'a\"b\\\\c\nd\te\x01\x7f' | to_json }}",
          "{{ '😀' | to_json }}", "{{ inputs.f | to_json }}", "{{ [1e16, 0.1, -0.0] | to_json }}", "{{ 1.0e400 | to_json }}",
          "{{ inputs.tags | to_json | from_json }}", "{{ inputs.txt | to_json(1) }}", "{{ inputs.blob | from_json | map('x') }}",
          "{{ (inputs.blob | from_json).x }}", "{{ inputs.blob | from_json | to_json }}", "{{ inputs.tags | bogus(1) }}",
          "{{ inputs.tags | bogus(inputs.missing | upper) }}", "{{ inputs.tags | upper(inputs.missing | upper) }}",
          "{{ inputs.tags | 5 }}", "{{ inputs.tags | (x) }}", "{{ inputs.tags || length }}", "{{ inputs.tags | }}",
          "{{ | length }}", "{{ inputs.tags | length | }}", "{{ inputs.tags |length|to_json }}", "{{ inputs.tags | default x }}",
          "{{ inputs.tags | Default }}", "{{ inputs.tags | DEFAULT('x') }}", "{{ inputs.tags | join(',' }}",
          "{{ inputs.tags | join(',')) }}", "{{ inputs.tags | join(')') }}", "{{ inputs.tags | join('|') }}",
          "{{ inputs.tags | join(\"'\") }}", "{{ inputs.tags | éfilter }}", "{{ inputs.tags | ٣ }}", "{{ inputs.tags | _x }}",
          "{{ inputs.tags | map }}", "{{ inputs.tags | map() }}", "{{ inputs.tags | split() }}", "{{ inputs.tags | from_jsonx }}",
          "{{ inputs.count == 5 | default(0) }}", "{{ inputs.count in inputs.tags | length }}", "{{ inputs.a and inputs.b | default(1) }}",
          "{{ inputs.a or inputs.b | default(1) }}", "{{ (inputs.a or inputs.b) | default(1) }}", "{{ not (inputs.a) | default(1) }}",
          "{{ inputs.x | default(1) == 1 }}", "{{ (inputs.x | default(1)) == 1 }}", "{{ [inputs.tags | length, 2] }}",
          "{{ [inputs.missing | default('d')] }}", "{{ (inputs.tags | join(',')) in 'a,b,c,d' }}",
          "{{ 'a|b' }}", "{{ inputs.x == 'a|b' }}", "{{ inputs.x == 'a|b' | default(1) }}",
          "{{ inputs.q | from_json }}"]:
    E(t)
for q in ['{"a": ', '[1, 2', '{"a" 1}', '{1: 2}', '[1,]', '"\\x"', '\ufeff[]', '  ', "[1]\n  x", '{"a":\n\n  ?}', '"abc\u00e9', 'NaN x',
          '-Infinity', '"\\ud83d\\ude00"', '1' * 4301, '-0', '1E5', '[1e400, -1e400]', '{"b": 1, "a": 2, "b": 3}', 'é',
          '"\t"', '"\\u00e9\\u12"', '[' * 600 + ']' * 600]:
    E("{{ inputs.q | from_json }}", ns={"inputs": {"q": q}})
# interpolation and rendering
for t in ["{{ inputs.tags }} {{ inputs.nested }}", "a{{ inputs.none }}b", "{{ inputs.flag }}{{ inputs.z }}", "{{}}x",
          "{{ }}{{ }}", "x {{ }}", "{{ inputs.name }}}}", "{{{{ inputs.name }}", "{{ {{ inputs.name }} }}", "{ { inputs.name } }",
          "}} {{ inputs.name }}", "{{ inputs.name }} {{", "{{ 'a}}b' }}", "x {{ 'a}}b' }}", "x {{ 'a }} y }} z",
          "x {{ \"a }} y", "{{ inputs.items }}", "{{ inputs.f }}-{{ inputs.z }}-{{ [0.5, -0.0] }}", "{{ \"it's\" }}!",
          "{{ ['it\\'s', \"x\"] }}", "{{ [\"it's\", 'say \"hi\"'] }}", "{{ inputs.tags | to_json }}!", "{{ context }}/x",
          "  {{ inputs.empty }}  ", "{{ inputs.name }}\n", "\n{{ inputs.count }}\n", "{{ inputs.count }}{{", "{{{ inputs.count }}}",
          "{{ inputs.mode | split(' and ') }}.", "v={{ inputs.blob | from_json }}", "v={{ steps }}", "{{ 'x' }}{{ 'y' }}",
          "{{ inputs.missing | default('}}') }} y", "{{ inputs.x == '}}' }}", "{{ inputs.x == '}}'", "x {{ inputs.x == '}}'",
          "{{ a }b }}", "{{ a } }}", "{{ 'a' }} '{{ 'b' }}'"]:
    E(t)
E("{{ inputs.s }}", ns={"inputs": {"s": "\x00\x1b\x7f\x85\xa0\u200b\u2028\ud7ff\ue000\U0001f600\U000e0001"}})
E("x{{ inputs.s }}", ns={"inputs": {"s": ["\x00\x1b\x7f\x85\xa0\u200b\u2028\ue000\U0001f600\U000e0001\u0378\u00ad"]}})
E("{{ inputs.s }}", ns={"inputs": {"s": {"k'": "v\"", "a": ["'\""], "\\": "\n"}}})
E("{{ inputs.deep }}", ns={"inputs": {"deep": [[[[{"a": [{}]}]]]]}})
E("{{ " + "(" * 300 + "1" + ")" * 300 + " }}")
E("{{ " + "(" * 120 + "1" + ")" * 120 + " }}")
# conditions
for c in ["false", "False", " true\n", "TRUE", "yes", "no", "0", "1", "{{ inputs.empty }}", "{{ inputs.none }}",
          "{{ inputs.z }}", "{{ inputs.f }}", "{{ 'false' }}", "{{ ' False\n' }}", "{{ inputs.tags }}", "{{ inputs.nested }}",
          "{{ inputs.count > 3 }}", "{{ inputs.count > 3 }} ", "not {{ inputs.flag }}", "{{ inputs.count }} > 100",
          "{{ false }}{{ true }}", "{{ false }} ", "x{{ inputs.none }}", "{{ inputs.none }}", "{{ steps.plan.output.stdout }}!",
          "{{ inputs.missing | upper }}", "{{ 'true' }}", "{{ inputs.flag", "\ttrue\t", "tr ue", "{{ \"\" }}", "{{ '  ' }}"]:
    C(c)
# diagnostics
for d in ["", " ", "true", " FALSE ", "false\n", "{{ inputs.x }}", " {{ inputs.x }} ", "{{ inputs.x", "inputs.x",
          "{{ inputs.x }} {{ inputs.y }}", "{{ inputs.x }}!", "{{ a == '}}' }}", "{{ a == '}}'", "{{ a }} and {{ b",
          "{{ a }} and {{ b == 'x }}", "{{}}", "{{ }}", "{{", "}}", "{{ }} x", "x }}", "inputs.a and", "and inputs.a",
          "or", "not", "inputs.a not", "inputs.a not in", "in inputs.tags", "not in inputs.tags", "inputs.a in",
          "inputs.a ==", "== inputs.a", "inputs.a == == inputs.b", "inputs.a | ", "inputs.a || upper", "| upper",
          "inputs.a or  or inputs.b", "inputs.a == inputs.b ==", "inputs.a != ''", "inputs.a == \"x", "inputs.a == 'x",
          "inputs.f(]", "inputs.f(", "inputs.f)", "[inputs.a", "{inputs.a}", "inputs.a[0] == 1", "item[0] == 'x'",
          "inputs[0] == 1", "steps[0]", "context.run_id", "fan_in.results | length", "inputs.a.b-c.d_e", "inputs.a..b",
          "inputs.a. b", "inputs.a.b c", "inputs.é == 1", "input.a == 1", "Inputs.a", "x", "1 == 1", "'a' == 'a'",
          "true and false", "[1, 2]", "[inputs.a, bogus]", "inputs.a | default(bogus)", "inputs.a | default(inputs.b)",
          "inputs.a | join(',')", "inputs.a | join", "inputs.a | Join(',')", "inputs.a | upper x", "inputs.a | upper | bogus",
          "inputs.a | from_json | contains(bogus)", "inputs.a | from_json | bogus", "inputs.blob | from_json",
          "inputs.a | default(1, 2)", "inputs.a > 1 | default(1)", "not inputs.a | default(1)", "(inputs.a | bogus) or true",
          "true or (inputs.a | bogus)", "true or bogus", "bogus or true", "inputs.a == 'x' or steps.s.status == 'done'",
          "{{ inputs.count > 100", "{{ inputs.count > 100 }", "inputs.count > 100 }}", "{{ inputs.a }} and {{ inputs.b",
          "prefix {{ inputs.a", "{{ inputs.a }}{{ inputs.b", "  {{ inputs.a\n and inputs.b", "inputs.a\nand inputs.b",
          "inputs.a ==\n'x'", "inputs.name == \"it's\"", "inputs.name == 'é'", "inputs.name == 'a\\b'", "inputs.x == '{{'",
          "inputs.x == '}}'", "'{{' in inputs.x", "not(inputs.a)", "not (inputs.a)", "inputs.count+1 > 2", "inputs.a-b",
          "inputs.tags[-1] == 'c'", "inputs.tags[1:] == 1", "inputs.tags[a]", "inputs.a === inputs.b", "inputs.a <> 1",
          "inputs.a => 1", "a.b", "item", "item.x", "item[0][1]", "fan_in", "(inputs.a", "inputs.a)", "'unclosed",
          "\"x\" == 'y", "inputs.x == ' '", "inputs.f()", "inputs.f(1)", "inputs.a | default(')')", "{{ '{{' }} x",
          "inputs.a ~ inputs.b", "inputs.a if inputs.b else inputs.c", "inputs.a | length > 2", "(inputs.a | length) > 2",
          "inputs . a", "inputs.a | map('x') | join(',') | contains(bogus)", "[inputs.a | bogus]", "inputs.a | default([bogus])",
          "inputs.a | " + "x" * 3, "inputs.a | 5"]:
    D(d)
# json loads
for q in ['{"a": [1, 2.5, -0.0, 1e2, 1E-2, true, false, null, "x"]}', ' \t\n\r[1] \n', '[1]\x0b', '\x0c[1]', '"\\/\\b\\f\\n\\r\\t\\"\\\\"',
          '"\\u00E9\\u00e9"', '"\\uD83D\\uDE00"', '"\\u12', '"\\u1234', '"\\u123',
          '"\\ud83d\\uzzzz"', '"\\ud83d\\uzzzz', '[1, 2', '[1 2]', '[1,', '[', ']', '{', '}', '{"a"', '{"a":', '{"a":1', '{"a":1,',
          '{"a":1,}', '{"a":1 "b":2}', "{'a': 1}", '[01]', '[-]', '[-a]', '[.5]', '[1.]', '[1.e5]', '[1e]', '[1e+]', '[1e+5]',
          '[+1]', '[0x10]', '[Infinity, -Infinity, NaN]', '[infinity]', '[nan]', '[-NaN]', '[tru]', '[nulll]', 'null null',
          '"a"\n"b"', '\n\n  x', 'é', '"é\n"', '"\x7f"', '"\x1f"', '"abc', '"abc\\', '"a\\qb"', '[1, 2]  ', '[1, 2]  x',
          '1' * 4300, '-' + '1' * 4301, '1.' + '1' * 5000, '1e999999999999999999999', '[' * 100 + ']' * 100,
          '{"a": {"a": {"a": 1}}, "a": 2}', '{"": 1}', '{"k": 1, "k": 2, "j": 3}', '123abc', '"\u2028"', "true", "  false  "]:
    L(q)
L('"\\ud83d"', baton="str '\ufffd'", note=SURR)
L('"\\ud83d\\u0041"', baton="str '\ufffdA'", note=SURR)
L('"\\ud83dx"', baton="str '\ufffdx'", note=SURR)
L('"\\udc00\\ud83d"', baton="str '\ufffd\ufffd'", note=SURR)
DEEP = "the reference crashes with RecursionError; baton refuses nesting beyond 1000 levels"
E("{{ " + "(" * 1200 + "1" + ")" * 1200 + " }}", baton="ERROR expression nests deeper than 1000 levels", note=DEEP)
E("{{ " + " or ".join(["inputs.x"] * 1200) + " }}", baton="ERROR expression nests deeper than 1000 levels", note=DEEP)
E("{{ inputs.q | from_json }}", ns={"inputs": {"q": "[" * 1200 + "]" * 1200}},
  baton="ERROR from_json: invalid JSON: nesting deeper than 1000 levels", note=DEEP)
E("{{ " + "(" * 900 + "1" + ")" * 900 + " }}")
E("{{ " + " or ".join(["inputs.x"] * 900) + " }}")
E("{{ inputs.q | from_json | length }}", ns={"inputs": {"q": "[" * 900 + "]" * 900}})
# json dumps
docs = ['{"b": 1, "a": [1, 2.5, null, true], "é": "ü😀\\n\\u007f\\u0001"}', '[]', '{}', '[[], {}, [[]]]', '"x"',
        '[1e16, 1e-5, 0.1, 12345678901234567890, -0.0, 1e400, NaN]', '{"z": {"y": [1, {"x": []}]}}']
for doc in docs:
    for opts in [{}, {"ensure_ascii": False}, {"indent": 2}, {"indent": 2, "ensure_ascii": False, "sort_keys": True},
                 {"sort_keys": True}, {"allow_nan": False}, {"indent": 0}]:
        U(doc, opts=opts)

import subprocess
ns = open(os.path.join(ROOT, 'fixtures/expr/namespace.json')).read()
p = subprocess.run([PYTHON, os.path.join(HERE, '..', 'tests/it/oracle.py'), ns],
    input=''.join(json.dumps(r) + '\n' for r in R), capture_output=True, text=True, cwd=os.environ.get('TMPDIR', '/tmp'))
assert not p.stderr, p.stderr
outs = [json.loads(l)['out'] for l in p.stdout.splitlines()]
assert len(outs) == len(R)
with open(os.path.join(ROOT, 'fixtures/expr/extra.jsonl'), 'w') as f:
    for n, (r, o) in enumerate(zip(R, outs), 1):
        r2 = {"id": "X%03d" % n}
        baton, note = r.pop("baton", None), r.pop("note", None)
        r2.update(r)
        r2["expect"] = o
        if baton is not None: r2["baton"] = baton
        if note is not None: r2["note"] = note
        f.write(json.dumps(r2, ensure_ascii=False) + "\n")
crash = [ (r, o) for r, o in zip(R, outs) if o.startswith('CRASH')]
print(len(R), 'rows;', len(crash), 'crash')
for r, o in crash: print(repr(r['input'])[:80], o[:150])
