"""Tiny assertion helper for the real-client scripts (tests/mlflow/test_*.py).

Checks are soft: a failed check prints one `FAIL` line (what, expected, got) and the script goes on, so
one run shows every divergence; `done()` exits 1 if anything failed. `step(name)` groups checks and turns
an exception inside it (an MlflowException from the server, say) into a failure of that step.
"""

import contextlib
import filecmp
import os
import subprocess
import sys
import time
import traceback
import warnings

import mlflow

warnings.filterwarnings("ignore", category=FutureWarning)
warnings.filterwarnings("ignore", category=DeprecationWarning)

VERSION = mlflow.__version__
MAJOR = int(VERSION.split(".")[0])
_failures = []
_checks = 0
_step = None
_t0 = time.time()

print(f"mlflow client {VERSION} -> {os.environ.get('MLFLOW_TRACKING_URI')}", flush=True)


def fail(what, detail=""):
    _failures.append(f"[{_step}] {what}")
    print(f"FAIL [{_step}] {what}{(': ' + detail) if detail else ''}", flush=True)


def ok(cond, what, detail=""):
    global _checks
    _checks += 1
    if not cond:
        fail(what, detail)
    return bool(cond)


def eq(actual, expected, what):
    return ok(actual == expected, what, f"expected {expected!r}, got {actual!r}")


def approx(actual, expected, what, rel=1e-9):
    good = actual is not None and abs(actual - expected) <= rel * max(1.0, abs(expected))
    return ok(good, what, f"expected ~{expected!r}, got {actual!r}")


def contains(container, item, what):
    return ok(item in container, what, f"{item!r} not in {_short(container)}")


def has_keys(mapping, keys, what):
    missing = [k for k in keys if k not in mapping]
    return ok(not missing, what, f"missing {missing} in {_short(sorted(mapping))}")


def files_equal(a, b, what):
    same = os.path.isfile(a) and os.path.isfile(b) and filecmp.cmp(a, b, shallow=False)
    return ok(same, what, f"{a} and {b} differ or are missing")


def raises(fn, what, error_code=None):
    """fn() must raise MlflowException (with `error_code` when given)."""
    try:
        fn()
    except mlflow.exceptions.MlflowException as e:
        if error_code is not None:
            return eq(e.error_code, error_code, f"{what}: error_code")
        return ok(True, what)
    except Exception as e:  # noqa: BLE001 - any other exception is a divergence to report
        return ok(False, what, f"expected MlflowException, got {type(e).__name__}: {e}")
    return ok(False, what, "expected MlflowException, nothing raised")


@contextlib.contextmanager
def step(name):
    global _step
    prev, _step = _step, name
    t = time.time()
    print(f"-- {name}", flush=True)
    try:
        yield
    except Exception as e:  # noqa: BLE001
        tb = traceback.format_exc().strip().splitlines()
        fail("raised " + type(e).__name__, f"{e}\n    " + "\n    ".join(tb[-8:]))
    finally:
        print(f"   ({time.time() - t:.1f}s)", flush=True)
        _step = prev


def cli(*args, check=True, subprocess_=False):
    """Runs an `mlflow` CLI command of this client; returns an object with returncode/stdout/stderr.

    By default in-process through the CLI's click group (the code the `mlflow` command runs, minus a
    ~3 s interpreter start per command); subprocess_=True runs `python -m mlflow ...` like a shell.
    """
    if subprocess_:
        p = subprocess.run(
            [sys.executable, "-m", "mlflow", *args], capture_output=True, text=True, timeout=120, env=os.environ.copy()
        )
        rc, out, err = p.returncode, p.stdout, p.stderr
    else:
        from click.testing import CliRunner

        from mlflow.cli import cli as mlflow_cli

        kw = {} if "mix_stderr" not in CliRunner.__init__.__code__.co_varnames else {"mix_stderr": False}
        res = CliRunner(**kw).invoke(mlflow_cli, list(args), catch_exceptions=True)
        rc, out = res.exit_code, res.stdout
        try:
            err = res.stderr
        except ValueError:
            err = ""
        if res.exception is not None and not isinstance(res.exception, SystemExit):
            err += "".join(traceback.format_exception(res.exception))
    if check:
        ok(rc == 0, f"mlflow {' '.join(args)} exits 0", f"exit {rc}: {err[-1500:]}")
    return subprocess.CompletedProcess(["mlflow", *args], rc, out, err)


def done():
    took = time.time() - _t0
    if _failures:
        print(f"{len(_failures)} of {_checks} checks failed ({took:.1f}s)", flush=True)
        sys.exit(1)
    print(f"all {_checks} checks passed ({took:.1f}s)", flush=True)
    sys.exit(0)


def _short(x, n=300):
    s = repr(x)
    return s if len(s) <= n else s[:n] + "..."
