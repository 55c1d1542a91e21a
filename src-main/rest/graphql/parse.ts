/**
 * A GraphQL executable-document parser (operations, fragments, variables, directives, all value
 * literals): what MLflow's `/graphql` endpoint accepts. Errors read like graphql-core's
 * ("Syntax Error: Expected Name, found <EOF>.").
 */

export type GqlValue =
  | { kind: 'Variable'; name: string }
  | { kind: 'Int'; value: string }
  | { kind: 'Float'; value: string }
  | { kind: 'String'; value: string }
  | { kind: 'Boolean'; value: boolean }
  | { kind: 'Null' }
  | { kind: 'Enum'; value: string }
  | { kind: 'List'; values: GqlValue[] }
  | { kind: 'Object'; fields: GqlArgument[] };

export interface GqlArgument {
  name: string;
  value: GqlValue;
}

export interface GqlDirective {
  name: string;
  args: GqlArgument[];
}

export interface GqlField {
  kind: 'Field';
  alias?: string;
  name: string;
  args: GqlArgument[];
  directives: GqlDirective[];
  selectionSet?: GqlSelection[];
}

export interface GqlFragmentSpread {
  kind: 'FragmentSpread';
  name: string;
  directives: GqlDirective[];
}

export interface GqlInlineFragment {
  kind: 'InlineFragment';
  typeCondition?: string;
  directives: GqlDirective[];
  selectionSet: GqlSelection[];
}

export type GqlSelection = GqlField | GqlFragmentSpread | GqlInlineFragment;

export interface GqlVariableDefinition {
  name: string;
  defaultValue?: GqlValue;
}

export interface GqlOperation {
  kind: 'Operation';
  operation: 'query' | 'mutation' | 'subscription';
  name?: string;
  variables: GqlVariableDefinition[];
  directives: GqlDirective[];
  selectionSet: GqlSelection[];
}

export interface GqlFragment {
  kind: 'Fragment';
  name: string;
  typeCondition: string;
  directives: GqlDirective[];
  selectionSet: GqlSelection[];
}

export type GqlDefinition = GqlOperation | GqlFragment;

export class GqlSyntaxError extends Error {}

interface Token {
  kind: 'punct' | 'name' | 'int' | 'float' | 'string' | 'eof';
  value: string;
}

