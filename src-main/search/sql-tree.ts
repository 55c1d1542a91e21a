import { isType, PY_SPACE, tokenize, type TokenType } from './sql-lexer';

/**
 * sqlparse's statement splitting and token grouping (sqlparse 0.5.x, BSD-3-Clause), the other half of
 * how MLflow reads a filter: after lexing, sqlparse folds tokens into groups (Identifier, Comparison,
 * Parenthesis...) and MLflow then walks the groups of the first statement. Ported step for step,
 * including its quirks (index arithmetic over a snapshot while the list is being regrouped), since
 * which groups come out decides MLflow's error messages.
 *
 * Group classes are a `cls` tag instead of Python subclasses; `TokenList` alone is any group.
 */

export type GroupClass =
  | 'TokenList'
  | 'Statement'
  | 'Identifier'
  | 'IdentifierList'
  | 'TypedLiteral'
  | 'Parenthesis'
  | 'SquareBrackets'
  | 'Assignment'
  | 'If'
  | 'For'
  | 'Comparison'
  | 'Comment'
  | 'Where'
  | 'Over'
  | 'Case'
  | 'Function'
  | 'Begin'
  | 'Operation'
  | 'Values';

export class Token {
  ttype: TokenType | null;
  readonly isGroup: boolean = false;
  readonly isKeyword: boolean;
  readonly isWhitespace: boolean;
  readonly isNewline: boolean;
  protected ownValue: string;

  constructor(ttype: TokenType | null, value: string) {
    this.ttype = ttype;
    this.ownValue = value;
    this.isKeyword = isType(ttype, 'Keyword');
    this.isWhitespace = isType(ttype, 'Text.Whitespace');
    this.isNewline = isType(ttype, 'Text.Whitespace.Newline');
  }

  get value(): string {
    return this.ownValue;
  }

  get normalized(): string {
    return this.isKeyword ? this.ownValue.toUpperCase() : this.value;
  }

  toString(): string {
    return this.value;
  }

  /** sqlparse `Token.match`: exact type, and (if given) one of the values, upper-cased for keywords. */
  match(ttype: TokenType, values: string | readonly string[] | null = null): boolean {
    if (this.ttype !== ttype) return false;
    if (values === null) return true;
    const list = typeof values === 'string' ? [values] : values;
    const norm = this.normalized;
    return list.some((v) => (this.isKeyword ? v.toUpperCase() : v) === norm);
  }

  is(_cls: GroupClass): boolean {
    return false;
  }
}

export class TokenList extends Token {
  override readonly isGroup = true;
  cls: GroupClass;
  tokens: Token[];

  constructor(cls: GroupClass, tokens: Token[]) {
    super(null, '');
    this.cls = cls;
    this.tokens = tokens;
  }

  override get value(): string {
    let s = '';
    for (const t of this.tokens) s += t.value;
    return s;
  }

  override get normalized(): string {
    return this.value;
  }

  override is(cls: GroupClass): boolean {
    return cls === 'TokenList' || this.cls === cls;
  }

  /** Tokens grouping may look into (a Parenthesis' or SquareBrackets' brackets excluded). */
  groupableTokens(): Token[] {
    return this.cls === 'Parenthesis' || this.cls === 'SquareBrackets' ? this.tokens.slice(1, -1) : this.tokens;
  }

  matching(pred: (t: Token) => boolean, start: number, end?: number): [number | null, Token | null] {
    const stop = end ?? this.tokens.length;
    for (let i = start; i < stop; i++) if (pred(this.tokens[i]!)) return [i, this.tokens[i]!];
    return [null, null];
  }

  next(idx: number | null, skipWs = true): [number | null, Token | null] {
    if (idx === null) return [null, null];
    return this.matching((t) => !(skipWs && t.isWhitespace), idx + 1);
  }

  prev(idx: number | null, skipWs = true): [number | null, Token | null] {
    if (idx === null) return [null, null];
    for (let i = idx - 1; i >= 0; i--) {
      const t = this.tokens[i]!;
      if (!(skipWs && t.isWhitespace)) return [i, t];
    }
    return [null, null];
  }

  nextBy(pred: (t: Token) => boolean, idx = -1, end?: number): [number | null, Token | null] {
    return this.matching(pred, idx + 1, end);
  }

  /** sqlparse `group_tokens`: replaces tokens[start..end] by a group (or extends `start` if it is one). */
  groupTokens(cls: GroupClass, start: number, end: number, extend = false): TokenList {
    const first = this.tokens[start]!;
    if (extend && first.is(cls)) {
      const grp = first as TokenList;
      grp.tokens.push(...this.tokens.splice(start + 1, end - start));
      return grp;
    }
    const grp = new TokenList(cls, this.tokens.slice(start, end + 1));
    this.tokens.splice(start, end - start + 1, grp);
    return grp;
  }

