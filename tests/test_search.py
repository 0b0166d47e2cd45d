"""dlnotes.search: Optuna objectives from fit, shared studies, and workers on real SQLite, journal and PostgreSQL.

The PostgreSQL tests start Debian's server (installed by ``make setup``) in a throwaway cluster:
initdb and pg_ctl in a temporary folder, as the ``postgres`` user when the tests run as root
(PostgreSQL refuses to run as root), on a free port of 127.0.0.1; stopped and removed afterwards.
"""
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import optuna
import pytest
import torch
from optuna.storages import RetryHeartbeatStaleTrialCallback
from optuna.trial import TrialState
from torch import nn

import dlnotes
from dlnotes.search import TrialPruning, create_study, fit_objective, load_objective, open_storage, work

optuna.logging.set_verbosity(optuna.logging.WARNING)
pytestmark = pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")

OBJECTIVES = textwrap.dedent('''
    import os, pathlib, time

    def quadratic(trial):
        x = trial.suggest_float("x", -10, 10)
        time.sleep(0.05)
        return (x - 2) ** 2

    def hangs(trial):
        """Says it started, then works until it is killed."""
        x = trial.suggest_float("x", -10, 10)
        pathlib.Path(os.environ["STARTED"]).write_text(str(trial.number))
        time.sleep(300)
        return (x - 2) ** 2
''')


# --- fit as an objective, pruning -------------------------------------------------------------------

def tiny_problem(seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(256, 4, generator=g)
    y = (x[:, 0] + x[:, 1] > 0).long()
    return dlnotes.TensorLoader(x[:192], y[:192], batch_size=32), dlnotes.TensorLoader(x[192:], y[192:], batch_size=64)


def build(trial):
    train, val = tiny_problem()
    torch.manual_seed(trial.number)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    lr = trial.suggest_float("lr", 1e-3, 1.0, log=True)
    return {"model": model, "train": train, "val": val, "loss": nn.CrossEntropyLoss(), "epochs": 4,
            "optimizer": torch.optim.SGD(model.parameters(), lr=lr), "metrics": {"accuracy": dlnotes.accuracy}}


def test_fit_objective_returns_the_best_epoch_and_reports_every_epoch():
    study = create_study(direction="maximize", sampler="random", pruner="none", seed=0)
    study.optimize(fit_objective(build, monitor="val_accuracy"), n_trials=3)
    for trial in study.trials:
        assert trial.state == TrialState.COMPLETE and trial.user_attrs["epochs"] == 4
        assert sorted(trial.intermediate_values) == [1, 2, 3, 4]
        assert trial.value == max(trial.intermediate_values.values())


def test_a_pruned_trial_stops_after_the_epoch_the_pruner_judged():
    study = create_study(direction="minimize", sampler="random", pruner=optuna.pruners.ThresholdPruner(upper=0.0),
                         seed=0)  # every finite loss is above 0: pruned after the first epoch
    study.optimize(fit_objective(build), n_trials=2)
    assert [t.state for t in study.trials] == [TrialState.PRUNED] * 2
    assert all(sorted(t.intermediate_values) == [1] and t.user_attrs["epochs"] == 1 for t in study.trials)


def test_a_diverged_run_fails_its_trial_with_the_reason():
    def diverging(trial):
        kwargs = build(trial)
        kwargs["optimizer"] = torch.optim.SGD(kwargs["model"].parameters(), lr=1e30)
        return kwargs
    study = create_study(direction="minimize", pruner="none")
    study.optimize(fit_objective(diverging), n_trials=1, catch=(FloatingPointError,))
    assert study.trials[0].state == TrialState.FAIL


def test_fit_objective_refuses_a_monitor_against_the_study_direction_and_bad_builds():
    study = create_study(direction="minimize")
    with pytest.raises(ValueError, match="monitor='val_accuracy' should be maximized but the study is to minimize"):
        study.optimize(fit_objective(build, monitor="val_accuracy"), n_trials=1, catch=())
    with pytest.raises(TypeError, match="build.trial. must return a dict of fit's arguments including val"):
        study.optimize(fit_objective(lambda trial: {"epochs": 1}), n_trials=1, catch=())
    with pytest.raises(ValueError, match="cannot tell whether monitor='val_thing'"):
        fit_objective(build, monitor="val_thing")
    with pytest.raises(TypeError, match="build must be a callable"):
        fit_objective(3)
    with pytest.raises(TypeError, match="trial must be an optuna.trial.Trial"):
        TrialPruning("trial")


# --- bad input: names, storages -----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"sampler": "bayes"}, ValueError, "sampler must be one of 'tpe', 'random', got 'bayes'"),
    ({"pruner": "hyperband"}, ValueError, "pruner must be one of 'median', 'halving', 'none', got 'hyperband'"),
    ({"direction": "max"}, ValueError, "direction must be one of 'minimize', 'maximize', got 'max'"),
    ({"storage": 3}, TypeError, "storage must be None"),
    ({"storage": "mysql://u@h/db"}, ValueError, "storage must be None .* got 'mysql://u@h/db'"),
    ({"study_name": ""}, TypeError, "study_name must be a non-empty string"),
    ({"seed": -1}, ValueError, "seed must be an integer in"),
])
def test_create_study_names_a_bad_argument(kwargs, error, message):
    with pytest.raises(error, match=message):
        create_study(**kwargs)


