import { describe, expect, it } from 'vitest';
import {
  createPageToken,
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parsePageToken,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
} from '../src-main/registry/filter-parser';

/**
 * Expected results captured from MLflow 3.5.1's own SearchModelUtils / SearchModelVersionUtils
 * (+ the SQL store's comparator checks where noted). "ERR ..." is the MlflowException message.
 * Python prints sets in hash order; those messages use the one fixed order Runlens emits.
 */
type Expected = string | { type: string; key: string; comparator: string; value: unknown }[];
const CASES: [string, Expected, Expected][] = [
  [
    "name='a'",
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'a',
      },
    ],
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'a',
      },
    ],
  ],
  [
    "name = 'a'",
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'a',
      },
    ],
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'a',
      },
    ],
  ],
  [
    'name="a"',
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'a',
      },
    ],
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'a',
      },
    ],
  ],
  [
    'name = a',
    'ERR Parameter value is either not quoted or unidentified quote types used for string value a. Use either single or double quotes.',
    'ERR Parameter value is either not quoted or unidentified quote types used for string value a. Use either single or double quotes.',
  ],
  [
    "name LIKE 'a%'",
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: 'LIKE',
        value: 'a%',
      },
    ],
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: 'LIKE',
        value: 'a%',
      },
    ],
  ],
  [
    "name like 'a%'",
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: 'LIKE',
        value: 'a%',
      },
    ],
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: 'LIKE',
        value: 'a%',
      },
    ],
  ],
  [
    "name ILIKE '%A'",
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: 'ILIKE',
        value: '%A',
      },
    ],
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: 'ILIKE',
        value: '%A',
      },
    ],
  ],
  [
    "name != 'x'",
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '!=',
        value: 'x',
      },
    ],
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '!=',
        value: 'x',
      },
    ],
  ],
  [
    "name > 'x'",
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '>',
        value: 'x',
      },
    ],
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '>',
        value: 'x',
      },
    ],
  ],
  [
    "tags.k = 'v'",
    [
      {
        type: 'tag',
        key: 'k',
        comparator: '=',
        value: 'v',
      },
    ],
    [
      {
        type: 'tag',
        key: 'k',
        comparator: '=',
        value: 'v',
      },
    ],
  ],
  [
    "tag.k = 'v'",
    [
      {
        type: 'tag',
        key: 'k',
        comparator: '=',
        value: 'v',
      },
    ],
    [
      {
        type: 'tag',
        key: 'k',
        comparator: '=',
        value: 'v',
      },
    ],
  ],
  [
    "tags.`a.b` = 'v'",
    [
      {
        type: 'tag',
        key: 'a.b',
        comparator: '=',
        value: 'v',
      },
    ],
    [
      {
        type: 'tag',
        key: 'a.b',
        comparator: '=',
        value: 'v',
      },
    ],
  ],
  [
    'tags."a b" = \'v\'',
    [
      {
        type: 'tag',
        key: 'a b',
        comparator: '=',
        value: 'v',
      },
    ],
    [
      {
        type: 'tag',
        key: 'a b',
        comparator: '=',
        value: 'v',
      },
    ],
  ],
  [
    "`tags`.k = 'v'",
    "ERR Invalid entity type '`tags`'. Valid entity types are ('attribute', 'tag', 'tags')",
    "ERR Invalid entity type '`tags`'. Valid entity types are ('attribute', 'tag', 'tags')",
  ],
  [
    "attribute.name = 'a'",
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'a',
      },
    ],
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'a',
      },
    ],
  ],
  [
    "foo.k = 'v'",
    "ERR Invalid entity type 'foo'. Valid entity types are ('attribute', 'tag', 'tags')",
    "ERR Invalid entity type 'foo'. Valid entity types are ('attribute', 'tag', 'tags')",
  ],
  [
    'tags.k = v',
    'ERR Parameter value is either not quoted or unidentified quote types used for string value v. Use either single or double quotes.',
    'ERR Parameter value is either not quoted or unidentified quote types used for string value v. Use either single or double quotes.',
  ],
  [
    'tags.k = 1',
    "ERR Expected a quoted string value for tag (e.g. 'my-value'). Got value 1",
    "ERR Expected a quoted string value for tag (e.g. 'my-value'). Got value 1",
  ],
  [
    'name = 1',
    'ERR Expected a quoted string value or a list of quoted string values for attributes. Got value 1',
    "ERR Only the '{'version_number', 'creation_timestamp', 'last_updated_timestamp'}' attributes support comparison with numeric values.",
  ],
  [
    'name = 1.5',
    'ERR Expected a quoted string value or a list of quoted string values for attributes. Got value 1.5',
    "ERR Only the '{'version_number', 'creation_timestamp', 'last_updated_timestamp'}' attributes support comparison with numeric values.",
  ],
  [
    'version_number = 1',
    "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'",
    [
      {
        type: 'attribute',
        key: 'version_number',
        comparator: '=',
        value: 1,
      },
    ],
  ],
  [
    'version_number = 1.5',
    "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'",
    [
      {
        type: 'attribute',
        key: 'version_number',
        comparator: '=',
        value: 1.5,
      },
    ],
  ],
  [
    "version_number = '1'",
    "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'",
    [
      {
        type: 'attribute',
        key: 'version_number',
        comparator: '=',
        value: '1',
      },
    ],
  ],
  [
    "version_number > 1 AND name = 'a'",
    "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'",
    [
      {
        type: 'attribute',
        key: 'version_number',
        comparator: '>',
        value: 1,
      },
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'a',
      },
    ],
  ],
  [
    "name = 'a' and tags.k='v'",
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'a',
      },
      {
        type: 'tag',
        key: 'k',
        comparator: '=',
        value: 'v',
      },
    ],
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'a',
      },
      {
        type: 'tag',
        key: 'k',
        comparator: '=',
        value: 'v',
      },
    ],
  ],
  [
    "name = 'a' OR name = 'b'",
    'ERR Invalid clause(s) in filter string: OR',
    'ERR Invalid clause(s) in filter string: OR',
  ],
  ['name', 'ERR Invalid clause(s) in filter string: name', 'ERR Invalid clause(s) in filter string: name'],
  [
    "name = 'a' name = 'b'",
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'a',
      },
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'b',
      },
    ],
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'a',
      },
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'b',
      },
    ],
  ],
  [
    "run_id IN ('a','b')",
    "ERR Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'",
    [
      {
        type: 'attribute',
        key: 'run_id',
        comparator: 'IN',
        value: ['a', 'b'],
      },
    ],
  ],
  [
    "run_id IN ('A','b')",
    "ERR Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'",
    [
      {
        type: 'attribute',
        key: 'run_id',
        comparator: 'IN',
        value: ['b'],
      },
    ],
  ],
  [
    "run_id in ('a')",
    "ERR Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'",
    [
      {
        type: 'attribute',
        key: 'run_id',
        comparator: 'IN',
        value: ['a'],
      },
    ],
  ],
  [
    'run_id IN ()',
    "ERR Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'",
    'ERR While parsing a list in the query, expected a non-empty list of string values, but got empty list',
  ],
  [
    'run_id IN (1,2)',
    "ERR Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'",
    'ERR While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: (1, 2)',
  ],
  [
    "run_id IN ('a',)",
    "ERR Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'",
    [
      {
        type: 'attribute',
        key: 'run_id',
        comparator: 'IN',
        value: ['a'],
      },
    ],
  ],
  [
    "run_id NOT IN ('a')",
    "ERR Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'",
    [
      {
        type: 'attribute',
        key: 'run_id',
        comparator: 'NOT IN',
        value: ['a'],
      },
    ],
  ],
  [
    "name IN ('a')",
    "ERR Only the 'run_id' attribute supports comparison with a list of quoted string values.",
    "ERR Only the 'run_id' attribute supports comparison with a list of quoted string values.",
  ],
  [
    "tags.k IN ('a')",
    "ERR Expected a quoted string value for tag (e.g. 'my-value'). Got value ('a')",
    "ERR Expected a quoted string value for tag (e.g. 'my-value'). Got value ('a')",
  ],
  [
    "'a' = name",
    "ERR Invalid comparison clause. Expected 'Identifier' found ''a''",
    "ERR Invalid comparison clause. Expected 'Identifier' found ''a''",
  ],
  [
    "name = 'it''s'",
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: "it''s",
      },
    ],
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: "it''s",
      },
    ],
  ],
  [
    "source_path = 's3://x'",
    "ERR Invalid attribute key 'source_path' specified. Valid keys are '{'name'}'",
    [
      {
        type: 'attribute',
        key: 'source_path',
        comparator: '=',
        value: 's3://x',
      },
    ],
  ],
  [
    "run_id = 'abc'",
    "ERR Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'",
    [
      {
        type: 'attribute',
        key: 'run_id',
        comparator: '=',
        value: 'abc',
      },
    ],
  ],
  [
    'name = null',
    'ERR Expected a quoted string value or a list of quoted string values for attributes. Got value null',
    'ERR Expected a quoted string value or a list of quoted string values for attributes. Got value null',
  ],
  ["name = 'a';", 'ERR Invalid clause(s) in filter string: ;', 'ERR Invalid clause(s) in filter string: ;'],
  [
    "name = 'a'; name = 'b'",
    "ERR Search filter contained multiple expression \"name = 'a'; name = 'b'\". Provide AND-ed expression list.",
    "ERR Search filter contained multiple expression \"name = 'a'; name = 'b'\". Provide AND-ed expression list.",
  ],
  ['name =', 'ERR Invalid clause(s) in filter string: name, =', 'ERR Invalid clause(s) in filter string: name, ='],
  ["= 'a'", "ERR Invalid clause(s) in filter string: =, 'a'", "ERR Invalid clause(s) in filter string: =, 'a'"],
  [
    'name LIKE',
    'ERR Invalid clause(s) in filter string: name, LIKE',
    'ERR Invalid clause(s) in filter string: name, LIKE',
  ],
  [
    'creation_timestamp > 1',
    "ERR Invalid attribute key 'creation_timestamp' specified. Valid keys are '{'name'}'",
    "ERR Invalid attribute key 'creation_timestamp' specified. Valid keys are '{'name', 'version_number', 'run_id', 'source_path'}'",
  ],
  [
    "`name` = 'a'",
    "ERR Invalid attribute key '`name`' specified. Valid keys are '{'name'}'",
    "ERR Invalid attribute key '`name`' specified. Valid keys are '{'name', 'version_number', 'run_id', 'source_path'}'",
  ],
  [
    "name = 'a' AND",
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'a',
      },
    ],
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'a',
      },
    ],
  ],
  [
    "(name = 'a')",
    "ERR Invalid clause(s) in filter string: (name = 'a')",
    "ERR Invalid clause(s) in filter string: (name = 'a')",
  ],
  [
    "name = 'a' AND (tags.x = 'b')",
    "ERR Invalid clause(s) in filter string: (tags.x = 'b')",
    "ERR Invalid clause(s) in filter string: (tags.x = 'b')",
  ],
  [
    "tags.k LIKE 'v%'",
    [
      {
        type: 'tag',
        key: 'k',
        comparator: 'LIKE',
        value: 'v%',
      },
    ],
    [
      {
        type: 'tag',
        key: 'k',
        comparator: 'LIKE',
        value: 'v%',
      },
    ],
  ],
  [
    "name <> 'a'",
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '<>',
        value: 'a',
      },
    ],
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '<>',
        value: 'a',
      },
    ],
  ],
  [
    "name == 'a'",
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '==',
        value: 'a',
      },
    ],
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '==',
        value: 'a',
      },
    ],
  ],
  [
    'version_number >= 2',
    "ERR Invalid attribute key 'version_number' specified. Valid keys are '{'name'}'",
    [
      {
        type: 'attribute',
        key: 'version_number',
        comparator: '>=',
        value: 2,
      },
    ],
  ],
  [
    'version_number = 0x10',
    'ERR Invalid clause(s) in filter string: version_number, =, 0x10',
    'ERR Invalid clause(s) in filter string: version_number, =, 0x10',
  ],
  [
    "tags.`mlflow.prompt.is_prompt` = 'true'",
    [
      {
        type: 'tag',
        key: 'mlflow.prompt.is_prompt',
        comparator: '=',
        value: 'true',
      },
    ],
    [
      {
        type: 'tag',
        key: 'mlflow.prompt.is_prompt',
        comparator: '=',
        value: 'true',
      },
    ],
  ],
  [
    "name = 'a' -- comment",
    'ERR Invalid clause(s) in filter string: -- comment',
    'ERR Invalid clause(s) in filter string: -- comment',
  ],
  [
    "  name = 'a'  ",
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'a',
      },
    ],
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'a',
      },
    ],
  ],
  [
    "name='a'AND name='b'",
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'a',
      },
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'b',
      },
    ],
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'a',
      },
      {
        type: 'attribute',
        key: 'name',
        comparator: '=',
        value: 'b',
      },
    ],
  ],
  [
    "name NOT LIKE 'a'",
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: 'NOT LIKE',
        value: 'a',
      },
    ],
    [
      {
        type: 'attribute',
        key: 'name',
        comparator: 'NOT LIKE',
        value: 'a',
      },
    ],
  ],
  [
    "tags.k.j = 'v'",
    [
      {
        type: 'tag',
        key: 'k.j',
        comparator: '=',
        value: 'v',
      },
    ],
    [
      {
        type: 'tag',
        key: 'k.j',
        comparator: '=',
        value: 'v',
      },
    ],
  ],
];

