# clients: 3.5.1 2.12.1
# Model registry beyond stages: aliases (set, load models:/name@champion, get_model_version_by_alias,
# move, delete), registered-model and version tags, descriptions, rename, search_registered_models and
# search_model_versions (filters, order, paging), delete version / model; 003's Optuna summary run
# (log_model(registered_model_name=f"{experiment_name}_best"), the trials driven by hand: no Optuna
# here); on 3.x, registering a logged model by its models:/<model_id> URI.
import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.model_selection import cross_val_score

import mlflow
import mlflow.sklearn
from mlflow import MlflowClient

import mlcheck as t

client = MlflowClient()
X, y = make_classification(n_samples=300, n_features=8, random_state=5)

with t.step("003 run_hyperparameter_search summary (registered_model_name)"):
    experiment_name = "churn_model_optimization"
    mlflow.set_experiment(experiment_name)
    trials = []
    for params in ({"n_estimators": 20, "max_depth": 2}, {"n_estimators": 40, "max_depth": 3}):
        score = cross_val_score(GradientBoostingClassifier(**params, random_state=42), X, y, cv=3, scoring="f1").mean()
        trials.append((score, params))
    best_value, best_params = max(trials, key=lambda tr: tr[0])
    with mlflow.start_run(run_name="optimization_summary") as run:
        mlflow.log_params(best_params)
        mlflow.log_metrics({"best_f1_score": best_value, "n_trials": len(trials)})
        best_model = GradientBoostingClassifier(**best_params, random_state=42)
        best_model.fit(X, y)
        mlflow.sklearn.log_model(best_model, "best_model", registered_model_name=f"{experiment_name}_best")
    name = f"{experiment_name}_best"
    mv = client.get_model_version(name, "1")
    t.eq(mv.run_id, run.info.run_id, "version 1 from the summary run")
    for _ in range(2):  # more versions of the same model, as repeated optimizations would add
        mlflow.register_model(f"runs:/{run.info.run_id}/best_model", name)
    t.eq(sorted(v.version for v in client.search_model_versions(f"name = '{name}'")), ["1", "2", "3"], "3 versions")

with t.step("aliases"):
    client.set_registered_model_alias(name, "champion", "2")
    client.set_registered_model_alias(name, "challenger", "3")
    champion = mlflow.pyfunc.load_model(f"models:/{name}@champion")
    t.ok(np.array_equal(champion.predict(X[:10]), best_model.predict(X[:10])), "load models:/name@champion")
    mv = client.get_model_version_by_alias(name, "champion")
    t.eq(mv.version, "2", "get_model_version_by_alias")
    t.eq(sorted(mv.aliases), ["champion"], "version lists its aliases")
    rm = client.get_registered_model(name)
    t.eq(dict(rm.aliases), {"champion": "2", "challenger": "3"}, "registered model lists aliases")
    client.set_registered_model_alias(name, "champion", "3")  # move the alias
    t.eq(client.get_model_version_by_alias(name, "champion").version, "3", "alias moved")
    t.eq(sorted(client.get_model_version(name, "3").aliases), ["challenger", "champion"], "two aliases on v3")
    t.eq(client.get_model_version(name, "2").aliases, [], "v2 lost it")
    client.delete_registered_model_alias(name, "challenger")
    t.eq(dict(client.get_registered_model(name).aliases), {"champion": "3"}, "delete alias")
    t.raises(lambda: client.get_model_version_by_alias(name, "challenger"), "deleted alias", "INVALID_PARAMETER_VALUE")
    try:
        mlflow.pyfunc.load_model(f"models:/{name}@nobody")
        t.fail("loading an unknown alias fails", "nothing raised")
    except Exception as e:  # noqa: BLE001
        print(f"unknown alias -> {type(e).__name__}")

with t.step("tags, descriptions, rename"):
    client.set_registered_model_tag(name, "task", "classification")
    client.set_registered_model_tag(name, "owner", "ml")
    client.delete_registered_model_tag(name, "owner")
    client.update_registered_model(name, description="Best churn model from HPO")
    client.set_model_version_tag(name, "3", "validated", "yes")
    client.set_model_version_tag(name, "3", "tmp", "x")
    client.delete_model_version_tag(name, "3", "tmp")
    rm = client.get_registered_model(name)
    t.eq((rm.tags, rm.description), ({"task": "classification"}, "Best churn model from HPO"), "model tags/description")
    t.eq(client.get_model_version(name, "3").tags, {"validated": "yes"}, "version tags")
    client.rename_registered_model(name, "churn-best")
    t.eq(client.get_registered_model("churn-best").name, "churn-best", "renamed")
    t.raises(lambda: client.get_registered_model(name), "old name gone", "RESOURCE_DOES_NOT_EXIST")
    t.eq(client.get_model_version("churn-best", "3").tags, {"validated": "yes"}, "versions follow the rename")
    t.eq(client.get_model_version_by_alias("churn-best", "champion").version, "3", "aliases follow the rename")
    m = mlflow.sklearn.load_model("models:/churn-best/1")
    t.ok(np.array_equal(m.predict(X[:10]), best_model.predict(X[:10])), "load by the new name")
    name = "churn-best"

