# clients: 3.5.1
# MLflow 3 logged models (3.x client only): log_model(name=...) with params/tags, metrics linked by
# model_id, get_logged_model, set_logged_model_tags, last_logged_model, search_logged_models (list and
# DataFrame, filters on name/metrics/tags, order_by, max_results), models:/<model_id> and
# runs:/<run>/<name> loading, run.outputs.model_outputs.
import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

import mlflow
import mlflow.sklearn
from mlflow import MlflowClient

import mlcheck as t

client = MlflowClient()

with t.step("log_model(name=) with params and tags, metrics linked by model_id"):
    mlflow.set_experiment("logged-models-demo")
    X, y = make_classification(n_samples=200, n_features=5, random_state=3)
    with mlflow.start_run(run_name="lm-run") as run:
        lr = LogisticRegression(max_iter=200).fit(X, y)
        model_info = mlflow.sklearn.log_model(lr, name="model", input_example=X[:3], params={"C": 1.0})
        mlflow.log_metric("accuracy", lr.score(X, y), model_id=model_info.model_id)
        rf = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
        # pip_requirements given: skips the client's slow requirements inference subprocess
        rf_info = mlflow.sklearn.log_model(rf, name="forest", tags={"kind": "tree"}, pip_requirements=["scikit-learn"])
        mlflow.log_metric("accuracy", rf.score(X, y) - 0.5, model_id=rf_info.model_id)
    exp_id = run.info.experiment_id
    t.ok(model_info.model_id and model_info.model_id.startswith("m-"), "model_id", repr(model_info.model_id))
    t.eq(model_info.model_uri, f"models:/{model_info.model_id}", "model_uri is models:/<model_id>")
    lm = mlflow.get_logged_model(model_info.model_id)
    t.eq(lm.name, "model", "name")
    t.eq(lm.source_run_id, run.info.run_id, "source_run_id")
    t.eq(lm.experiment_id, exp_id, "experiment_id")
    t.eq(str(lm.status), "READY", "status READY after upload")
    t.eq(lm.params, {"C": "1.0"}, "params given to log_model")
    t.eq([(m.key, m.value, m.run_id) for m in lm.metrics], [("accuracy", lr.score(X, y), run.info.run_id)], "linked metric")
    t.ok(lm.artifact_location, "artifact_location", repr(lm.artifact_location))
    t.ok(lm.creation_timestamp and lm.last_updated_timestamp >= lm.creation_timestamp, "timestamps", repr(lm))
    forest = mlflow.get_logged_model(rf_info.model_id)
    t.eq(forest.tags.get("kind"), "tree", "tags given to log_model")
    # log_model copies the run's step-0 metrics whose history has no model_id onto the new model: the
    # 'accuracy' logged for the first model comes back from get-history without model_id, so it is copied.
    t.eq(
        sorted(m.value for m in forest.metrics),
        sorted([lr.score(X, y), rf.score(X, y) - 0.5]),
        "the forest carries the copied run metric and its own",
    )
    r = client.get_run(run.info.run_id)
    outs = r.outputs.model_outputs if r.outputs else []
    t.eq(sorted(o.model_id for o in outs), sorted([model_info.model_id, rf_info.model_id]), "run.outputs.model_outputs")
    t.eq(r.data.metrics.get("accuracy"), rf.score(X, y) - 0.5, "the run's latest accuracy")

with t.step("tags, last_logged_model, loading"):
    mlflow.set_logged_model_tags(model_info.model_id, {"stage": "candidate", "owner": "ml"})
    t.eq(mlflow.get_logged_model(model_info.model_id).tags.get("stage"), "candidate", "set_logged_model_tags")
    client.delete_logged_model_tag(model_info.model_id, "owner")
    t.ok("owner" not in mlflow.get_logged_model(model_info.model_id).tags, "delete_logged_model_tag")
    t.eq(mlflow.last_logged_model().model_id, rf_info.model_id, "last_logged_model")
    pyf = mlflow.pyfunc.load_model(model_info.model_uri)
    t.ok(np.array_equal(pyf.predict(X), lr.predict(X)), "pyfunc load models:/<model_id>")
    sk = mlflow.sklearn.load_model(f"runs:/{run.info.run_id}/forest")
    t.ok(np.array_equal(sk.predict(X), rf.predict(X)), "runs:/<run>/<name> still resolves to the logged model")
    files = [a.path for a in client.list_logged_model_artifacts(model_info.model_id)]
    t.ok("MLmodel" in files and "model.pkl" in files, "list_logged_model_artifacts", str(files))
    t.raises(lambda: mlflow.get_logged_model("m-00000000000000000000000000000000"), "unknown model_id", "RESOURCE_DOES_NOT_EXIST")

with t.step("search_logged_models"):
    found = mlflow.search_logged_models(experiment_ids=[exp_id], output_format="list")
    t.eq(sorted(m.name for m in found), ["forest", "model"], "list output")
    df = mlflow.search_logged_models(experiment_ids=[exp_id])
    t.eq(len(df), 2, "DataFrame rows")
    t.ok("model_id" in df.columns, "DataFrame has model_id", str(list(df.columns)))
    byname = mlflow.search_logged_models(experiment_ids=[exp_id], filter_string="name = 'forest'", output_format="list")
    t.eq([m.model_id for m in byname], [rf_info.model_id], "filter name =")
    low = mlflow.search_logged_models(experiment_ids=[exp_id], filter_string="metrics.accuracy < 0.7", output_format="list")
    t.eq([m.model_id for m in low], [rf_info.model_id], "filter on a linked metric")
    ordered = mlflow.search_logged_models(
        experiment_ids=[exp_id], order_by=[{"field_name": "creation_time", "ascending": True}], output_format="list"
    )
    t.eq([m.name for m in ordered], ["model", "forest"], "order_by creation_time ascending")
    ordered = mlflow.search_logged_models(
        experiment_ids=[exp_id], order_by=[{"field_name": "creation_time", "ascending": False}], output_format="list"
    )
    t.eq([m.name for m in ordered], ["forest", "model"], "order_by creation_time descending")
    tagged = mlflow.search_logged_models(experiment_ids=[exp_id], filter_string="tags.kind = 'tree'", output_format="list")
    t.eq([m.name for m in tagged], ["forest"], "filter on a tag")
    withparam = mlflow.search_logged_models(experiment_ids=[exp_id], filter_string="params.C = '1.0'", output_format="list")
    t.eq([m.name for m in withparam], ["model"], "filter on a param")
    one = mlflow.search_logged_models(experiment_ids=[exp_id], max_results=1, output_format="list")
    t.eq(len(one), 1, "max_results=1")
    page = client.search_logged_models(experiment_ids=[exp_id], max_results=1)
    t.ok(page.token, "MlflowClient.search_logged_models page token", repr(page.token))
    page2 = client.search_logged_models(experiment_ids=[exp_id], max_results=1, page_token=page.token)
    t.eq(
        sorted([page[0].model_id, page2[0].model_id]), sorted([model_info.model_id, rf_info.model_id]), "two pages"
    )

with t.step("delete_logged_model"):
    client.delete_logged_model(rf_info.model_id)
    left = mlflow.search_logged_models(experiment_ids=[exp_id], output_format="list")
    t.eq([m.name for m in left], ["model"], "deleted model no longer searched")

t.done()
