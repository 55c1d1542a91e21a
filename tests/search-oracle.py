"""
Builds tests/search-oracle.json: filter strings, order_by lists and page tokens, each with what
MLflow 3.5.1 makes of it (its parse result, or its error code and message), computed by calling
MLflow's own functions: SearchUtils / SearchExperimentsUtils parsing plus the SQL store's clause
builders (_get_sqlalchemy_filter_clauses, _get_orderby_clauses, _get_search_experiments_*), which
add the comparator checks. Hand-picked cases plus seeded random ones. tests/search-parser.test.ts
checks src-main/search against it.

MLflow reads filters with sqlparse; a pip-installed MLflow 3.5.1 gets sqlparse 0.5.x, so run with it:
  . /work/shared/mlflow-client/env.sh
  PYTHONPATH=/path/to/sqlparse-0.5.3:$PYTHONPATH python3 tests/search-oracle.py > tests/search-oracle.json
"""
import base64
import json
import random
import sys

import sqlparse
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from mlflow.exceptions import MlflowException
from mlflow.store.tracking.sqlalchemy_store import (
    _get_orderby_clauses,
    _get_search_experiments_filter_clauses,
    _get_search_experiments_order_by_clauses,
    _get_sqlalchemy_filter_clauses,
)
from mlflow.utils.search_utils import SearchExperimentsUtils, SearchUtils

assert sqlparse.__version__.startswith('0.5'), sqlparse.__version__