const MAX_NESTING = 256; // deeper documents are refused instead of exhausting the stack

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new GqlSyntaxError(`Syntax Error: ${what}`);
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ',' || c === '\uFEFF') {
      i++;
    } else if (c === '#') {
      while (i < src.length && src[i] !== '\n' && src[i] !== '\r') i++;
    } else if ('!$&():=@[]{}|'.includes(c)) {
      tokens.push({ kind: 'punct', value: c });
      i++;
    } else if (src.startsWith('...', i)) {
      tokens.push({ kind: 'punct', value: '...' });
      i += 3;
    } else if (/[_A-Za-z]/.test(c)) {
      const m = /[_0-9A-Za-z]*/y;
      m.lastIndex = i + 1;
      const end = i + 1 + (m.exec(src)?.[0].length ?? 0);
      tokens.push({ kind: 'name', value: src.slice(i, end) });
      i = end;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const m = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
      m.lastIndex = i;
      const hit = m.exec(src);
      if (!hit || /[_A-Za-z.]/.test(src[i + hit[0].length] ?? ''))
        fail(`Invalid number, unexpected digit after 0: "${c}".`);
      tokens.push({ kind: hit![2] || hit![3] ? 'float' : 'int', value: hit![0] });
      i += hit![0].length;
    } else if (src.startsWith('"""', i)) {
      const end = src.indexOf('"""', i + 3);
      if (end === -1) fail('Unterminated string.');
      tokens.push({ kind: 'string', value: blockString(src.slice(i + 3, end).replace(/\\"""/g, '"""')) });
      i = end + 3;
    } else if (c === '"') {
      let out = '';
      i++;
      for (;;) {
        if (i >= src.length) fail('Unterminated string.');
        const ch = src[i]!;
        if (ch === '"') break;
        if (ch === '\n' || ch === '\r') fail('Unterminated string.');
        if (ch === '\\') {
          const e = src[i + 1];
          const simple: Record<string, string> = {
            '"': '"',
            '\\': '\\',
            '/': '/',
            b: '\b',
            f: '\f',
            n: '\n',
            r: '\r',
            t: '\t',
          };
          if (e !== undefined && simple[e] !== undefined) {
            out += simple[e];
            i += 2;
          } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
            out += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
            i += 6;
          } else {
            fail(`Invalid character escape sequence: '\\${e ?? ''}'.`);
          }
        } else {
          out += ch;
          i++;
        }
      }
      i++;
      tokens.push({ kind: 'string', value: out });
    } else {
      fail(`Unexpected character: '${c}'.`);
    }
  }
  tokens.push({ kind: 'eof', value: '' });
  return tokens;
}

/** The spec's BlockStringValue: common indentation and blank first/last lines removed. */
function blockString(raw: string): string {
  const lines = raw.split(/\r\n|[\n\r]/);
  let common: number | null = null;
  for (const line of lines.slice(1)) {
    const indent = line.length - line.replace(/^[ \t]*/, '').length;
    if (indent < line.length && (common === null || indent < common)) common = indent;
  }
  const out = lines.map((l, k) => (k > 0 && common ? l.slice(common) : l));
  while (out.length && !out[0]!.trim()) out.shift();
  while (out.length && !out[out.length - 1]!.trim()) out.pop();
  return out.join('\n');
}

export function parseDocument(src: string): GqlDefinition[] {
  const tokens = tokenize(src);
  let pos = 0;
  let nesting = 0;
  const peek = (): Token => tokens[pos]!;
  const describe = (t: Token): string =>
    t.kind === 'eof'
      ? '<EOF>'
      : t.kind === 'punct'
        ? `"${t.value}"`
        : t.kind === 'name'
          ? `Name "${t.value}"`
          : `${t.kind === 'string' ? 'String' : t.kind === 'int' ? 'Int' : 'Float'} "${t.value}"`;
  const fail = (expected: string): never => {
    throw new GqlSyntaxError(`Syntax Error: Expected ${expected}, found ${describe(peek())}.`);
  };
  const isPunct = (v: string): boolean => peek().kind === 'punct' && peek().value === v;
  const expectPunct = (v: string): void => {
    if (!isPunct(v)) fail(`"${v}"`);
    pos++;
  };
  const name = (): string => {
    if (peek().kind !== 'name') fail('Name');
    return tokens[pos++]!.value;
  };
  const enter = (): void => {
    if (++nesting > MAX_NESTING) throw new GqlSyntaxError('Syntax Error: Document is nested too deeply.');
  };

  const value = (constant: boolean): GqlValue => {
    const t = peek();
    if (t.kind === 'punct' && t.value === '$' && !constant) {
      pos++;
      return { kind: 'Variable', name: name() };
    }
    if (t.kind === 'int') return (pos++, { kind: 'Int', value: t.value });
    if (t.kind === 'float') return (pos++, { kind: 'Float', value: t.value });
    if (t.kind === 'string') return (pos++, { kind: 'String', value: t.value });
    if (t.kind === 'name') {
      pos++;
      if (t.value === 'true' || t.value === 'false') return { kind: 'Boolean', value: t.value === 'true' };
      if (t.value === 'null') return { kind: 'Null' };
      return { kind: 'Enum', value: t.value };
    }
    if (isPunct('[')) {
      pos++;
      enter();
      const values: GqlValue[] = [];
      while (!isPunct(']')) {
        if (peek().kind === 'eof') fail('"]"');
        values.push(value(constant));
      }
      pos++;
      nesting--;
      return { kind: 'List', values };
    }
    if (isPunct('{')) {
      pos++;
      enter();
      const fields: GqlArgument[] = [];
      while (!isPunct('}')) {
        const n = name();
        expectPunct(':');
        fields.push({ name: n, value: value(constant) });
      }
      pos++;
      nesting--;
      return { kind: 'Object', fields };
    }
    return fail('value');
  };

  const args = (constant: boolean): GqlArgument[] => {
    if (!isPunct('(')) return [];
    pos++;
    const out: GqlArgument[] = [];
    do {
      const n = name();
      expectPunct(':');
      out.push({ name: n, value: value(constant) });
    } while (!isPunct(')'));
    pos++;
    return out;
  };

  const directives = (constant: boolean): GqlDirective[] => {
    const out: GqlDirective[] = [];
    while (isPunct('@')) {
      pos++;
      out.push({ name: name(), args: args(constant) });
    }
    return out;
  };

  const selectionSet = (): GqlSelection[] => {
    expectPunct('{');
    enter();
    const out: GqlSelection[] = [];
    do {
      if (isPunct('...')) {
        pos++;
        if (peek().kind === 'name' && peek().value !== 'on') {
          out.push({ kind: 'FragmentSpread', name: name(), directives: directives(false) });
        } else {
          let typeCondition: string | undefined;
          if (peek().kind === 'name' && peek().value === 'on') {
            pos++;
            typeCondition = name();
          }
          out.push({
            kind: 'InlineFragment',
            typeCondition,
            directives: directives(false),
            selectionSet: selectionSet(),
          });
        }
      } else {
        let fieldName = name();
        let alias: string | undefined;
        if (isPunct(':')) {
          pos++;
          alias = fieldName;
          fieldName = name();
        }
        const field: GqlField = {
          kind: 'Field',
          alias,
          name: fieldName,
          args: args(false),
          directives: directives(false),
        };
        if (isPunct('{')) field.selectionSet = selectionSet();
        out.push(field);
      }
    } while (!isPunct('}'));
    pos++;
    nesting--;
    return out;
  };

  const typeRef = (): void => {
    if (isPunct('[')) {
      pos++;
      typeRef();
      expectPunct(']');
    } else {
      name();
    }
    if (isPunct('!')) pos++;
  };

  const definitions: GqlDefinition[] = [];
  if (peek().kind === 'eof') fail('Name');
  while (peek().kind !== 'eof') {
    const t = peek();
    if (isPunct('{')) {
      definitions.push({
        kind: 'Operation',
        operation: 'query',
        variables: [],
        directives: [],
        selectionSet: selectionSet(),
      });
    } else if (t.kind === 'name' && (t.value === 'query' || t.value === 'mutation' || t.value === 'subscription')) {
      pos++;
      const op: GqlOperation = {
        kind: 'Operation',
        operation: t.value as GqlOperation['operation'],
        variables: [],
        directives: [],
        selectionSet: [],
      };
      if (peek().kind === 'name') op.name = name();
      if (isPunct('(')) {
        pos++;
        do {
          expectPunct('$');
          const v: GqlVariableDefinition = { name: name() };
          expectPunct(':');
          typeRef();
          if (isPunct('=')) {
            pos++;
            v.defaultValue = value(true);
          }
          directives(true);
          op.variables.push(v);
        } while (!isPunct(')'));
        pos++;
      }
      op.directives = directives(false);
      op.selectionSet = selectionSet();
      definitions.push(op);
    } else if (t.kind === 'name' && t.value === 'fragment') {
      pos++;
      const n = name();
      if (n === 'on') fail('Name');
      if (peek().kind !== 'name' || peek().value !== 'on') fail('"on"');
      pos++;
      const typeCondition = name();
      definitions.push({
        kind: 'Fragment',
        name: n,
        typeCondition,
        directives: directives(false),
        selectionSet: selectionSet(),
      });
    } else {
      fail('"{"');
    }
  }
  return definitions;
}
