# clients: 3.5.1 2.12.1
# timeout: 300
# Model registry with stages, as the guides use it: 001 model_registry.py (log_model with
# registered_model_name), model_stages.py (search_model_versions, Staging, descriptions),
# load_registered.py (models:/name/latest, /1, /Staging, /Production); 000 register_and_promote_model
# and load_production_model; 003 ModelRegistryManager (create_model_version, promote_to_staging/
# production with get_latest_versions archiving, version tags, compare_versions); 001 ci_integration.py.
# Adaptations: 000 passes tags= to update_model_version, which no MLflow client accepts (TypeError
# with mlflow server too), so its tags go through set_model_version_tag; 003's register_model assumes
# the registered model exists, so it is created first.
import os
from datetime import datetime
from typing import Dict, List, Optional

import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier

import mlflow
import mlflow.pyfunc
import mlflow.sklearn
from mlflow import MlflowClient

import mlcheck as t

client = MlflowClient()
X, y = make_classification(n_samples=1000, n_features=20, random_state=42)
sample = np.random.default_rng(0).standard_normal((5, 20))

with t.step("001 model_registry.py"):
    mlflow.set_experiment("model-registry-demo")
    model = RandomForestClassifier(n_estimators=100)
    model.fit(X, y)
    with mlflow.start_run(run_name="registered-model") as run:
        mlflow.log_param("n_estimators", 100)
        mlflow.log_metric("accuracy", 0.92)
        model_info = mlflow.sklearn.log_model(model, artifact_path="model", registered_model_name="fraud-detection-model")
        print(f"Model registered: {model_info.model_uri}")
    client_run_id = mlflow.active_run().info.run_id if mlflow.active_run() else None
    t.eq(client_run_id, None, "no active run after the with-block")
    rm = client.get_registered_model("fraud-detection-model")
    t.eq(rm.name, "fraud-detection-model", "registered model created")
    mv = client.get_model_version("fraud-detection-model", "1")
    t.eq((mv.version, mv.run_id, mv.status, mv.current_stage), ("1", run.info.run_id, "READY", "None"), "version 1")
    t.ok(mv.source, "source set", repr(mv.source))
    t.ok(mv.creation_timestamp and mv.last_updated_timestamp, "timestamps", repr(mv))
    t.eq([v.version for v in rm.latest_versions], ["1"], "latest_versions on the registered model")
    first_model = model

with t.step("001 model_stages.py"):
    model_name = "fraud-detection-model"
    versions = client.search_model_versions(f"name='{model_name}'")
    print(f"Found {len(versions)} versions of {model_name}")
    for v in versions:
        print(f"  Version {v.version}: stage={v.current_stage}, run_id={v.run_id[:8]}...")
    t.eq(len(versions), 1, "search_model_versions by name")
    if versions:
        latest_version = versions[0].version
        client.transition_model_version_stage(name=model_name, version=latest_version, stage="Staging")
        print(f"Version {latest_version} moved to Staging")
        client.update_model_version(
            name=model_name, version=latest_version, description="Improved model with new features. F1 score: 0.94"
        )
    mv = client.get_model_version(model_name, "1")
    t.eq(mv.current_stage, "Staging", "transition to Staging")
    t.eq(mv.description, "Improved model with new features. F1 score: 0.94", "update_model_version description")
    staging_model = mlflow.sklearn.load_model(f"models:/{model_name}/Staging")
    t.ok(np.array_equal(staging_model.predict(sample), first_model.predict(sample)), "load models:/name/Staging")

with t.step("001 load_registered.py"):
    latest_model = mlflow.sklearn.load_model(f"models:/{model_name}/latest")
    version_1_model = mlflow.sklearn.load_model(f"models:/{model_name}/1")
    run_model = mlflow.sklearn.load_model(f"runs:/{run.info.run_id}/model")
    sample_input = np.random.randn(5, 20)
    predictions = latest_model.predict(sample_input)
    print(f"Predictions: {predictions}")
    for label, m in (("latest", latest_model), ("/1", version_1_model), ("runs:/", run_model)):
        t.ok(np.array_equal(m.predict(sample_input), first_model.predict(sample_input)), f"models:/ {label} predicts")
    t.raises(lambda: mlflow.sklearn.load_model(f"models:/{model_name}/Production"), "no Production version yet")

