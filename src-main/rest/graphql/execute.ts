import { pyFloatRepr, PyFloat } from '../py-json';
import {
  parseDocument,
  GqlSyntaxError,
  type GqlDefinition,
  type GqlDirective,
  type GqlField,
  type GqlFragment,
  type GqlOperation,
  type GqlSelection,
  type GqlValue,
} from './parse';
import { ENUMS, INPUTS, OBJECTS, SCALARS, isLeaf, snakeCase, unwrap, type Call } from './schema';

/**
 * Runs one GraphQL request as MLflow's `/graphql` does: its query-safety limits first
 * (graphql_no_batching.py), then validation against the schema, then execution. The result is
 * `{data, errors}` with `errors` a list of messages (or null), as MLflow returns it.
 */
export interface GqlResult {
  data: unknown;
  errors: string[] | null;
}

const MAX_DEPTH = 10;
const MAX_SELECTIONS = 1000;

const envInt = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) ? v : fallback;
};

/** MLflow's `check_query_safety`: depth, total selections, root fields, aliases per selection set. */
function checkQuerySafety(defs: GqlDefinition[]): string | null {
  let rootFields = 0;
  let maxAliases = 0;
  let total = 0;
  for (const def of defs) {
    const stack: [GqlSelection[], number][] = [[def.selectionSet, 1]];
    while (stack.length) {
      const [selections, depth] = stack.pop()!;
      if (depth > MAX_DEPTH) return `Query exceeds maximum depth of ${MAX_DEPTH}`;
      let aliases = 0;
      for (const sel of selections) {
        if (sel.kind !== 'Field') continue;
        if (depth === 1) rootFields++;
        if (sel.alias) aliases++;
        if (sel.selectionSet) stack.push([sel.selectionSet, depth + 1]);
        if (++total > MAX_SELECTIONS) return `Query exceeds maximum total selections of ${MAX_SELECTIONS}`;
      }
      maxAliases = Math.max(maxAliases, aliases);
    }
  }
  const limit = (what: string, env: string, value: number, max: number): string =>
    `GraphQL queries should have at most ${max} ${what}, got ${value} ${what}. ` +
    `To increase the limit, set the ${env} environment variable.`;
  const maxRoot = envInt('MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS', 10);
  const maxAlias = envInt('MLFLOW_SERVER_GRAPHQL_MAX_ALIASES', 10);
  if (rootFields > maxRoot) return limit('root fields', 'MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS', rootFields, maxRoot);
  if (maxAliases > maxAlias) return limit('aliases', 'MLFLOW_SERVER_GRAPHQL_MAX_ALIASES', maxAliases, maxAlias);
  return null;
}

/** graphql-core's `print_ast` for a value literal. */
function printValue(v: GqlValue): string {
  switch (v.kind) {
    case 'Variable':
      return `$${v.name}`;
    case 'String':
      return JSON.stringify(v.value);
    case 'Boolean':
      return String(v.value);
    case 'Null':
      return 'null';
    case 'List':
      return `[${v.values.map(printValue).join(', ')}]`;
    case 'Object':
      return `{${v.fields.map((f) => `${f.name}: ${printValue(f.value)}`).join(', ')}}`;
    default:
      return v.value;
  }
}

const DIRECTIVES = new Set(['skip', 'include', 'component']);

class Validator {
  readonly errors: string[] = [];
  private readonly seenFragments = new Set<string>();

  constructor(private readonly fragments: Map<string, GqlFragment>) {}

  directives(list: GqlDirective[]): void {
    for (const d of list) if (!DIRECTIVES.has(d.name)) this.errors.push(`Unknown directive '@${d.name}'.`);
  }

  selections(selections: GqlSelection[], typeName: string): void {
    for (const sel of selections) {
      this.directives(sel.directives);
      if (sel.kind === 'FragmentSpread') {
        const frag = this.fragments.get(sel.name);
        if (!frag) this.errors.push(`Unknown fragment '${sel.name}'.`);
        else if (!this.seenFragments.has(sel.name)) {
          this.seenFragments.add(sel.name);
          this.fragment(frag.typeCondition, frag.selectionSet);
        }
      } else if (sel.kind === 'InlineFragment') {
        this.fragment(sel.typeCondition ?? typeName, sel.selectionSet);
      } else {
        this.field(sel, typeName);
      }
    }
  }

  private fragment(typeName: string, selections: GqlSelection[]): void {
    if (!OBJECTS[typeName]) this.errors.push(`Unknown type '${typeName}'.`);
    else this.selections(selections, typeName);
  }