function run(fn: (f: string) => unknown, f: string): unknown {
  try {
    return fn(f);
  } catch (e) {
    return `ERR ${(e as Error).message}`;
  }
}

// The SQL stores reject comparators the parser accepts; those rows expect the store's message.
const STORE_RM: Record<string, string> = {
  "name > 'x'": 'ERR Invalid comparator for attribute: >',
  "name <> 'a'": 'ERR Invalid comparator for attribute: <>',
  "name == 'a'": 'ERR Invalid comparator for attribute: ==',
  "name NOT LIKE 'a'": 'ERR Invalid comparator for attribute: NOT LIKE',
};
const STORE_MV: Record<string, string> = {
  ...STORE_RM,
  "run_id NOT IN ('a')": 'ERR Invalid comparator for attribute: NOT IN',
};

describe('registry filter parser matches MLflow', () => {
  for (const [filter, rm, mv] of CASES) {
    it(`parses ${JSON.stringify(filter)}`, () => {
      expect(run(parseRegisteredModelFilter, filter)).toEqual(STORE_RM[filter] ?? rm);
      expect(run(parseModelVersionFilter, filter)).toEqual(STORE_MV[filter] ?? mv);
    });
  }
});

describe('registry order_by parsing matches MLflow', () => {
  const rm = (c: string[]) => run(() => parseRegisteredModelOrderBy(c), '');
  const mv = (c: string[]) => run(() => parseModelVersionOrderBy(c), '');
  it('accepts MLflow spellings', () => {
    expect(rm(['name DESC'])).toEqual([{ field: 'name', asc: false }]);
    expect(rm(['timestamp   asc'])).toEqual([
      { field: 'last_updated_time', asc: true },
      { field: 'name', asc: true },
    ]);
    expect(rm(['`name` DESC'])).toEqual([{ field: 'name', asc: false }]);
    expect(rm(['"name" DESC'])).toEqual([{ field: 'name', asc: false }]);
    expect(mv([])).toEqual([
      { field: 'last_updated_time', asc: false },
      { field: 'name', asc: true },
      { field: 'version', asc: false },
    ]);
    expect(mv(['attribute.name'])).toEqual([
      { field: 'name', asc: true },
      { field: 'version', asc: false },
    ]);
    // MLflow lets `tags.<attribute>` through as that attribute.
    expect((mv(['tags.creation_timestamp DESC']) as unknown[])[0]).toEqual({ field: 'creation_time', asc: false });
  });
  it('rejects what MLflow rejects', () => {
    expect(rm([' name'])).toBe("ERR Invalid order_by clause ' name'. Could not be parsed.");
    expect(rm(['name '])).toBe("ERR Invalid order_by clause 'name '. Could not be parsed.");
    expect(rm(['a b c'])).toBe("ERR Invalid order_by clause 'a b c'. Could not be parsed.");
    expect(rm(['name,version_number'])).toBe("ERR Invalid order_by clause 'name,version_number'. Could not be parsed.");
    expect(rm(['name UP'])).toBe("ERR Invalid ordering key in order_by clause 'name UP'.");
    expect(rm(['attribute.name'])).toBe(
      "ERR Invalid order by key 'attribute.name' specified. Valid keys are '{'name', 'timestamp'}'",
    );
    expect(mv(['timestamp DESC'])).toBe(
      "ERR Invalid attribute key 'timestamp' specified. Valid keys are " +
        "'{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}'",
    );
    expect(mv(['metrics.name'])).toBe(
      "ERR Invalid entity type 'metrics'. Valid entity types are ('attribute', 'tag', 'tags')",
    );
    expect(mv(['name', 'name DESC'])).toBe("ERR `order_by` contains duplicate fields: ['name', 'name DESC']");
  });
});

