import type { FastifyRequest } from 'fastify';
import {
  GraphQLError,
  Lexer,
  Source,
  TokenKind,
  execute,
  parse,
  specifiedRules,
  syntaxError,
  validate,
  type DocumentNode,
} from 'graphql';
import type { AppContext } from '../../core/app-context';
import { invalidParam } from '../../core/errors';
import type { JsonRoute } from '../route-table';
import { RequestParams } from '../request';
import { pythonJsonDumps } from '../../core/python-json';
import { graphqlCoreMessage } from './messages';
import { QuerySafetyRule } from './query-safety';
import { protoFieldResolver, schema, type Call } from './schema';

/**
 * MLflow's `/graphql` endpoint (what its UI uses for runs, metrics and artifacts), on graphql-js:
 * the request `{query, variables, operationName}` is parsed, checked against MLflow's query limits,
 * validated and executed against MLflow's schema, whose resolvers call the same JSON route handlers
 * as the REST API. The answer is Flask's `jsonify({"data": ..., "errors": [messages] | null})`
 * (sorted keys, ASCII, newline-terminated), always with status 200 once there is a query string.
 */
export function graphqlHandler(ctx: AppContext, routes: readonly JsonRoute[]) {
  const byKey = new Map(routes.map((r) => [`${r.method} ${r.path}`, r]));
  return async (body: Record<string, unknown>, req: FastifyRequest): Promise<string> => {
    const { query, variables, operationName } = body;
    // MLflow fails with a 500 here; a client mistake gets a 400 instead.
    if (typeof query !== 'string') throw invalidParam('GraphQL request must include a "query" string.');
    const call: Call = async (method, path, params) => {
      const route = byKey.get(`${method} ${path}`);
      if (!route) throw new Error(`No handler for ${method} ${path}`);
      return (await route.handler(new RequestParams({ ...params }, false), ctx, req)) ?? {};
    };
    const { data, errors } = await runGraphql(query, variables, operationName, call);
    const answer = { data, errors: errors.length ? errors.map(graphqlCoreMessage) : null };
    return pythonJsonDumps(answer, { sortKeys: true, compact: true }) + '\n';
  };
}

async function runGraphql(
  query: string,
  variables: unknown,
  operationName: unknown,
  call: Call,
): Promise<{ data: unknown; errors: readonly GraphQLError[] }> {
  const source = new Source(query);
  const tooDeep = nestedTooDeeply(source);
  if (tooDeep) return { data: null, errors: [tooDeep] };
  let document: DocumentNode;
  try {
    document = parse(source);
  } catch (err) {
    if (err instanceof GraphQLError) return { data: null, errors: [err] };
    throw err;
  }
  // MLflow's limits first, alone, then the schema's rules: as MLflow's handler, then graphene, do.
  for (const rules of [[QuerySafetyRule], specifiedRules]) {
    const errors = validate(schema, document, rules);
    if (errors.length) return { data: null, errors };
  }
  const result = await execute({
    schema,
    document,
    contextValue: { call },
    fieldResolver: protoFieldResolver,
    // Anything but an object (graphql-core raises a TypeError for it, a 500 in MLflow) reads as none.
    variableValues:
      variables && typeof variables === 'object' && !Array.isArray(variables)
        ? (variables as Record<string, unknown>)
        : undefined,
    operationName: typeof operationName === 'string' ? operationName : undefined,
  });
  return { data: result.data ?? null, errors: result.errors ?? [] };
}

/** Deeper documents are refused before graphql-js's recursive parser could exhaust the stack. */
const MAX_NESTING = 256;

function nestedTooDeeply(source: Source): GraphQLError | undefined {
  const lexer = new Lexer(source);
  let depth = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      if (token.kind === TokenKind.BRACE_L || token.kind === TokenKind.BRACKET_L) {
        if (++depth > MAX_NESTING) return syntaxError(source, token.start, 'Document is nested too deeply.');
      } else if (token.kind === TokenKind.BRACE_R || token.kind === TokenKind.BRACKET_R) {
        depth--;
      }
    }
  } catch {
    // A lexical error: the parser reports it where it meets it.
  }
  return undefined;
}
