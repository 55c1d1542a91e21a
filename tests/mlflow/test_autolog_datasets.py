# clients: 3.5.1 2.12.1
# timeout: 300
# Autologging: 001 autolog_sklearn.py (RandomForest, log_input_examples/signatures/models/datasets) and
# 004 autologging.py (GridSearchCV over GradientBoosting, no explicit run: parent + child runs,
# cv_results, best_* params). XGBoost and PyTorch Lightning autolog from 001 are not installed here.
# Datasets: mlflow.log_input(mlflow.data.from_pandas(df), context="training"), from_numpy, then
# run.inputs.dataset_inputs (name, digest, source, schema, context tag).
import json

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_diabetes, make_classification
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.model_selection import GridSearchCV, train_test_split

import mlflow
import mlflow.sklearn
from mlflow import MlflowClient

import mlcheck as t

client = MlflowClient()


def artifact_paths(run_id, path=None):
    out = []
    for a in client.list_artifacts(run_id, path):
        out += artifact_paths(run_id, a.path) if a.is_dir else [a.path]
    return out


with t.step("001 autolog_sklearn.py"):
    mlflow.sklearn.autolog(log_input_examples=True, log_model_signatures=True, log_models=True, log_datasets=True)
    mlflow.set_experiment("sklearn-autolog-demo")
    X, y = make_classification(n_samples=1000, n_features=20, random_state=42)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    with mlflow.start_run(run_name="autolog-rf") as run:
        model = RandomForestClassifier(n_estimators=100, max_depth=10)
        model.fit(X_train, y_train)
        print("Training complete - check MLflow UI for auto-logged data")
    r = client.get_run(run.info.run_id)
    t.eq((r.data.params.get("n_estimators"), r.data.params.get("max_depth")), ("100", "10"), "autologged params")
    t.ok(len(r.data.params) > 10, "all estimator params logged", str(len(r.data.params)))
    t.has_keys(
        r.data.metrics,
        ["training_accuracy_score", "training_f1_score", "training_precision_score", "training_recall_score", "training_log_loss"],
        "training metrics",
    )
    t.eq(r.data.tags.get("estimator_name"), "RandomForestClassifier", "estimator_name tag")
    t.eq(r.data.tags.get("estimator_class"), "sklearn.ensemble._forest.RandomForestClassifier", "estimator_class tag")
    t.eq(r.info.run_name, "autolog-rf", "run name kept")
    pyf = mlflow.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
    t.ok(np.array_equal(pyf.predict(X_test), model.predict(X_test)), "autologged model predicts the same")
    info = mlflow.models.get_model_info(f"runs:/{run.info.run_id}/model")
    t.ok(info.signature is not None, "signature logged")
    t.ok(info.saved_input_example_info is not None, "input example logged")
    dsi = r.inputs.dataset_inputs
    t.ok(len(dsi) >= 1, "log_datasets=True logs the training set", repr(dsi))
    ctx = [tg.value for d in dsi for tg in d.tags if tg.key == "mlflow.data.context"]
    t.contains(ctx, "train", "dataset context tag")
    if t.MAJOR >= 3:
        lms = mlflow.search_logged_models(experiment_ids=[run.info.experiment_id], output_format="list")
        t.eq([m.source_run_id for m in lms], [run.info.run_id], "3.x autolog logs a logged model for the run")
    mlflow.sklearn.autolog(disable=True)

