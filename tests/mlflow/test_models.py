# clients: 3.5.1 2.12.1
# timeout: 240
# Models: 004 basic_tracking.py + compare_runs.py (log_model with input_example, find the best run,
# load runs:/<best>/random_forest_model), 001 model_logging.py, 000 log_training_run (signature,
# input_example, pip_requirements file, plots, tags), 003's Airflow task body (without Airflow),
# sklearn and pyfunc load_model with equal predictions. (MLflow 3 logged models: test_logged_models.py.)
# Each log_model without pip_requirements costs the 3.x client ~5-10 s (it infers requirements in a
# subprocess), so only the guides' own log_model calls are here.
import numpy as np
import pandas as pd
from sklearn.datasets import load_iris, make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import mlflow  # noqa: E402
import mlflow.sklearn  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.models.signature import infer_signature  # noqa: E402

import mlcheck as t  # noqa: E402

client = MlflowClient()

with t.step("004 basic_tracking.py"):
    mlflow.set_experiment("iris_classification")
    iris = load_iris()
    X_train, X_test, y_train, y_test = train_test_split(iris.data, iris.target, test_size=0.2, random_state=42)
    run_ids = {}
    for n_estimators, max_depth in ((100, 5), (3, 1), (1, 1)):  # the guide's run, then two weaker ones to compare
        random_state = 42
        with mlflow.start_run(run_name="random_forest_baseline"):
            mlflow.log_param("n_estimators", n_estimators)
            mlflow.log_param("max_depth", max_depth)
            mlflow.log_param("random_state", random_state)
            mlflow.log_param("test_size", 0.2)
            model = RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth, random_state=random_state)
            model.fit(X_train, y_train)
            y_pred = model.predict(X_test)
            accuracy = accuracy_score(y_test, y_pred)
            f1 = f1_score(y_test, y_pred, average="weighted")
            mlflow.log_metric("accuracy", accuracy)
            mlflow.log_metric("f1_score", f1)
            if max_depth == 5:  # the guide's run logs its model; the two extra runs are only compared
                mlflow.sklearn.log_model(model, "random_forest_model", input_example=X_train[:5])
                guide_run_id = mlflow.active_run().info.run_id
            run_id = mlflow.active_run().info.run_id
            run_ids[run_id] = (accuracy, model)
            print(f"Run ID: {run_id}")
            print(f"Accuracy: {accuracy:.4f}")
            print(f"F1 Score: {f1:.4f}")
    model = run_ids[guide_run_id][1]
    loaded = mlflow.sklearn.load_model(f"runs:/{guide_run_id}/random_forest_model")
    t.ok(np.array_equal(loaded.predict(X_test), model.predict(X_test)), "sklearn load_model predicts the same")
    t.ok(np.allclose(loaded.predict_proba(X_test), model.predict_proba(X_test)), "sklearn load_model probabilities")
    listed = [a.path for a in client.list_artifacts(guide_run_id, "random_forest_model")]
    for f in ("MLmodel", "model.pkl", "requirements.txt", "python_env.yaml", "input_example.json"):
        t.contains(listed, f"random_forest_model/{f}", f"model directory has {f}")

with t.step("004 compare_runs.py"):
    experiment = client.get_experiment_by_name("iris_classification")
    runs = mlflow.search_runs(experiment_ids=[experiment.experiment_id], order_by=["metrics.accuracy DESC"])
    print(runs[["run_id", "metrics.accuracy", "params.n_estimators", "params.max_depth"]])
    best_run = runs.iloc[0]
    best_run_id = best_run["run_id"]
    t.eq(best_run["metrics.accuracy"], max(a for a, _ in run_ids.values()), "best accuracy first")
    t.eq(best_run_id, guide_run_id, "the guide's run is the best")
    model_uri = f"runs:/{best_run_id}/random_forest_model"
    loaded_model = mlflow.sklearn.load_model(model_uri)
    t.eq(type(loaded_model).__name__, "RandomForestClassifier", "model type")
    t.ok(np.array_equal(loaded_model.predict(X_test), run_ids[best_run_id][1].predict(X_test)), "best model predicts")
    filtered_runs = mlflow.search_runs(
        experiment_ids=[experiment.experiment_id], filter_string="params.n_estimators = '100' AND metrics.accuracy > 0.9"
    )
    expected = sorted(r for r, (a, m) in run_ids.items() if m.n_estimators == 100 and a > 0.9)
    t.eq(sorted(filtered_runs["run_id"]), expected, "params + metrics filter")

with t.step("001 model_logging.py + pyfunc"):
    mlflow.set_experiment("model-logging-demo")
    X, y = make_classification(n_samples=1000, n_features=20, random_state=42)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    with mlflow.start_run(run_name="sklearn-model") as run:
        model = RandomForestClassifier(n_estimators=100, max_depth=10, random_state=42)
        model.fit(X_train, y_train)
        mlflow.log_param("n_estimators", 100)
        mlflow.log_param("max_depth", 10)
        train_acc = accuracy_score(y_train, model.predict(X_train))
        test_acc = accuracy_score(y_test, model.predict(X_test))
        mlflow.log_metric("train_accuracy", train_acc)
        mlflow.log_metric("test_accuracy", test_acc)
        model_info = mlflow.sklearn.log_model(
            model, artifact_path="model", input_example=X_train[:5], registered_model_name=None
        )
        print(f"Model logged. Test accuracy: {test_acc:.4f}")
    pyf = mlflow.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
    t.ok(np.array_equal(pyf.predict(X_test), model.predict(X_test)), "pyfunc predictions equal")
    t.ok(np.array_equal(mlflow.pyfunc.load_model(model_info.model_uri).predict(X_test), model.predict(X_test)), "by model_info.model_uri")
    info = mlflow.models.get_model_info(f"runs:/{run.info.run_id}/model")
    t.ok(info.signature is not None, "signature inferred from input_example")
    t.eq(sorted(info.flavors), ["python_function", "sklearn"], "flavors")
    r = client.get_run(run.info.run_id)
    if t.MAJOR < 3:
        t.contains(r.data.tags.get("mlflow.log-model.history", ""), '"artifact_path": "model"', "log-model history tag")