def test_an_unreachable_storage_is_named_with_its_password_hidden(tmp_path):
    url = f"postgresql://someone:secret@127.0.0.1:{free_port()}/nowhere"
    with pytest.raises(ConnectionError, match=r"storage 'postgresql\+psycopg://someone:\*\*\*@127.0.0.1:\d+/nowhere' "
                                              "cannot be reached: .*refused") as caught:
        open_storage(url)
    assert "secret" not in str(caught.value)
    with pytest.raises(ConnectionError, match="cannot be reached: .*unable to open database file"):
        open_storage(f"sqlite:///{tmp_path}/no/such/folder/search.db")
    with pytest.raises(ValueError, match="journal file must be in an existing folder"):
        open_storage(f"journal:{tmp_path}/no/such/search.log")
    with pytest.raises(ValueError, match="heartbeat_interval: Optuna's journal file has no heartbeat"):
        open_storage(f"journal:{tmp_path}/search.log", heartbeat_interval=1)


def test_a_study_loaded_with_the_other_direction_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path}/search.db"
    create_study("s", storage=url, direction="minimize")
    with pytest.raises(ValueError, match="direction='maximize', but the study 's' in this storage was created to minimize"):
        create_study("s", storage=url, direction="maximize")


def test_work_needs_a_stopping_rule_and_load_objective_names_what_is_missing(tmp_path):
    study = create_study()
    with pytest.raises(ValueError, match="give trials, budget or timeout"):
        work(study, lambda t: 0.0)
    with pytest.raises(ValueError, match="trials must be an integer >= 1, got 0"):
        work(study, lambda t: 0.0, trials=0)
    with pytest.raises(ValueError, match="objective must be 'FILE.py:FUNCTION' or 'MODULE:FUNCTION'"):
        load_objective("objective.py")
    with pytest.raises(FileNotFoundError, match="no file"):
        load_objective(f"{tmp_path}/missing.py:objective")
    (tmp_path / "objectives.py").write_text(OBJECTIVES)
    with pytest.raises(ValueError, match="has no function 'nothing'"):
        load_objective(f"{tmp_path}/objectives.py:nothing")
    assert load_objective(f"{tmp_path}/objectives.py:quadratic").__name__ == "quadratic"


def test_budget_counts_the_trials_of_every_worker():
    study = create_study(sampler="random", seed=0)
    assert work(study, lambda t: t.suggest_float("x", 0, 1), trials=3) == 3
    assert work(study, lambda t: t.suggest_float("x", 0, 1), budget=5) == 2
    assert work(study, lambda t: t.suggest_float("x", 0, 1), budget=5) == 0
    assert len(study.trials) == 5


# --- workers in processes, on real storages ---------------------------------------------------------------

def worker(tmp_path, storage, study, *args, objective="quadratic", env=None):
    """Start ``python -m dlnotes.search`` on a function of the objectives file; returns the Popen."""
    (tmp_path / "objectives.py").write_text(OBJECTIVES)
    return subprocess.Popen(
        [sys.executable, "-m", "dlnotes.search", "--storage", storage, "--study", study,
         "--objective", f"{tmp_path}/objectives.py:{objective}", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})})


def finish(process, timeout=120) -> str:
    out, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, out
    return out


def check_two_workers_add_up(tmp_path, storage):
    workers = [worker(tmp_path, storage, "shared", "--trials", "4", "--sampler", "random", "--seed", str(s))
               for s in (1, 2)]
    outputs = [finish(w) for w in workers]
    assert all("4 trials finished here" in out for out in outputs), outputs
    study = optuna.load_study(study_name="shared", storage=open_storage(storage))
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 8
    assert sorted(t.number for t in study.trials) == list(range(8))
    assert len({t.params["x"] for t in study.trials}) == 8          # none lost, none run twice
    assert len({t._trial_id for t in study.trials}) == 8