with t.step("000 register_and_promote_model + load_production_model"):

    def register_and_promote_model(run_id: str, model_name: str):
        client = MlflowClient()
        model_uri = f"runs:/{run_id}/model"
        model_version = mlflow.register_model(model_uri, model_name)
        client.update_model_version(
            name=model_name, version=model_version.version, description="Model trained with optimized hyperparameters"
        )
        for k, v in {"validation_score": "0.85", "dataset_version": "v1.2"}.items():
            client.set_model_version_tag(model_name, model_version.version, k, v)
        client.transition_model_version_stage(name=model_name, version=model_version.version, stage="Staging")
        return model_version

    def load_production_model(model_name: str):
        model_uri = f"models:/{model_name}/Production"
        return mlflow.pyfunc.load_model(model_uri)

    mv2 = register_and_promote_model(run.info.run_id, "fraud-detection-model")
    t.eq(mv2.version, "2", "register_model makes version 2")
    got = client.get_model_version("fraud-detection-model", "2")
    t.eq(got.tags, {"validation_score": "0.85", "dataset_version": "v1.2"}, "version tags")
    t.eq(got.current_stage, "Staging", "both versions may sit in Staging")
    t.eq(got.run_id, run.info.run_id, "run_id from runs:/ URI")
    t.eq(
        sorted(v.version for v in client.get_latest_versions("fraud-detection-model", stages=["Staging"])),
        ["2"],
        "get_latest_versions(Staging) = the highest Staging version",
    )
    client.transition_model_version_stage("fraud-detection-model", "2", "Production")
    prod = load_production_model("fraud-detection-model")
    t.ok(np.array_equal(prod.predict(sample), first_model.predict(sample)), "models:/name/Production via pyfunc")
    t.raises(
        lambda: client.transition_model_version_stage("fraud-detection-model", "2", "Testing"),
        "unknown stage",
        "INVALID_PARAMETER_VALUE",
    )

