# clients: 3.5.1 2.12.1
# Parameters, metrics (steps, timestamps, batches), tags and run naming, as the guides log them:
# 001 basic/batch/step logging, run organization, naming conventions, reproducibility, CI integration;
# 004 basic epoch tracking and best practices; 003's ExperimentTracker class; 000's batch metric logging.
import os
import platform
import random
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Dict, Optional

import numpy as np
import pandas as pd

import mlflow
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag

import mlcheck as t

client = MlflowClient()


def history(run_id, key):
    return sorted(client.get_metric_history(run_id, key), key=lambda m: (m.step, m.timestamp))


with t.step("001 basic_logging.py"):
    mlflow.set_experiment("parameter-logging-demo")
    with mlflow.start_run(run_name="training-run-001") as run:
        mlflow.log_param("model_type", "random_forest")
        mlflow.log_param("n_estimators", 100)
        mlflow.log_param("max_depth", 10)
        mlflow.log_param("random_state", 42)
        mlflow.log_metric("train_accuracy", 0.92)
        mlflow.log_metric("val_accuracy", 0.89)
        mlflow.log_metric("train_loss", 0.15)
        mlflow.log_metric("val_loss", 0.22)
        t.eq(mlflow.active_run().info.run_id, run.info.run_id, "active_run inside the block")
    r = client.get_run(run.info.run_id)
    exp = mlflow.get_experiment_by_name("parameter-logging-demo")
    t.eq(r.info.experiment_id, exp.experiment_id, "run belongs to the experiment set_experiment created")
    t.eq(
        r.data.params,
        {"model_type": "random_forest", "n_estimators": "100", "max_depth": "10", "random_state": "42"},
        "params come back as strings",
    )
    t.eq(
        r.data.metrics,
        {"train_accuracy": 0.92, "val_accuracy": 0.89, "train_loss": 0.15, "val_loss": 0.22},
        "latest metrics",
    )
    t.eq(r.info.run_name, "training-run-001", "run_name")
    t.eq(r.data.tags.get("mlflow.runName"), "training-run-001", "mlflow.runName tag")
    t.eq(r.info.status, "FINISHED", "status after the with-block")
    t.eq(r.info.lifecycle_stage, "active", "lifecycle_stage")
    t.ok(r.info.end_time and r.info.end_time >= r.info.start_time, "end_time >= start_time", repr(r.info))
    t.ok(abs(r.info.start_time / 1000 - time.time()) < 300, "start_time is epoch millis of now", str(r.info.start_time))
    t.has_keys(r.data.tags, ["mlflow.user", "mlflow.source.name", "mlflow.source.type"], "client context tags")
    t.eq(r.data.tags.get("mlflow.source.type"), "LOCAL", "mlflow.source.type")
    t.ok(r.info.artifact_uri and r.info.run_id in r.info.artifact_uri, "artifact_uri names the run", r.info.artifact_uri)
    last = mlflow.last_active_run()
    t.eq(last.info.run_id, run.info.run_id, "last_active_run")
    t.eq(last.data.params.get("model_type"), "random_forest", "last_active_run fetches data")

with t.step("001 batch_logging.py"):
    mlflow.set_experiment("batch-logging-demo")
    params = {"learning_rate": 0.001, "batch_size": 32, "epochs": 100, "optimizer": "adam", "dropout_rate": 0.3}
    metrics = {"accuracy": 0.94, "precision": 0.92, "recall": 0.91, "f1_score": 0.915, "auc_roc": 0.97}
    with mlflow.start_run(run_name="batch-logging-run") as run:
        mlflow.log_params(params)
        mlflow.log_metrics(metrics)
    r = client.get_run(run.info.run_id)
    t.eq(r.data.params, {k: str(v) for k, v in params.items()}, "log_params")
    t.eq(r.data.metrics, metrics, "log_metrics")
    for k in metrics:
        h = client.get_metric_history(run.info.run_id, k)
        t.eq([(m.value, m.step) for m in h], [(metrics[k], 0)], f"history of {k} is one point at step 0")

