import { keywordType } from './sql-keywords';

/**
 * The SQL lexer MLflow runs filter strings through (sqlparse 0.5.x, BSD-3-Clause): an ordered list of
 * patterns tried at each position, the first match wins, an unmatched character becomes an `Error`
 * token. Reproduced rule for rule because MLflow's error messages quote the tokens it produces.
 *
 * Token types are dotted paths as in sqlparse (`Name`, `Keyword.DML`, `Literal.String.Single`...);
 * `isType(t, 'Name')` is sqlparse's `t in T.Name` (the type or a subtype).
 *
 * Python's regex classes differ from JavaScript's; the patterns below spell out Python's meaning:
 * `\w` = letters, numbers, underscore (Unicode), `\d` = Unicode decimal digits, `\s` = what
 * `str.isspace()` accepts, `.` = anything but `\n`, `\b` after a word = "not followed by a word char".
 */

export type TokenType = string;

export const isType = (t: TokenType | null, parent: TokenType): boolean =>
  t !== null && (t === parent || t.startsWith(parent + '.'));

const W = '\\p{L}\\p{N}_';
const D = '\\p{Nd}';
/** Python's `\\s` (what `str.isspace()` accepts), as a character-class body. */
export const PY_SPACE =
  '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const S = PY_SPACE;
const NAME_START = 'A-ZÀ-Ü';
const END = `(?![${W}])`;

const KEYWORD = Symbol('keyword');

/** [pattern, token type] in sqlparse's order (keywords.SQL_REGEX). */
const RULES: [string, TokenType | typeof KEYWORD][] = [
  ['(--|# )\\+[^\\n]*?(\\r\\n|\\r|\\n|$)', 'Comment.Single.Hint'],
  ['/\\*\\+[\\s\\S]*?\\*/', 'Comment.Multiline.Hint'],
  ['(--|# )[^\\n]*?(\\r\\n|\\r|\\n|$)', 'Comment.Single'],
  ['/\\*[\\s\\S]*?\\*/', 'Comment.Multiline'],
  ['(\\r\\n|\\r|\\n)', 'Text.Whitespace.Newline'],
  [`[${S}]`, 'Text.Whitespace'],
  [':=', 'Assignment'],
  ['::', 'Punctuation'],
  ['\\*', 'Wildcard'],
  ['`(``|[^`])*`', 'Name'],
  ['´(´´|[^´])*´', 'Name'],
  [`((?<![${W}"$])\\$(?:[_${NAME_START}][${W}]*)?\\$)[\\s\\S]*?\\1`, 'Literal'],
  ['\\?', 'Name.Placeholder'],
  [`%(\\([${W}]+\\))?s`, 'Name.Placeholder'],
  [`(?<![${W}])[$:?][${W}]+`, 'Name.Placeholder'],
  [`\\\\[${W}]+`, 'Generic.Command'],
  [`(CASE|IN|VALUES|USING|FROM|AS)${END}`, 'Keyword'],
  [`(@|##|#)[${NAME_START}][${W}]+`, 'Name'],
  [`[${NAME_START}][${W}]*(?=[${S}]*\\.)`, 'Name'],
  [`(?<=\\.)[${NAME_START}][${W}]*`, 'Name'],
  [`[${NAME_START}][${W}]*(?=\\()`, 'Name'],
  [`-?0x[${D}A-F]+`, 'Literal.Number.Hexadecimal'],
  [`-?[${D}]+(\\.[${D}]+)?E-?[${D}]+`, 'Literal.Number.Float'],
  [`(?![_${NAME_START}])-?([${D}]+(\\.[${D}]*)|\\.[${D}]+)(?![_${NAME_START}])`, 'Literal.Number.Float'],
  [`(?![_${NAME_START}])-?[${D}]+(?![_${NAME_START}])`, 'Literal.Number.Integer'],
  ["'(''|\\\\'|[^'])*'", 'Literal.String.Single'],
  ['"(""|\\\\"|[^"])*"', 'Literal.String.Symbol'],
  ['(""|"[^\\n]*?[^\\\\]")', 'Literal.String.Symbol'],
  [`(?<![${W}\\])])(\\[[^\\]\\[]+\\])`, 'Name'],
  [
    `((LEFT[${S}]+|RIGHT[${S}]+|FULL[${S}]+)?(INNER[${S}]+|OUTER[${S}]+|STRAIGHT[${S}]+)?|(CROSS[${S}]+|NATURAL[${S}]+)?)?JOIN${END}`,
    'Keyword',
  ],
  [`END([${S}]+IF|[${S}]+LOOP|[${S}]+WHILE)?${END}`, 'Keyword'],
  [`NOT[${S}]+NULL${END}`, 'Keyword'],
  [`(ASC|DESC)([${S}]+NULLS[${S}]+(FIRST|LAST))?${END}`, 'Keyword.Order'],
  [`(ASC|DESC)${END}`, 'Keyword.Order'],
  [`NULLS[${S}]+(FIRST|LAST)${END}`, 'Keyword.Order'],
  [`UNION[${S}]+ALL${END}`, 'Keyword'],
  [`CREATE([${S}]+OR[${S}]+REPLACE)?${END}`, 'Keyword.DDL'],
  [`DOUBLE[${S}]+PRECISION${END}`, 'Name.Builtin'],
  [`GROUP[${S}]+BY${END}`, 'Keyword'],
  [`ORDER[${S}]+BY${END}`, 'Keyword'],
  [`PRIMARY[${S}]+KEY${END}`, 'Keyword'],
  [`HANDLER[${S}]+FOR${END}`, 'Keyword'],
  [`GO([${S}][${D}]+)${END}`, 'Keyword'],
  [`(LATERAL[${S}]+VIEW[${S}]+)(EXPLODE|INLINE|PARSE_URL_TUPLE|POSEXPLODE|STACK)${END}`, 'Keyword'],
  [`(AT|WITH')[${S}]+TIME[${S}]+ZONE[${S}]+'[^']+'`, 'Keyword.TZCast'],
  [`(NOT[${S}]+)?(LIKE|ILIKE|RLIKE)${END}`, 'Operator.Comparison'],
  [`(NOT[${S}]+)?(REGEXP)${END}`, 'Operator.Comparison'],
  [`[${W}][$#${W}]*`, KEYWORD],
  ['[;:()\\[\\],.]', 'Punctuation'],
  ['(->>?|#>>?|@>|<@|\\?\\|?|\\?&|-|#-)', 'Operator'],
  ['[<>=~!]+', 'Operator.Comparison'],
  ['[+/@#%^&|^-]+', 'Operator'],
];

const COMPILED = RULES.map(([src, type]) => ({ re: new RegExp(src, 'iuy'), type }));

export interface RawToken {
  ttype: TokenType;
  value: string;
}

/** Splits `text` into (type, value) tokens exactly where sqlparse's lexer would. */
export function tokenize(text: string): RawToken[] {
  const out: RawToken[] = [];
  let pos = 0;
  while (pos < text.length) {
    let matched = false;
    for (const { re, type } of COMPILED) {
      re.lastIndex = pos;
      const m = re.exec(text);
      if (!m || m[0].length === 0) continue;
      const value = m[0];
      out.push({ ttype: typeof type === 'string' ? type : keywordType(value), value });
      pos += value.length;
      matched = true;
      break;
    }
    if (!matched) {
      // One code point, as Python iterates a str by code points.
      const ch = String.fromCodePoint(text.codePointAt(pos)!);
      out.push({ ttype: 'Error', value: ch });
      pos += ch.length;
    }
  }
  return out;
}
