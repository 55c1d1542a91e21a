"""
Builds tests/search-reference.json: a small tracking dataset written through the REST API of a real
`mlflow server` 3.5.1, and the results of MLflow run/experiment searches over it (run and experiment
names in order, next_page_token, or the error). tests/search-reference.test.ts replays the same
requests against Runlens and expects the same answers.

  . /work/shared/mlflow-client/env.sh   # MLflow 3.5.1 (its server should run with sqlparse 0.5.x)
  mlflow server --backend-store-uri sqlite:////tmp/ref/ref.db --port 5591 &
  python3 tests/search-reference.py http://127.0.0.1:5591 > tests/search-reference.json
"""
import json
import math
import sys
import urllib.error
import urllib.request

BASE = sys.argv[1].rstrip('/') + '/api/2.0/mlflow'
SUFFIX = sys.argv[2] if len(sys.argv) > 2 else ''


def call(path, body):
    data = json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, headers={'Content-Type': 'application/json'}, method='POST')
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read() or b'{}')
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b'{}')


setup = []  # [path, body, result-binding]


def do(path, body, bind=None):
    status, res = call(path, body)
    assert status == 200, (path, body, res)
    setup.append({'path': path, 'body': body, 'bind': bind})
    return res


exp_names = [f'search-ref{SUFFIX}-a', f'search-ref{SUFFIX}-b', f'Search-Ref{SUFFIX}-c', f'other{SUFFIX}_d%']
exps = []
for i, name in enumerate(exp_names):
    tags = [{'key': 'owner', 'value': ['ann', 'bo', 'Ann', 'ann'][i]}]
    if i % 2 == 0:
        tags.append({'key': 'kind', 'value': 'x_y' if i == 0 else 'xzy'})
    res = do('/experiments/create', {'name': name, 'tags': tags}, f'exp{i}')
    exps.append(res['experiment_id'])
do('/experiments/delete', {'experiment_id': '$exp3'.replace('$exp3', exps[3])}, None)
setup[-1]['body'] = {'experiment_id': '$exp3'}

N = 40
for i in range(N):
    exp = '$exp0' if i < 30 else '$exp1'
    name = f'r{i:02d}'
    start = 1000 + i * 10 if i not in (8, 9) else 1075  # r08, r09 tie on start_time
    body = {'experiment_id': exp, 'user_id': 'alice' if i % 2 else 'bob', 'start_time': start, 'run_name': name,
            'tags': [{'key': 'team', 'value': ['red', 'blue', 'Red', 'green'][i % 4]}]}
    real = dict(body, experiment_id=exps[0] if i < 30 else exps[1])
    status, res = call('/runs/create', real)
    assert status == 200, res
    setup.append({'path': '/runs/create', 'body': body, 'bind': f'run{i}'})
    rid = res['run']['info']['run_id']
    metrics = []
    if i % 7 != 0:
        v = ((i * 37) % 23) / 23.0
        if i % 11 == 0:
            v = 'NaN'
        if i == 5:
            v = 'Infinity'
        if i == 6:
            v = '-Infinity'
        metrics.append({'key': 'acc', 'value': v, 'timestamp': 1, 'step': 0})
    metrics.append({'key': 'loss', 'value': float(i % 4), 'timestamp': 1, 'step': 0})
    if i % 3 == 0:
        metrics.append({'key': 'loss', 'value': 9.0, 'timestamp': 0, 'step': 0})  # older: not the latest
    params = [{'key': 'lr', 'value': str((i % 5) / 10)}]
    if i % 6 != 5:
        params.append({'key': 'opt', 'value': ['adam', 'sgd', 'Adam'][i % 3]})
    tags = [{'key': 'note', 'value': ['a_b', 'a%b', 'aXb', 'A_B', '[x]*?', 'it\'s'][i % 6]}]
    if i == 3:
        tags.append({'key': 'mlflow.runName', 'value': 'renamed-03'})
    # NaN and infinities travel as protobuf JSON strings ("NaN", "Infinity"), as the Python client sends them.
    body = {'run_id': f'$run{i}', 'metrics': metrics, 'params': params, 'tags': tags}
    do_status, res = call('/runs/log-batch', dict(body, run_id=rid))
    assert do_status == 200, res
    setup.append({'path': '/runs/log-batch', 'body': body, 'bind': None})
    if i % 3 != 2:
        status = 'FINISHED' if i % 3 == 0 else 'FAILED'
        call('/runs/update', {'run_id': rid, 'status': status, 'end_time': start + 500 + (i % 4)})
        setup.append({'path': '/runs/update', 'body': {'run_id': f'$run{i}', 'status': status, 'end_time': start + 500 + (i % 4)}, 'bind': None})
    if i % 5 == 1:
        ds = {'name': ['train', 'eval'][i % 2], 'digest': f'd{i % 3}', 'source_type': 'local', 'source': 's'}
        body = {'run_id': f'$run{i}', 'datasets': [{'tags': [{'key': 'mlflow.data.context', 'value': ['training', 'Eval'][i % 2]}], 'dataset': ds}]}
        call('/runs/log-inputs', dict(body, run_id=rid))
        setup.append({'path': '/runs/log-inputs', 'body': body, 'bind': None})
    if i % 13 == 12:
        call('/runs/delete', {'run_id': rid})
        setup.append({'path': '/runs/delete', 'body': {'run_id': f'$run{i}'}, 'bind': None})