describe('page tokens match MLflow', () => {
  const CASES: [string, number | string][] = [
    ['eyJvZmZzZXQiOiAyfQ==', 2],
    ['eyJvZmZzZXQiOiAyfQ', 'Invalid page token, could not base64-decode'],
    ['eyJvZmZzZXQiOiAy fQ==', 2],
    ['bm90IGpzb24=', "Invalid page token, decoded value=b'not json'"],
    ['eyJvZmZzZXQiOiAiNyJ9', 7],
    ['eyJvZmZzZXQiOiAieCJ9', 'Invalid page token, not stringable x'],
    ['eyJvZmZzZXQiOiAyLjl9', 2],
    ['eyJvZmZzZXQiOiBudWxsfQ==', "Invalid page token, parsed value={'offset': None}"],
    ['eyJvZmZzZXQiOiAtM30=', -3],
    ['a', 'Invalid page token, could not base64-decode'],
  ];
  for (const [token, expected] of CASES) {
    it(token, () => {
      if (typeof expected === 'number') expect(parsePageToken(token)).toBe(expected);
      else expect(() => parsePageToken(token)).toThrow(expected);
    });
  }
  it('creates tokens as json.dumps does', () => {
    expect(createPageToken(5)).toBe('eyJvZmZzZXQiOiA1fQ==');
  });
});
