import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MlflowError } from '../src-main/core/errors';
import { parseExperimentFilter, parseFilter } from '../src-main/search/filter-parser';
import { parseExperimentOrderBy, parseOrderBy } from '../src-main/search/order-by';
import { createPageToken, parseStartOffset } from '../src-main/search/page-token';
import { shlexSplit, literalEval, b64decodeLoose, pyRepr } from '../src-main/search/python-compat';
import {
  resolveExperimentFilter,
  resolveExperimentOrderBy,
  resolveRunFilter,
  resolveRunOrderBy,
} from '../src-main/search/resolve';

/** Runs `fn`; the error's code and message, or its result. */
function outcome(fn: () => unknown): { ok: unknown } | { error: string; code: string } {
  try {
    return { ok: fn() };
  } catch (e) {
    if (e instanceof MlflowError) return { error: e.message, code: e.errorCode };
    throw e;
  }
}

/** Python prints sets in hash order; compare their members sorted. */
const normalizeSets = (s: string): string =>
  s.replace(
    /\{('(?:[^'\\]|\\.)*'(?:, '(?:[^'\\]|\\.)*')*)\}/g,
    (_m, items: string) => `{${(items.match(/'(?:[^'\\]|\\.)*'/g) ?? []).sort().join(', ')}}`,
  );

const errorOf = (fn: () => unknown): string => {
  const o = outcome(fn);
  if ('ok' in o) throw new Error(`expected an error, got ${JSON.stringify(o.ok)}`);
  expect(o.code).toBe('INVALID_PARAMETER_VALUE');
  return o.error;
};

