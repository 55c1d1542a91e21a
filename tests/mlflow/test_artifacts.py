# clients: 3.5.1 2.12.1
# Artifacts as the guides log them, then read back with the client: 001 artifact_logging.py,
# 004 artifact_logging.py (confusion matrix, importances, config, data_samples dir), 000's
# create_and_log_plots and tempfile/joblib "preprocessors"; plus log_text, log_dict (JSON and YAML),
# log_figure, log_image (numpy, PIL, key/step), log_table; list_artifacts, download_artifacts
# byte-equal (file, directory, whole run, runs:/ URIs), load_text/load_dict/load_image.
import json
import os
import shutil
import tempfile

import joblib
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402
from PIL import Image  # noqa: E402
from sklearn.datasets import load_diabetes, load_iris  # noqa: E402
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor  # noqa: E402
from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402

import mlcheck as t  # noqa: E402

client = MlflowClient()
logged = {}  # run-relative artifact path -> local copy of what was uploaded, per run


def remember(run_id, artifact_path, local_file):
    keep = os.path.join("expected", run_id, artifact_path)
    os.makedirs(os.path.dirname(keep), exist_ok=True)
    shutil.copyfile(local_file, keep)
    logged.setdefault(run_id, {})[artifact_path] = keep


def all_files(run_id, path=None):
    """Walks list_artifacts recursively: {path: file_size}."""
    out = {}
    for info in client.list_artifacts(run_id, path):
        if info.is_dir:
            out.update(all_files(run_id, info.path))
        else:
            out[info.path] = info.file_size
    return out


def check_run_artifacts(run_id, label):
    """Every remembered file is listed with its size and downloads byte-equal."""
    listed = all_files(run_id)
    for artifact_path, local in sorted(logged.get(run_id, {}).items()):
        t.eq(listed.get(artifact_path), os.path.getsize(local), f"{label}: list_artifacts size of {artifact_path}")
        got = mlflow.artifacts.download_artifacts(
            run_id=run_id, artifact_path=artifact_path, dst_path=tempfile.mkdtemp(dir=".")
        )
        t.files_equal(got, local, f"{label}: download_artifacts {artifact_path} byte-equal")
    return listed


with t.step("001 artifact_logging.py"):
    mlflow.set_experiment("artifact-demo")
    with mlflow.start_run(run_name="artifacts-example") as run:
        os.makedirs("temp_artifacts", exist_ok=True)
        config = {"model": "xgboost", "features": ["age", "income", "score"]}
        config_path = "temp_artifacts/config.json"
        with open(config_path, "w") as f:
            json.dump(config, f, indent=2)
        mlflow.log_artifact(config_path)
        fig, ax = plt.subplots()
        x = np.linspace(0, 10, 100)
        ax.plot(x, np.sin(x), label="sin(x)")
        ax.plot(x, np.cos(x), label="cos(x)")
        ax.legend()
        ax.set_title("Training Curves")
        plot_path = "temp_artifacts/training_curves.png"
        fig.savefig(plot_path)
        plt.close()
        mlflow.log_artifact(plot_path)
        os.makedirs("temp_artifacts/data", exist_ok=True)
        for i in range(3):
            with open(f"temp_artifacts/data/file_{i}.txt", "w") as f:
                f.write(f"Data file {i}")
        mlflow.log_artifacts("temp_artifacts/data", artifact_path="data_files")
        print("Artifacts logged successfully")
    rid = run.info.run_id
    remember(rid, "config.json", config_path)
    remember(rid, "training_curves.png", plot_path)
    for i in range(3):
        remember(rid, f"data_files/file_{i}.txt", f"temp_artifacts/data/file_{i}.txt")
    root = client.list_artifacts(rid)
    t.eq([(a.path, a.is_dir) for a in root], [("config.json", False), ("data_files", True), ("training_curves.png", False)], "root listing, sorted by path")
    t.eq(
        [a.path for a in client.list_artifacts(rid, "data_files")],
        ["data_files/file_0.txt", "data_files/file_1.txt", "data_files/file_2.txt"],
        "list_artifacts of a directory gives run-relative paths",
    )
    t.eq([a.file_size for a in root if a.is_dir], [None], "directories have no file_size")
    check_run_artifacts(rid, "001")
    t.eq(mlflow.artifacts.load_dict(f"runs:/{rid}/config.json"), config, "load_dict of a logged JSON file")
    d = mlflow.artifacts.download_artifacts(artifact_uri=f"runs:/{rid}/data_files", dst_path="dl_dir")
    t.eq(sorted(os.listdir(d)), ["file_0.txt", "file_1.txt", "file_2.txt"], "download a directory by runs:/ URI")
    t.eq(open(os.path.join(d, "file_2.txt")).read(), "Data file 2", "directory file content")
    whole = mlflow.artifacts.download_artifacts(run_id=rid, dst_path="dl_whole")
    t.eq(
        sorted(os.path.relpath(os.path.join(dp, f), whole) for dp, _, fs in os.walk(whole) for f in fs),
        ["config.json", "data_files/file_0.txt", "data_files/file_1.txt", "data_files/file_2.txt", "training_curves.png"],
        "download the whole run",
    )
    os.makedirs("dl_client")
    p = client.download_artifacts(rid, "training_curves.png", "dl_client")
    t.files_equal(p, plot_path, "MlflowClient.download_artifacts")