filters = [
    '', "metrics.acc > 0.5", "metrics.acc >= 0.5", "metrics.acc < 0.3", "metrics.acc <= 0", "metrics.acc = 0", "metrics.acc != 0",
    "metrics.acc > 1e308", "metrics.acc >= 1.7976931348623157e308", "metrics.acc < -1e308", "metrics.acc < 1e999",
    "metrics.acc = 1.7976931348623157e308", "metrics.loss = 1", "metrics.loss != 1", "metrics.missing > 0",
    "params.lr = '0.2'", "params.lr != '0.2'", "params.opt = 'adam'", "params.opt != 'adam'", "params.opt LIKE 'a%'",
    "params.opt ILIKE 'a%'", "params.opt LIKE '%D%'", "params.opt ILIKE '%D%'", "params.lr LIKE '0._'", "params.nope = 'x'",
    "tags.team = 'red'", "tags.team ILIKE 'red'", "tags.team LIKE 'R%'", "tags.team != 'red'", "tags.note LIKE 'a_b'",
    "tags.note LIKE 'a%b'", "tags.note ILIKE 'a_b'", "tags.note = 'it''s'", "tags.note LIKE '[x]%'", "tags.note LIKE '%*?'",
    "tags.note LIKE '%\\'s'", 'tags."mlflow.runName" = \'r10\'', "tags.`mlflow.runName` LIKE 'r1%'",
    "attributes.run_name = 'r11'", "run_name LIKE 'r2%'", "run_name ILIKE 'R0%'", "`Run name` = 'renamed-03'", "run_name != 'r11'",
    "attributes.status = 'FINISHED'", "status != 'RUNNING'", "status LIKE 'F%'", "status ILIKE 'f%'", "attributes.user_id = 'alice'",
    "start_time > 1100", "start_time >= 1075 AND start_time <= 1090", "created < 1050", "Created = 1075", "end_time > 1300",
    "end_time != 1500", "attributes.end_time < 1600", "artifact_uri LIKE '%artifacts'",
    "datasets.name = 'train'", "datasets.name IN ('train', 'eval')", "datasets.name NOT IN ('train')", "datasets.digest = 'd1'",
    "datasets.context = 'training'", "datasets.context ILIKE 'eval'", "datasets.context IN ('Eval')", "datasets.name LIKE 'tr%'",
    "metrics.acc > 0.2 AND params.opt = 'sgd'", "metrics.acc > 0.2 and tags.team = 'blue' and status = 'FAILED'",
    "params.lr = '0.1' AND params.lr = '0.2'", "metrics.loss >= 2 AND metrics.acc < 0.9 AND user_id = 'bob'",
    "run_id IN ('$run4', '$run5')", "attributes.run_id = '$run7'", "run_id NOT IN ('$run4', '$run5')",
    "run_id IN ('$RUN4')",
    # errors
    "metrics.acc > 0.5 OR params.lr = '0.1'", "params.lr = 0.1", "metrics.acc > 'x'", "foo = 'x'", "tags.team IS NULL",
    "status IN ('FINISHED')", "params.lr > '1'", "metrics.acc LIKE 1", "start_time LIKE 5", "datasets.foo = 'x'", "x.y = 'z'",
    "metrics.acc == 1", "run_id = ('a')",
]
orders = [
    [], ['metrics.acc DESC'], ['metrics.acc'], ['metrics.acc ASC', 'params.lr DESC'], ['metrics.loss DESC'], ['metrics.loss'],
    ['params.lr'], ['params.opt DESC'], ['tags.team'], ['tags.team DESC', 'metrics.acc'], ['attributes.start_time'],
    ['start_time DESC'], ['created'], ['run_name'], ['attributes.run_name DESC'], ['end_time'], ['end_time DESC'], ['status', 'user_id DESC'],
    ['metrics.nope DESC'], ['params.nope'], ['metrics.acc DESC', 'metrics.acc'], ['datasets.name'], ['foo'], ['metrics.acc up'],
]
cases = []


def run_search(body):
    st, res = call('/runs/search', resolve(body))
    if st != 200:
        return {'status': st, 'error_code': res.get('error_code'), 'message': res.get('message')}
    return {'status': st, 'names': [r['info']['run_name'] for r in res.get('runs', [])], 'next_page_token': res.get('next_page_token')}


run_ids = {}


def resolve(body):
    s = json.dumps(body)
    for k, v in sorted(run_ids.items(), key=lambda kv: -len(kv[0])):
        s = s.replace(k, v)
    return json.loads(s)