describe('runs filter grammar', () => {
  it('parses every key type, alias and quoting into MLflow clauses', () => {
    expect(parseFilter('metrics.acc > 0.5 and params.lr = \'0.1\' AND tags.`my tag` != "x"')).toEqual([
      { type: 'metric', key: 'acc', comparator: '>', value: '0.5' },
      { type: 'parameter', key: 'lr', comparator: '=', value: '0.1' },
      { type: 'tag', key: 'my tag', comparator: '!=', value: 'x' },
    ]);
    expect(parseFilter("metric.`a b` <= -1e3 AND param.p LIKE 'x%' AND tag.\"mlflow.runName\" ILIKE 'R%'")).toEqual([
      { type: 'metric', key: 'a b', comparator: '<=', value: '-1e3' },
      { type: 'parameter', key: 'p', comparator: 'LIKE', value: 'x%' },
      { type: 'tag', key: 'mlflow.runName', comparator: 'ILIKE', value: 'R%' },
    ]);
    expect(
      parseFilter("attributes.status = 'FINISHED' and attr.user_id = 'u' and run.run_name = 'r' and start_time >= 5"),
    ).toEqual([
      { type: 'attribute', key: 'status', comparator: '=', value: 'FINISHED' },
      { type: 'attribute', key: 'user_id', comparator: '=', value: 'u' },
      { type: 'attribute', key: 'run_name', comparator: '=', value: 'r' },
      { type: 'attribute', key: 'start_time', comparator: '>=', value: '5' },
    ]);
    expect(parseFilter("run_id IN ('abc', 'DEF', 'ghi') AND datasets.context NOT IN ('train')")).toEqual([
      // Values that are not lower case are dropped, as MLflow does.
      { type: 'attribute', key: 'run_id', comparator: 'IN', value: ['abc', 'ghi'] },
      { type: 'dataset', key: 'context', comparator: 'NOT IN', value: ['train'] },
    ]);
    expect(parseFilter('')).toEqual([]);
  });

  it('types predicates as the SQL store does (aliases, upper-cased comparators, run_name on its tag)', () => {
    expect(resolveRunFilter(parseFilter("created > 5 and `Run Name` like 'x%' and metrics.m = 2"))).toEqual([
      { kind: 'numeric-attribute', column: 'start_time', op: '>', value: 5 },
      { kind: 'tag', key: 'mlflow.runName', op: 'LIKE', value: 'x%' },
      { kind: 'metric', key: 'm', op: '=', value: 2 },
    ]);
    expect(resolveRunOrderBy(['metrics.`a b` DESC', 'run_name', 'created'])).toEqual([
      { kind: 'metric', key: 'a b', ascending: false },
      { kind: 'attribute', column: 'name', ascending: true },
      { kind: 'attribute', column: 'start_time', ascending: true },
    ]);
  });

  it("gives MLflow's messages for bad filters", () => {
    expect(errorOf(() => parseFilter("metrics.a > 1 OR params.b = 'c'"))).toBe(
      "Invalid clause(s) in filter string: 'OR'",
    );
    expect(errorOf(() => parseFilter('params.p = 1'))).toBe(
      "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 1",
    );
    expect(errorOf(() => parseFilter("metrics.a > 'x'"))).toBe("Expected numeric value type for metric. Found 'x'");
    expect(errorOf(() => parseFilter("foo.bar = 'x'"))).toBe(
      "Invalid entity type 'foo'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']",
    );
    expect(
      normalizeSets(errorOf(() => parseFilter("nope = 'x'"))).startsWith(
        "Invalid attribute key 'nope' specified. Valid keys are '{",
      ),
    ).toBe(true);
    expect(errorOf(() => parseFilter('tags.t IS NULL'))).toBe(
      "Invalid clause(s) in filter string: 'tags.t', 'IS', 'NULL'",
    );
    expect(errorOf(() => parseFilter('params.p = x'))).toBe(
      'Parameter value is either not quoted or unidentified quote types used for string value x. Use either single or double quotes.',
    );
    expect(errorOf(() => parseFilter("status IN ('A')"))).toBe(
      "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
    );
    expect(errorOf(() => parseFilter('   '))).toBe("Invalid filter '   '. Could not be parsed.");
    expect(errorOf(() => parseFilter("a = 'b'; c = 'd'"))).toBe(
      "Search filter contained multiple expression \"a = 'b'; c = 'd'\". Provide AND-ed expression list.",
    );
    expect(normalizeSets(errorOf(() => resolveRunFilter(parseFilter("params.p > 'x'"))))).toBe(
      "Invalid comparator '>' not one of '{'!=', '=', 'ILIKE', 'LIKE'}'",
    );
    expect(errorOf(() => parseFilter('1 = 1'))).toBe("Invalid comparison clause. Expected 'Identifier' found '1'");
  });

  it('parses order_by clauses with MLflow errors', () => {
    expect(parseOrderBy('metrics.`my key` DESC')).toEqual({ type: 'metric', key: 'my key', ascending: false });
    expect(parseOrderBy('tags."mlflow.runName"')).toEqual({ type: 'tag', key: 'mlflow.runName', ascending: true });
    expect(parseOrderBy('params.p asc')).toEqual({ type: 'parameter', key: 'p', ascending: true });
    expect(errorOf(() => parseOrderBy('metrics.a up'))).toBe("Invalid ordering key in order_by clause 'metrics.a up'.");
    expect(errorOf(() => parseOrderBy('metrics.a DESC x'))).toBe(
      "Invalid order_by clause 'metrics.a DESC x'. Could not be parsed.",
    );
    expect(errorOf(() => resolveRunOrderBy(['start_time', 'created']))).toBe(
      "`order_by` contains duplicate fields: ['start_time', 'created']",
    );
    expect(errorOf(() => resolveRunOrderBy(['datasets.name']))).toBe("Invalid identifier type 'dataset'");
  });
});

describe('experiments filter grammar', () => {
  it('accepts name, times and tags, with case-sensitive comparators', () => {
    expect(
      resolveExperimentFilter(parseExperimentFilter("name LIKE 'a%' and tags.t = 'v' and creation_time > 5")),
    ).toEqual([
      { kind: 'attribute', column: 'name', op: 'LIKE', value: 'a%' },
      { kind: 'tag', key: 't', op: '=', value: 'v' },
      { kind: 'numeric-attribute', column: 'creation_time', op: '>', value: 5 },
    ]);
    expect(normalizeSets(errorOf(() => resolveExperimentFilter(parseExperimentFilter("name like 'a%'"))))).toBe(
      "Invalid comparator 'like' not one of '{'!=', '=', 'ILIKE', 'IN', 'LIKE', 'NOT IN'}'",
    );
    expect(errorOf(() => parseExperimentFilter("attributes.name = 'x'"))).toBe(
      "Invalid entity type 'attributes'. Valid entity types are ('attribute', 'tag', 'tags')",
    );
    expect(errorOf(() => parseExperimentFilter("name = 'a' OR name = 'b'"))).toBe(
      'Invalid clause(s) in filter string: OR',
    );
  });

  it('orders by attributes, experiment_id breaking ties (descending, as MLflow)', () => {
    expect(resolveExperimentOrderBy([])).toEqual([
      { column: 'creation_time', ascending: false },
      { column: 'experiment_id', ascending: true },
    ]);
    expect(resolveExperimentOrderBy(['name'])).toEqual([
      { column: 'name', ascending: true },
      { column: 'experiment_id', ascending: false },
    ]);
    expect(parseExperimentOrderBy('last_update_time DESC')).toEqual({
      type: 'attribute',
      key: 'last_update_time',
      ascending: false,
    });
    expect(errorOf(() => resolveExperimentOrderBy(['tags.a']))).toBe('Invalid order_by entity: tag');
  });
});