with t.step("004 artifact_logging.py"):
    mlflow.set_experiment("artifact_example")
    iris = load_iris()
    X_train, X_test, y_train, y_test = train_test_split(iris.data, iris.target, test_size=0.2, random_state=42)
    os.makedirs("keep004", exist_ok=True)
    with mlflow.start_run(run_name="with_artifacts") as run:
        model = RandomForestClassifier(n_estimators=100, random_state=42)
        model.fit(X_train, y_train)
        y_pred = model.predict(X_test)
        cm = confusion_matrix(y_test, y_pred)
        fig, ax = plt.subplots(figsize=(8, 6))
        disp = ConfusionMatrixDisplay(confusion_matrix=cm, display_labels=iris.target_names)
        disp.plot(ax=ax)
        plt.title("Confusion Matrix")
        plt.savefig("confusion_matrix.png", dpi=150, bbox_inches="tight")
        mlflow.log_artifact("confusion_matrix.png")
        plt.close()
        importances = model.feature_importances_
        fig, ax = plt.subplots(figsize=(10, 6))
        ax.barh(iris.feature_names, importances)
        ax.set_xlabel("Feature Importance")
        ax.set_title("Random Forest Feature Importances")
        plt.tight_layout()
        plt.savefig("feature_importance.png", dpi=150)
        mlflow.log_artifact("feature_importance.png")
        plt.close()
        config = {
            "model_type": "RandomForestClassifier",
            "preprocessing": {"scaling": "none", "feature_selection": "none"},
            "training": {"cv_folds": 5, "stratified": True},
        }
        with open("config.json", "w") as f:
            json.dump(config, f, indent=2)
        mlflow.log_artifact("config.json")
        os.makedirs("data_samples", exist_ok=True)
        np.savetxt("data_samples/X_train_sample.csv", X_train[:10], delimiter=",")
        np.savetxt("data_samples/X_test_sample.csv", X_test[:10], delimiter=",")
        mlflow.log_artifacts("data_samples", artifact_path="data_samples")
        for f in ("confusion_matrix.png", "feature_importance.png", "config.json"):
            remember(run.info.run_id, f, f)
        for f in ("X_train_sample.csv", "X_test_sample.csv"):
            remember(run.info.run_id, f"data_samples/{f}", f"data_samples/{f}")
        os.remove("confusion_matrix.png")
        os.remove("feature_importance.png")
        os.remove("config.json")
        os.remove("data_samples/X_train_sample.csv")
        os.remove("data_samples/X_test_sample.csv")
        os.rmdir("data_samples")
        print("Artifacts logged successfully!")
    listed = check_run_artifacts(run.info.run_id, "004")
    t.eq(len(listed), 5, "five files")
    back = np.loadtxt(
        mlflow.artifacts.download_artifacts(f"runs:/{run.info.run_id}/data_samples/X_train_sample.csv"), delimiter=","
    )
    t.ok(np.allclose(back, X_train[:10]), "csv sample round-trips")

