# clients: 3.5.1
# The comparison and cleanup scripts of guide 002 (abridged there, completed as a user would):
# compare_runs.py compare_experiments(top_n) with an HTML report, and lifecycle_management.py
# (archive_old_experiments, clean up FAILED runs, tag the best runs); plus run delete/restore, run
# status transitions (FAILED by exception, KILLED, set_terminated), update_run, delete_tag.
# archive_old_experiments is scoped to this script's experiments by a tag filter (other scripts share
# the server) and uses a 2-second age instead of 90 days.
import time
from datetime import datetime, timedelta

import pandas as pd

import mlflow
from mlflow.entities import ViewType
from mlflow.tracking import MlflowClient

import mlcheck as t

client = MlflowClient()

with t.step("runs for customer-churn"):
    mlflow.set_experiment("customer-churn")
    scores = {}
    for i, acc in enumerate([0.81, 0.87, 0.79, 0.91, 0.85, 0.88, 0.83]):
        with mlflow.start_run(run_name=f"churn-{i}") as run:
            mlflow.log_params({"model": "rf" if i % 2 else "gbm", "seed": i})
            mlflow.log_metrics({"test_accuracy": acc, "test_f1": acc - 0.05})
            scores[run.info.run_id] = acc
    try:
        with mlflow.start_run(run_name="churn-crashed"):
            mlflow.log_param("model", "rf")
            raise RuntimeError("CUDA out of memory (simulated)")
    except RuntimeError:
        pass
    with mlflow.start_run(run_name="churn-failed-explicitly") as run:
        mlflow.log_param("model", "gbm")
    mlflow.end_run()
    client.set_terminated(run.info.run_id, status="FAILED")
    mlflow.start_run(run_name="churn-killed")
    mlflow.log_metric("test_accuracy", 0.1)
    killed_id = mlflow.active_run().info.run_id
    mlflow.end_run(status="KILLED")
    exp = client.get_experiment_by_name("customer-churn")
    statuses = {r.info.run_name: r.info.status for r in client.search_runs([exp.experiment_id])}
    t.eq(statuses.get("churn-crashed"), "FAILED", "an exception in the with-block marks the run FAILED")
    t.eq(statuses.get("churn-failed-explicitly"), "FAILED", "set_terminated(status=FAILED)")
    t.eq(statuses.get("churn-killed"), "KILLED", "end_run(status=KILLED)")

with t.step("002 compare_runs.py compare_experiments + HTML report"):

    def compare_experiments(experiment_name, metric_name="test_accuracy", top_n=5):
        """Top runs of an experiment by a metric, printed and written as an HTML report."""
        experiment = client.get_experiment_by_name(experiment_name)
        if experiment is None:
            raise ValueError(f"Experiment {experiment_name} not found")
        runs = client.search_runs(
            experiment_ids=[experiment.experiment_id],
            filter_string="attributes.status = 'FINISHED'",
            order_by=[f"metrics.{metric_name} DESC"],
            max_results=top_n,
        )
        rows = [
            {
                "run_id": r.info.run_id,
                "run_name": r.info.run_name,
                metric_name: r.data.metrics.get(metric_name),
                **{f"param_{k}": v for k, v in r.data.params.items()},
            }
            for r in runs
        ]
        df = pd.DataFrame(rows)
        print(df.to_string(index=False))
        with open(f"{experiment_name}_comparison.html", "w") as f:
            f.write(df.to_html(index=False))
        return df

    df = compare_experiments("customer-churn", metric_name="test_accuracy", top_n=5)
    top = sorted(scores, key=scores.get, reverse=True)[:5]
    t.eq(list(df["run_id"]), top, "top 5 FINISHED runs by test_accuracy")
    t.ok("<table" in open("customer-churn_comparison.html").read(), "HTML report written")
    t.raises(lambda: client.search_runs([exp.experiment_id], order_by=["metrics.test_accuracy SIDEWAYS"]), "bad order_by")