F = [
 "", " ", "\n", "metrics.acc > 0.5", "metrics.acc > 0.5 and params.lr = '0.1'", "metrics.acc > 0.5 AND params.lr = '0.1'",
 "metrics.acc > 0.5 OR params.lr = '0.1'", "metric.acc >= 1", "metrics.`my key` < 2", 'metrics."my key" <= 3', "metrics.'my key' = 4",
 "params.p = 'x'", 'params.p = "x"', "params.p = x", "params.p = 1", "params.p != 'x'", "params.p LIKE 'x%'", "params.p ilike '%X%'",
 "params.p like 'x'", "params.p > 'x'", "params.p IN ('a', 'b')", "param.p = 'x'", "parameter.p = 'x'", "parameters.p = 'x'",
 "tags.t = 'v'", "tag.t = 'v'", 'tags."mlflow.runName" = \'r\'', "tags.`mlflow.runName` = 'r'", "tags.mlflow.runName = 'r'",
 "tags.t != 'v'", "tags.t LIKE '%v'", "tags.t ILIKE 'V%'", "tags.t >= 'v'", "tags.t IN ('a')",
 "attributes.status = 'FINISHED'", "attribute.status = 'FINISHED'", "attr.status = 'FINISHED'", "run.status = 'FINISHED'",
 "status = 'FINISHED'", "status != 'RUNNING'", "status LIKE 'FIN%'", "status ILIKE 'fin%'", "status > 'A'", "status IN ('A', 'B')",
 "attributes.run_id = 'abc'", "run_id IN ('abc', 'def')", "run_id NOT IN ('abc')", "run_id in ('abc', 'DEF', '123')", "run_id IN ()",
 "run_id IN ('a',)", "run_id IN (1, 2)", "run_id IN ('a' 'b')", "run_id IN (a, b)", "run_id IN ('abc')  and status = 'X'",
 "run_id IN 'abc'", "run_id = ('abc')", "run_id LIKE ('abc')", "run_id not in ('abc', 'def')", "run_id NOT  IN ('abc')",
 "attributes.run_name = 'r'", "run_name LIKE 'r%'", "`run name` = 'x'", "attributes.`Run Name` = 'x'", "attributes.`Run name` ILIKE 'x'",
 "start_time > 0", "start_time > '0'", "attributes.start_time >= 1700000000000", "created > 5", "Created < 5", "end_time != 3",
 "start_time LIKE 5", "start_time IN (1)", "end_time = 1.5", "start_time > -1", "user_id = 'u'", "artifact_uri LIKE '%x%'",
 "attributes.foo = 'x'", "foo = 'x'", "bar.foo = 'x'", "`metrics`.acc > 1", "`tags`.x = 'y'", "metrics.acc > 'x'", "metrics.acc = x",
 "metrics.acc LIKE 1", "metrics.acc IN (1)", "metrics.acc > 0x10", "metrics.acc > 1e5", "metrics.acc > -1.5", "metrics.acc > .5",
 "metrics.acc > 1.", "metrics.acc", "metrics.acc >", "> 1", "1 = 1", "'a' = 'a'", "metrics.acc == 1", "metrics.acc <> 1",
 "metrics.acc = NULL", "tags.t IS NULL", "tags.t IS NOT NULL", "params.p = 'a' params.q = 'b'", "metrics.a > 1 xyz",
 "metrics.a > 1 AND", "AND metrics.a > 1", "metrics.a > 1 AND AND metrics.b < 1", "(metrics.a > 1)", "(metrics.a > 1 AND metrics.b > 2)",
 "metrics.a > 1;", "metrics.a > 1; metrics.b > 2", ";", "metrics.a > 1 -- comment", "metrics.a > 1 /* c */", "/* c */ metrics.a > 1",
 "metrics.a > 1 # x", "datasets.name = 'd'", "dataset.digest = 'abc'", "datasets.context = 'train'", "datasets.name IN ('a', 'B')",
 "datasets.digest NOT IN ('a')", "datasets.foo = 'x'", "datasets.name LIKE 'a%'", "datasets.name > 'a'", "datasets.name = x",
 "params.p = 'it''s'", "params.p = 'a\\'b'", 'params.p = "a""b"', "params.p = ''", 'params.p = ""', "params.`a b` = 'x'",
 "params.a b = 'x'", "params.a-b = 'x'", "params.a.b = 'x'", "params.select = 'x'", "params.p = select", "params.p = foo.bar",
 "metrics.in > 1", "metrics.m1 > 1 and metrics.m2 < 2 and metrics.m3 = 3", "tags.x = 'a', tags.y = 'b'", "metrics.a BETWEEN 1 AND 2",
 "metrics.a > 1 and not metrics.b > 2", "params.p NOT LIKE 'x'", "params.p = 'unterminated", "params.p = \"unterminated", "\"abc",
 "metrics.acc > 1 AND metrics.`weird``key` > 2", "metrics.` spaced ` > 1", "tags.\"a.b.c\" = 'x'", "tags.a = 'x' AND tags.a = 'y'",
 "status = \"FINISHED\"", "status = FINISHED", "status = 1", "status IN ('FINISHED')", "run_id = 'abc' or run_id = 'def'",
 "timestamp > 1", "metrics.x > 1 and timestamp > 2", "metrics.x >= 1.7976931348623157e308", "metrics.x < 1e400", "params.x = 'é'",
 "params.ключ = 'значение'", "metrics.ü > 1", "run_id IN (\"abc\", 'def')", "run_id IN ('abc', \"DEF\")", "run_id IN (('a', 'b'))",
 "run_id IN (['a'])", "run_id IN (None)", "run_id IN ('a' + 'b')", "run_id IN (b'a')", "metrics.a > 1 AND run_id IN ('x') AND params.p = 'y'",
 "metrics.a>1", "metrics.a>=1and params.b='c'", "params.b='c'and metrics.a>=1", "metrics.a >= 1AND metrics.b < 2", "metrics.a > 1 ANDmetrics.b < 2",
 "metrics .a > 1", "metrics. a > 1", "metrics. > 1", "metrics.acc > 1 AND (params.p = 'x')", "CASE WHEN 1 THEN 2 END", "select * from runs",
 "metrics.a > 1 and metrics.a > 1", "params.p = 'x'::text", "params.p = date '2020'", "params.p = 'a' || 'b'", "metrics.a > 1 + 2",
 "metrics.a > -1", "metrics.a > - 1", "metrics.a > +1", "tags.t = 'v' AS x", "tags.t = 'v' x", "x", "x y", "metrics.a > 1 AND x",
 "metrics.a > 1 and (1)", "[x] = 'y'", "params.[x] = 'y'", "@x = 'y'", "params.p = ?", "params.p = :v", "params.p = $1", "params.p = %s",
 "metrics.a ~ 1", "metrics.a !~ 1", "metrics.a > 1 AND metrics.b < 2 OR metrics.c = 3", "NOT metrics.a > 1", "metrics.a IS 1",
 "params.p RLIKE 'x'", "params.p REGEXP 'x'", "tags.t = 'v'\nAND tags.u = 'w'", "tags.t = 'v'\tAND\ttags.u = 'w'", "params.p = 'a\nb'",
 "start_time > 1700000000000000000000", "start_time > 9007199254740993", "metrics.a > 00012", "run_id IN ('a', 'b') AND run_id NOT IN ('c')",
 "attributes.run_id in ('abc')", "attributes.run_id IN ('abc')", "datasets.context IN ('train', 'eval')", "datasets.name ILIKE 'D%'",
 "metrics.acc > 1 and", "and", "AND", "OR", "metrics.acc > 1 AND metrics.acc", "params.p = 'x' AND tags.t", "metrics.`a` > 1 AND params.`b c` = 'd'",
]
E = [
 "", " ", "name = 'x'", "name = \"x\"", "name LIKE 'x%'", "name like 'x%'", "name ILIKE 'x%'", "name != 'x'", "name > 'x'", "name IN ('x')",
 "attribute.name = 'x'", "attributes.name = 'x'", "attr.name = 'x'", "tags.t = 'v'", "tag.t = 'v'", "tags.t like 'v'", "tags.t LIKE 'v'",
 "tags.t > 'v'", "tags.t IN ('v')", "creation_time > 5", "creation_time > '5'", "last_update_time <= 5", "creation_time LIKE 5",
 "experiment_id = 5", "foo = 'x'", "name = 'x' OR name = 'y'", "name = 'x' AND tags.t = 'v'", "`tags`.t = 'v'", "tags.`a b` = 'x'",
 'tags."mlflow.note" = \'x\'', "params.p = 'x'", "metrics.m > 1", "name = x", "name = 1", "creation_time = x", "name = 'x';",
 "name = 'x' AND", "x", "name 'x'", "name IS NULL", "tags.t = NULL",
]
O = [["metrics.acc"], ["metrics.acc DESC"], ["metrics.acc desc"], ["metrics.acc ASC"], ["metrics.acc asc"], ["metrics.`my key` DESC"],
 ['metrics."my key" DESC'], ["params.p"], ["tags.t DESC"], ["tags.`mlflow.runName`"], ['tags."mlflow.runName" ASC'], ["attributes.start_time"],
 ["start_time DESC"], ["created"], ["Created DESC"], ["run_name"], ["attributes.run_id"], ["status"], ["end_time"], ["user_id"], ["artifact_uri"],
 ["run name"], ["foo"], ["timestamp"], ["timestamp DESC"], ["datasets.name"], ["metrics.acc DESC", "metrics.acc"], ["start_time", "created"],
 ["metrics.a", "params.a"], ["metrics.acc UP"], ["metrics.acc DESC extra"], ["metrics.acc, params.p"], [""], [" "], [" metrics.acc"],
 ["metrics.acc "], ["metrics acc"], ["metrics.acc DESC NULLS LAST"], ["`metrics`.acc"], ["metrics.`a b` DESC"], ["tags.`a``b`"],
 ["metrics.a;"], ["metrics.a; metrics.b"], ["params.'quoted'"], ["params.'it''s' DESC"], ['params."a b c"'], ["1"], ["'x'"], ["metrics.a + 1"],
 ["metric.a"], ["param.a"], ["tag.a"], ["attr.status"], ["run.status"], ["dataset.name"], ["bad.thing"], ["metrics.a DESC", "metrics.b ASC", "tags.c"],
 ["params.p\tDESC"], ["params.p\nDESC"], ["params.p  DESC"], ["metrics.select"], ["metrics.in"], ["x.y.z"], ["status  desc"], ["STATUS"],
]
EO = [[], ["name"], ["name DESC"], ["experiment_id"], ["creation_time ASC"], ["last_update_time DESC"], ["tags.t"], ["attribute.name"],
 ["attributes.name"], ["foo"], ["name", "name DESC"], ["experiment_id DESC", "name"], ["name UP"], [""], ["metrics.a"]]