# binding names → real ids (for run_id filters)
st, res = call('/runs/search', {'experiment_ids': exps[:2], 'run_view_type': 'ALL', 'max_results': 1000})
for r in res['runs']:
    n = r['info']['run_name']
    idx = 3 if n == 'renamed-03' else int(n[1:])
    run_ids[f'$run{idx}'] = r['info']['run_id']
    run_ids[f'$RUN{idx}'] = r['info']['run_id'].upper()

for f in filters:
    for view in ['ACTIVE_ONLY', 'ALL'] if f in ('', "metrics.acc > 0.5") else ['ACTIVE_ONLY']:
        body = {'experiment_ids': ['$exp0', '$exp1'], 'filter': f, 'run_view_type': view, 'max_results': 100}
        real = dict(body, experiment_ids=exps[:2])
        cases.append({'api': 'runs', 'request': body, 'expected': run_search(real)})
for o in orders:
    body = {'experiment_ids': ['$exp0', '$exp1'], 'order_by': o, 'max_results': 100}
    cases.append({'api': 'runs', 'request': body, 'expected': run_search(dict(body, experiment_ids=exps[:2]))})
for view in ['DELETED_ONLY', 'ALL']:
    body = {'experiment_ids': ['$exp0'], 'run_view_type': view, 'order_by': ['metrics.acc DESC']}
    cases.append({'api': 'runs', 'request': body, 'expected': run_search(dict(body, experiment_ids=exps[:1]))})
# paging: follow tokens
for o in [['metrics.acc DESC'], [], ['params.opt', 'metrics.loss DESC']]:
    token = None
    for page in range(6):
        body = {'experiment_ids': ['$exp0', '$exp1'], 'order_by': o, 'max_results': 7, 'filter': "metrics.loss >= 0"}
        if token:
            body['page_token'] = token
        res = run_search(dict(body, experiment_ids=exps[:2]))
        cases.append({'api': 'runs', 'request': body, 'expected': res})
        token = res.get('next_page_token')
        if not token:
            break
for tok in ['abc', 'eyJvZmZzZXQiOiAiYWJjIn0=', 'e30=', 'eyJvZmZzZXQiOiAzfQ==']:
    body = {'experiment_ids': ['$exp0'], 'page_token': tok, 'max_results': 5}
    cases.append({'api': 'runs', 'request': body, 'expected': run_search(dict(body, experiment_ids=exps[:1]))})
for mr in [0, -1, 50000]:
    body = {'experiment_ids': ['$exp0'], 'max_results': mr}
    cases.append({'api': 'runs', 'request': body, 'expected': run_search(dict(body, experiment_ids=exps[:1]))})


def exp_search(body):
    st, res = call('/experiments/search', body)
    if st != 200:
        return {'status': st, 'error_code': res.get('error_code'), 'message': res.get('message')}
    return {'status': st, 'names': [e['name'] for e in res.get('experiments', []) if e['name'] in exp_names or e['name'] == 'Default'],
            'next_page_token': res.get('next_page_token')}


exp_filters = ['', "name = 'search-ref-a'", "name LIKE 'search-ref%'", "name ILIKE 'search-ref%'", "name like 'x'", "name != 'Default'",
               "tags.owner = 'ann'", "tags.owner ILIKE 'ANN'", "tags.kind LIKE 'x_y'", "tags.kind != 'xzy'", "tag.owner = 'bo'",
               "attribute.name LIKE '%c'", "creation_time > 0", "last_update_time >= 0", "name LIKE 'other%'", "tags.owner > 'a'",
               "name IN ('x')", "params.x = 'y'", "name = 'a' OR name = 'b'", "attributes.name = 'x'", "creation_time = 'x'"]
if SUFFIX:
    exp_filters = [f.replace('search-ref', 'search-ref' + SUFFIX) for f in exp_filters]
for f in exp_filters:
    for view in ['ACTIVE_ONLY', 'ALL', 'DELETED_ONLY'] if f in ('', "name LIKE 'other%'") else ['ACTIVE_ONLY']:
        body = {'filter': f, 'view_type': view, 'max_results': 100, 'order_by': ['name']}
        cases.append({'api': 'experiments', 'request': body, 'expected': exp_search(body)})
for o in [['name DESC'], ['experiment_id DESC'], ['name', 'experiment_id'], ['tags.owner'], ['foo'], ['name up']]:
    body = {'filter': "name LIKE '%ef%'", 'max_results': 100, 'order_by': o}
    cases.append({'api': 'experiments', 'request': body, 'expected': exp_search(body)})
token = None
for page in range(4):
    body = {'max_results': 2, 'order_by': ['name'], 'filter': "name ILIKE '%REF%'"}
    if token:
        body['page_token'] = token
    res = exp_search(body)
    cases.append({'api': 'experiments', 'request': body, 'expected': res})
    token = res.get('next_page_token')
    if not token:
        break
for mr in [None, 0, 50001]:
    body = {'filter': ''} if mr is None else {'max_results': mr}
    cases.append({'api': 'experiments', 'request': body, 'expected': exp_search(body)})

json.dump({'setup': setup, 'cases': cases}, sys.stdout, indent=1)
print()