with t.step("002 lifecycle_management.py"):

    def archive_old_experiments(days_old=90, filter_string=None):
        cutoff = datetime.now() - timedelta(days=days_old)
        cutoff_ms = int(cutoff.timestamp() * 1000)
        archived = []
        for exp in client.search_experiments(view_type=ViewType.ACTIVE_ONLY, filter_string=filter_string):
            if exp.name == "Default":
                continue
            if exp.last_update_time and exp.last_update_time < cutoff_ms:
                client.delete_experiment(exp.experiment_id)
                archived.append(exp.name)
        return archived

    def cleanup_failed_runs(experiment_name):
        experiment = client.get_experiment_by_name(experiment_name)
        failed = client.search_runs(
            experiment_ids=[experiment.experiment_id], filter_string="attributes.status = 'FAILED'"
        )
        for run in failed:
            client.delete_run(run.info.run_id)
        return [r.info.run_id for r in failed]

    def tag_best_runs(experiment_name, metric_name="test_accuracy", top_n=3):
        experiment = client.get_experiment_by_name(experiment_name)
        best = client.search_runs(
            experiment_ids=[experiment.experiment_id], order_by=[f"metrics.{metric_name} DESC"], max_results=top_n
        )
        for rank, run in enumerate(best, start=1):
            client.set_tag(run.info.run_id, "best_run", "true")
            client.set_tag(run.info.run_id, "best_run_rank", str(rank))
        return [r.info.run_id for r in best]

    for name in ("old-exp-a", "old-exp-b"):
        mlflow.create_experiment(name, tags={"lifecycle": "demo"})
    time.sleep(2.5)
    mlflow.create_experiment("fresh-exp", tags={"lifecycle": "demo"})
    archived = archive_old_experiments(days_old=2 / 86400, filter_string="tags.lifecycle = 'demo'")
    t.eq(sorted(archived), ["old-exp-a", "old-exp-b"], "experiments older than the cutoff deleted")
    t.eq(client.get_experiment_by_name("old-exp-a").lifecycle_stage, "deleted", "lifecycle_stage deleted")
    t.eq(client.get_experiment_by_name("fresh-exp").lifecycle_stage, "active", "newer one kept")
    deleted = [e.name for e in client.search_experiments(view_type=ViewType.DELETED_ONLY, filter_string="tags.lifecycle = 'demo'")]
    t.eq(sorted(deleted), ["old-exp-a", "old-exp-b"], "DELETED_ONLY lists them")

    removed = cleanup_failed_runs("customer-churn")
    t.eq(len(removed), 2, "two FAILED runs deleted")
    active = client.search_runs([exp.experiment_id])
    t.eq(sorted(r.info.status for r in active), ["FINISHED"] * 7 + ["KILLED"], "failed runs gone from the active list")
    gone = client.search_runs([exp.experiment_id], run_view_type=ViewType.DELETED_ONLY)
    t.eq(sorted(r.info.run_id for r in gone), sorted(removed), "deleted runs under DELETED_ONLY")
    d = client.get_run(removed[0])
    t.eq(d.info.lifecycle_stage, "deleted", "get_run still returns a deleted run")

    best = tag_best_runs("customer-churn", top_n=3)
    tagged = client.search_runs([exp.experiment_id], filter_string="tags.best_run = 'true'", order_by=["tags.best_run_rank ASC"])
    t.eq([r.info.run_id for r in tagged], best, "best runs tagged and findable by tag")
    t.eq(best, sorted(scores, key=scores.get, reverse=True)[:3], "the top 3")

with t.step("delete/restore runs, edits on runs"):
    rid = removed[0]
    client.delete_run(rid)  # deleting twice is accepted
    t.raises(lambda: client.log_metric(rid, "m", 1.0), "logging to a deleted run", "INVALID_PARAMETER_VALUE")
    client.restore_run(rid)
    t.eq(client.get_run(rid).info.lifecycle_stage, "active", "restore_run")
    client.restore_run(rid)  # restoring twice is accepted
    t.contains([r.info.run_id for r in client.search_runs([exp.experiment_id])], rid, "back in the active list")
    t.raises(lambda: client.delete_run("deadbeef" * 4), "delete unknown run", "RESOURCE_DOES_NOT_EXIST")
    client.update_run(killed_id, name="churn-killed-renamed")
    r = client.get_run(killed_id)
    t.eq(r.info.run_name, "churn-killed-renamed", "update_run(name=)")
    t.eq(r.data.tags.get("mlflow.runName"), "churn-killed-renamed", "runName tag follows")
    client.set_tag(killed_id, "temp", "x")
    client.delete_tag(killed_id, "temp")
    t.ok("temp" not in client.get_run(killed_id).data.tags, "delete_tag")
    t.raises(lambda: client.delete_tag(killed_id, "never-set"), "delete a missing tag", "RESOURCE_DOES_NOT_EXIST")
    client.update_run(killed_id, status="FINISHED")
    t.eq(client.get_run(killed_id).info.status, "FINISHED", "update_run(status=)")
    run = client.create_run(exp.experiment_id, run_name="client-created", tags={"via": "client"})
    t.eq(run.info.status, "RUNNING", "create_run starts RUNNING")
    client.set_terminated(run.info.run_id)
    r = client.get_run(run.info.run_id)
    t.eq((r.info.status, r.data.tags.get("via")), ("FINISHED", "client"), "set_terminated default FINISHED")
    t.ok(r.info.end_time >= r.info.start_time, "end_time set")

t.done()