T = [None, "", "eyJvZmZzZXQiOiAxMDB9", "eyJvZmZzZXQiOiAxMDB9\n", "not base64!", "abc", "abcd", "YWJj", "e30=", "eyJvZmZzZXQiOiAwfQ==",
 "eyJvZmZzZXQiOiAiMTIifQ==", "eyJvZmZzZXQiOiAiYWJjIn0=", "eyJvZmZzZXQiOiAxLjV9", "eyJvZmZzZXQiOiAtNX0=", "W10=", "eyJvZmZzZXQiOiBudWxsfQ==",
 "eyJvZmZzZXQiOiB0cnVlfQ==", "eyJvIjogMX0=", "eyJvZmZzZXQiOiBbMV19", "eyJvZmZzZXQiOiAiIDEyICJ9", "eyJvZmZzZXQiOiAiMV8wMDAifQ==", "////", "AAAA", "=", "YQ", "YQ=", "YQ==", "Y", "eyJvZmZzZXQiOiAxMDB9===",
 "eyJvZmZ zZXQiOiAxMDB9", "eyJhIjogMSwgIm9mZnNldCI6IDB9", "eyJvZmZzZXQiOiAiIn0=", "eyJvZmZzZXQiOiAwLjB9"]
import base64
for raw in [b'{"offset": 1e2}', b'{"offset": "1.5"}', b'{"offset": {}}', b'{"offset": NaN}', b'\xff\xfe', b'{"offset":5,"offset":6}', b'{"x": "\\u00e9", "offset": 0}', b"it's", b'"x"', b'5']:
    T.append(base64.b64encode(raw).decode())