  private field(f: GqlField, typeName: string): void {
    if (f.name === '__typename') {
      if (f.selectionSet)
        this.errors.push(`Field '__typename' must not have a selection since type 'String!' has no subfields.`);
      return;
    }
    const def = OBJECTS[typeName]![f.name];
    if (!def) {
      this.errors.push(`Cannot query field '${f.name}' on type '${typeName}'.`);
      return;
    }
    for (const arg of f.args) {
      const argType = def.args?.[arg.name];
      if (!argType) this.errors.push(`Unknown argument '${arg.name}' on field '${typeName}.${f.name}'.`);
      else this.value(arg.value, argType);
    }
    const { name } = unwrap(def.type);
    if (isLeaf(name) && f.selectionSet) {
      this.errors.push(`Field '${f.name}' must not have a selection since type '${def.type}' has no subfields.`);
    } else if (!isLeaf(name) && !f.selectionSet) {
      this.errors.push(
        `Field '${f.name}' of type '${def.type}' must have a selection of subfields. Did you mean '${f.name} { ... }'?`,
      );
    } else if (f.selectionSet) {
      this.selections(f.selectionSet, name);
    }
  }

  value(v: GqlValue, type: string): void {
    if (v.kind === 'Variable' || v.kind === 'Null') return;
    const { list, name } = unwrap(type);
    if (list && v.kind === 'List') {
      for (const item of v.values) this.value(item, name);
      return;
    }
    const printed = printValue(v);
    const fields = INPUTS[name];
    if (fields) {
      if (v.kind !== 'Object') {
        this.errors.push(`Expected value of type '${name}', found ${printed}.`);
        return;
      }
      for (const f of v.fields) {
        const t = fields[f.name];
        if (!t) this.errors.push(`Field '${f.name}' is not defined by type '${name}'.`);
        else this.value(f.value, t);
      }
      return;
    }
    const values = ENUMS[name];
    if (values) {
      if (v.kind !== 'Enum') this.errors.push(`Enum '${name}' cannot represent non-enum value: ${printed}.`);
      else if (!values.includes(v.value)) this.errors.push(`Value '${v.value}' does not exist in '${name}' enum.`);
      return;
    }
    const ok =
      (name === 'String' && v.kind === 'String') ||
      (name === 'Boolean' && v.kind === 'Boolean') ||
      ((name === 'Int' || name === 'LongString') && v.kind === 'Int') ||
      (name === 'Float' && (v.kind === 'Int' || v.kind === 'Float'));
    if (ok && name === 'Int' && Math.abs(Number((v as { value: string }).value)) > 2147483647) {
      this.errors.push(`Int cannot represent non 32-bit signed integer value: ${printed}`);
    } else if (!ok) {
      const what: Record<string, string> = {
        String: `String cannot represent a non string value: ${printed}`,
        Boolean: `Boolean cannot represent a non boolean value: ${printed}`,
        Int: `Int cannot represent non-integer value: ${printed}`,
        Float: `Float cannot represent non numeric value: ${printed}`,
      };
      this.errors.push(what[name] ?? `Expected value of type '${name}', found ${printed}.`);
    }
  }
}

class FieldError extends Error {}

class Executor {
  readonly errors: string[] = [];

  constructor(
    private readonly fragments: Map<string, GqlFragment>,
    private readonly variables: Record<string, unknown>,
    private readonly call: Call,
  ) {}

  literal(v: GqlValue, type: string): unknown {
    switch (v.kind) {
      case 'Variable':
        return this.variables[v.name] ?? null;
      case 'Null':
        return null;
      case 'Int':
      case 'Float':
        return Number(v.value);
      case 'String':
      case 'Enum':
        return v.value;
      case 'Boolean':
        return v.value;
      case 'List': {
        const { name } = unwrap(type);
        return v.values.map((item) => this.literal(item, name));
      }
      case 'Object': {
        const fields = INPUTS[unwrap(type).name] ?? {};
        const out: Record<string, unknown> = {};
        for (const f of v.fields) out[f.name] = this.literal(f.value, fields[f.name] ?? 'String');
        return out;
      }
    }
  }

  private included(directives: GqlDirective[]): boolean {
    for (const d of directives) {
      if (d.name !== 'skip' && d.name !== 'include') continue;
      const arg = d.args.find((a) => a.name === 'if');
      const on = arg ? this.literal(arg.value, 'Boolean') === true : false;
      if (d.name === 'skip' ? on : !on) return false;
    }
    return true;
  }

  /** graphql-core's collect_fields: response key → the fields merged under it, in order. */
  private collect(
    selections: GqlSelection[],
    typeName: string,
    out = new Map<string, GqlField[]>(),
  ): Map<string, GqlField[]> {
    for (const sel of selections) {
      if (!this.included(sel.directives)) continue;
      if (sel.kind === 'Field') {
        const key = sel.alias ?? sel.name;
        out.set(key, [...(out.get(key) ?? []), sel]);
      } else if (sel.kind === 'InlineFragment') {
        if (!sel.typeCondition || sel.typeCondition === typeName) this.collect(sel.selectionSet, typeName, out);
      } else {
        const frag = this.fragments.get(sel.name);
        if (frag && frag.typeCondition === typeName) this.collect(frag.selectionSet, typeName, out);
      }
    }
    return out;
  }