with t.step("001 step_logging.py"):
    mlflow.set_experiment("step-metrics-demo")
    expected = {"train_loss": [], "val_loss": [], "accuracy": []}
    with mlflow.start_run(run_name="training-with-steps") as run:
        mlflow.log_param("epochs", 50)
        for epoch in range(50):
            train_loss = 1.0 / (epoch + 1) + random.uniform(0, 0.1)
            val_loss = 1.0 / (epoch + 1) + random.uniform(0, 0.15)
            accuracy = 1 - train_loss + random.uniform(-0.05, 0.05)
            mlflow.log_metric("train_loss", train_loss, step=epoch)
            mlflow.log_metric("val_loss", val_loss, step=epoch)
            mlflow.log_metric("accuracy", accuracy, step=epoch)
            for k, v in (("train_loss", train_loss), ("val_loss", val_loss), ("accuracy", accuracy)):
                expected[k].append((epoch, v))
    r = client.get_run(run.info.run_id)
    for k, pts in expected.items():
        h = history(run.info.run_id, k)
        t.eq([(m.step, m.value) for m in h], pts, f"history of {k}: 50 steps, exact values")
        t.eq(r.data.metrics[k], pts[-1][1], f"latest {k} is the value at the highest step")
        t.eq(h[0].key, k, f"history entries carry the key {k}")

with t.step("004 epoch_tracking.py"):
    mlflow.set_experiment("neural_network_training")

    def train_neural_network(epochs, learning_rate):
        with mlflow.start_run(run_name=f"nn_lr_{learning_rate}") as run:
            mlflow.log_param("epochs", epochs)
            mlflow.log_param("learning_rate", learning_rate)
            mlflow.log_param("optimizer", "adam")
            mlflow.log_param("batch_size", 32)
            for epoch in range(epochs):
                train_loss = 1.0 / (epoch + 1) + np.random.normal(0, 0.05)
                val_loss = 1.2 / (epoch + 1) + np.random.normal(0, 0.08)
                train_acc = 1.0 - train_loss + np.random.normal(0, 0.02)
                val_acc = 1.0 - val_loss + np.random.normal(0, 0.03)
                mlflow.log_metric("train_loss", train_loss, step=epoch)
                mlflow.log_metric("val_loss", val_loss, step=epoch)
                mlflow.log_metric("train_accuracy", train_acc, step=epoch)
                mlflow.log_metric("val_accuracy", val_acc, step=epoch)
            mlflow.log_metric("final_train_loss", train_loss)
            mlflow.log_metric("final_val_accuracy", val_acc)
            return run.info.run_id, float(train_loss), float(val_acc)

    done_runs = [train_neural_network(epochs=10, learning_rate=lr) for lr in [0.001, 0.01, 0.1]]
    exp = mlflow.get_experiment_by_name("neural_network_training")
    runs = client.search_runs([exp.experiment_id])
    t.eq(sorted(r.info.run_name for r in runs), ["nn_lr_0.001", "nn_lr_0.01", "nn_lr_0.1"], "three runs by name")
    for run_id, final_loss, final_acc in done_runs:
        r = client.get_run(run_id)
        t.eq(r.data.metrics["final_train_loss"], final_loss, "final metric without a step")
        t.eq(len(client.get_metric_history(run_id, "val_loss")), 10, "10 epochs of val_loss")
        t.eq(r.data.params["learning_rate"], str(r.info.run_name[len("nn_lr_") :]), "learning_rate param")

with t.step("metric timestamps, repeated steps, MlflowClient.log_batch"):
    mlflow.set_experiment("timestamp-demo")
    with mlflow.start_run() as run:
        ts0 = int(time.time() * 1000) - 60_000
        mlflow.log_metric("loss", 0.5, step=1, timestamp=ts0)
        mlflow.log_metric("loss", 0.4, step=1, timestamp=ts0 + 10)  # same step twice: both kept
        mlflow.log_metric("loss", 0.3, step=2, timestamp=ts0 + 20)
        mlflow.log_metric("loss", 0.35, step=0, timestamp=ts0 + 30)  # lower step logged last
        client.log_batch(
            run.info.run_id,
            metrics=[Metric("lr", 0.1, ts0, 0), Metric("lr", 0.01, ts0 + 1, 5)],
            params=[Param("optimizer", "sgd")],
            tags=[RunTag("stage", "warmup")],
        )
    r = client.get_run(run.info.run_id)
    h = history(run.info.run_id, "loss")
    t.eq(
        [(m.step, m.value, m.timestamp) for m in h],
        [(0, 0.35, ts0 + 30), (1, 0.5, ts0), (1, 0.4, ts0 + 10), (2, 0.3, ts0 + 20)],
        "history keeps every point with its timestamp",
    )
    t.eq(r.data.metrics["loss"], 0.3, "latest = highest step, not last logged")
    t.eq(r.data.metrics["lr"], 0.01, "log_batch metric latest")
    t.eq(r.data.params.get("optimizer"), "sgd", "log_batch param")
    t.eq(r.data.tags.get("stage"), "warmup", "log_batch tag")
    t.ok(r.info.run_name, "a run started without run_name still gets a generated name", repr(r.info.run_name))
    t.eq(r.data.tags.get("mlflow.runName"), r.info.run_name, "generated name is also the mlflow.runName tag")

