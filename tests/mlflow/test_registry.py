# clients: 3.5.1 2.12.1
# timeout: 240
# Model Registry: log_model(registered_model_name=), register_model("runs:/<id>/model"), descriptions,
# tags, stage transitions with archive_existing_versions, aliases, loading models:/name/1,
# models:/name/Production and models:/name@alias, searches, latest versions, then delete/rename.
import json

import numpy as np
from sklearn.linear_model import LogisticRegression

import mlflow  # noqa: E402
import mlflow.pyfunc  # noqa: E402
import mlflow.sklearn  # noqa: E402
from mlflow import MlflowClient  # noqa: E402

import mlcheck as t  # noqa: E402

client = MlflowClient()
X = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [0.9, 0.1]])
y = np.array([0, 1, 0, 1])
model = LogisticRegression().fit(X, y)
expected = model.predict(X).tolist()
NAME = f"reg-model-{t.MAJOR}"


def log(m, **kw):
    # MLflow 3 names the model; 2.x takes the artifact path positionally.
    if t.MAJOR >= 3:
        return mlflow.sklearn.log_model(m, name="model", **kw)
    return mlflow.sklearn.log_model(m, "model", **kw)


with t.step("log_model(registered_model_name=) creates the model and version 1"):
    mlflow.set_experiment("registry")
    with mlflow.start_run() as run1:
        info1 = log(model, registered_model_name=NAME)
    t.eq(str(info1.registered_model_version) if t.MAJOR >= 3 else "1", "1", "registered version")
    rm = client.get_registered_model(NAME)
    t.eq(rm.name, NAME, "registered model name")
    t.eq([v.version for v in rm.latest_versions], ["1"], "latest_versions")
    v1 = client.get_model_version(NAME, "1")
    t.eq(v1.status, "READY", "status READY at once")
    t.eq(v1.current_stage, "None", "stage None")
    t.eq(v1.run_id, run1.info.run_id, "run_id of version 1")

with t.step("register_model('runs:/<id>/model') creates version 2"):
    with mlflow.start_run() as run2:
        log(model)
    mv2 = mlflow.register_model(f"runs:/{run2.info.run_id}/model", NAME)
    t.eq(mv2.version, "2", "second version")
    t.eq(mv2.run_id, run2.info.run_id, "run_id of version 2")
    if t.MAJOR >= 3:
        t.ok(mv2.source.startswith("models:/m-"), "MLflow 3 registers the logged model", mv2.source)
        lm = client.get_logged_model(mv2.source.split("/")[-1])
        tag = json.loads(lm.tags.get("mlflow.modelVersions", "[]"))
        t.contains([(e["name"], str(e["version"])) for e in tag], (NAME, "2"), "logged model remembers its version")
    else:
        t.ok(mv2.source.endswith(f"/{run2.info.run_id}/artifacts/model"), "2.x registers the run's artifacts", mv2.source)

with t.step("descriptions and tags"):
    client.update_registered_model(NAME, description="my model")
    client.update_model_version(NAME, "1", description="first")
    client.set_registered_model_tag(NAME, "team", "ds")
    client.set_model_version_tag(NAME, "1", "validated", "yes")
    t.eq(client.get_registered_model(NAME).description, "my model", "model description")
    t.eq(client.get_model_version(NAME, "1").description, "first", "version description")
    t.eq(client.get_registered_model(NAME).tags, {"team": "ds"}, "model tags")
    t.eq(client.get_model_version(NAME, "1").tags, {"validated": "yes"}, "version tags")
    client.delete_model_version_tag(NAME, "1", "validated")
    t.eq(client.get_model_version(NAME, "1").tags, {}, "version tag deleted")

with t.step("stage transitions archive the previous Production version"):
    t.eq(client.transition_model_version_stage(NAME, "1", "Staging").current_stage, "Staging", "to Staging")
    client.transition_model_version_stage(NAME, "1", "production", archive_existing_versions=True)
    v2 = client.transition_model_version_stage(NAME, "2", "Production", archive_existing_versions=True)
    t.eq(v2.current_stage, "Production", "version 2 in Production")
    t.eq(client.get_model_version(NAME, "1").current_stage, "Archived", "version 1 archived")
    t.eq([v.version for v in client.get_latest_versions(NAME, stages=["Production"])], ["2"], "latest Production")
    t.eq(
        [(v.version, v.current_stage) for v in client.get_latest_versions(NAME)],
        [("1", "Archived"), ("2", "Production")],
        "latest per stage",
    )
    t.raises(lambda: client.transition_model_version_stage(NAME, "2", "Gold"), "bad stage", "INVALID_PARAMETER_VALUE")

with t.step("aliases"):
    client.set_registered_model_alias(NAME, "champion", "1")
    t.eq(client.get_model_version_by_alias(NAME, "champion").version, "1", "alias resolves")
    t.eq(client.get_registered_model(NAME).aliases, {"champion": "1"}, "aliases on the model")
    t.raises(lambda: client.set_registered_model_alias(NAME, "latest", "1"), "latest is reserved", "INVALID_PARAMETER_VALUE")

with t.step("load models:/ URIs"):
    for uri in [f"models:/{NAME}/1", f"models:/{NAME}/Production", f"models:/{NAME}@champion", f"models:/{NAME}/latest"]:
        t.eq(mlflow.pyfunc.load_model(uri).predict(X).tolist(), expected, f"predict {uri}")

with t.step("searches"):
    t.eq(
        [(v.version, v.current_stage) for v in client.search_model_versions(f"name='{NAME}'")],
        [("2", "Production"), ("1", "Archived")],
        "search_model_versions",
    )
    found = client.search_registered_models(filter_string=f"name = '{NAME}'")
    t.eq([r.name for r in found], [NAME], "search_registered_models by name")
    t.eq([r.name for r in client.search_registered_models(filter_string="tags.team = 'ds'")], [NAME], "by tag")
    t.raises(
        lambda: client.search_registered_models(filter_string="name = 'a' OR name = 'b'"),
        "OR is rejected",
        "INVALID_PARAMETER_VALUE",
    )

with t.step("delete a version, rename and delete the model"):
    client.delete_registered_model_alias(NAME, "champion")
    client.delete_model_version(NAME, "2")
    t.eq([v.version for v in client.search_model_versions(f"name='{NAME}'")], ["1"], "version 2 gone")
    client.rename_registered_model(NAME, NAME + "-renamed")
    t.eq(client.get_model_version(NAME + "-renamed", "1").name, NAME + "-renamed", "versions follow the rename")
    client.delete_registered_model(NAME + "-renamed")
    t.raises(lambda: client.get_registered_model(NAME + "-renamed"), "deleted", "RESOURCE_DOES_NOT_EXIST")

t.done()