  async object(selections: GqlSelection[], typeName: string, parent: any): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [key, fields] of this.collect(selections, typeName)) {
      const field = fields[0]!;
      if (field.name === '__typename') {
        out[key] = typeName;
        continue;
      }
      const def = OBJECTS[typeName]![field.name]!;
      const sub = fields.flatMap((f) => f.selectionSet ?? []);
      try {
        let value: unknown;
        if (def.resolve) {
          const args: Record<string, unknown> = {};
          for (const a of field.args) args[a.name] = this.literal(a.value, def.args?.[a.name] ?? 'String');
          value = await def.resolve(parent, args, this.call);
        } else {
          value = parent?.[snakeCase(field.name)];
          if (value === undefined) value = protoDefault(def.type);
        }
        out[key] = await this.complete(value, def.type, sub);
      } catch (err) {
        this.errors.push(err instanceof Error ? err.message : String(err));
        out[key] = null;
      }
    }
    return out;
  }

  private async complete(value: unknown, type: string, sub: GqlSelection[]): Promise<unknown> {
    if (value === null || value === undefined) return null;
    const { list, name } = unwrap(type);
    if (list) {
      if (!Array.isArray(value))
        throw new FieldError(`Expected Iterable, but did not find one for field of type '${type}'.`);
      const items: unknown[] = [];
      for (const item of value) items.push(await this.complete(item, name, sub));
      return items;
    }
    if (SCALARS.has(name)) return serializeScalar(value, name);
    if (ENUMS[name]) return String(value);
    return this.object(sub, name, value);
  }
}

/** The proto default of an unset field, as MLflow's resolvers read it from a protobuf message. */
function protoDefault(type: string): unknown {
  const { list, name } = unwrap(type);
  if (list) return [];
  if (name === 'String') return '';
  if (name === 'LongString') return '0';
  if (name === 'Int') return 0;
  if (name === 'Float') return 0;
  if (name === 'Boolean') return false;
  if (ENUMS[name]) return ENUMS[name]![0];
  return {};
}

function serializeScalar(value: unknown, name: string): unknown {
  switch (name) {
    case 'String': // graphql-core writes booleans as "true" / "false", as String() does
    case 'LongString': // str(int)
      return String(value);
    case 'Boolean':
      return Boolean(value);
    case 'Int': {
      const n = Number(value);
      if (!Number.isInteger(n) || Math.abs(n) > 2147483647) {
        throw new FieldError(`Int cannot represent non 32-bit signed integer value: ${String(value)}`);
      }
      return n;
    }
    default: {
      const n = Number(value);
      if (!Number.isFinite(n))
        throw new FieldError(
          `Float cannot represent non numeric value: ${pyFloatRepr(n).toLowerCase().replace('infinity', 'inf')}`,
        );
      return new PyFloat(n); // printed as Python prints a float (123.0)
    }
  }
}

export async function executeGraphql(
  query: string,
  variables: unknown,
  operationName: unknown,
  call: Call,
): Promise<GqlResult> {
  let defs: GqlDefinition[];
  try {
    defs = parseDocument(query);
  } catch (err) {
    if (err instanceof GqlSyntaxError) return { data: null, errors: [err.message] };
    throw err;
  }
  const unsafe = checkQuerySafety(defs);
  if (unsafe) return { data: null, errors: [unsafe] };

  const fragments = new Map<string, GqlFragment>();
  for (const d of defs) if (d.kind === 'Fragment') fragments.set(d.name, d);
  const operations = defs.filter((d): d is GqlOperation => d.kind === 'Operation');
  const validator = new Validator(fragments);
  for (const op of operations) {
    validator.directives(op.directives);
    const root = op.operation === 'mutation' ? 'Mutation' : 'Query';
    if (op.operation === 'subscription') {
      validator.errors.push('Schema is not configured to execute subscription operation.');
    } else {
      validator.selections(op.selectionSet, root);
    }
  }
  if (validator.errors.length) return { data: null, errors: validator.errors };

  let op: GqlOperation | undefined;
  if (typeof operationName === 'string' && operationName) {
    op = operations.find((o) => o.name === operationName);
    if (!op) return { data: null, errors: [`Unknown operation named '${operationName}'.`] };
  } else if (operations.length === 1) {
    op = operations[0];
  } else {
    return {
      data: null,
      errors: [
        operations.length
          ? 'Must provide operation name if query contains multiple operations.'
          : 'Must provide an operation.',
      ],
    };
  }
  const vars: Record<string, unknown> = {};
  const given =
    variables && typeof variables === 'object' && !Array.isArray(variables)
      ? (variables as Record<string, unknown>)
      : {};
  const exec = new Executor(fragments, vars, call);
  for (const v of op!.variables) {
    if (v.name in given) vars[v.name] = given[v.name];
    else if (v.defaultValue) vars[v.name] = exec.literal(v.defaultValue, 'String');
  }
  const data = await exec.object(op!.selectionSet, op!.operation === 'mutation' ? 'Mutation' : 'Query', null);
  return { data, errors: exec.errors.length ? exec.errors : null };
}
