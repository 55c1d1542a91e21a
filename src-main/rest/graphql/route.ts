import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../core/app-context';
import { invalidParam } from '../../core/errors';
import type { JsonRoute } from '../route-table';
import { RequestParams } from '../request';
import { pyJsonDumps } from '../py-json';
import { executeGraphql } from './execute';
import type { Call } from './schema';

/**
 * MLflow's `/graphql` endpoint (what its UI uses for runs, metrics and artifacts): the request
 * `{query, variables, operationName}` runs against the same JSON route handlers as the REST API;
 * the answer is Flask's `jsonify({"data": ..., "errors": [...] | null})` (sorted keys, ASCII).
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
    const result = await executeGraphql(query, variables, operationName, call);
    return pyJsonDumps({ data: result.data, errors: result.errors }) + '\n';
  };
}
