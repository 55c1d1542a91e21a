# clients: 3.5.1 2.12.1
# Experiments as the guides create and organize them: 000 setup_experiment (create with an s3://
# artifact_location and tags, fall back to get_experiment_by_name), 001 experiment_management.py,
# search_experiments (filters, order, paging, view types), rename, tags, delete/restore.
# The s3:// artifact locations are used unchanged: nothing is uploaded to those experiments here.
import time

import mlflow
from mlflow import MlflowClient
from mlflow.entities import ViewType

import mlcheck as t

client = MlflowClient()


def setup_experiment(experiment_name: str, description: str = None):
    """Create or get experiment with proper configuration (guide 000, unchanged)."""
    try:
        experiment_id = mlflow.create_experiment(
            name=experiment_name,
            artifact_location=f"s3://mlflow-artifacts/{experiment_name}",
            tags={"project": "customer-segmentation", "team": "data-science", "created_by": "automated-pipeline"},
        )
    except mlflow.exceptions.MlflowException:
        experiment = mlflow.get_experiment_by_name(experiment_name)
        experiment_id = experiment.experiment_id

    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id


with t.step("Default experiment"):
    default = client.get_experiment("0")
    t.eq(default.name, "Default", "experiment 0 is Default")
    t.eq(default.lifecycle_stage, "active", "Default is active")
    t.eq(mlflow.get_experiment_by_name("Default").experiment_id, "0", "get_experiment_by_name('Default')")

with t.step("000 setup_experiment"):
    exp_id = setup_experiment("customer-segmentation-kmeans")
    t.ok(isinstance(exp_id, str) and exp_id.isdigit(), "experiment ids are numeric strings", repr(exp_id))
    t.eq(setup_experiment("customer-segmentation-kmeans"), exp_id, "second call falls back to the existing one")
    exp = client.get_experiment(exp_id)
    t.eq(exp.artifact_location, "s3://mlflow-artifacts/customer-segmentation-kmeans", "artifact_location kept")
    t.eq(
        {k: exp.tags.get(k) for k in ("project", "team", "created_by")},
        {"project": "customer-segmentation", "team": "data-science", "created_by": "automated-pipeline"},
        "tags given at creation",
    )
    t.ok(exp.creation_time and exp.last_update_time >= exp.creation_time, "creation/last_update times", repr(exp))
    with mlflow.start_run() as run:
        t.eq(run.info.experiment_id, exp_id, "set_experiment(experiment_id=) makes it the active experiment")
        mlflow.log_param("k", 5)
    t.eq(
        client.get_run(run.info.run_id).info.artifact_uri,
        f"s3://mlflow-artifacts/customer-segmentation-kmeans/{run.info.run_id}/artifacts",
        "run artifact_uri under the experiment's artifact_location",
    )

with t.step("001 experiment_management.py"):
    experiment_id = mlflow.create_experiment(
        name="image-classification-v2",
        artifact_location="s3://bucket/experiments/image-classification-v2",
        tags={"project": "computer-vision", "team": "ml-research", "dataset": "imagenet-subset"},
    )
    print(f"Created experiment with ID: {experiment_id}")
    client.set_experiment_tag(experiment_id, "status", "active")
    client.set_experiment_tag(experiment_id, "owner", "data-science-team")
    experiments = client.search_experiments()
    for exp in experiments:
        print(f"Experiment: {exp.name}, ID: {exp.experiment_id}")
    t.contains([e.name for e in experiments], "image-classification-v2", "listed by search_experiments")
    exp = client.get_experiment(experiment_id)
    t.eq(exp.tags.get("status"), "active", "set_experiment_tag")
    t.eq(exp.tags.get("owner"), "data-science-team", "set_experiment_tag")
    client.set_experiment_tag(experiment_id, "status", "paused")
    t.eq(client.get_experiment(experiment_id).tags.get("status"), "paused", "set_experiment_tag overwrites")
    t.raises(
        lambda: mlflow.create_experiment("image-classification-v2"), "create with a taken name", "RESOURCE_ALREADY_EXISTS"
    )
    t.raises(lambda: client.get_experiment("987654321"), "get_experiment unknown id", "RESOURCE_DOES_NOT_EXIST")
    t.eq(mlflow.get_experiment_by_name("no-such-experiment-anywhere"), None, "get_experiment_by_name unknown -> None")

with t.step("set_experiment by name, fluent experiment tags"):
    exp = mlflow.set_experiment("fraud_detection/production_candidates")
    t.eq(mlflow.set_experiment("fraud_detection/production_candidates").experiment_id, exp.experiment_id, "idempotent")
    t.ok(exp.artifact_location.endswith(f"/{exp.experiment_id}"), "default artifact_location ends with the id", exp.artifact_location)
    mlflow.set_experiment_tag("priority", "high")
    mlflow.set_experiment_tags({"team": "ml-platform", "mlflow.note.content": "candidates for production"})
    tags = client.get_experiment(exp.experiment_id).tags
    t.eq(
        {k: tags.get(k) for k in ("priority", "team", "mlflow.note.content")},
        {"priority": "high", "team": "ml-platform", "mlflow.note.content": "candidates for production"},
        "fluent experiment tags",
    )
    if hasattr(client, "delete_experiment_tag"):
        client.delete_experiment_tag(exp.experiment_id, "priority")
        t.ok("priority" not in client.get_experiment(exp.experiment_id).tags, "delete_experiment_tag")