with t.step("000 batch metric logging (train_loss_epoch_i)"):
    training_losses = [1.0 / (i + 1) for i in range(12)]
    with mlflow.start_run(run_name="batch-metrics") as run:
        metrics = {f"train_loss_epoch_{i}": loss_value for i, loss_value in enumerate(training_losses)}
        mlflow.log_metrics(metrics)
    t.eq(client.get_run(run.info.run_id).data.metrics, metrics, "12 metrics in one log_metrics")

with t.step("001 run_organization.py (tags, note, None param)"):
    mlflow.set_experiment("organized-runs-demo")
    with mlflow.start_run(run_name="baseline-model-v1") as run:
        mlflow.set_tag("model_type", "baseline")
        mlflow.set_tag("feature_set", "v1")
        mlflow.set_tag("data_version", "2024-01")
        mlflow.set_tag("engineer", "alice")
        mlflow.set_tag(
            "mlflow.note.content",
            "Baseline random forest model with default hyperparameters. Using feature set v1 with 50 features.",
        )
        mlflow.log_params({"n_estimators": 100, "max_depth": None})
        mlflow.log_metric("accuracy", 0.85)
        run_id = run.info.run_id
    r = client.get_run(run_id)
    t.eq(r.data.params, {"n_estimators": "100", "max_depth": "None"}, "None param logged as 'None'")
    for k, v in {"model_type": "baseline", "feature_set": "v1", "data_version": "2024-01", "engineer": "alice"}.items():
        t.eq(r.data.tags.get(k), v, f"tag {k}")
    t.ok(r.data.tags.get("mlflow.note.content", "").startswith("Baseline random forest"), "run description tag")

with t.step("001 naming_conventions.py (set_tags dict, dotted param keys)"):
    experiment_name = "fraud-detection-classification-v2"
    mlflow.set_experiment(experiment_name)
    run_name = f"xgboost-tuned-{datetime.now().strftime('%Y%m%d-%H%M')}"
    tags = {
        "project": "fraud-detection",
        "model_type": "xgboost",
        "data_version": "2024-01",
        "feature_set": "v2.1",
        "engineer": "alice",
        "pipeline_version": "1.3.0",
    }
    with mlflow.start_run(run_name=run_name) as run:
        mlflow.set_tags(tags)
        mlflow.log_params(
            {
                "model.n_estimators": 200,
                "model.max_depth": 8,
                "model.learning_rate": 0.05,
                "training.batch_size": 1024,
                "training.epochs": 100,
            }
        )
        mlflow.log_metric("accuracy", 0.94)
    r = client.get_run(run.info.run_id)
    t.eq({k: r.data.tags.get(k) for k in tags}, tags, "set_tags dict")
    t.eq(r.data.params.get("model.learning_rate"), "0.05", "dotted param key")
    t.eq(r.info.run_name, run_name, "timestamped run name")

