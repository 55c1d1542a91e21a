# clients: 3.5.1 2.12.1
# Querying runs: 001 comparison_demo.py + query_runs.py + best_run.py + export_runs.py, 004 tagging.py
# and its tag search, 000 find_best_runs / compare_experiments, 003 ExperimentAnalyzer (find_best_model,
# compare_models, plot_metric_history, hyperparameter_importance); then filters on metrics/params/tags/
# attributes/datasets, order_by, max_results, MlflowClient.search_runs paging, view types, pandas shape.
import random
import time
from typing import Dict, List, Optional

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import ViewType  # noqa: E402

import mlcheck as t  # noqa: E402

client = MlflowClient()
random.seed(1234)
logged = {}  # run_id -> (config, metrics)

with t.step("001 comparison_demo.py"):
    mlflow.set_experiment("model-comparison")
    configurations = [
        {"model": "rf", "n_estimators": 100, "max_depth": 10},
        {"model": "rf", "n_estimators": 200, "max_depth": 15},
        {"model": "rf", "n_estimators": 300, "max_depth": 20},
        {"model": "xgb", "n_estimators": 100, "learning_rate": 0.1},
        {"model": "xgb", "n_estimators": 200, "learning_rate": 0.05},
        {"model": "xgb", "n_estimators": 300, "learning_rate": 0.01},
    ]
    for config in configurations:
        with mlflow.start_run(run_name=f"{config['model']}-{config['n_estimators']}") as run:
            mlflow.log_params(config)
            base_accuracy = 0.85 + (config["n_estimators"] / 3000)
            noise = random.uniform(-0.02, 0.02)
            metrics = {
                "accuracy": min(base_accuracy + noise, 0.98),
                "precision": min(base_accuracy + noise - 0.01, 0.97),
                "recall": min(base_accuracy + noise - 0.02, 0.96),
                "training_time": config["n_estimators"] * 0.5 + random.uniform(0, 10),
            }
            mlflow.log_metrics(metrics)
            mlflow.set_tag("model_type", config["model"])
            logged[run.info.run_id] = (config, metrics)
        time.sleep(0.005)  # distinct start times for the start_time ordering checks
    print("Created 6 runs for comparison - open MLflow UI to view")
    experiment = client.get_experiment_by_name("model-comparison")
    exp_id = experiment.experiment_id

    def expect(pred, key=None, reverse=False):
        ids = [rid for rid, (c, m) in logged.items() if pred(c, m)]
        if key:
            ids.sort(key=lambda rid: key(*logged[rid]), reverse=reverse)
        return ids

with t.step("001 query_runs.py"):
    runs = client.search_runs(
        experiment_ids=[experiment.experiment_id],
        filter_string="metrics.accuracy > 0.85 AND params.model = 'rf'",
        order_by=["metrics.accuracy DESC"],
        max_results=10,
    )
    print(f"Found {len(runs)} runs matching criteria:\n")
    for run in runs:
        print(f"Run ID: {run.info.run_id[:8]}...")
        print(f"  Accuracy: {run.data.metrics.get('accuracy', 'N/A'):.4f}")
        print(f"  Model: {run.data.params.get('model', 'N/A')}")
        print(f"  Estimators: {run.data.params.get('n_estimators', 'N/A')}")
    t.eq(
        [r.info.run_id for r in runs],
        expect(lambda c, m: m["accuracy"] > 0.85 and c["model"] == "rf", key=lambda c, m: m["accuracy"], reverse=True),
        "filter + order_by metrics DESC",
    )

with t.step("001 best_run.py"):
    best_runs = client.search_runs(
        experiment_ids=[experiment.experiment_id], filter_string="", order_by=["metrics.accuracy DESC"], max_results=1
    )
    best_run = best_runs[0]
    print(f"  Run ID: {best_run.info.run_id}")
    print(f"  Accuracy: {best_run.data.metrics['accuracy']:.4f}")
    print(f"  Parameters: {best_run.data.params}")
    t.eq(len(best_runs), 1, "max_results=1")
    t.eq(best_run.info.run_id, expect(lambda c, m: True, key=lambda c, m: m["accuracy"], reverse=True)[0], "the best")
    t.eq(best_run.data.params, {k: str(v) for k, v in logged[best_run.info.run_id][0].items()}, "its params")

