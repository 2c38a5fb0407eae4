"""Mutation check: does the test suite catch small, realistic faults?

    python scripts/mutants.py                  # baseline run, then every mutant; exit 1 if one is missed
    python scripts/mutants.py --list           # list the mutants (and check each one still applies)
    python scripts/mutants.py --only NAME ...  # just these mutants
    python scripts/mutants.py -- -m "not browser"   # extra pytest arguments after --

Each mutant replaces the first occurrence of an exact text in one file. It is applied to a fresh copy of the project
(without .venv, site, student, .git) in a temporary folder, and the test command's pytest part runs
there with the project's .venv python and ``-x`` (stop at the first failure; unit tests first). In a notebook the
replacement is made in a cell's source only (the first cell holding the text): the stored outputs
stay, so strict nbval has to notice that they no longer match. A mutant whose old text is missing
stops the script before anything runs, so the list cannot silently rot when the code changes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import nbformat

from course.series import ROOT, notebook_titled

PYTHON = ROOT / ".venv" / "bin" / "python"
COPY_IGNORE = shutil.ignore_patterns(
    ".venv", ".venv-*", "workspace", "site", "student", ".git", "__pycache__", ".pytest_cache", "*.egg-info",
    ".ipynb_checkpoints", "results",
)
TIMEOUT = 1800


class Mutant(NamedTuple):
    name: str
    path: str
    old: str
    new: str


def lesson(title: str) -> str:
    """The path of the notebook titled ``NN · title``, found by title so that renumbering keeps the mutants in place."""
    return str(notebook_titled(title).relative_to(ROOT))


AUTOGRAD, NO_GRAD, MODEL = "Autograd basics", "Turning autograd off: no_grad and detach", "A linear model and the data"
DESCENT, SLOW, ENGINE = "Fitting a line by gradient descent", "Why gradient descent is slow: curvature", "Autograd from scratch"
FEATURES, MOMENTUM = "Many features", "Momentum and Adam"
MINIBATCHES, CLASSIFIER = "Minibatches and validation", "A classifier that is not linear"


MUTANTS = [
    # helpers and data
    Mutant("loader_off_by_one_row", "helpers/data.py", "numbered[1:]]", "numbered[2:]]"),
    Mutant("loader_x_not_a_column", "helpers/data.py", "return table[:, :1].clone(), table[:, 1].clone()",
           "return table[:, 0].clone(), table[:, 1].clone()"),
    Mutant("finite_check_removed", "helpers/data.py", "if not math.isfinite(value):", "if math.isnan(value):"),
    Mutant("field_count_check_weakened", "helpers/data.py", "if len(fields) != len(header):",
           "if len(fields) < len(header):"),
    Mutant("dataset_value_changed", "data/linear_17.csv", "4.4,2.76\n", "4.4,2.67\n"),
    Mutant("plot_fit_wrong_intercept_sign", "helpers/plots.py", "float(w) * v + float(b)", "float(w) * v - float(b)"),
    Mutant("self_check_none_not_a_placeholder", "helpers/check.py", "PLACEHOLDERS = (None, Ellipsis)",
           "PLACEHOLDERS = (Ellipsis,)"),
    Mutant("self_check_tolerance_ignored", "helpers/check.py", "np.allclose(got, want, rtol=rtol, atol=atol)",
           "np.allclose(got, want, rtol=1e-2, atol=atol)"),
    Mutant("self_check_hint_dropped", "helpers/check.py", 'print(f"Not yet: {name} {detail}\\nHint: {hint}")',
           'print(f"Not yet: {name} {detail}")'),
    Mutant("requirements_version_drift", "requirements.txt", "numpy==2.4.6", "numpy==2.4.5"),
    # notebooks
    Mutant("autograd_mean_becomes_sum", lesson(AUTOGRAD), "z = y.mean()", "z = y.sum()"),
    Mutant("no_grad_legacy_data_update_hides_the_error", lesson(NO_GRAD),
           "w -= 0.1 * w.grad", "w.data -= 0.1 * w.grad"),
    Mutant("model_bias_sign", lesson(MODEL), "y_pred = torch.matmul(x, w) + b",
           "y_pred = torch.matmul(x, w) - b"),
    Mutant("descent_gradient_step_sign_flip", lesson(DESCENT),
           "param -= learning_rate * param.grad", "param += learning_rate * param.grad"),
    Mutant("descent_gradient_zeroing_missing", lesson(DESCENT),
           "            param.grad.zero_()", "            pass"),
    Mutant("descent_loss_mean_instead_of_sum", lesson(DESCENT),
           "loss = (y_pred - y).pow(2).sum()\n    for param", "loss = (y_pred - y).pow(2).mean()\n    for param"),
    Mutant("descent_wrong_learning_rate", lesson(DESCENT),
           "learning_rate = 1e-4\nw, b = get_weights()", "learning_rate = 1e-3\nw, b = get_weights()"),
    Mutant("descent_fit_plot_w_and_b_swapped", lesson(DESCENT),
           '"gradient descent, 500 steps": (w_gd, b_gd)', '"gradient descent, 500 steps": (b_gd, w_gd)'),
    Mutant("momentum_step_sign_flip", lesson(MOMENTUM),
           "param -= learning_rate * velocity", "param += learning_rate * velocity"),
    Mutant("momentum_velocity_without_friction", lesson(MOMENTUM),
           "velocity.mul_(beta).add_(param.grad)", "velocity.add_(param.grad)"),
    Mutant("momentum_explorer_plain_descent_uses_beta", "helpers/momentum_explorer.py",
           "self.run(self.learning_rate, 0.0), self.run", "self.run(self.learning_rate, self.beta), self.run"),
    Mutant("engine_mul_derivative_swapped", lesson(ENGINE),
           "self.grad += other.data * out.grad", "self.grad += self.data * out.grad"),
    Mutant("engine_add_overwrites", lesson(ENGINE),
           "self.grad += 1.0 * out.grad", "self.grad = 1.0 * out.grad"),
    Mutant("engine_navigation_link_broken", lesson(ENGINE),
           f"({Path(lesson(MOMENTUM)).name})", f"({Path(lesson(SLOW)).name})"),
    Mutant("features_nn_linear_output_not_squeezed", lesson(FEATURES),
           "loss = mse(model(X).squeeze(1), y)", "loss = mse(model(X), y)"),
    Mutant("features_wrong_learning_rate", lesson(FEATURES), "lr, steps = 0.1, 100", "lr, steps = 0.01, 100"),
    Mutant("weight_decay_l2_term_without_the_half", lesson(MINIBATCHES),
           "loss = mse(predict(F_train, w, b), y_train) + alpha / 2 * (w**2).sum()",
           "loss = mse(predict(F_train, w, b), y_train) + alpha * (w**2).sum()"),
    Mutant("classifier_bce_without_the_sigmoid", lesson(CLASSIFIER),
           "    p_hat = torch.sigmoid(z)\n", "    p_hat = z\n"),
    Mutant("classifier_softplus_slope_not_the_sigmoid", lesson(CLASSIFIER),
           "self.grad += 0.5 * (1 + math.tanh(z / 2)) * out.grad", "self.grad += 0.5 * (1 + math.tanh(z)) * out.grad"),
    Mutant("explorer_divergence_not_reported", "helpers/descent_explorer.py",
           "    if run.diverged_at is not None:\n        last", "    if False:\n        last"),
    Mutant("live_figure_stops_repainting", "helpers/live_figure.py",
           "            if artist.get_visible():", "            if not artist.get_visible():"),
    Mutant("figure_text_drops_lines", "helpers/figure_text.py",
           "    for line in ax.get_lines():", "    for line in ax.get_lines()[:0]:"),
]


def occurrences(path: Path, old: str) -> int:
    """How often ``old`` appears: in cell sources for a notebook, in the raw text otherwise."""
    if path.suffix == ".ipynb":
        notebook = nbformat.read(path, as_version=4)
        return sum(cell.source.count(old) for cell in notebook.cells)
    return path.read_text(encoding="utf-8").count(old)


def apply(mutant: Mutant, root: Path) -> None:
    path = root / mutant.path
    if path.suffix == ".ipynb":
        notebook = nbformat.read(path, as_version=4)
        cell = next(cell for cell in notebook.cells if mutant.old in cell.source)
        cell.source = cell.source.replace(mutant.old, mutant.new, 1)
        nbformat.write(notebook, path)
    else:
        path.write_text(path.read_text(encoding="utf-8").replace(mutant.old, mutant.new, 1), encoding="utf-8")


def rotten(mutants: list[Mutant]) -> list[str]:
    """Mutants whose old text is no longer in their file (or that would change nothing)."""
    problems = []
    for mutant in mutants:
        path = ROOT / mutant.path
        count = occurrences(path, mutant.old) if path.is_file() and mutant.old else 0
        if count == 0 or mutant.old == mutant.new:
            problems.append(f"{mutant.name}: {mutant.old!r} not found in {mutant.path}, or old == new")
    return problems


def fast_first(root: Path) -> list[str]:
    """The whole suite (tests/ and notebooks/) as paths, so the unit tests run before notebooks and browser tests."""
    tests = root / "tests"
    unit_tests = sorted(str(path.relative_to(root)) for path in tests.glob("test_*.py"))
    folders = sorted(str(path.relative_to(root)) for path in tests.iterdir() if path.is_dir() and path.name[0] not in "_.")
    return [*unit_tests, "notebooks", *folders]


def run_suite(mutant: Mutant | None, extra: list[str]) -> tuple[bool, str, float]:
    """Copy the project, apply the mutant, run pytest; return (suite failed, first failure, seconds)."""
    with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
        root = Path(tmp) / "project"
        shutil.copytree(ROOT, root, ignore=COPY_IGNORE, symlinks=True)  # node_modules/.bin holds relative links
        if mutant is not None:
            apply(mutant, root)
        # helpers is installed editable from the real tree; PYTHONPATH makes the copy's helpers win.
        env = {**os.environ, "PYTHONPATH": str(root)}
        python = str(PYTHON if PYTHON.exists() else sys.executable)
        start = time.perf_counter()
        try:
            command = [python, "-m", "pytest", "-x", "-q", *extra, *fast_first(root)]
            result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            return True, f"timed out after {TIMEOUT} s", time.perf_counter() - start
        seconds = time.perf_counter() - start
    failures = [line for line in result.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    failures = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in failures]
    first = failures[0] if failures else (result.stdout.strip().splitlines() or ["(no output)"])[-1]
    return result.returncode != 0, first[:150], seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list the mutants and check that each applies")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these mutants")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments, after --")
    args = parser.parse_args()

    chosen = [m for m in MUTANTS if not args.only or m.name in args.only]
    unknown = set(args.only or []) - {m.name for m in MUTANTS}
    problems = rotten(chosen) + [f"no mutant named {name}" for name in sorted(unknown)]
    if problems:
        print("Mutants that no longer apply (update them to the current code):\n  " + "\n  ".join(problems))
        return 2
    if args.list:
        for mutant in chosen:
            print(f"{mutant.name:38s} {mutant.path:45s} {mutant.old!r} -> {mutant.new!r}")
        return 0

    failed, first, seconds = run_suite(None, args.pytest_args)
    print(f"baseline (no mutant): {'FAILS' if failed else 'passes'} in {seconds:.0f} s", flush=True)
    if failed:
        print(f"The suite must pass before faults mean anything: {first}")
        return 2

    missed = []
    print(f"\n{'mutant':38s} {'result':7s} {'time':>6s}  first failing test")
    for mutant in chosen:
        caught, first, seconds = run_suite(mutant, args.pytest_args)
        print(f"{mutant.name:38s} {'caught' if caught else 'MISSED':7s} {seconds:5.0f}s  {first if caught else ''}",
              flush=True)
        if not caught:
            missed.append(mutant.name)
    print(f"\n{len(chosen) - len(missed)}/{len(chosen)} mutants caught" + (f"; missed: {', '.join(missed)}" * bool(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