with t.step("000 create_and_log_plots + tempfile preprocessors"):
    X, y = load_diabetes(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=0)
    mlflow.set_experiment("regression-artifacts")
    with mlflow.start_run(run_name="rf-regressor") as run:
        model = RandomForestRegressor(n_estimators=20, random_state=0).fit(X_train, y_train)
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
        large_object = StandardScaler().fit(X_train)
        with tempfile.NamedTemporaryFile(suffix=".pkl", delete=False) as tmp_file:
            joblib.dump(large_object, tmp_file.name)
            mlflow.log_artifact(tmp_file.name, "preprocessors")
        rid = run.info.run_id
        remember(rid, "feature_importance.png", "feature_importance.png")
        remember(rid, "predictions_vs_actual.png", "predictions_vs_actual.png")
        remember(rid, f"preprocessors/{os.path.basename(tmp_file.name)}", tmp_file.name)
    check_run_artifacts(rid, "000")
    pkl = mlflow.artifacts.download_artifacts(
        run_id=rid, artifact_path=f"preprocessors/{os.path.basename(tmp_file.name)}", dst_path="dl_pkl"
    )
    t.ok(np.allclose(joblib.load(pkl).mean_, large_object.mean_), "the pickled scaler loads back")
    os.remove(tmp_file.name)