with t.step("001 export_runs.py"):
    experiment = mlflow.get_experiment_by_name("model-comparison")
    runs_df = mlflow.search_runs(experiment_ids=[experiment.experiment_id], filter_string="", output_format="pandas")
    columns = ["run_id", "params.model", "params.n_estimators", "metrics.accuracy", "metrics.training_time", "start_time"]
    available_cols = [c for c in columns if c in runs_df.columns]
    summary_df = runs_df[available_cols]
    print(summary_df.to_string(index=False))
    summary_df.to_csv("runs_summary.csv", index=False)
    t.eq(available_cols, columns, "all the guide's columns exist")
    t.eq(len(runs_df), 6, "six rows")
    t.eq(
        list(runs_df["run_id"]),
        sorted(logged, key=lambda rid: client.get_run(rid).info.start_time, reverse=True),
        "default order: start_time DESC",
    )
    for col in ("experiment_id", "status", "artifact_uri", "end_time", "tags.mlflow.runName", "tags.model_type", "params.learning_rate", "metrics.recall"):
        t.contains(list(runs_df.columns), col, f"column {col}")
    t.eq(str(runs_df["start_time"].dtype), "datetime64[ns, UTC]", "start_time is a UTC datetime")
    t.eq(str(runs_df["metrics.accuracy"].dtype), "float64", "metric column is float")
    t.eq(int(runs_df["params.learning_rate"].isna().sum()), 3, "missing params are NaN/None")
    t.eq(set(runs_df["status"]), {"FINISHED"}, "status column")
    t.eq(len(pd.read_csv("runs_summary.csv")), 6, "CSV written")

with t.step("004 tagging.py + tag search"):
    mlflow.set_experiment("tagged_experiments")
    X, y = make_classification(n_samples=1000, n_features=20, random_state=42)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)

    def run_experiment(model_name, developer, phase, **model_params):
        with mlflow.start_run(run_name=f"{model_name}_{phase}"):
            mlflow.set_tag("mlflow.runName", f"{model_name}_{phase}")
            mlflow.set_tag("developer", developer)
            mlflow.set_tag("phase", phase)
            mlflow.set_tag("model_type", model_name)
            mlflow.set_tag("environment", "development")
            mlflow.set_tag("dataset", "synthetic_classification")
            for param, value in model_params.items():
                mlflow.log_param(param, value)
            model = LogisticRegression(**model_params)
            model.fit(X_train, y_train)
            train_score = model.score(X_train, y_train)
            test_score = model.score(X_test, y_test)
            mlflow.log_metric("train_accuracy", train_score)
            mlflow.log_metric("test_accuracy", test_score)
            return test_score

    run_experiment("logistic_regression", "alice", "baseline", C=1.0, max_iter=100)
    tuning_score = run_experiment("logistic_regression", "alice", "tuning", C=0.1, max_iter=200)
    run_experiment("logistic_regression", "bob", "validation", C=0.5, max_iter=150)
    runs = mlflow.search_runs(
        experiment_names=["tagged_experiments"], filter_string="tags.phase = 'tuning' AND tags.developer = 'alice'"
    )
    print(runs[["run_id", "metrics.test_accuracy", "params.C"]])
    t.eq(list(runs["params.C"]), ["0.1"], "one run: alice/tuning")
    t.eq(list(runs["metrics.test_accuracy"]), [tuning_score], "its test_accuracy")
    t.eq(list(runs["tags.mlflow.runName"]), ["logistic_regression_tuning"], "its name")
    bob = mlflow.search_runs(experiment_names=["tagged_experiments"], filter_string="tags.developer != 'alice'")
    t.eq(list(bob["tags.phase"]), ["validation"], "tag !=")