describe('page tokens', () => {
  it('are MLflow\'s base64 of {"offset": N}', () => {
    expect(createPageToken(100)).toBe('eyJvZmZzZXQiOiAxMDB9');
    expect(parseStartOffset('eyJvZmZzZXQiOiAxMDB9')).toBe(100);
    expect(parseStartOffset(null)).toBe(0);
    expect(parseStartOffset('')).toBe(0);
  });

  it("reject bad tokens with MLflow's messages", () => {
    expect(errorOf(() => parseStartOffset('abc'))).toBe('Invalid page token, could not base64-decode');
    expect(errorOf(() => parseStartOffset('YWJj'))).toBe("Invalid page token, decoded value=b'abc'");
    expect(errorOf(() => parseStartOffset('e30='))).toBe('Invalid page token, parsed value={}');
    expect(errorOf(() => parseStartOffset('eyJvZmZzZXQiOiAiYWJjIn0='))).toBe('Invalid page token, not stringable abc');
  });
});

describe('python helpers', () => {
  it('split like shlex, evaluate list literals, decode base64 leniently', () => {
    expect(shlexSplit('metrics."my key" DESC')).toEqual(['metrics.my key', 'DESC']);
    expect(shlexSplit("tags.'it''s'")).toEqual(['tags.its']);
    expect(pyRepr(literalEval("('a', 'b')"))).toBe("('a', 'b')");
    expect(pyRepr(literalEval("('a' 'b')"))).toBe("'ab'");
    expect(pyRepr(literalEval('(1, 2.5, None)'))).toBe('(1, 2.5, None)');
    expect(Buffer.from(b64decodeLoose('YW Jj!')).toString()).toBe('abc');
  });
});

describe('agreement with MLflow 3.5.1 (tests/search-oracle.json)', () => {
  type Case = { kind: string; input: any; expected: { ok?: unknown; error?: string; code?: string } };
  const cases = JSON.parse(readFileSync(join(__dirname, 'search-oracle.json'), 'utf8')) as Case[];

  const run = (c: Case): ReturnType<typeof outcome> =>
    outcome(() => {
      switch (c.kind) {
        case 'runs-filter': {
          const clauses = parseFilter(c.input);
          resolveRunFilter(clauses);
          return clauses;
        }
        case 'exp-filter': {
          const clauses = parseExperimentFilter(c.input);
          resolveExperimentFilter(clauses);
          return clauses;
        }
        case 'runs-order':
          resolveRunOrderBy(c.input);
          return true;
        case 'exp-order':
          resolveExperimentOrderBy(c.input);
          return true;
        default:
          return parseStartOffset(c.input);
      }
    });

  it(`matches MLflow on all ${cases.length} recorded inputs`, () => {
    const mismatches: string[] = [];
    for (const c of cases) {
      const got = run(c);
      const want = c.expected;
      let ok: boolean;
      if (want.code?.startsWith('PY:')) {
        // A Python exception (a 500 in MLflow): here it must be a client error.
        ok = 'code' in got && got.code === 'INVALID_PARAMETER_VALUE';
      } else if (want.code === 'INTERNAL_ERROR') {
        ok = 'code' in got && got.code === 'INVALID_PARAMETER_VALUE' && got.error === want.error;
      } else if ('ok' in want) {
        ok = 'ok' in got && JSON.stringify(got.ok) === JSON.stringify(want.ok);
      } else {
        ok = 'code' in got && got.code === want.code && normalizeSets(got.error) === normalizeSets(want.error ?? '');
      }
      if (!ok)
        mismatches.push(
          `${c.kind} ${JSON.stringify(c.input)}\n  want ${JSON.stringify(want)}\n  got  ${JSON.stringify(got)}`,
        );
    }
    expect(mismatches.slice(0, 10).join('\n')).toBe('');
  });
});
