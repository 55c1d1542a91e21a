# clients: 3.5.1
# Nested runs: 001 run_organization.py hyperparameter search (3 child trials), 004 nested_runs.py
# (parent -> 3 configs -> 5 CV folds each), and 000's Optuna pattern (trials as nested runs under a
# "hyperparameter_optimization" parent). Optuna and XGBoost are not installed here: the trial loop is
# driven by hand with a sklearn regressor, the MLflow calls are the guide's.
import inspect

import numpy as np
from sklearn.datasets import load_diabetes, load_iris
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import KFold, train_test_split

import mlflow
from mlflow import MlflowClient

import mlcheck as t

client = MlflowClient()


def children_of(run_id, experiment_id):
    return client.search_runs([experiment_id], filter_string=f"tags.mlflow.parentRunId = '{run_id}'")


with t.step("001 hyperparam-search with nested trials"):
    mlflow.set_experiment("organized-runs-nested")  # test_tracking_basics logs the first half of this guide script
    with mlflow.start_run(run_name="hyperparam-search") as parent_run:
        mlflow.set_tag("run_type", "hyperparameter_search")
        for trial, (n_est, depth) in enumerate([(50, 5), (100, 10), (200, 15)]):
            with mlflow.start_run(run_name=f"trial-{trial}", nested=True) as child:
                mlflow.log_params({"n_estimators": n_est, "max_depth": depth})
                accuracy = 0.80 + (n_est / 1000) + (depth / 100)
                mlflow.log_metric("accuracy", min(accuracy, 0.95))
                mlflow.set_tag("trial_number", trial)
                t.eq(mlflow.active_run().info.run_id, child.info.run_id, "the child is the active run")
            t.eq(mlflow.active_run().info.run_id, parent_run.info.run_id, "parent active again after the child")
        print(f"Parent run ID: {parent_run.info.run_id}")
    exp_id = parent_run.info.experiment_id
    kids = children_of(parent_run.info.run_id, exp_id)
    t.eq(sorted(r.info.run_name for r in kids), ["trial-0", "trial-1", "trial-2"], "three children by parent tag")
    for r in kids:
        t.eq(r.data.tags.get("mlflow.parentRunId"), parent_run.info.run_id, f"{r.info.run_name} parent tag")
        t.eq(r.info.status, "FINISHED", f"{r.info.run_name} finished")
    trial2 = next(r for r in kids if r.info.run_name == "trial-2")
    t.eq(trial2.data.metrics["accuracy"], 0.95, "min(accuracy, 0.95)")
    t.eq(trial2.data.tags.get("trial_number"), "2", "int tag stringified")
    parent = client.get_run(parent_run.info.run_id)
    t.ok("mlflow.parentRunId" not in parent.data.tags, "the parent has no parent tag")
    t.eq(parent.data.tags.get("run_type"), "hyperparameter_search", "parent tag")
    roots = client.search_runs([exp_id], filter_string="tags.run_type = 'hyperparameter_search'")
    t.eq([r.info.run_id for r in roots], [parent_run.info.run_id], "filter the parent by its own tag")

with t.step("004 nested_runs.py (parent -> configs -> folds)"):
    mlflow.set_experiment("nested_cv_experiment")
    iris = load_iris()
    X, y = iris.data, iris.target
    n_estimators_options = [50, 100, 200]
    kf = KFold(n_splits=5, shuffle=True, random_state=42)
    with mlflow.start_run(run_name="hyperparameter_search") as parent_run:
        mlflow.set_tag("run_type", "hyperparameter_search")
        mlflow.log_param("cv_folds", 5)
        mlflow.log_param("n_estimators_options", n_estimators_options)
        best_accuracy = 0
        best_n_estimators = None
        config_runs = {}
        for n_estimators in n_estimators_options:
            with mlflow.start_run(run_name=f"n_estimators_{n_estimators}", nested=True) as child_run:
                config_runs[n_estimators] = child_run.info.run_id
                mlflow.log_param("n_estimators", n_estimators)
                fold_accuracies = []
                for fold_idx, (train_idx, val_idx) in enumerate(kf.split(X)):
                    with mlflow.start_run(run_name=f"fold_{fold_idx}", nested=True):
                        X_train, X_val = X[train_idx], X[val_idx]
                        y_train, y_val = y[train_idx], y[val_idx]
                        model = RandomForestClassifier(n_estimators=n_estimators, random_state=42)
                        model.fit(X_train, y_train)
                        accuracy = accuracy_score(y_val, model.predict(X_val))
                        fold_accuracies.append(accuracy)
                        mlflow.log_metric("fold_accuracy", accuracy)
                mean_accuracy = np.mean(fold_accuracies)
                std_accuracy = np.std(fold_accuracies)
                mlflow.log_metric("mean_cv_accuracy", mean_accuracy)
                mlflow.log_metric("std_cv_accuracy", std_accuracy)
                if mean_accuracy > best_accuracy:
                    best_accuracy = mean_accuracy
                    best_n_estimators = n_estimators
        mlflow.log_metric("best_cv_accuracy", best_accuracy)
        mlflow.log_param("best_n_estimators", best_n_estimators)
        print(f"Best n_estimators: {best_n_estimators}")
        print(f"Best CV accuracy: {best_accuracy:.4f}")
    exp_id = parent_run.info.experiment_id
    all_runs = mlflow.search_runs([exp_id])
    t.eq(len(all_runs), 1 + 3 + 15, "19 runs in the experiment")
    configs = children_of(parent_run.info.run_id, exp_id)
    t.eq(sorted(r.info.run_name for r in configs), ["n_estimators_100", "n_estimators_200", "n_estimators_50"], "configs")
    for n, run_id in config_runs.items():
        folds = children_of(run_id, exp_id)
        t.eq(sorted(r.info.run_name for r in folds), [f"fold_{i}" for i in range(5)], f"5 folds under n_estimators_{n}")
        mean = np.mean([r.data.metrics["fold_accuracy"] for r in folds])
        t.approx(client.get_run(run_id).data.metrics["mean_cv_accuracy"], mean, f"mean_cv_accuracy of {n}")
    p = client.get_run(parent_run.info.run_id)
    t.eq(p.data.params["n_estimators_options"], "[50, 100, 200]", "list param stringified")
    t.eq(p.data.params["best_n_estimators"], str(best_n_estimators), "best param")
    t.approx(p.data.metrics["best_cv_accuracy"], best_accuracy, "best metric")
    df = mlflow.search_runs([exp_id], filter_string="tags.mlflow.runName LIKE 'fold_%'")
    t.eq(len(df), 15, "LIKE on the run-name tag finds the 15 folds")
    t.ok("tags.mlflow.parentRunId" in df.columns, "parentRunId column in the DataFrame", str(list(df.columns)))