with t.step("004 autologging.py (GridSearchCV, autolog starts the run)"):
    mlflow.sklearn.autolog()
    mlflow.set_experiment("autolog_example")
    data = load_breast_cancer()
    X_train, X_test, y_train, y_test = train_test_split(data.data, data.target, test_size=0.2, random_state=42)
    param_grid = {"n_estimators": [50, 100], "max_depth": [3, 5], "learning_rate": [0.01, 0.1]}
    clf = GridSearchCV(GradientBoostingClassifier(random_state=42), param_grid, cv=3, scoring="accuracy")
    clf.fit(X_train, y_train)
    print(f"Best parameters: {clf.best_params_}")
    print(f"Best CV score: {clf.best_score_:.4f}")
    print(f"Test score: {clf.score(X_test, y_test):.4f}")
    mlflow.sklearn.autolog(disable=True)
    t.ok(mlflow.active_run() is None, "autolog ended the run it started")
    exp = mlflow.get_experiment_by_name("autolog_example")
    runs = client.search_runs([exp.experiment_id], order_by=["attributes.start_time ASC"])
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    children = [r for r in runs if "mlflow.parentRunId" in r.data.tags]
    t.eq(len(parents), 1, "one parent run")
    parent = parents[0]
    t.eq(parent.info.status, "FINISHED", "parent finished")
    t.eq(len(children), 5, "max_tuning_runs=5 child runs")
    t.ok(all(c.data.tags["mlflow.parentRunId"] == parent.info.run_id for c in children), "children point at the parent")
    for k, v in clf.best_params_.items():
        t.eq(parent.data.params.get(f"best_{k}"), str(v), f"best_{k} param")
    t.approx(parent.data.metrics.get("best_cv_score"), clf.best_score_, "best_cv_score")
    t.eq(parent.data.tags.get("estimator_name"), "GridSearchCV", "estimator_name")
    files = artifact_paths(parent.info.run_id)
    t.contains(files, "cv_results.csv", "cv_results.csv artifact")
    t.ok(any(f.startswith("best_estimator/") for f in files) or t.MAJOR >= 3, "best_estimator model", str(files))
    cv = pd.read_csv(mlflow.artifacts.download_artifacts(run_id=parent.info.run_id, artifact_path="cv_results.csv"))
    t.eq(len(cv), 8, "8 grid points in cv_results.csv")
    best_child = client.search_runs(
        [exp.experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'",
        order_by=["metrics.mean_test_score DESC"],
        max_results=1,
    )[0]
    t.approx(best_child.data.metrics.get("mean_test_score"), clf.best_score_, "best child mean_test_score")

with t.step("datasets: log_input from_pandas / from_numpy"):
    mlflow.set_experiment("datasets-demo")
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    df = X.assign(target=y)
    train_ds = mlflow.data.from_pandas(df, source="https://data.example.com/diabetes.csv", name="diabetes-train", targets="target")
    eval_ds = mlflow.data.from_numpy(X.to_numpy()[:50], targets=y.to_numpy()[:50], name="diabetes-eval")
    with mlflow.start_run(run_name="with-datasets") as run:
        mlflow.log_input(mlflow.data.from_pandas(df), context="training")
        mlflow.log_input(train_ds, context="training", tags={"split": "train"})
        mlflow.log_input(eval_ds, context="evaluation")
        mlflow.log_input(train_ds, context="training", tags={"split": "train"})  # same again: no duplicate
        mlflow.log_metric("rmse", 53.2)
    r = client.get_run(run.info.run_id)
    dsi = r.inputs.dataset_inputs
    by_name = {d.dataset.name: d for d in dsi}
    t.eq(sorted((d.dataset.name, d.dataset.digest) for d in dsi), sorted([(d.name, d.digest) for d in (mlflow.data.from_pandas(df), train_ds, eval_ds)]), "three distinct dataset inputs")
    t.has_keys(by_name, ["diabetes-train", "diabetes-eval"], "named datasets")
    tr = by_name.get("diabetes-train")
    if tr:
        t.eq(tr.dataset.digest, train_ds.digest, "digest")
        t.eq(tr.dataset.source_type, train_ds.source._get_source_type(), "source_type")
        t.eq(json.loads(tr.dataset.source), json.loads(train_ds.source.to_json()), "source")
        t.eq(json.loads(tr.dataset.schema), json.loads(train_ds.to_dict()["schema"]), "schema")
        t.eq(json.loads(tr.dataset.profile), json.loads(train_ds.to_dict()["profile"]), "profile")
        tags = {tg.key: tg.value for tg in tr.tags}
        t.eq(tags, {"mlflow.data.context": "training", "split": "train"}, "input tags")
    ev = by_name.get("diabetes-eval")
    if ev:
        t.eq({tg.key: tg.value for tg in ev.tags}.get("mlflow.data.context"), "evaluation", "evaluation context")
        t.eq(ev.dataset.digest, eval_ds.digest, "numpy dataset digest")
    with mlflow.start_run(run_name="reuses-dataset") as run2:
        mlflow.log_input(train_ds, context="training")
    d2 = client.get_run(run2.info.run_id).inputs.dataset_inputs
    t.eq([(d.dataset.name, d.dataset.digest) for d in d2], [("diabetes-train", train_ds.digest)], "same dataset, other run")
    source = mlflow.data.get_source(tr) if tr else None
    t.eq(getattr(source, "url", None), "https://data.example.com/diabetes.csv", "get_source from a dataset input")

t.done()