  *flatten(): Generator<Token> {
    for (const t of this.tokens) {
      if (t instanceof TokenList) yield* t.flatten();
      else yield t;
    }
  }
}

// ------------------------------------------------------------------ helpers

type Pred = (t: Token | null) => boolean;

/** `imt(t=(...))` with a tuple: exact type membership (Python tuple `in` compares by equality). */
const exactTypes =
  (...types: TokenType[]): Pred =>
  (t) =>
    t !== null && t.ttype !== null && types.includes(t.ttype);
/** `imt(t=T.X)` with a single type: the type or a subtype. */
const subType =
  (type: TokenType): Pred =>
  (t) =>
    t !== null && isType(t.ttype, type);
const instanceOf =
  (...classes: GroupClass[]): Pred =>
  (t) =>
    t !== null && classes.some((c) => t.is(c));
const any =
  (...preds: Pred[]): Pred =>
  (t) =>
    preds.some((p) => p(t));

const NUMERICAL = ['Literal.Number', 'Literal.Number.Integer', 'Literal.Number.Float'];
const STRING = ['Literal.String', 'Literal.String.Single', 'Literal.String.Symbol'];
const NAME = ['Name', 'Name.Placeholder'];

/** The `@recurse(*classes)` decorator: first into sub-groups not of `skip`, then the list itself. */
function recurse(skip: GroupClass[], f: (tl: TokenList) => void): (tl: TokenList) => void {
  const wrapped = (tl: TokenList): void => {
    for (const t of tl.tokens) {
      if (t instanceof TokenList && !skip.some((c) => t.is(c))) wrapped(t);
    }
    f(tl);
  };
  return wrapped;
}

function groupMatching(
  tl: TokenList,
  cls: GroupClass,
  open: [TokenType, string[]],
  close: [TokenType, string[]],
): void {
  const opens: number[] = [];
  let offset = 0;
  for (const [idx, token] of [...tl.tokens].entries()) {
    const tidx = idx - offset;
    if (token.isWhitespace) continue;
    if (token instanceof TokenList && !token.is(cls)) {
      groupMatching(token, cls, open, close);
      continue;
    }
    if (token.match(open[0], open[1])) opens.push(tidx);
    else if (token.match(close[0], close[1])) {
      const openIdx = opens.pop();
      if (openIdx === undefined) continue;
      tl.groupTokens(cls, openIdx, tidx);
      offset += tidx - openIdx;
    }
  }
}

/** sqlparse `_group`: groups `prev match next` runs, e.g. `x < y`. */
function group(
  tl: TokenList,
  cls: GroupClass,
  match: (t: Token) => boolean,
  validPrev: Pred,
  validNext: Pred,
  post: (tl: TokenList, pidx: number, tidx: number, nidx: number | null) => [number, number | null],
  extend = true,
  recurseInto = true,
): void {
  let offset = 0;
  let pidx: number | null = null;
  let prev: Token | null = null;
  for (const [idx, token] of [...tl.tokens].entries()) {
    const tidx = idx - offset;
    if (tidx < 0) continue;
    if (token.isWhitespace) continue;
    if (recurseInto && token instanceof TokenList && !token.is(cls)) {
      group(token, cls, match, validPrev, validNext, post, extend);
    }
    if (match(token)) {
      const [nidx, next] = tl.next(tidx);
      if (prev !== null && validPrev(prev) && validNext(next)) {
        const [from, to] = post(tl, pidx!, tidx, nidx);
        const grp = tl.groupTokens(cls, from, to!, extend);
        offset += to! - from;
        pidx = from;
        prev = grp;
        continue;
      }
    }
    pidx = tidx;
    prev = token;
  }
}

// ------------------------------------------------------------------ grouping steps

const groupComments = recurse(['Comment'], (tl) => {
  const isComment = subType('Comment');
  let [tidx, token] = tl.nextBy(isComment);
  while (token) {
    const [eidx0, end] = tl.matching((t) => !(isComment(t) || t.isNewline), tidx!);
    if (end !== null) {
      const [eidx] = tl.prev(eidx0, false);
      tl.groupTokens('Comment', tidx!, eidx!);
    }
    [tidx, token] = tl.nextBy(isComment, tidx!);
  }
});