with t.step("000 optimize_with_mlflow pattern (trials as nested runs)"):
    X, y = load_diabetes(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0)
    rng = np.random.default_rng(7)

    def optimize_with_mlflow(trial_number, X_train, y_train, X_val, y_val):
        with mlflow.start_run(nested=True):
            params = {
                "n_estimators": int(rng.integers(20, 60)),
                "max_depth": int(rng.integers(2, 5)),
                "learning_rate": float(rng.uniform(0.01, 0.3)),
            }
            mlflow.log_params(params)
            mlflow.log_param("trial_number", trial_number)
            model = GradientBoostingRegressor(**params, random_state=0)
            model.fit(X_train, y_train)
            val_score = model.score(X_val, y_val)
            mlflow.log_metric("val_score", val_score)
            return val_score, params

    mlflow.set_experiment("hyperparameter_optimization_demo")
    with mlflow.start_run(run_name="hyperparameter_optimization") as parent_run:
        trials = [optimize_with_mlflow(i, X_train, y_train, X_val, y_val) for i in range(4)]
        best_value, best_params = max(trials, key=lambda tr: tr[0])
        mlflow.log_params(best_params)
        mlflow.log_metric("best_score", best_value)
    kids = children_of(parent_run.info.run_id, parent_run.info.experiment_id)
    t.eq(len(kids), 4, "4 trial runs")
    t.ok(all(r.info.run_name for r in kids), "nested runs without run_name get generated names")
    t.eq(
        sorted(r.data.params["trial_number"] for r in kids), ["0", "1", "2", "3"], "trial_number params on the children"
    )
    best = client.search_runs(
        [parent_run.info.experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{parent_run.info.run_id}'",
        order_by=["metrics.val_score DESC"],
        max_results=1,
    )[0]
    t.approx(best.data.metrics["val_score"], best_value, "best child by order_by metrics DESC")
    t.eq(client.get_run(parent_run.info.run_id).data.params, {k: str(v) for k, v in best_params.items()}, "best params on parent")

with t.step("start_run(nested=False) while a run is active is refused"):
    with mlflow.start_run():
        try:
            mlflow.start_run()
            t.fail("second top-level start_run", "nothing raised")
        except Exception as e:  # noqa: BLE001 - the client refuses it with a plain Exception
            t.contains(str(e), "already active", "second top-level start_run refused")
    t.ok(mlflow.active_run() is None, "nothing left active")

with t.step("start_run(tags=, description=) and resuming a run by id"):
    with mlflow.start_run(run_name="outer", tags={"team": "ml"}, description="outer run") as outer:
        pass
    r = client.get_run(outer.info.run_id)
    t.eq(r.data.tags.get("team"), "ml", "start_run tags=")
    t.eq(r.data.tags.get("mlflow.note.content"), "outer run", "start_run description= is the note tag")
    with mlflow.start_run(run_id=outer.info.run_id):
        mlflow.log_metric("resumed", 1.0)
        with mlflow.start_run(run_name="inner", nested=True) as inner:
            pass
    t.eq(client.get_run(outer.info.run_id).data.metrics.get("resumed"), 1.0, "start_run(run_id=) resumes")
    t.eq(client.get_run(inner.info.run_id).data.tags.get("mlflow.parentRunId"), outer.info.run_id, "nested in a resumed run")
    if "parent_run_id" in inspect.signature(mlflow.start_run).parameters:  # 3.x only
        with mlflow.start_run(run_name="attached-later", parent_run_id=outer.info.run_id) as attached:
            pass
        t.eq(
            client.get_run(attached.info.run_id).data.tags.get("mlflow.parentRunId"),
            outer.info.run_id,
            "parent_run_id= sets the tag",
        )

t.done()
