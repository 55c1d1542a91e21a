# clients: 3.5.1
# System metrics (guide 000: "training time, memory usage, compute resources"): start_run(
# log_system_metrics=True) with a 1 s sampling interval, and mlflow.enable_system_metrics_logging();
# psutil's CPU/memory/disk/network series arrive as system/* metrics with steps 0, 1, 2...
import time

import mlflow
from mlflow import MlflowClient

import mlcheck as t

client = MlflowClient()

try:
    import psutil  # noqa: F401
except ImportError:
    print("psutil not installed: system metrics are not collected by this client; nothing to check")
    t.done()

mlflow.set_system_metrics_sampling_interval(1)
mlflow.set_system_metrics_samples_before_logging(1)

with t.step("start_run(log_system_metrics=True)"):
    mlflow.set_experiment("system-metrics-demo")
    with mlflow.start_run(run_name="with-system-metrics", log_system_metrics=True) as run:
        mlflow.log_param("epochs", 3)
        for epoch in range(3):
            sum(i * i for i in range(200_000))  # some CPU work
            mlflow.log_metric("loss", 1.0 / (epoch + 1), step=epoch)
            time.sleep(1.0)
    time.sleep(0.5)
    r = client.get_run(run.info.run_id)
    system = sorted(k for k in r.data.metrics if k.startswith("system/"))
    print("system metrics:", system)
    for key in ("system/cpu_utilization_percentage", "system/system_memory_usage_megabytes", "system/disk_usage_percentage"):
        t.contains(system, key, f"{key} logged")
    h = sorted(client.get_metric_history(run.info.run_id, "system/cpu_utilization_percentage"), key=lambda m: m.step)
    t.ok(len(h) >= 2, "several samples", str(len(h)))
    t.eq([m.step for m in h], list(range(len(h))), "samples are steps 0, 1, 2...")
    t.ok(all(0 <= m.value <= 100 * 64 for m in h), "cpu percentages look sane", str([m.value for m in h]))
    t.eq(r.data.metrics.get("loss"), 1.0 / 3, "user metrics alongside")
    df = mlflow.search_runs([run.info.experiment_id])
    t.contains(list(df.columns), "metrics.system/cpu_utilization_percentage", "slash in metric key as a column")
    found = client.search_runs([run.info.experiment_id], filter_string="metrics.`system/cpu_utilization_percentage` >= 0")
    t.eq([x.info.run_id for x in found], [run.info.run_id], "filter on a system/ metric (backquoted)")

with t.step("enable_system_metrics_logging()"):
    mlflow.enable_system_metrics_logging()
    with mlflow.start_run(run_name="globally-enabled") as run:
        time.sleep(2.5)
    mlflow.disable_system_metrics_logging()
    time.sleep(0.5)
    keys = [k for k in client.get_run(run.info.run_id).data.metrics if k.startswith("system/")]
    t.ok(keys, "system metrics logged when enabled globally", str(keys))

t.done()