const groupWhere = recurse(['Where'], (tl) => {
  const open = (t: Token | null): boolean => t !== null && t.match('Keyword', 'WHERE');
  const close = (t: Token | null): boolean =>
    t !== null &&
    t.match('Keyword', [
      'ORDER BY',
      'GROUP BY',
      'LIMIT',
      'UNION',
      'UNION ALL',
      'EXCEPT',
      'HAVING',
      'RETURNING',
      'INTO',
    ]);
  let [tidx, token] = tl.nextBy(open);
  while (token) {
    const [eidx0, end0] = tl.nextBy(close, tidx!);
    const end = end0 === null ? tl.groupableTokens().at(-1)! : tl.tokens[eidx0! - 1]!;
    const eidx = tl.tokens.indexOf(end, 0);
    tl.groupTokens('Where', tidx!, eidx);
    [tidx, token] = tl.nextBy(open, tidx!);
  }
});

const groupOver = recurse(['Over'], (tl) => {
  const open = (t: Token | null): boolean => t !== null && t.match('Keyword', 'OVER');
  let [tidx, token] = tl.nextBy(open);
  while (token) {
    const [nidx, next] = tl.next(tidx);
    if (any(instanceOf('Parenthesis'), subType('Name'))(next)) tl.groupTokens('Over', tidx!, nidx!);
    [tidx, token] = tl.nextBy(open, tidx!);
  }
});

const groupFunctions = recurse(['Function'], (tl) => {
  let hasCreate = false;
  let hasTable = false;
  let hasAs = false;
  for (const t of tl.tokens) {
    if (t.value.toUpperCase() === 'CREATE') hasCreate = true;
    if (t.value.toUpperCase() === 'TABLE') hasTable = true;
    if (t.value === 'AS') hasAs = true;
  }
  if (hasCreate && hasTable && !hasAs) return;
  const isName = subType('Name');
  let [tidx, token] = tl.nextBy(isName);
  while (token) {
    const [nidx, next] = tl.next(tidx);
    if (next !== null && next.is('Parenthesis')) {
      const [overIdx, over] = tl.next(nidx);
      const eidx = over !== null && over.is('Over') ? overIdx! : nidx!;
      tl.groupTokens('Function', tidx!, eidx);
    }
    [tidx, token] = tl.nextBy(isName, tidx!);
  }
});

function groupPeriod(tl: TokenList): void {
  group(
    tl,
    'Identifier',
    (t) => t.match('Punctuation', '.') || t.match('Operator', '->') || t.match('Operator', '->>'),
    any(instanceOf('SquareBrackets', 'Identifier'), exactTypes('Name', 'Literal.String.Symbol')),
    () => true,
    (list, pidx, tidx, nidx) => {
      const next = nidx !== null ? list.tokens[nidx]! : null;
      const ok = any(
        instanceOf('SquareBrackets', 'Function'),
        exactTypes('Name', 'Literal.String.Symbol', 'Wildcard', 'Literal.String.Single'),
      )(next);
      return ok ? [pidx, nidx] : [pidx, tidx];
    },
  );
}

function groupArrays(tl: TokenList): void {
  group(
    tl,
    'Identifier',
    (t) => t.is('SquareBrackets'),
    any(instanceOf('SquareBrackets', 'Identifier', 'Function'), exactTypes('Name', 'Literal.String.Symbol')),
    () => true,
    (_l, pidx, tidx) => [pidx, tidx],
    true,
    false,
  );
}

const groupIdentifier = recurse(['Identifier'], (tl) => {
  const pred = exactTypes('Literal.String.Symbol', 'Name');
  let [tidx, token] = tl.nextBy(pred);
  while (token) {
    tl.groupTokens('Identifier', tidx!, tidx!);
    [tidx, token] = tl.nextBy(pred, tidx!);
  }
});

const groupOrder = recurse(['Identifier'], (tl) => {
  const isOrder = subType('Keyword.Order');
  let [tidx, token] = tl.nextBy(isOrder);
  while (token) {
    const [pidx, prev] = tl.prev(tidx);
    if (any(instanceOf('Identifier'), subType('Literal.Number'))(prev)) {
      tl.groupTokens('Identifier', pidx!, tidx!);
      tidx = pidx;
    }
    [tidx, token] = tl.nextBy(isOrder, tidx!);
  }
});

function groupTypecasts(tl: TokenList): void {
  const notNull: Pred = (t) => t !== null;
  group(
    tl,
    'Identifier',
    (t) => t.match('Punctuation', '::'),
    notNull,
    notNull,
    (_l, p, _t, n) => [p, n],
  );
}

function groupTzcasts(tl: TokenList): void {
  group(
    tl,
    'Identifier',
    (t) => t.ttype === 'Keyword.TZCast',
    (t) => t !== null,
    (t) => t !== null && (t.isWhitespace || t.match('Keyword', 'AS') || t.match('Literal.String.Single')),
    (_l, p, _t, n) => [p, n],
  );
}