for raw in [b'{"offset": 1e2}', b'{"offset": "1.5"}', b'{"offset": {}}', b'{"offset": NaN}', b'\xff\xfe',
            b'{"offset":5,"offset":6}', b'{"x": "\\u00e9", "offset": 0}', b"it's", b'"x"', b'5']:
    T.append(base64.b64encode(raw).decode())
cases = [{'kind': 'runs-filter', 'input': f} for f in F] + [{'kind': 'exp-filter', 'input': f} for f in E] + \
    [{'kind': 'runs-order', 'input': o} for o in O] + [{'kind': 'exp-order', 'input': o} for o in EO] + \
    [{'kind': 'token', 'input': t} for t in T]

# Random token soup (mostly invalid statements: exercises sqlparse's grouping and the messages).
random.seed(1)
V = ["metrics.a", "params.`x y`", 'tags."k.v"', "status", "run_id", "a", "select", "timestamp", "attributes.start_time", "datasets.name",
     "=", "!=", ">", "<=", "LIKE", "ilike", "IN", "NOT", "NOT IN", "IS", "NULL", "AND", "and", "OR", ",", "(", ")", ";", "::", ".", "*", "+", "-",
     "'x'", '"y"', "1", "1.5", "-2", "0x1F", "('a', 'b')", "('abc')", "/* c */", "-- c\n", "CASE", "END", "WHEN", "AS", "[x]", "date", "'2020'",
     "DESC", "ASC", "BEGIN", "IF", "OVER", "WHERE", "VALUES", "count", "`q`", "$1", ":x", "@v", "#", "~", "||", "->", "create table", "x.y", "DAY"]
for _ in range(500):
    s = ''.join(random.choice(V) + random.choice([' ', ' ', ' ', '', '\n', '  ']) for _ in range(random.randint(1, 9)))
    kind = random.choice(['runs-filter', 'runs-filter', 'exp-filter', 'runs-order'])
    cases.append({'kind': kind, 'input': [s.strip()] if kind == 'runs-order' else s})

# Random near-valid comparisons (exercises identifiers, values and comparator checks).
IDS = ["metrics.a", "metric.`b c`", "params.p", 'params."q.r"', "tags.t", "tag.`mlflow.runName`", "attributes.status", "status", "run_id",
       "attributes.run_id", "run_name", "start_time", "created", "end_time", "user_id", "artifact_uri", "datasets.name", "datasets.context",
       "dataset.digest", "name", "creation_time", "attribute.name", "tags.x", "foo.bar", "x", "`run name`", "metrics.", "metrics.select"]
OPS = ["=", "!=", ">", ">=", "<", "<=", "LIKE", "like", "ILIKE", "IN", "in", "NOT IN", "not in", "==", "<>", "IS"]
VALS = ["'x'", '"y"', "1", "1.5", "-2", ".5", "1e3", "0x1F", "('abc', 'def')", "('ABC')", "('a',)", "()", "(1)", "abc", "NULL", "'%x_'", "''", "'it''s'", "('a' 'b')"]
for _ in range(500):
    s = random.choice([' AND ', ' and ', ' AND ', ' OR ', ' ', ', ']).join(
        f"{random.choice(IDS)} {random.choice(OPS)} {random.choice(VALS)}" for _ in range(random.randint(1, 3)))
    cases.append({'kind': random.choice(['runs-filter', 'runs-filter', 'exp-filter']), 'input': s})
    ob = [random.choice(IDS) + random.choice(['', ' DESC', ' asc', ' desc', ' up', '']) for _ in range(random.randint(1, 3))]
    cases.append({'kind': random.choice(['runs-order', 'exp-order']), 'input': ob})

session = Session(bind=create_engine('sqlite://'))


def expected(kind, inp):
    try:
        if kind == 'runs-filter':
            p = SearchUtils.parse_search_filter(inp)
            _get_sqlalchemy_filter_clauses(p, session, 'sqlite')
            return {'ok': p}
        if kind == 'exp-filter':
            p = SearchExperimentsUtils.parse_search_filter(inp)
            _get_search_experiments_filter_clauses(p, 'sqlite')
            return {'ok': p}
        if kind == 'runs-order':
            _get_orderby_clauses(inp, session)
            return {'ok': True}
        if kind == 'exp-order':
            _get_search_experiments_order_by_clauses(inp)
            return {'ok': True}
        return {'ok': SearchUtils.parse_start_offset_from_page_token(inp)}
    except MlflowException as e:
        return {'error': e.message, 'code': e.error_code}
    except Exception as e:  # a 500 in MLflow
        return {'error': str(e), 'code': 'PY:' + type(e).__name__}


for c in cases:
    c['expected'] = expected(c['kind'], c['input'])
sys.stdout.write('[\n' + ',\n'.join(json.dumps(c, ensure_ascii=False) for c in cases) + '\n]\n')
