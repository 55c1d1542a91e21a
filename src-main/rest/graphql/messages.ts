import { GraphQLError, Kind, print, type ASTNode, type ValueNode } from 'graphql';
import { pyStrRepr } from '../../search/python-compat';

/**
 * graphql-js words its messages as graphql-core (MLflow's GraphQL library, a port of graphql-js)
 * does, except for quoting: graphql-js writes names in double quotes (`Cannot query field "x" on
 * type "Query".`) and values with JavaScript's `inspect`, graphql-core single-quotes names and
 * prints values with Python's `repr` (`'abc'`, `True`, `None`). Document literals are printed
 * alike by both (`found "abc".`) and are kept as they are.
 */
export function graphqlCoreMessage(error: GraphQLError): string {
  const message = error.message;
  // A resolver's own error (MlflowError...) reads as its message, untouched.
  if (error.originalError && !(error.originalError instanceof GraphQLError)) return message;
  if (message.startsWith('Syntax Error: ')) {
    // graphql-core quotes the offending token or character raw, in single quotes.
    return message.replace(/"([^"]*)"/g, "'$1'");
  }
  const node = error.nodes?.[0];
  const literal = node && isValueNode(node) ? print(node) : undefined;
  let keepFrom = -1;
  let keepTo = -1;
  if (literal?.includes('"')) {
    const at = [`found ${literal}`, `value: ${literal}`].map((s) => message.indexOf(s)).find((i) => i >= 0);
    keepTo = at === undefined ? -1 : message.indexOf(' ', at) + 1 + literal.length;
    keepFrom = at === undefined ? -1 : keepTo - literal.length;
  }
  let out = message.replace(/"(?:[^"\\]|\\.)*"/g, (quoted, offset: number) => {
    if (keepFrom >= 0 && offset >= keepFrom && offset < keepTo) return quoted;
    try {
      return pyStrRepr(JSON.parse(quoted) as string);
    } catch {
      return quoted;
    }
  });
  // graphql-core names directive locations by their lower-case values ("may not be used on query.").
  out = out.replace(
    / may not be used on ([A-Z_]+)\.$/,
    (_m, loc: string) => ` may not be used on ${loc.toLowerCase().replace(/_/g, ' ')}.`,
  );
  // A variable's value as graphql-js inspects it: JavaScript's constants become Python's.
  if (node?.kind === Kind.VARIABLE_DEFINITION) {
    out = out
      .replace(/(got invalid value |value: |, |\[|: )(true|false|null)\b/g, (_m, before: string, c: string) => {
        return before + ({ true: 'True', false: 'False', null: 'None' } as Record<string, string>)[c];
      })
      // `{ key: 1 }` (inspect) → `{'key': 1}` (repr)
      .replace(/(\{ |, )([_A-Za-z][_0-9A-Za-z]*): /g, "$1'$2': ")
      .replace(/\{ '/g, "{'")
      .replace(/ \}(?=[;,\]} ]|$)/g, '}')
      .replace(/ to be an object\.$/, ' to be a mapping.');
  }
  return out;
}

const VALUE_KINDS: ReadonlySet<string> = new Set([
  Kind.VARIABLE,
  Kind.INT,
  Kind.FLOAT,
  Kind.STRING,
  Kind.BOOLEAN,
  Kind.NULL,
  Kind.ENUM,
  Kind.LIST,
  Kind.OBJECT,
]);
const isValueNode = (node: ASTNode): node is ValueNode => VALUE_KINDS.has(node.kind);
