# clients: 3.5.1
# The `mlflow` CLI against the server, where the guides use it: 002's "mlflow experiments list" (now
# `mlflow experiments search`), "mlflow experiments csv --experiment-name" (the CLI takes
# --experiment-id) and "mlflow runs compare" (no such command; `mlflow runs list` / `describe` are
# used), plus `mlflow experiments create/rename/delete/restore`, `mlflow runs delete/restore`, and
# `mlflow artifacts log-artifact/log-artifacts/list/download` (byte-equal). One command runs as a real
# `python -m mlflow` process; the rest run in-process through the same click commands (mlcheck.cli).
import csv
import filecmp
import json
import os

import mlflow
from mlflow import MlflowClient

import mlcheck as t

client = MlflowClient()

with t.step("mlflow experiments create / search"):
    out = t.cli("experiments", "create", "--experiment-name", "cli-churn").stdout
    print(out.strip())
    exp = client.get_experiment_by_name("cli-churn")
    t.ok(exp is not None, "created by the CLI")
    t.contains(out, exp.experiment_id if exp else "?", "the CLI prints the new id")
    listing = t.cli("experiments", "search", subprocess_=True).stdout  # once as a real `mlflow` process
    t.contains(listing, "cli-churn", "experiments search lists it")
    t.contains(listing, "Default", "and Default")

with t.step("runs for the CLI"):
    mlflow.set_experiment("cli-churn")
    ids = []
    for i, acc in enumerate([0.8, 0.9, 0.7]):
        with mlflow.start_run(run_name=f"cli-run-{i}") as run:
            mlflow.log_params({"model": "rf", "n_estimators": 100 * (i + 1)})
            mlflow.log_metric("test_accuracy", acc)
            mlflow.set_tag("team", "churn")
            ids.append(run.info.run_id)
    os.makedirs("outputs/plots", exist_ok=True)
    with open("outputs/report.txt", "w") as f:
        f.write("report\n" * 100)
    with open("outputs/plots/curve.bin", "wb") as f:
        f.write(os.urandom(200_000))

with t.step("mlflow experiments csv"):
    t.cli("experiments", "csv", "--experiment-id", exp.experiment_id, "--filename", "experiments.csv")
    with open("experiments.csv") as f:
        rows = list(csv.DictReader(f))
    t.eq(sorted(r["run_id"] for r in rows), sorted(ids), "one CSV row per run")
    t.ok(rows and "metrics.test_accuracy" in rows[0] and "params.n_estimators" in rows[0], "metric/param columns", str(rows[:1]))
    by_id = {r["run_id"]: r for r in rows}
    t.eq(float(by_id[ids[1]]["metrics.test_accuracy"]), 0.9, "metric value")

with t.step("mlflow runs list / describe"):
    out = t.cli("runs", "list", "--experiment-id", exp.experiment_id).stdout
    for rid in ids:
        t.contains(out, rid, "runs list shows each run")
    t.contains(out, "cli-run-1", "with its name")
    desc = json.loads(t.cli("runs", "describe", "--run-id", ids[1]).stdout)
    t.eq(desc["info"]["run_id"], ids[1], "describe: run_id")
    t.eq(desc["data"]["metrics"].get("test_accuracy"), 0.9, "describe: metric")
    t.eq(desc["data"]["params"].get("n_estimators"), "200", "describe: param")
    t.eq(desc["data"]["tags"].get("team"), "churn", "describe: tag")

with t.step("mlflow runs delete / restore"):
    t.cli("runs", "delete", "--run-id", ids[2])
    t.eq(client.get_run(ids[2]).info.lifecycle_stage, "deleted", "runs delete")
    out = t.cli("runs", "list", "--experiment-id", exp.experiment_id, "--view", "deleted_only").stdout
    t.contains(out, ids[2], "runs list --view deleted_only")
    t.cli("runs", "restore", "--run-id", ids[2])
    t.eq(client.get_run(ids[2]).info.lifecycle_stage, "active", "runs restore")

with t.step("mlflow artifacts log-artifact / log-artifacts / list / download"):
    rid = ids[1]
    t.cli("artifacts", "log-artifact", "--local-file", "outputs/report.txt", "--run-id", rid)
    t.cli("artifacts", "log-artifacts", "--local-dir", "outputs/plots", "--run-id", rid, "--artifact-path", "plots")
    listing = json.loads(t.cli("artifacts", "list", "--run-id", rid).stdout)
    t.eq(sorted((f["path"], f["is_dir"]) for f in listing), [("plots", True), ("report.txt", False)], "artifacts list")
    listing = json.loads(t.cli("artifacts", "list", "--run-id", rid, "--artifact-path", "plots").stdout)
    t.eq([(f["path"], f.get("file_size")) for f in listing], [("plots/curve.bin", 200_000)], "list a subdirectory")
    out = t.cli("artifacts", "download", "--run-id", rid, "--artifact-path", "plots/curve.bin", "--dst-path", "dl1").stdout.strip()
    t.ok(filecmp.cmp(out, "outputs/plots/curve.bin", shallow=False), "download a file by run id: byte-equal", out)
    out = t.cli("artifacts", "download", "--artifact-uri", f"runs:/{rid}/report.txt", "--dst-path", "dl2").stdout.strip()
    t.ok(filecmp.cmp(out, "outputs/report.txt", shallow=False), "download by runs:/ URI: byte-equal", out)
    out = t.cli("artifacts", "download", "--run-id", rid, "--dst-path", "dl3").stdout.strip()
    t.ok(filecmp.cmp(os.path.join(out, "plots", "curve.bin"), "outputs/plots/curve.bin", shallow=False), "download the whole run")

with t.step("mlflow experiments rename / delete / restore"):
    t.cli("experiments", "rename", "--experiment-id", exp.experiment_id, "--new-name", "cli-churn-v2")
    t.eq(client.get_experiment(exp.experiment_id).name, "cli-churn-v2", "rename")
    t.cli("experiments", "delete", "--experiment-id", exp.experiment_id)
    t.eq(client.get_experiment(exp.experiment_id).lifecycle_stage, "deleted", "delete")
    out = t.cli("experiments", "search", "--view", "deleted_only").stdout
    t.contains(out, "cli-churn-v2", "search --view deleted_only")
    t.cli("experiments", "restore", "--experiment-id", exp.experiment_id)
    t.eq(client.get_experiment(exp.experiment_id).lifecycle_stage, "active", "restore")
    bad = t.cli("runs", "describe", "--run-id", "deadbeef" * 4, check=False)
    t.ok(bad.returncode != 0 and "RESOURCE_DOES_NOT_EXIST" in bad.stderr, "unknown run: CLI fails with the server's error", bad.stderr[-300:])

t.done()