with t.step("search_experiments filters and order"):
    for name, team in (("seg-a", "alpha"), ("seg-b", "beta"), ("seg-c", "alpha")):
        mlflow.create_experiment(name, tags={"team": team, "domain": "segments"})
        time.sleep(0.01)
    names = lambda exps: [e.name for e in exps]  # noqa: E731
    t.eq(
        sorted(names(mlflow.search_experiments(filter_string="tags.domain = 'segments' AND tags.team = 'alpha'"))),
        ["seg-a", "seg-c"],
        "filter on two tags",
    )
    t.eq(
        names(mlflow.search_experiments(filter_string="name LIKE 'seg-%'", order_by=["name DESC"])),
        ["seg-c", "seg-b", "seg-a"],
        "name LIKE + order_by name DESC",
    )
    t.eq(
        names(mlflow.search_experiments(filter_string="attribute.name = 'seg-b'")),
        ["seg-b"],
        "attribute.name equality",
    )
    t.eq(
        names(mlflow.search_experiments(filter_string="tags.domain = 'segments'", order_by=["creation_time DESC"])),
        ["seg-c", "seg-b", "seg-a"],
        "order_by creation_time DESC",
    )
    t.eq(
        names(mlflow.search_experiments(filter_string="name ILIKE 'SEG-_'", order_by=["name"], max_results=2)),
        ["seg-a", "seg-b"],
        "ILIKE with max_results",
    )
    page = client.search_experiments(max_results=2, filter_string="tags.domain = 'segments'", order_by=["name ASC"])
    seen = list(names(page))
    t.eq(len(page), 2, "first page size")
    t.ok(page.token, "a next page token when more remain", repr(page.token))
    page2 = client.search_experiments(
        max_results=2, filter_string="tags.domain = 'segments'", order_by=["name ASC"], page_token=page.token
    )
    seen += names(page2)
    t.eq(seen, ["seg-a", "seg-b", "seg-c"], "pages cover all, in order, no duplicates")
    t.ok(not page2.token, "no token on the last page", repr(page2.token))
    everything = mlflow.search_experiments()
    ours = {"Default", "customer-segmentation-kmeans", "image-classification-v2", "seg-a", "seg-b", "seg-c"}
    t.ok(ours <= set(names(everything)), "search_experiments() lists all active experiments", str(names(everything)))
    t.eq(names(everything)[-1], "Default", "default order is last_update_time DESC-ish: Default (oldest) last")

with t.step("rename, delete, restore"):
    exp_id = mlflow.create_experiment("to-be-renamed")
    client.rename_experiment(exp_id, "renamed-experiment")
    t.eq(client.get_experiment(exp_id).name, "renamed-experiment", "rename_experiment")
    t.eq(mlflow.get_experiment_by_name("to-be-renamed"), None, "old name gone")
    with mlflow.start_run(experiment_id=exp_id) as run:
        mlflow.log_metric("m", 1.0)
    client.delete_experiment(exp_id)
    exp = client.get_experiment(exp_id)
    t.eq(exp.lifecycle_stage, "deleted", "deleted experiment still readable by id")
    t.eq(mlflow.get_experiment_by_name("renamed-experiment").lifecycle_stage, "deleted", "and by name")
    t.eq(client.get_run(run.info.run_id).info.lifecycle_stage, "deleted", "its runs are deleted with it")
    t.ok(exp_id not in [e.experiment_id for e in client.search_experiments()], "not in ACTIVE_ONLY search")
    t.contains(
        [e.experiment_id for e in client.search_experiments(view_type=ViewType.DELETED_ONLY)], exp_id, "DELETED_ONLY"
    )
    t.contains([e.experiment_id for e in client.search_experiments(view_type=ViewType.ALL)], exp_id, "ALL")
    t.raises(lambda: mlflow.set_experiment("renamed-experiment"), "set_experiment on a deleted experiment")
    t.raises(
        lambda: mlflow.create_experiment("renamed-experiment"), "create with a deleted one's name", "RESOURCE_ALREADY_EXISTS"
    )
    client.restore_experiment(exp_id)
    t.eq(client.get_experiment(exp_id).lifecycle_stage, "active", "restore_experiment")
    t.eq(client.get_run(run.info.run_id).info.lifecycle_stage, "active", "its runs come back")
    t.eq(mlflow.set_experiment("renamed-experiment").experiment_id, exp_id, "usable again")
    t.raises(lambda: client.delete_experiment("987654321"), "delete unknown experiment", "RESOURCE_DOES_NOT_EXIST")

t.done()