with t.step("search_registered_models / search_model_versions"):
    for n in ("recsys-ranker", "recsys-retriever", "fraud-scorer"):
        client.create_registered_model(n, tags={"domain": n.split("-")[0]})
        client.create_model_version(n, f"runs:/{run.info.run_id}/best_model", run.info.run_id)
    names = lambda ms: [m.name for m in ms]  # noqa: E731
    t.eq(names(client.search_registered_models(filter_string="name LIKE 'recsys-%'", order_by=["name ASC"])), ["recsys-ranker", "recsys-retriever"], "name LIKE")
    t.eq(names(client.search_registered_models(filter_string="name = 'fraud-scorer'")), ["fraud-scorer"], "name =")
    t.eq(names(client.search_registered_models(filter_string="tags.domain = 'recsys'", order_by=["name DESC"])), ["recsys-retriever", "recsys-ranker"], "tag filter, DESC")
    t.eq(names(mlflow.search_registered_models(filter_string="name ILIKE 'CHURN%'")), ["churn-best"], "fluent + ILIKE")
    # paging within this script's models (other scripts register models on the same server)
    page = client.search_registered_models(filter_string="name LIKE 'recsys-%'", max_results=1, order_by=["name ASC"])
    t.ok(page.token, "a page token when more remain", repr(page.token))
    page2 = client.search_registered_models(
        filter_string="name LIKE 'recsys-%'", max_results=1, order_by=["name ASC"], page_token=page.token
    )
    t.eq(names(page) + names(page2), ["recsys-ranker", "recsys-retriever"], "paged, ordered")
    t.ok(not page2.token, "no token after the last page", repr(page2.token))
    by_run = client.search_model_versions(f"run_id = '{run.info.run_id}'")
    t.eq(len(by_run), 6, "search_model_versions by run_id")
    t.eq(sorted(v.version for v in client.search_model_versions(f"name = '{name}' AND tag.validated = 'yes'")), ["3"], "by version tag")
    t.eq([v.version for v in client.search_model_versions(f"name = '{name}'", order_by=["version_number DESC"], max_results=2)], ["3", "2"], "order_by version_number DESC + max_results")
    t.eq(len(client.search_model_versions("name LIKE 'recsys-%'")), 2, "versions by name LIKE")

with t.step("delete version / registered model"):
    client.delete_model_version(name, "1")
    t.eq(sorted(v.version for v in client.search_model_versions(f"name = '{name}'")), ["2", "3"], "version 1 deleted")
    client.delete_registered_model("fraud-scorer")
    t.raises(lambda: client.get_registered_model("fraud-scorer"), "deleted model", "RESOURCE_DOES_NOT_EXIST")
    t.eq(len(client.search_model_versions("name = 'fraud-scorer'")), 0, "its versions are gone too")

if t.MAJOR >= 3:
    with t.step("3.x: register a logged model by models:/<model_id>"):
        with mlflow.start_run() as run:
            info = mlflow.sklearn.log_model(best_model, name="gbm", pip_requirements=["scikit-learn"])
        mv = mlflow.register_model(info.model_uri, "gbm-from-logged-model")
        t.eq(mv.version, "1", "version 1")
        got = client.get_model_version("gbm-from-logged-model", "1")
        t.eq(got.source, info.model_uri, "the version's source is models:/<model_id>")
        t.eq(got.model_id, None, "model_id is not echoed on the version (mlflow server 3.5.1 leaves it unset)")
        t.eq(got.run_id, run.info.run_id, "and the source run")
        m = mlflow.pyfunc.load_model("models:/gbm-from-logged-model/1")
        t.ok(np.array_equal(m.predict(X[:10]), best_model.predict(X[:10])), "load the registered logged model")
        lm = mlflow.get_logged_model(info.model_id)
        t.ok(lm.model_id == info.model_id, "logged model still readable")

t.done()