with t.step("000 find_best_runs + compare_experiments"):
    for exp_name, scores in (("churn-rf", [0.91, 0.78, 0.86, 0.83]), ("churn-gbm", [0.88, 0.93, 0.81])):
        mlflow.set_experiment(exp_name)
        for i, s in enumerate(scores):
            with mlflow.start_run(run_name=f"{exp_name}-{i}"):
                mlflow.log_metric("val_score", s)
                mlflow.set_tag("status", "completed" if i != 1 else "failed-validation")

    def find_best_runs(experiment_id: str, metric_name: str, max_results: int = 10):
        runs = mlflow.search_runs(
            experiment_ids=[experiment_id],
            filter_string=f"metrics.{metric_name} > 0.8 and tags.status = 'completed'",
            order_by=[f"metrics.{metric_name} DESC"],
            max_results=max_results,
        )
        return runs

    def compare_experiments(experiment_names: list):
        all_runs = []
        for exp_name in experiment_names:
            exp = mlflow.get_experiment_by_name(exp_name)
            runs = mlflow.search_runs([exp.experiment_id])
            runs["experiment_name"] = exp_name
            all_runs.append(runs)
        comparison_df = pd.concat(all_runs, ignore_index=True)
        return comparison_df.groupby("experiment_name").agg({"metrics.val_score": ["mean", "max", "std"]})

    best = find_best_runs(mlflow.get_experiment_by_name("churn-rf").experiment_id, "val_score", max_results=2)
    t.eq(list(best["metrics.val_score"]), [0.91, 0.86], "lower-case 'and', order, max_results")
    cmp = compare_experiments(["churn-rf", "churn-gbm"])
    t.eq(round(float(cmp.loc["churn-gbm", ("metrics.val_score", "max")]), 6), 0.93, "groupby max")
    t.eq(round(float(cmp.loc["churn-rf", ("metrics.val_score", "mean")]), 6), round((0.91 + 0.78 + 0.86 + 0.83) / 4, 6), "mean")

with t.step("003 ExperimentAnalyzer"):

    class ExperimentAnalyzer:
        def __init__(self, tracking_uri: str = mlflow.get_tracking_uri()):
            mlflow.set_tracking_uri(tracking_uri)
            self.client = MlflowClient()

        def get_experiment_runs(self, experiment_name: str, filter_string: Optional[str] = None, max_results: int = 1000):
            experiment = mlflow.get_experiment_by_name(experiment_name)
            return mlflow.search_runs(
                experiment_ids=[experiment.experiment_id], filter_string=filter_string, max_results=max_results
            )

        def find_best_model(self, experiment_name: str, metric: str, ascending: bool = False) -> Dict:
            runs = self.get_experiment_runs(experiment_name)
            metric_col = f"metrics.{metric}"
            if metric_col not in runs.columns:
                raise ValueError(f"Metric {metric} not found")
            runs_sorted = runs.sort_values(metric_col, ascending=ascending)
            best_run = runs_sorted.iloc[0]
            return {
                "run_id": best_run["run_id"],
                "metric_value": best_run[metric_col],
                "params": {k.replace("params.", ""): v for k, v in best_run.items() if k.startswith("params.")},
                "all_metrics": {k.replace("metrics.", ""): v for k, v in best_run.items() if k.startswith("metrics.")},
            }

        def compare_models(self, experiment_name: str, metrics: List[str], group_by: Optional[str] = None):
            runs = self.get_experiment_runs(experiment_name)
            metric_cols = [f"metrics.{m}" for m in metrics]
            cols = ["run_id", "tags.mlflow.runName"] + metric_cols
            if group_by:
                cols.append(f"params.{group_by}")
            comparison = runs[cols].copy()
            comparison.columns = [c.split(".")[-1] for c in comparison.columns]
            return comparison

        def plot_metric_history(self, run_id: str, metric: str) -> plt.Figure:
            history = self.client.get_metric_history(run_id, metric)
            steps = [h.step for h in history]
            values = [h.value for h in history]
            fig, ax = plt.subplots(figsize=(10, 6))
            ax.plot(steps, values, marker="o")
            ax.set_xlabel("Step")
            ax.set_ylabel(metric)
            ax.set_title(f"{metric} over training")
            ax.grid(True)
            return fig

        def hyperparameter_importance(self, experiment_name: str, target_metric: str, params: List[str]):
            runs = self.get_experiment_runs(experiment_name)
            param_cols = [f"params.{p}" for p in params]
            metric_col = f"metrics.{target_metric}"
            correlations = {}
            for param in param_cols:
                if param in runs.columns:
                    numeric_param = pd.to_numeric(runs[param], errors="coerce")
                    if not numeric_param.isna().all():
                        corr = numeric_param.corr(runs[metric_col])
                        correlations[param.replace("params.", "")] = corr
            return pd.DataFrame(
                {"parameter": list(correlations.keys()), "correlation": list(correlations.values())}
            ).sort_values("correlation", key=abs, ascending=False)

    mlflow.set_experiment("customer_churn_prediction")
    churn = {}
    for i, (mtype, n_est, depth) in enumerate([("rf", 100, 4), ("rf", 300, 8), ("gbm", 200, 3), ("gbm", 50, 2)]):
        with mlflow.start_run(run_name=f"{mtype}-{i}") as run:
            mlflow.log_params({"model.type": mtype, "n_estimators": n_est, "max_depth": depth})
            for step in range(3):
                mlflow.log_metric("f1_score", 0.6 + depth / 40 + step / 100, step=step)
            mlflow.log_metrics({"accuracy": 0.7 + n_est / 2000, "precision": 0.8, "recall": 0.7 + depth / 100})
            churn[run.info.run_id] = (0.6 + depth / 40 + 0.02, depth)
    analyzer = ExperimentAnalyzer()
    best = analyzer.find_best_model(experiment_name="customer_churn_prediction", metric="f1_score", ascending=False)
    print(f"Best run: {best['run_id']}, F1: {best['metric_value']:.4f}")
    t.eq(best["run_id"], max(churn, key=lambda r: churn[r][0]), "find_best_model")
    t.eq(best["params"]["model.type"], "rf", "dotted param key survives the DataFrame")
    comparison = analyzer.compare_models(
        experiment_name="customer_churn_prediction",
        metrics=["accuracy", "f1_score", "precision", "recall"],
        group_by="model.type",
    )
    print(comparison.head(10))
    t.eq(list(comparison.columns), ["run_id", "runName", "accuracy", "f1_score", "precision", "recall", "type"], "columns")
    t.eq(sorted(comparison["type"]), ["gbm", "gbm", "rf", "rf"], "group_by column")
    fig = analyzer.plot_metric_history(best["run_id"], "f1_score")
    t.eq(list(fig.axes[0].lines[0].get_xdata()), [0, 1, 2], "metric history steps plotted")
    plt.close(fig)
    imp = analyzer.hyperparameter_importance("customer_churn_prediction", "f1_score", ["n_estimators", "max_depth"])
    t.eq(imp.iloc[0]["parameter"], "max_depth", "max_depth drives f1 (correlation 1)")