with t.step("001 reproducibility.py + 004 best practices params"):
    mlflow.set_experiment("reproducible-experiments")
    with mlflow.start_run(run_name="reproducible-run") as run:
        mlflow.set_tag("python_version", sys.version)
        try:
            git_commit = subprocess.check_output(["git", "rev-parse", "HEAD"], stderr=subprocess.DEVNULL).decode().strip()
            mlflow.set_tag("git_commit", git_commit)
        except:  # noqa: E722 - the guide's own bare except
            pass
        try:
            requirements = subprocess.check_output(["pip", "freeze"], stderr=subprocess.DEVNULL).decode()
            with open("requirements.txt", "w") as f:
                f.write(requirements)
            mlflow.log_artifact("requirements.txt")
        except:  # noqa: E722
            pass
        mlflow.set_tag("data_source", "s3://bucket/data/train-v2.parquet")
        mlflow.set_tag("data_hash", "abc123def456")
        mlflow.log_params({"random_seed": 42, "numpy_seed": 42, "torch_seed": 42})
        mlflow.log_metric("accuracy", 0.93)
        y_train = np.array([0, 1, 2, 1, 0, 2, 2])
        mlflow.log_param("data_version", "v2.3")
        mlflow.log_param("train_samples", len(y_train))
        mlflow.log_param("class_balance", dict(zip(*np.unique(y_train, return_counts=True))))
        balance = str(dict(zip(*np.unique(y_train, return_counts=True))))
    r = client.get_run(run.info.run_id)
    t.eq(r.data.tags.get("python_version"), sys.version, "multi-line-ish python_version tag round-trips")
    t.eq(r.data.params.get("class_balance"), balance, "dict param stringified")
    t.eq(r.data.tags.get("data_source"), "s3://bucket/data/train-v2.parquet", "data_source tag")

with t.step("changing a logged param is rejected"):
    with mlflow.start_run() as run:
        mlflow.log_param("n_estimators", 100)
        mlflow.log_param("n_estimators", 100)  # same value again is fine
        t.raises(lambda: mlflow.log_param("n_estimators", 200), "log_param with a new value", "INVALID_PARAMETER_VALUE")
    t.eq(client.get_run(run.info.run_id).data.params, {"n_estimators": "100"}, "first value kept")
    t.raises(lambda: client.get_run("0123456789abcdef0123456789abcdef"), "get_run unknown id", "RESOURCE_DOES_NOT_EXIST")

with t.step("diverging losses (NaN, inf), long values, bad keys"):
    import math

    mlflow.set_experiment("edge-values")
    with mlflow.start_run(run_name="diverged") as run:
        for step, v in enumerate([0.9, float("nan"), float("inf"), float("-inf"), 1e308, -0.0]):
            mlflow.log_metric("loss", v, step=step)
        mlflow.log_metric("only_nan", float("nan"))
        mlflow.log_param("long_param", "x" * 6000)
        mlflow.set_tag("long_tag", "y" * 8000)
        mlflow.log_param("too_long", "z" * 6001)  # truncated to 6000 (MLFLOW_TRUNCATE_LONG_VALUES), not refused
        t.raises(lambda: mlflow.log_metric("bad key!", 1.0), "metric key with '!'", "INVALID_PARAMETER_VALUE")
        t.raises(lambda: mlflow.log_param("../escape", 1), "param key with '..'", "INVALID_PARAMETER_VALUE")
    with mlflow.start_run(run_name="healthy") as ok_run:
        mlflow.log_metric("loss", 0.2)
        mlflow.log_metric("only_nan", 1.0)
    r = client.get_run(run.info.run_id)
    h = history(run.info.run_id, "loss")
    vals = [m.value for m in h]
    # Runlens keeps ±inf faithfully (a diverging loss stays inf); mlflow server's SQL store clamps it to
    # ±1.7976931348623157e308 (sys.float_info.max). Both keep NaN. Either server passes.
    big = 1.7976931348623157e308
    t.ok(
        vals[0] == 0.9
        and math.isnan(vals[1])
        and vals[2] in (math.inf, big)
        and vals[3] in (-math.inf, -big)
        and vals[2] == -vals[3]
        and vals[4] == 1e308,
        "NaN kept, ±inf kept (Runlens) or clamped to ±max float (mlflow server) in the history",
        repr(vals),
    )
    t.eq(r.data.metrics["loss"], -0.0, "latest loss is the last step")
    t.ok(math.isnan(r.data.metrics["only_nan"]), "NaN latest value", repr(r.data.metrics["only_nan"]))
    t.eq(len(r.data.params["long_param"]), 6000, "6000-char param")
    t.eq(r.data.params.get("too_long"), "z" * 6000, "6001-char param truncated to 6000")
    t.eq(len(r.data.tags["long_tag"]), 8000, "8000-char tag")
    exp_id = run.info.experiment_id
    found = client.search_runs([exp_id], filter_string="metrics.only_nan > 0")
    t.eq([x.info.run_id for x in found], [ok_run.info.run_id], "NaN does not match > 0")
    order = client.search_runs([exp_id], order_by=["metrics.only_nan DESC"])
    t.eq([x.info.run_id for x in order], [ok_run.info.run_id, run.info.run_id], "NaN sorts after numbers (DESC)")
    order = client.search_runs([exp_id], order_by=["metrics.only_nan ASC"])
    t.eq([x.info.run_id for x in order], [ok_run.info.run_id, run.info.run_id], "and after them (ASC)")