def check_a_killed_worker_leaves_a_study_another_finishes(tmp_path, storage):
    started = tmp_path / "started"
    hung = worker(tmp_path, storage, "killed", "--trials", "1", "--heartbeat", "1", "--grace", "2",
                  objective="hangs", env={"STARTED": str(started)})
    deadline = time.monotonic() + 60
    while not started.exists():
        assert hung.poll() is None and time.monotonic() < deadline, hung.stdout.read() if hung.poll() is not None else ""
        time.sleep(0.05)
    hung.send_signal(signal.SIGKILL)
    hung.wait()
    study = optuna.load_study(study_name="killed", storage=open_storage(storage))
    assert [t.state for t in study.trials] == [TrialState.RUNNING]   # loadable; the dead trial is still "running"
    lost_x = study.trials[0].params["x"]
    time.sleep(2.5)  # past the grace period
    out = finish(worker(tmp_path, storage, "killed", "--budget", "4", "--heartbeat", "1", "--grace", "2"))
    assert "4 complete, 1 fail" in out, out
    study = optuna.load_study(study_name="killed", storage=open_storage(storage))
    failed = study.get_trials(states=(TrialState.FAIL,))
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    assert [t.number for t in failed] == [0] and len(complete) == 4
    retried = [t for t in complete if RetryHeartbeatStaleTrialCallback.retried_trial_number(t) == 0]
    assert len(retried) == 1 and retried[0].params["x"] == lost_x   # the lost trial ran again, same parameters
    assert study.best_value == min(t.value for t in complete)


STARTS_TOGETHER = textwrap.dedent('''
    import sys, time
    from pathlib import Path
    from dlnotes.search import create_study
    url, ready, go = sys.argv[1:]
    Path(ready).touch()
    while not Path(go).exists():
        time.sleep(0.002)
    create_study("together", storage=url)
''')


def check_workers_starting_together_on_a_new_database(tmp_path, storage, workers=3):
    """The first workers on a new database race to create its tables; none of them may fail."""
    ready = [tmp_path / f"ready{i}" for i in range(workers)]
    processes = [subprocess.Popen([sys.executable, "-c", STARTS_TOGETHER, storage, r, tmp_path / "go"],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for r in ready]
    deadline = time.monotonic() + 60
    while not all(r.exists() for r in ready) and time.monotonic() < deadline:
        time.sleep(0.01)
    (tmp_path / "go").touch()
    for process in processes:
        finish(process)
    assert [s.study_name for s in optuna.get_all_study_summaries(open_storage(storage))] == ["together"]


def test_workers_starting_together_on_a_new_sqlite_file(tmp_path):
    check_workers_starting_together_on_a_new_database(tmp_path, f"sqlite:///{tmp_path}/new.db")


def test_two_workers_share_a_journal_file(tmp_path):
    check_two_workers_add_up(tmp_path, f"journal:{tmp_path}/search.log")


def test_two_workers_share_an_sqlite_study(tmp_path):
    check_two_workers_add_up(tmp_path, f"sqlite:///{tmp_path}/search.db")


def test_a_worker_killed_mid_trial_on_sqlite(tmp_path):
    check_a_killed_worker_leaves_a_study_another_finishes(tmp_path, f"sqlite:///{tmp_path}/search.db")


def test_the_command_line_names_bad_input(tmp_path):
    out = subprocess.run([sys.executable, "-m", "dlnotes.search", "--storage", "sqlite:///x.db", "--study", "s",
                          "--objective", "x.py:f", "--sampler", "bayes"], capture_output=True, text=True)
    assert out.returncode == 2 and "--sampler: invalid choice: 'bayes'" in out.stderr
    process = worker(tmp_path, f"postgresql://u:pw@127.0.0.1:{free_port()}/db", "s", "--trials", "1")
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 2 and "storage 'postgresql+psycopg://u:***@127.0.0.1" in out and "cannot be reached" in out


# --- PostgreSQL -----------------------------------------------------------------------------------------------

def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if not found:
        pytest.fail("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl): `make setup` installs "
                    "Debian's postgresql")
    return Path(found[-1]).parent


@pytest.fixture(scope="module")
def postgres_url():
    """A throwaway PostgreSQL server; its URL. Stopped and removed after the module's tests."""
    bin_dir, root = postgres_bin(), Path(tempfile.mkdtemp(prefix="dlnotes-postgres-"))
    as_user = []
    if os.geteuid() == 0:  # the server refuses to run as root: run it as Debian's postgres user
        account = pwd.getpwnam("postgres")
        os.chown(root, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    port, data = free_port(), root / "data"
    subprocess.run([*as_user, bin_dir / "initdb", "-D", data, "-U", "dlnotes", "--auth=trust", "--no-sync",
                    "-E", "UTF8"], check=True, capture_output=True)
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run([*as_user, bin_dir / "pg_ctl", "-D", data, "-o", options, "-l", root / "log", "-w", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql://dlnotes@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def test_two_workers_share_a_postgresql_study(tmp_path, postgres_url):
    check_two_workers_add_up(tmp_path, postgres_url)


def test_a_worker_killed_mid_trial_on_postgresql(tmp_path, postgres_url):
    check_a_killed_worker_leaves_a_study_another_finishes(tmp_path, postgres_url)


def test_workers_starting_together_on_a_new_postgresql_database(tmp_path, postgres_url):
    import psycopg
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("CREATE DATABASE fresh")
    check_workers_starting_together_on_a_new_database(tmp_path, postgres_url.rsplit("/", 1)[0] + "/fresh")