with t.step("filters: metrics, params, tags, attributes, datasets"):

    def ids(filter_string, **kw):
        try:
            return sorted(r.info.run_id for r in client.search_runs([exp_id], filter_string=filter_string, **kw))
        except mlflow.exceptions.MlflowException as e:  # one bad filter fails its own check only
            return f"{e.error_code}: {e.message}"

    def want(pred):
        return sorted(expect(pred))

    t.eq(ids("metrics.training_time <= 100"), want(lambda c, m: m["training_time"] <= 100), "metrics <=")
    t.eq(ids("metrics.accuracy >= 0.9"), want(lambda c, m: m["accuracy"] >= 0.9), "metrics >=")
    t.eq(ids("metrics.precision != 0.5"), want(lambda c, m: True), "metrics !=")
    t.eq(ids("params.model != 'rf'"), want(lambda c, m: c["model"] != "rf"), "params !=")
    # IN is for run_id (and datasets) only: mlflow server rejects it on params
    bad_in = ids("params.n_estimators IN ('100', '300')")
    t.ok(isinstance(bad_in, str) and bad_in.startswith("INVALID_PARAMETER_VALUE") and "quoted string" in bad_in, "params IN rejected", repr(bad_in))
    t.eq(ids("params.learning_rate = '0.05'"), want(lambda c, m: c.get("learning_rate") == 0.05), "param only some runs have")
    t.eq(ids("tags.model_type LIKE 'x%'"), want(lambda c, m: c["model"] == "xgb"), "tags LIKE")
    t.eq(ids("tags.model_type ILIKE 'XG%'"), want(lambda c, m: c["model"] == "xgb"), "tags ILIKE")
    t.eq(ids("tags.`mlflow.runName` = 'rf-200'"), want(lambda c, m: c["model"] == "rf" and c["n_estimators"] == 200), "backquoted tag key")
    t.eq(ids("attributes.run_name = 'xgb-300'"), want(lambda c, m: c["model"] == "xgb" and c["n_estimators"] == 300), "run_name =")
    t.eq(ids("run_name LIKE 'rf-%'"), want(lambda c, m: c["model"] == "rf"), "run_name LIKE without prefix")
    t.eq(ids("attributes.status = 'FINISHED'"), want(lambda c, m: True), "status")
    t.eq(ids("attributes.status != 'FINISHED'"), [], "status !=")
    some = list(logged)[:2]
    t.eq(ids(f"attributes.run_id IN ('{some[0]}', '{some[1]}')"), sorted(some), "run_id IN")
    starts = sorted(client.get_run(r).info.start_time for r in logged)
    t.eq(len(ids(f"attributes.start_time > {starts[2]}")), 3, "start_time >")
    t.eq(ids("params.model = 'rf' and metrics.accuracy > 0 and tags.model_type = 'rf'"), want(lambda c, m: c["model"] == "rf"), "three clauses")
    t.raises(lambda: client.search_runs([exp_id], filter_string="metrics.accuracy >> 1"), "bad filter", "INVALID_PARAMETER_VALUE")
    t.raises(lambda: client.search_runs([exp_id], filter_string="nonsense.key = 'x'"), "bad entity", "INVALID_PARAMETER_VALUE")
    with mlflow.start_run(experiment_id=exp_id, run_name="with-dataset") as dr:
        mlflow.log_input(mlflow.data.from_pandas(pd.DataFrame({"a": [1, 2]}), name="tiny"), context="training")
    t.eq(ids("datasets.name = 'tiny'"), [dr.info.run_id], "datasets.name")
    t.eq(ids("datasets.context = 'training'"), [dr.info.run_id], "datasets.context")
    client.delete_run(dr.info.run_id)