with t.step("big batches, async logging, huge steps, renaming through the runName tag"):
    mlflow.set_experiment("batch-limits")
    per_class = {f"class_{i}_f1": i / 2000 for i in range(1500)}  # more than one log-batch (1000 metrics max)
    many_params = {f"feature_{i}_enabled": i % 2 == 0 for i in range(150)}  # more than 100 params per batch
    with mlflow.start_run(run_name="wide") as run:
        mlflow.log_metrics(per_class)
        mlflow.log_params(many_params)
        mlflow.log_metric("global_step_loss", 0.5, step=2**40)
        mlflow.set_tag("mlflow.runName", "wide-renamed")
    r = client.get_run(run.info.run_id)
    t.eq(len([k for k in r.data.metrics if k.startswith("class_")]), 1500, "1500 metrics from one log_metrics call")
    t.eq(r.data.metrics.get("class_1499_f1"), 1499 / 2000, "last of them")
    t.eq(len([k for k in r.data.params if k.startswith("feature_")]), 150, "150 params from one log_params call")
    t.eq([m.step for m in client.get_metric_history(run.info.run_id, "global_step_loss")], [2**40], "int64 step")
    t.eq(r.info.run_name, "wide-renamed", "set_tag('mlflow.runName') renames the run")
    if t.MAJOR >= 3:  # the 2.12 client does not flush its async queue on end_run (client-side, any server)
        mlflow.config.enable_async_logging(True)
        try:
            with mlflow.start_run(run_name="async") as run:
                for step in range(30):
                    mlflow.log_metric("async_loss", 1.0 / (step + 1), step=step)
                mlflow.log_params({"mode": "async"})
                mlflow.set_tag("logging", "async")
        finally:
            mlflow.config.enable_async_logging(False)
        r = client.get_run(run.info.run_id)
        t.eq(len(client.get_metric_history(run.info.run_id, "async_loss")), 30, "async logging flushed on end_run")
        t.eq((r.data.params.get("mode"), r.data.tags.get("logging")), ("async", "async"), "async params/tags")

with t.step("004 remote_tracking.py"):
    mlflow.set_experiment("remote_experiment")
    with mlflow.start_run() as run:
        mlflow.log_param("remote", True)
        mlflow.log_metric("test_metric", 0.95)
    r = client.get_run(run.info.run_id)
    t.eq((r.data.params, r.data.metrics), ({"remote": "True"}, {"test_metric": 0.95}), "bool param")
    # 001 remote_tracking.py sets credentials for authenticated servers; the client then sends HTTP Basic
    # auth on every request, which a server without auth (mlflow server, Runlens) must simply ignore.
    os.environ["MLFLOW_TRACKING_USERNAME"] = "your-username"
    os.environ["MLFLOW_TRACKING_PASSWORD"] = "your-password"
    client = mlflow.MlflowClient()
    experiments = client.search_experiments()
    print(f"Connected. Found {len(experiments)} experiments.")
    t.contains([e.name for e in experiments], "remote_experiment", "search_experiments lists it")