with t.step("003 ModelRegistryManager"):

    class ModelRegistryManager:
        def __init__(self, tracking_uri: str = mlflow.get_tracking_uri()):
            self.client = MlflowClient(tracking_uri=tracking_uri)

        def register_model(self, run_id: str, model_path: str, model_name: str, description: Optional[str] = None) -> str:
            model_uri = f"runs:/{run_id}/{model_path}"
            result = self.client.create_model_version(
                name=model_name, source=model_uri, run_id=run_id, description=description
            )
            return result.version

        def promote_to_staging(self, model_name: str, version: str, validation_metrics: Dict[str, float]) -> bool:
            required_metrics = {"accuracy": 0.85, "f1_score": 0.80}
            for metric, threshold in required_metrics.items():
                if validation_metrics.get(metric, 0) < threshold:
                    print(f"Validation failed: {metric} below threshold")
                    return False
            self.client.transition_model_version_stage(
                name=model_name, version=version, stage="Staging", archive_existing_versions=False
            )
            self.client.set_model_version_tag(name=model_name, version=version, key="validation.passed", value="true")
            return True

        def promote_to_production(self, model_name: str, version: str, approval_user: str) -> bool:
            prod_versions = self.client.get_latest_versions(model_name, stages=["Production"])
            for v in prod_versions:
                self.client.transition_model_version_stage(name=model_name, version=v.version, stage="Archived")
            self.client.transition_model_version_stage(name=model_name, version=version, stage="Production")
            self.client.set_model_version_tag(name=model_name, version=version, key="approval.user", value=approval_user)
            self.client.set_model_version_tag(
                name=model_name, version=version, key="approval.timestamp", value=datetime.now().isoformat()
            )
            return True

        def get_production_model(self, model_name: str):
            model_uri = f"models:/{model_name}/Production"
            return mlflow.pyfunc.load_model(model_uri)

        def compare_versions(self, model_name: str, versions: List[str]) -> Dict:
            comparison = {}
            for version in versions:
                mv = self.client.get_model_version(model_name, version)
                run = self.client.get_run(mv.run_id)
                comparison[version] = {
                    "metrics": run.data.metrics,
                    "params": run.data.params,
                    "created_at": mv.creation_timestamp,
                }
            return comparison

    manager = ModelRegistryManager()
    name = "customer-churn-classifier"
    client.create_registered_model(name, description="Churn classifier", tags={"team": "retention"})
    v1 = manager.register_model(run.info.run_id, "model", name, description="baseline")
    v2 = manager.register_model(run.info.run_id, "model", name, description="tuned")
    t.eq((v1, v2), ("1", "2"), "create_model_version numbers versions")
    t.eq(client.get_model_version(name, v1).description, "baseline", "description at creation")
    t.eq(manager.promote_to_staging(name, v1, {"accuracy": 0.7, "f1_score": 0.9}), False, "validation gate")
    t.eq(client.get_model_version(name, v1).current_stage, "None", "not promoted")
    t.eq(manager.promote_to_staging(name, v1, {"accuracy": 0.9, "f1_score": 0.85}), True, "promoted")
    t.eq(client.get_model_version(name, v1).tags.get("validation.passed"), "true", "dotted version tag key")
    manager.promote_to_production(name, v1, approval_user="alice")
    manager.promote_to_production(name, v2, approval_user="bob")
    t.eq(client.get_model_version(name, v1).current_stage, "Archived", "previous Production archived")
    t.eq(client.get_model_version(name, v2).current_stage, "Production", "new Production")
    t.eq(client.get_model_version(name, v2).tags.get("approval.user"), "bob", "approval tag")
    prod = manager.get_production_model(name)
    t.ok(np.array_equal(prod.predict(sample), first_model.predict(sample)), "get_production_model")
    cmp = manager.compare_versions(name, [v1, v2])
    t.eq(cmp[v1]["metrics"], {"accuracy": 0.92}, "compare_versions metrics from the run")
    t.ok(cmp[v2]["created_at"] >= cmp[v1]["created_at"], "creation timestamps ordered")
    latest = {v.current_stage: v.version for v in client.get_latest_versions(name)}
    t.eq(latest, {"Archived": "1", "Production": "2"}, "get_latest_versions without stages: one per stage")
    client.transition_model_version_stage(name, v1, "Production", archive_existing_versions=True)
    t.eq(client.get_model_version(name, v2).current_stage, "Archived", "archive_existing_versions=True")
    t.eq(client.get_model_version(name, v1).current_stage, "Production", "v1 back in Production")
    rm = client.get_registered_model(name)
    t.eq((rm.description, rm.tags), ("Churn classifier", {"team": "retention"}), "registered model description/tags")
    t.raises(lambda: client.create_registered_model(name), "create a taken name", "RESOURCE_ALREADY_EXISTS")
    t.raises(lambda: client.get_model_version(name, "99"), "unknown version", "RESOURCE_DOES_NOT_EXIST")

with t.step("001 ci_integration.py"):
    ci_build_id = os.getenv("CI_BUILD_ID", "local")
    ci_branch = os.getenv("CI_BRANCH", "main")
    ci_commit = os.getenv("CI_COMMIT_SHA", "unknown")
    mlflow.set_experiment("ci-cd-training-pipeline")
    with mlflow.start_run(run_name=f"ci-build-{ci_build_id}") as ci_run:
        mlflow.set_tags(
            {
                "ci.build_id": ci_build_id,
                "ci.branch": ci_branch,
                "ci.commit": ci_commit,
                "ci.triggered_by": os.getenv("CI_TRIGGERED_BY", "manual"),
            }
        )
        mlflow.log_params({"model": "production-config"})
        mlflow.log_metric("accuracy", 0.95)
        if ci_branch == "main":
            mlflow.sklearn.log_model(model, artifact_path="model", registered_model_name="production-model")
            print("Model registered for production deployment")
    mv = client.get_model_version("production-model", "1")
    t.eq(mv.run_id, ci_run.info.run_id, "registered from the CI run")
    r = client.get_run(ci_run.info.run_id)
    t.eq(r.data.tags.get("ci.branch"), "main", "ci tags")

t.done()