with t.step("order_by, max_results, paging, view types"):
    def ordered(order_by, **kw):
        return [r.info.run_id for r in client.search_runs([exp_id], order_by=order_by, **kw)]

    t.eq(ordered(["metrics.training_time ASC"]), expect(lambda c, m: True, key=lambda c, m: m["training_time"]), "metric ASC")
    t.eq(
        ordered(["params.model DESC", "metrics.accuracy ASC"]),
        sorted(logged, key=lambda r: (-ord(logged[r][0]["model"][0]), logged[r][1]["accuracy"])),
        "two keys",
    )
    t.eq(
        ordered(["attributes.start_time ASC"]),
        sorted(logged, key=lambda r: client.get_run(r).info.start_time),
        "start_time ASC",
    )
    t.eq(
        ordered(["params.learning_rate ASC"])[:3],
        expect(lambda c, m: "learning_rate" in c, key=lambda c, m: str(c["learning_rate"])),
        "runs without the param sort last",
    )
    t.eq(len(ordered(["attributes.run_name"], max_results=4)), 4, "max_results")
    collected, token, pages = [], None, 0
    while True:
        page = client.search_runs([exp_id], order_by=["metrics.accuracy DESC"], max_results=4, page_token=token)
        collected += [r.info.run_id for r in page]
        pages += 1
        token = page.token
        if not token or pages > 10:
            break
    t.eq(pages, 2, "6 runs in pages of 4 -> 2 pages")
    t.eq(collected, expect(lambda c, m: True, key=lambda c, m: m["accuracy"], reverse=True), "pages in order, complete")
    victim = collected[-1]
    client.delete_run(victim)
    t.ok(victim not in ordered(None), "deleted run hidden from ACTIVE_ONLY")
    t.eq(ordered(None, run_view_type=ViewType.DELETED_ONLY), sorted([victim, dr.info.run_id], key=lambda r: -client.get_run(r).info.start_time), "DELETED_ONLY")
    t.eq(len(ordered(None, run_view_type=ViewType.ALL)), 7, "ALL")
    client.restore_run(victim)
    t.contains(ordered(None), victim, "restored run back")
    both = mlflow.search_runs(
        experiment_ids=[exp_id, mlflow.get_experiment_by_name("tagged_experiments").experiment_id], output_format="list"
    )
    t.eq(len(both), 9, "two experiments at once, list output")
    t.ok(all(hasattr(r, "info") for r in both), "output_format='list' gives Run objects")
    names = mlflow.search_runs(experiment_names=["model-comparison", "churn-rf"], filter_string="metrics.val_score > 0.9")
    t.eq(list(names["metrics.val_score"]), [0.91], "experiment_names=")
    everywhere = mlflow.search_runs(search_all_experiments=True, filter_string="tags.developer = 'bob'")
    t.eq(len(everywhere), 1, "search_all_experiments=True")
    t.raises(lambda: client.search_runs([exp_id], max_results=50001), "max_results over 50000", "INVALID_PARAMETER_VALUE")
    empty = mlflow.search_runs([exp_id], filter_string="metrics.accuracy > 5")
    t.eq(len(empty), 0, "no match -> empty DataFrame")

t.done()