with t.step("003 ExperimentTracker class"):

    @dataclass
    class DatasetInfo:
        name: str
        version: str
        path: str
        row_count: int
        column_count: int
        hash: str
        created_at: str

    class ExperimentTracker:
        """Production grade experiment tracking with MLflow (guide 003, tracking_uri from the environment)."""

        def __init__(self, experiment_name: str, tracking_uri: str = mlflow.get_tracking_uri()):
            mlflow.set_tracking_uri(tracking_uri)
            self.client = MlflowClient()
            experiment = mlflow.get_experiment_by_name(experiment_name)
            if experiment is None:
                self.experiment_id = mlflow.create_experiment(experiment_name)
            else:
                self.experiment_id = experiment.experiment_id
            mlflow.set_experiment(experiment_name)
            self.run = None

        def start_run(self, run_name: Optional[str] = None, tags: Optional[Dict] = None):
            self.run = mlflow.start_run(run_name=run_name)
            self._log_environment()
            self._log_git_info()
            if tags:
                mlflow.set_tags(tags)
            return self.run

        def _log_environment(self):
            mlflow.set_tags({"env.python_version": platform.python_version(), "env.platform": platform.platform()})

        def _log_git_info(self):
            import git

            try:
                repo = git.Repo(search_parent_directories=True)
                mlflow.set_tags(
                    {
                        "git.commit": repo.head.commit.hexsha,
                        "git.branch": repo.active_branch.name,
                        "git.dirty": str(repo.is_dirty()),
                    }
                )
            except git.InvalidGitRepositoryError:
                mlflow.set_tag("git.available", "false")

        def log_dataset(self, df, name: str, version: str = "1.0") -> DatasetInfo:
            import hashlib

            data_hash = hashlib.md5(str(df.values.tobytes()).encode()).hexdigest()[:12]
            info = DatasetInfo(
                name=name,
                version=version,
                path=f"datasets/{name}",
                row_count=len(df),
                column_count=len(df.columns),
                hash=data_hash,
                created_at=datetime.now().isoformat(),
            )
            mlflow.log_dict(asdict(info), f"datasets/{name}_info.json")
            mlflow.set_tags({f"dataset.{name}.rows": str(info.row_count), f"dataset.{name}.hash": info.hash})
            return info

        def log_params(self, params: Dict[str, Any]):
            mlflow.log_params(self._flatten_dict(params))

        def log_metrics(self, metrics: Dict[str, float], step: Optional[int] = None):
            mlflow.log_metrics(metrics, step=step)

        def end_run(self, status: str = "FINISHED"):
            mlflow.end_run(status=status)
            self.run = None

        def _flatten_dict(self, d: Dict, parent_key: str = "", sep: str = ".") -> Dict:
            items = []
            for k, v in d.items():
                new_key = f"{parent_key}{sep}{k}" if parent_key else k
                if isinstance(v, dict):
                    items.extend(self._flatten_dict(v, new_key, sep).items())
                else:
                    items.append((new_key, v))
            return dict(items)

    tracker = ExperimentTracker("churn_tracking")
    t.eq(mlflow.get_experiment_by_name("churn_tracking").experiment_id, tracker.experiment_id, "created")
    t.eq(ExperimentTracker("churn_tracking").experiment_id, tracker.experiment_id, "found again")
    run = tracker.start_run(run_name="rf-tracked", tags={"owner": "ml-team"})
    df = pd.DataFrame({"age": [21, 35, 47], "income": [30.5, 62.0, 88.1], "target": [0, 1, 1]})
    info = tracker.log_dataset(df, "train")
    tracker.log_params({"model": {"type": "rf", "n_estimators": 100}, "data": {"version": "1.0"}})
    for step in range(3):
        tracker.log_metrics({"loss": 1.0 / (step + 1), "f1_score": 0.5 + step / 10}, step=step)
    tracker.end_run(status="KILLED")
    r = client.get_run(run.info.run_id)
    t.eq(r.info.status, "KILLED", "end_run(status=KILLED)")
    t.eq(r.data.params, {"model.type": "rf", "model.n_estimators": "100", "data.version": "1.0"}, "flattened")
    t.eq(r.data.tags.get("git.available"), "false", "outside a git repo")
    t.eq(r.data.tags.get("env.python_version"), platform.python_version(), "env tag")
    t.eq(r.data.tags.get("dataset.train.hash"), info.hash, "dataset tag")
    t.eq(r.data.tags.get("owner"), "ml-team", "start_run tags")
    t.eq(mlflow.artifacts.load_dict(f"runs:/{run.info.run_id}/datasets/train_info.json"), asdict(info), "log_dict")
    t.eq([m.value for m in history(run.info.run_id, "f1_score")], [0.5, 0.6, 0.7], "log_metrics with step")
    t.ok(mlflow.active_run() is None, "no active run after end_run")

t.done()
