import { GraphQLError, Kind, type ASTVisitor, type SelectionSetNode, type ValidationContext } from 'graphql';

/**
 * MLflow's query limits (server/graphql/graphql_no_batching.py `check_query_safety`), as a
 * graphql-js validation rule. MLflow checks them before validating against the schema and answers
 * only the first one broken, so this rule runs alone first (see route.ts). Its scan is MLflow's:
 * only fields are counted and descended into (not fragments), selection sets popped last-in
 * first-out, depth and total selections checked as it goes, then root fields, then aliases.
 */
const MAX_DEPTH = 10;
const MAX_SELECTIONS = 1000;

const envLimit = (name: string): number => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) ? v : 10;
};

function querySafetyProblem(definitions: readonly { selectionSet?: SelectionSetNode }[]): string | null {
  let rootFields = 0;
  let maxAliases = 0;
  let total = 0;
  for (const definition of definitions) {
    if (!definition.selectionSet) continue;
    const stack: [SelectionSetNode, number][] = [[definition.selectionSet, 1]];
    for (let top = stack.pop(); top; top = stack.pop()) {
      const [selectionSet, depth] = top;
      if (depth > MAX_DEPTH) return `Query exceeds maximum depth of ${MAX_DEPTH}`;
      let aliases = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind !== Kind.FIELD) continue;
        if (depth === 1) rootFields++;
        if (selection.alias) aliases++;
        if (selection.selectionSet) stack.push([selection.selectionSet, depth + 1]);
        if (++total > MAX_SELECTIONS) return `Query exceeds maximum total selections of ${MAX_SELECTIONS}`;
      }
      maxAliases = Math.max(maxAliases, aliases);
    }
  }
  const over = (what: string, env: string, value: number): string | null => {
    const max = envLimit(env);
    return value > max
      ? `GraphQL queries should have at most ${max} ${what}, got ${value} ${what}. ` +
          `To increase the limit, set the ${env} environment variable.`
      : null;
  };
  return (
    over('root fields', 'MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS', rootFields) ??
    over('aliases', 'MLFLOW_SERVER_GRAPHQL_MAX_ALIASES', maxAliases)
  );
}

export function QuerySafetyRule(context: ValidationContext): ASTVisitor {
  return {
    Document(document) {
      const problem = querySafetyProblem(document.definitions as readonly { selectionSet?: SelectionSetNode }[]);
      if (problem) context.reportError(new GraphQLError(problem));
      return false; // the scan above covered the whole document
    },
  };
}