with t.step("log_text, log_dict JSON/YAML, log_figure, log_image, awkward file names"):
    mlflow.set_experiment("artifact-apis")
    with mlflow.start_run() as run:
        rid = run.info.run_id
        mlflow.log_text("epoch,loss\n0,1.0\n1,0.5\n", "logs/train_log.csv")
        mlflow.log_text("héllo wörld ✓\n", "notes/unicode.txt")
        cfg = {"model": {"type": "rf", "depth": 5}, "features": ["a", "b"], "lr": 0.01}
        mlflow.log_dict(cfg, "config/params.json")
        mlflow.log_dict(cfg, "config/params.yaml")
        fig, ax = plt.subplots()
        ax.plot([0, 1, 2], [2, 1, 3])
        mlflow.log_figure(fig, "figures/curve.png")
        mlflow.log_figure(fig, "figures/curve.svg")
        plt.close(fig)
        img = (np.arange(48 * 64 * 3).reshape(48, 64, 3) % 256).astype(np.uint8)
        mlflow.log_image(img, "images_manual/gradient.png")
        mlflow.log_image(Image.fromarray(img), "images_manual/pil.png")
        mlflow.log_image(np.random.default_rng(0).random((16, 16)), "images_manual/float_gray.png")
        with open("empty.txt", "w"):
            pass
        mlflow.log_artifact("empty.txt", "misc")
        with open("my report (v2).txt", "w") as f:
            f.write("spaces and parentheses")
        mlflow.log_artifact("my report (v2).txt", "misc")
        blob = np.random.default_rng(1).bytes(3 * 1024 * 1024 + 17)
        with open("blob.bin", "wb") as f:
            f.write(blob)
        mlflow.log_artifact("blob.bin", "deep/a/b/c")
        t.ok(mlflow.get_artifact_uri().endswith(f"{rid}/artifacts"), "get_artifact_uri", mlflow.get_artifact_uri())
        t.ok(mlflow.get_artifact_uri("config/params.json").endswith("config/params.json"), "get_artifact_uri(path)")
    t.eq(mlflow.artifacts.load_text(f"runs:/{rid}/logs/train_log.csv"), "epoch,loss\n0,1.0\n1,0.5\n", "load_text")
    t.eq(mlflow.artifacts.load_text(f"runs:/{rid}/notes/unicode.txt"), "héllo wörld ✓\n", "unicode text")
    t.eq(mlflow.artifacts.load_dict(f"runs:/{rid}/config/params.json"), cfg, "log_dict JSON")
    raw_yaml = mlflow.artifacts.load_text(f"runs:/{rid}/config/params.yaml")
    t.eq(yaml.safe_load(raw_yaml), cfg, "log_dict YAML (load_dict reads JSON only, so load_text + yaml)")
    loaded = mlflow.artifacts.load_image(f"runs:/{rid}/images_manual/gradient.png")
    t.ok(np.array_equal(np.asarray(loaded), img), "log_image numpy -> load_image pixel-equal")
    t.ok(np.array_equal(np.asarray(mlflow.artifacts.load_image(f"runs:/{rid}/images_manual/pil.png")), img), "PIL image")
    svg = mlflow.artifacts.load_text(f"runs:/{rid}/figures/curve.svg")
    t.ok("<svg" in svg, "log_figure svg")
    files = all_files(rid)
    t.has_keys(
        files,
        ["figures/curve.png", "images_manual/float_gray.png", "misc/empty.txt", "misc/my report (v2).txt", "deep/a/b/c/blob.bin"],
        "all listed",
    )
    # mlflow server leaves file_size out of the JSON when it is 0 (proto default), so the client sees None
    t.eq(files.get("misc/empty.txt", "missing"), None, "empty file listed without file_size")
    t.eq(files.get("deep/a/b/c/blob.bin"), len(blob), "3 MB file size")
    got = mlflow.artifacts.download_artifacts(run_id=rid, artifact_path="deep/a/b/c/blob.bin", dst_path="dl_blob")
    t.files_equal(got, "blob.bin", "3 MB binary byte-equal")
    got = mlflow.artifacts.download_artifacts(run_id=rid, artifact_path="misc/my report (v2).txt", dst_path="dl_sp")
    t.files_equal(got, "my report (v2).txt", "file name with spaces byte-equal")
    got = mlflow.artifacts.download_artifacts(run_id=rid, artifact_path="misc/empty.txt", dst_path="dl_empty")
    t.eq(os.path.getsize(got), 0, "empty file downloads empty")
    t.eq(client.list_artifacts(rid, "no/such/dir"), [], "list_artifacts of a missing path is empty")
    t.eq([a.path for a in client.list_artifacts(rid, "deep")], ["deep/a"], "intermediate directories listed")
    try:
        mlflow.artifacts.download_artifacts(run_id=rid, artifact_path="no/such/file.txt", dst_path="dl_missing")
        t.fail("downloading a missing artifact raises", "nothing raised")
    except Exception as e:  # noqa: BLE001 - the client raises its own error type per version
        print(f"missing artifact -> {type(e).__name__}")

with t.step("log_image with key/step, log_table"):
    with mlflow.start_run() as run:
        rid = run.info.run_id
        if t.MAJOR >= 3 or hasattr(mlflow, "Image"):
            for step in range(2):
                mlflow.log_image(np.full((8, 8, 3), 40 * step, dtype=np.uint8), key="sample", step=step)
        table = {"inputs": ["What is MLflow?", "What is Runlens?"], "outputs": ["A platform", "A tracker"]}
        mlflow.log_table(data=table, artifact_file="eval/qa_table.json")
        mlflow.log_table(data=pd.DataFrame({"inputs": ["Third?"], "outputs": ["Yes"]}), artifact_file="eval/qa_table.json")
    files = all_files(rid)
    if t.MAJOR >= 3 or hasattr(mlflow, "Image"):
        t.ok(any(p.startswith("images/") and "sample" in p for p in files), "key/step images under images/", str(files))
    df = mlflow.load_table("eval/qa_table.json", run_ids=[rid])
    t.eq(list(df["inputs"]), ["What is MLflow?", "What is Runlens?", "Third?"], "log_table appends and load_table reads")
    r = client.get_run(rid)
    t.contains(r.data.tags.get("mlflow.loggedArtifacts", ""), "eval/qa_table.json", "mlflow.loggedArtifacts tag")

t.done()