with t.step("000 log_training_run (signature, pip_requirements file, plots, tags)"):
    mlflow.set_experiment("training-runs")
    with open("requirements.txt", "w") as f:
        f.write("scikit-learn\nnumpy\n")

    def create_and_log_plots(model, X_val, y_val):
        if hasattr(model, "feature_importances_"):
            plt.figure(figsize=(10, 6))
            plt.barh(range(len(model.feature_importances_)), model.feature_importances_)
            plt.xlabel("Feature Importance")
            plt.tight_layout()
            plt.savefig("feature_importance.png")
            mlflow.log_artifact("feature_importance.png")
            plt.close()
        if hasattr(model, "predict"):
            predictions = model.predict(X_val)
            plt.figure(figsize=(8, 8))
            plt.scatter(y_val, predictions, alpha=0.6)
            plt.xlabel("Actual")
            plt.ylabel("Predicted")
            plt.title("Predictions vs Actual")
            plt.plot([y_val.min(), y_val.max()], [y_val.min(), y_val.max()], "r--")
            plt.savefig("predictions_vs_actual.png")
            mlflow.log_artifact("predictions_vs_actual.png")
            plt.close()

    def log_training_run(model, X_train, y_train, X_val, y_val, params, run_name=None):
        with mlflow.start_run(run_name=run_name) as run:
            mlflow.log_params(params)
            mlflow.log_param("train_samples", len(X_train))
            mlflow.log_param("val_samples", len(X_val))
            mlflow.log_param("features", X_train.shape[1])
            model.fit(X_train, y_train)
            train_score = model.score(X_train, y_train)
            val_score = model.score(X_val, y_val)
            mlflow.log_metric("train_score", train_score)
            mlflow.log_metric("val_score", val_score)
            mlflow.log_metric("overfitting", train_score - val_score)
            signature = infer_signature(X_train, model.predict(X_train))
            mlflow.sklearn.log_model(
                model, "model", signature=signature, input_example=X_train[:5], pip_requirements="requirements.txt"
            )
            create_and_log_plots(model, X_val, y_val)
            mlflow.set_tags(
                {"model_type": type(model).__name__, "status": "completed", "validation_strategy": "holdout"}
            )
            return run.info.run_id

    params = {"n_estimators": 50, "max_depth": 6, "random_state": 0}
    run_id = log_training_run(RandomForestClassifier(**params), X_train, y_train, X_test, y_test, params, "rf-holdout")
    r = client.get_run(run_id)
    t.eq(r.data.tags.get("status"), "completed", "status tag")
    t.eq(r.data.params.get("features"), "20", "features param")
    t.has_keys(r.data.metrics, ["train_score", "val_score", "overfitting"], "metrics")
    reqs = mlflow.artifacts.load_text(f"runs:/{run_id}/model/requirements.txt")
    t.contains(reqs, "scikit-learn", "pip_requirements file used")
    top = [a.path for a in client.list_artifacts(run_id)]
    t.eq(sorted(p for p in top if p.endswith(".png")), ["feature_importance.png", "predictions_vs_actual.png"], "plots")
    info = mlflow.models.get_model_info(f"runs:/{run_id}/model")
    t.eq(info.signature.to_dict(), infer_signature(X_train, y_train).to_dict(), "explicit signature stored")

with t.step("003 train_model_with_tracking (Airflow task body, context faked)"):
    context_params = {"data_path": "memory://features/daily/", "n_estimators": 30, "max_depth": 4}
    dag_id, task_id, airflow_run_id = "ml_training_pipeline", "train_model", "manual__2026-01-01T00:00:00"
    execution_date = "2026-01-01T00:00:00+00:00"
    mlflow.set_experiment(f"airflow_{dag_id}")
    with mlflow.start_run(run_name=f"{task_id}_{execution_date[:10]}"):
        mlflow.set_tags(
            {
                "airflow.dag_id": dag_id,
                "airflow.task_id": task_id,
                "airflow.run_id": airflow_run_id,
                "airflow.execution_date": execution_date,
            }
        )
        mlflow.log_params(context_params)
        Xc, yc = make_classification(n_samples=300, n_features=6, random_state=1)
        df = pd.DataFrame(Xc, columns=[f"f{i}" for i in range(6)]).assign(target=yc)  # stands in for read_parquet
        X = df.drop("target", axis=1)
        y = df["target"]
        model = RandomForestClassifier(n_estimators=context_params["n_estimators"], max_depth=context_params["max_depth"])
        model.fit(X, y)
        y_pred = model.predict(X)
        mlflow.log_metrics({"accuracy": accuracy_score(y, y_pred), "f1_score": f1_score(y, y_pred)})
        mlflow.sklearn.log_model(model, "model")
        xcom_run_id = mlflow.active_run().info.run_id
    r = client.get_run(xcom_run_id)
    t.eq(r.info.run_name, "train_model_2026-01-01", "run name from the task")
    t.eq(r.data.params.get("data_path"), "memory://features/daily/", "params from the DAG")
    pyf = mlflow.pyfunc.load_model(f"runs:/{xcom_run_id}/model")
    t.ok(np.array_equal(pyf.predict(X), model.predict(X)), "pyfunc on a DataFrame with column names")

t.done()