function groupTypedLiteral(tl: TokenList): void {
  const open = (t: Token): boolean => t.match('Name.Builtin') || t.match('Keyword', 'TIMESTAMP');
  group(
    tl,
    'TypedLiteral',
    open,
    (t) => t !== null,
    (t) => t !== null && t.match('Literal.String.Single'),
    (_l, _p, t, n) => [t, n],
    false,
  );
  group(
    tl,
    'TypedLiteral',
    (t) => t.is('TypedLiteral'),
    (t) => t !== null,
    (t) => t !== null && t.match('Keyword', ['DAY', 'HOUR', 'MINUTE', 'MONTH', 'SECOND', 'YEAR']),
    (_l, _p, t, n) => [t, n],
    true,
  );
}

const OPERAND = exactTypes(...NUMERICAL, ...STRING, ...NAME);

function groupOperator(tl: TokenList): void {
  const valid: Pred = (t) =>
    any(
      instanceOf('SquareBrackets', 'Parenthesis', 'Function', 'Identifier', 'Operation', 'TypedLiteral'),
      OPERAND,
    )(t) ||
    (t !== null && t.match('Keyword', ['CURRENT_DATE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP']));
  group(
    tl,
    'Operation',
    (t) => exactTypes('Operator', 'Wildcard')(t),
    valid,
    valid,
    (list, p, t, n) => {
      list.tokens[t]!.ttype = 'Operator';
      return [p, n];
    },
    false,
  );
}

function groupComparison(tl: TokenList): void {
  const valid: Pred = (t) =>
    any(instanceOf('Parenthesis', 'Function', 'Identifier', 'Operation', 'TypedLiteral'), OPERAND)(t) ||
    (t !== null && t.isKeyword && t.normalized === 'NULL');
  group(
    tl,
    'Comparison',
    (t) => t.ttype === 'Operator.Comparison',
    valid,
    valid,
    (_l, p, _t, n) => [p, n],
    false,
  );
}

function groupAs(tl: TokenList): void {
  group(
    tl,
    'Identifier',
    (t) => t.isKeyword && t.normalized === 'AS',
    (t) => t !== null && (t.normalized === 'NULL' || !t.isKeyword),
    (t) => !exactTypes('Keyword.DML', 'Keyword.DDL', 'Keyword.CTE')(t) && t !== null,
    (_l, p, _t, n) => [p, n],
  );
}

const groupAliased = recurse([], (tl) => {
  const pred = any(
    instanceOf('Parenthesis', 'Function', 'Case', 'Identifier', 'Operation', 'Comparison'),
    subType('Literal.Number'),
  );
  let [tidx, token] = tl.nextBy(pred);
  while (token) {
    const [nidx, next] = tl.next(tidx);
    if (next !== null && next.is('Identifier')) tl.groupTokens('Identifier', tidx!, nidx!, true);
    [tidx, token] = tl.nextBy(pred, tidx!);
  }
});

function groupAssignment(tl: TokenList): void {
  const valid: Pred = (t) => t !== null && !exactTypes('Keyword')(t);
  group(
    tl,
    'Assignment',
    (t) => t.match('Assignment', ':='),
    valid,
    valid,
    (list, p, _t, n) => {
      const [semi] = list.nextBy((t) => t.match('Punctuation', ';'), n!);
      return [p, semi || n];
    },
  );
}

const alignComments = recurse([], (tl) => {
  const isComment = instanceOf('Comment');
  let [tidx, token] = tl.nextBy(isComment);
  while (token) {
    const [pidx, prev] = tl.prev(tidx);
    if (prev instanceof TokenList) {
      tl.groupTokens('TokenList', pidx!, tidx!, true);
      tidx = pidx;
    }
    [tidx, token] = tl.nextBy(isComment, tidx!);
  }
});

function groupIdentifierList(tl: TokenList): void {
  const valid: Pred = any(
    instanceOf('Function', 'Case', 'Identifier', 'Comparison', 'IdentifierList', 'Operation'),
    (t) => t !== null && t.match('Keyword', ['null', 'role']),
    exactTypes(...NUMERICAL, ...STRING, ...NAME, 'Keyword', 'Comment', 'Wildcard'),
  );
  group(
    tl,
    'IdentifierList',
    (t) => t.match('Punctuation', ','),
    valid,
    valid,
    (_l, p, _t, n) => [p, n],
  );
}

function groupValues(tl: TokenList): void {
  let [tidx, token] = tl.nextBy((t) => t.match('Keyword', 'VALUES'));
  const start = tidx;
  let end = -1;
  while (token) {
    if (token.is('Parenthesis')) end = tidx!;
    [tidx, token] = tl.next(tidx);
  }
  if (end !== -1) tl.groupTokens('Values', start!, end, true);
}

function groupStatement(stmt: TokenList): void {
  groupComments(stmt);
  groupMatching(stmt, 'SquareBrackets', ['Punctuation', ['[']], ['Punctuation', [']']]);
  groupMatching(stmt, 'Parenthesis', ['Punctuation', ['(']], ['Punctuation', [')']]);
  groupMatching(stmt, 'Case', ['Keyword', ['CASE']], ['Keyword', ['END']]);
  groupMatching(stmt, 'If', ['Keyword', ['IF']], ['Keyword', ['END IF']]);
  groupMatching(stmt, 'For', ['Keyword', ['FOR', 'FOREACH']], ['Keyword', ['END LOOP']]);
  groupMatching(stmt, 'Begin', ['Keyword', ['BEGIN']], ['Keyword', ['END']]);
  groupOver(stmt);
  groupFunctions(stmt);
  groupWhere(stmt);
  groupPeriod(stmt);
  groupArrays(stmt);
  groupIdentifier(stmt);
  groupOrder(stmt);
  groupTypecasts(stmt);
  groupTzcasts(stmt);
  groupTypedLiteral(stmt);
  groupOperator(stmt);
  groupComparison(stmt);
  groupAs(stmt);
  groupAliased(stmt);
  groupAssignment(stmt);
  alignComments(stmt);
  groupIdentifierList(stmt);
  groupValues(stmt);
}

// ------------------------------------------------------------------ statements

/** sqlparse's StatementSplitter: `;` at nesting level 0 ends a statement (with CREATE/BEGIN nesting). */
function splitStatements(tokens: { ttype: TokenType; value: string }[]): Token[][] {
  const out: Token[][] = [];
  let inDeclare = false;
  let inCase = false;
  let isCreate = false;
  let beginDepth = 0;
  let consumeWs = false;
  let current: Token[] = [];
  let level = 0;
  const reset = (): void => {
    inDeclare = false;
    inCase = false;
    isCreate = false;
    beginDepth = 0;
    consumeWs = false;
    current = [];
    level = 0;
  };
  const splitLevel = (ttype: TokenType, value: string): number => {
    if (ttype === 'Punctuation' && value === '(') return 1;
    if (ttype === 'Punctuation' && value === ')') return -1;
    if (!isType(ttype, 'Keyword')) return 0;
    const unified = value.toUpperCase();
    if (ttype === 'Keyword.DDL' && unified.startsWith('CREATE')) {
      isCreate = true;
      return 0;
    }
    if (unified === 'DECLARE' && isCreate && beginDepth === 0) {
      inDeclare = true;
      return 1;
    }
    if (unified === 'BEGIN') {
      beginDepth += 1;
      return isCreate ? 1 : 0;
    }
    if (unified === 'END') {
      if (!inCase) beginDepth = Math.max(0, beginDepth - 1);
      else inCase = false;
      return -1;
    }
    if (['IF', 'FOR', 'WHILE', 'CASE'].includes(unified) && isCreate && beginDepth > 0) {
      if (unified === 'CASE') inCase = true;
      return 1;
    }
    if (['END IF', 'END FOR', 'END WHILE'].includes(unified)) return -1;
    return 0;
  };
  for (const { ttype, value } of tokens) {
    if (consumeWs && ttype !== 'Text.Whitespace' && ttype !== 'Comment.Single') {
      out.push(current);
      reset();
    }
    level += splitLevel(ttype, value);
    current.push(new Token(ttype, value));
    if (
      (level <= 0 && ttype === 'Punctuation' && value === ';') ||
      (ttype === 'Keyword' && pySplit(value)[0] === 'GO')
    ) {
      consumeWs = true;
    }
  }
  if (current.length && !current.every((t) => t.isWhitespace)) out.push(current);
  void inDeclare;
  return out;
}

/** Python `str.split()` (no argument): runs of whitespace separate, ends trimmed. */
const PY_SPACES = new RegExp(`[${PY_SPACE}]+`, 'u');
function pySplit(s: string): string[] {
  return s.split(PY_SPACES).filter(Boolean);
}

/** `sqlparse.parse(text)`: the grouped statements. */
export function parseSql(text: string): TokenList[] {
  return splitStatements(tokenize(text)).map((tokens) => {
    const stmt = new TokenList('Statement', tokens);
    groupStatement(stmt);
    return stmt;
  });
}
