"""Every exercise's check, tried with the mistakes students make, in a kernel as a student would.

``EXERCISES`` gives, for each exercise (notebook number, exercise number), a right answer in the
student's own names and the wrong answers we expect from students, the trap its lesson teaches first,
each as the code a student would type under the exercise cell, with a phrase of what the check must say
about it. For each notebook the test runs a copy that, after each exercise's check, runs the exercise
cell again with each answer appended, then the check cell: every mistake must get "Not yet" with its
own phrase (no two mistakes of one exercise share a message), every right answer "Correct".
"""

from __future__ import annotations

import copy
from collections import defaultdict

import nbformat
import pytest

from course.cells import output_texts, tags
from course.runner import execute
from course.series import NOTEBOOKS, notebook_paths

# Answers that differ in one expression, written once with that expression left out.
PARTIAL = "def central_partial(func, x, i, h=1e-3):\n    "
STEPPED = PARTIAL + "step = np.zeros_like(x)\n    step[{}] = h\n    return {}"
BACKWARD = "a = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)\n(a**2 + 3 * a).{reduce}().backward()\nq_grad = {grad}"
TANH = (
    "def value_tanh(self):\n    out = Value(math.tanh(self.data), (self,), 'tanh')\n\n"
    "    def _backward():\n        self.grad {} * out.grad\n\n    out._backward = _backward\n    return out\n\n\n"
    "Value.tanh = value_tanh"
)
TRUEDIV = "def value_truediv(self, other):\n    return {}\n\n\nValue.__truediv__ = value_truediv"
ACCURACY = "my_val_accuracy = ((logits_torch(theta_trained, {x}) > 0).double() {compare} {y}).double().mean()"
STEP = "{loss}.backward()\nwith torch.no_grad():\n    {w}{b}\nmy_theta_1 = torch.cat([w, b]).detach()"

# (notebook, exercise): (the right answer, [(a likely wrong answer, the phrase its check must say), ...])
EXERCISES: dict[tuple[str, int], tuple[str, list[tuple[str, str]]]] = {
    ("01", 1): ("my_partials = (4.0, -4.0)", [
        ("my_partials = (0.0, -4.0)", "lets x2 move too"),
        ("my_partials = (-4.0, 4.0)", "swapped"),
        ("my_partials = (1.0, -4.0)", "lost the term 3 x1"),
        ("my_partials = (4.0, -2.0)", "factor of 2"),
    ]),
    ("01", 2): (
        PARTIAL + "up, down = x.copy(), x.copy()\n    up[i] += h\n    down[i] -= h\n"
        "    return (func(up) - func(down)) / (2 * h)", [
        (STEPPED.format(0, "(func(x + step) - func(x - step)) / (2 * h)"), "ignores i"),
        (PARTIAL + "return (func(x + h) - func(x - h)) / (2 * h)", "nudges every entry"),
        (STEPPED.format("i", "(func(x + step) - func(x)) / h"), "one-sided"),
        (STEPPED.format("i", "(func(x + step) - func(x - step)) / h"), "2h apart"),
        (PARTIAL + "x[i] += h\n    up = func(x)\n    x[i] -= 2 * h\n    return (up - func(x)) / (2 * h)", "changed its input"),
        (PARTIAL + "return [6.0, 3.0, 8.0][i]", "for another function"),
    ]),
    ("02", 1): ("def my_grad(x):\n    return 3 * x**2", [
        ("def my_grad(point):\n    return x.grad", "same numbers at every x"),
        ("my_grad = x.grad.clone()", "should be a function"),
        ("def my_grad(x):\n    return x**3", "themselves, not their derivatives"),
        ("def my_grad(x):\n    return 3 * x", "power of x_i wrong"),
        ("def my_grad(x):\n    return x**2", "constant factor"),
    ]),
    ("02", 2): (BACKWARD.format(reduce="mean", grad="a.grad"), [
        (BACKWARD.format(reduce="sum", grad="a.grad"), "4 times too large"),
        (BACKWARD.format(reduce="mean", grad="a.detach()"), "is a itself"),
        ("a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])\nq_grad = (a**2 + 3 * a) / 4", "q's terms"),
        ("a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])\nq_grad = 2 * a / 4", "term 3a"),
    ]),
    ("02", 3): ("fd_grad = central_difference(lambda t: t.exp().sum(), x.detach())", [
        ("fd_grad = central_difference(lambda t: t.exp().sum(), x)", "autograd recorded it"),
        ("fd_grad = x.grad.clone()", "to the last bit"),
        ("fd_grad = central_difference(lambda t: t.exp().sum(), torch.tensor([0.0, 1.0]))", "is float32"),
        ("fd_grad = x.exp().sum().detach()", "r(x) itself"),
    ]),
    ("03", 1): ("my_vjp = [0.0, 1.0, 6.0]", [
        ("my_vjp = [2.0, 1.0, 0.0]", "first row of J"),
        ("my_vjp = [2.0, 2.0, 6.0]", "adds both rows"),
        ("my_vjp = [1.0, 1.0]", "a column of J"),
        ("my_vjp = [0.0, 1.0, 3.0]", "x_3 squared"),
    ]),
    ("03", 2): ("my_v = torch.tensor([1.0, 1.0])\nf(x).backward(gradient=my_v)", [
        ("f(x).sum().backward()\nmy_v = x.grad", "has shape (3,)"),
        ("my_v = torch.ones(3)", "one entry per input"),
        ("my_v = torch.tensor([0.5, 0.5])", "the mean of f's outputs"),
        ("my_v = torch.tensor([1.0, 0.0])", "only the first output"),
        ("my_v = torch.tensor([0.0, 1.0])", "only the second output"),
    ]),
    ("04", 1): ("with torch.no_grad():\n    w -= 0.25 * w.grad\nmy_w = w", [
        ("w = w - 0.25 * w.grad\nmy_w = w", "is a new tensor"),
        ("w.data -= 0.25 * w.grad\nmy_w = w", "through .data"),
        ("w = (w - 0.25 * w.grad).detach()\nmy_w = w", "no longer requires grad"),
        ("w = (w - 0.25 * w.grad).detach().requires_grad_()\nmy_w = w", "version counter never moved"),
        ("with torch.no_grad():\n    w += 0.25 * w.grad\nmy_w = w", "went uphill"),
        ("with torch.no_grad():\n    w -= w.grad\nmy_w = w", "the whole gradient"),
        ("with torch.no_grad():\n    w -= 0.5 * w.grad\nmy_w = w", "twice the step"),
    ]),
    ("04", 2): ("my_grad = [2.0, 8.0]", [
        ("my_grad = [3.0, 12.0]", "without detach"),
        ("my_grad = [1.0, 4.0]", "the other way round"),
        ("my_grad = [2.0, 4.0]", "the constant c_i"),
        ("my_grad = [1.0, 8.0]", "L's terms"),
    ]),
    ("04", 3): ("my_answers = (False, False, True)", [
        ("my_answers = (True, True, True)", "as if every result of p did"),
        ("my_answers = (True, False, True)", "says a requires grad"),
        ("my_answers = (False, True, True)", "says b requires grad"),
        ("my_answers = (False, False, False)", "says c does not"),
    ]),
    ("05", 1): ("my_predictions = simple_network(x, torch.tensor([0.25]), torch.tensor([0.8]))", [
        ("my_predictions = simple_network(x, torch.tensor([0.3]), torch.tensor([0.5]))", "picked by eye"),
        ("my_predictions = simple_network(x, torch.tensor([0.8]), torch.tensor([0.25]))", "swapped"),
        ("my_predictions = torch.matmul(x, torch.tensor([0.25]))", "no bias"),
        ("my_predictions = x * 0.25 + 0.8", "shape (17, 1)"),
    ]),
    ("05", 2): ("my_sse = (0.25 * x[:, 0] + 0.8 - y).pow(2).sum()", [
        ("my_sse = sse", "picked by eye"),
        ("my_sse = (0.25 * x[:, 0] + 0.8 - y).pow(2).mean()", "the mean of the squared errors"),
        ("my_sse = (0.25 * x[:, 0] + 0.8 - y).sum()", "without squaring"),
        ("my_sse = (0.25 * x[:, 0] + 0.8 - y).abs().sum()", "sizes of the errors"),
    ]),
    ("05", 3): ("my_y_hat = 1.0 + torch.dot(torch.tensor([0.5, 2.0, -4.0]), torch.tensor([2.0, -1.0, 0.5]))", [
        ("w3, x3 = torch.tensor([0.5, 2.0, -4.0]), torch.tensor([2.0, -1.0, 0.5])\nmy_y_hat = torch.dot(w3, x3)", "the bias"),
        ("w3, x3 = torch.tensor([0.5, 2.0, -4.0]), torch.tensor([2.0, -1.0, 0.5])\nmy_y_hat = w3 * x3", "three products"),
        ("w3, x3 = torch.tensor([0.5, 2.0, -4.0]), torch.tensor([2.0, -1.0, 0.5])\nmy_y_hat = w3 * x3 + 1", "to each product"),
        ("my_y_hat = 1 + 0.5 * 2.0 + 2.0 * -1.0", "one of the three products"),
    ]),
    ("06", 1): ("e = w0.detach() * x[:, 0] + b0.detach() - y\nmy_grad_w = (2 * x[:, 0] * e).sum()", [
        ("e = y - (w0.detach() * x[:, 0] + b0.detach())\nmy_grad_w = (2 * x[:, 0] * e).sum()", "sign flipped"),
        ("e = w0.detach() * x[:, 0] + b0.detach() - y\nmy_grad_w = (x[:, 0] * e).sum()", "half the gradient"),
        ("e = w0.detach() * x[:, 0] + b0.detach() - y\nmy_grad_w = (2 * x[:, 0] * e).mean()", "divided by 17"),
        ("e = w0.detach() * x[:, 0] + b0.detach() - y\nmy_grad_w = (2 * e).sum()", "is dL/db"),
    ]),
    ("06", 2): ("my_rate = 1e-3", [
        ("my_rate = 1e-2", "makes the loss grow"),
        ("my_rate = 1e-4", "is stable, but"),
        ("my_rate = -1e-3", "must be positive"),
        ("my_rate = '1e-3'", "should be a number"),
    ]),
    ("07", 1): ("def my_limit(hessian):\n    return 2 / torch.linalg.eigvalsh(hessian).max()", [
        ("def my_limit(hessian):\n    return 2 / 34", "same number for every Hessian"),
        ("def my_limit(hessian):\n    return 2 / torch.linalg.eigvalsh(hessian)[0]", "smallest eigenvalue"),
        ("def my_limit(hessian):\n    return 1 / torch.linalg.eigvalsh(hessian)[-1]", "half the limit"),
        ("def my_limit(hessian):\n    return torch.linalg.eigvalsh(hessian)[-1] / 2", "upside down"),
        ("def my_limit(hessian):\n    return 2 / hessian.diagonal().max()", "diagonal entry"),
    ]),
    ("07", 2): ("def my_factor(eta, hessian):\n    return 1 - eta * torch.linalg.eigvalsh(hessian).max()", [
        ("def my_factor(eta, hessian):\n    return -1.04", "same number for every eta"),
        ("def my_factor(eta, hessian):\n    return 1 - eta * torch.linalg.eigvalsh(hessian)[0]", "flat direction"),
        ("def my_factor(eta, hessian):\n    return eta * torch.linalg.eigvalsh(hessian)[-1] - 1", "sign flipped"),
        ("def my_factor(eta, hessian):\n    return eta * torch.linalg.eigvalsh(hessian)[-1]", "eta lambda alone"),
    ]),
    ("08", 1): ("def my_best_beta(kappa):\n    r = (kappa**0.5 - 1) / (kappa**0.5 + 1)\n    return r * r", [
        ("def my_best_beta(kappa):\n    return 0.8126", "same number for every kappa"),
        (
            "def my_best_beta(kappa):\n    return (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)",
            "square root of beta",
        ),
        ("def my_best_beta(kappa):\n    return (kappa - 1) / (kappa + 1)", "plain descent's factor"),
        ("def my_best_beta(kappa):\n    return ((kappa - 1) / (kappa + 1)) ** 2", "squares plain descent's"),
    ]),
    ("08", 2): ("def my_speedup(beta):\n    return 1 / (1 - beta)", [
        ("def my_speedup(beta):\n    return 10", "same number for every beta"),
        ("def my_speedup(beta):\n    return 1", "averaging convention"),
        ("def my_speedup(beta):\n    return 1 / (1 + beta)", "sign flipped"),
        ("def my_speedup(beta):\n    return beta / (1 - beta)", "newest gradient"),
    ]),
    ("09", 1): (TANH.format("+= (1 - out.data**2)"), [
        (TANH.format("= (1 - out.data**2)"), "overwrite (=)"),
        (
            "def value_tanh(self):\n    return Value(math.tanh(self.data), (self,), 'tanh')\n\n\nValue.tanh = value_tanh",
            "no gradient through tanh",
        ),
        (TANH.format("+= (1 - self.data**2)"), "with a the input"),
    ]),
    ("09", 2): (TRUEDIV.format("self * as_value(other) ** -1"), [
        (TRUEDIV.format("as_value(other) * self**-1"), "computes b / a"),
        (TRUEDIV.format("self * as_value(other)"), "computes a * b"),
        (TRUEDIV.format("self * as_value(other).data**-1"), "gives b no gradient"),
    ]),
    ("10", 1): ("my_theta = torch.linalg.solve(X1.T @ X1, X1.T @ y)", [
        ("my_theta = theta_star", "theta_star itself"),
        ("my_theta = torch.linalg.solve(X.T @ X, X.T @ y)", "no bias"),
        (
            "ones_first = torch.cat([torch.ones(n, 1), X], dim=1)\n"
            "my_theta = torch.linalg.solve(ones_first.T @ ones_first, ones_first.T @ y)",
            "bias first",
        ),
    ]),
    ("10", 2): (STEP.format(loss="mse(X @ w + b, y)", w="w -= lr * w.grad", b="\n    b -= lr * b.grad"), [
        (STEP.format(loss="((X @ w + b - y) ** 2).sum()", w="w -= lr * w.grad", b="\n    b -= lr * b.grad"), "n times too long"),
        (STEP.format(loss="mse(X @ w + b, y)", w="w += lr * w.grad", b="\n    b += lr * b.grad"), "went uphill"),
        (STEP.format(loss="mse(X @ w + b, y)", w="w -= lr * w.grad", b=""), "moved w but not b"),
        ("mse(X @ w + b, y).backward()\nmy_theta_1 = torch.cat([w, b]).detach()", "no step was taken"),
    ]),
    ("10", 3): ("my_lr_sum = lr / n", [
        ("my_lr_sum = lr * n", "multiplies by n"),
        ("my_lr_sum = lr", "lr unchanged"),
        ("my_lr_sum = lr / n**2", "divides by n twice"),
    ]),
    ("11", 1): ("my_full_grad = (sizes[:, None] * batch_grads).sum(dim=0) / sizes.sum()", [
        ("my_full_grad = batch_grads.mean(dim=0)", "plain mean of the four"),
        ("my_full_grad = batch_grads.sum(dim=0)", "adds up the four means"),
        ("my_full_grad = (sizes[:, None] * batch_grads).sum(dim=0)", "n times too large"),
    ]),
    ("11", 2): ("my_rate = 0.02", [
        ("my_rate = 1.0", "makes the loss grow"),
        ("my_rate = 1e-4", "is stable, but"),
        ("my_rate = 0", "must be positive"),
    ]),
    ("11", 3): ("my_best_step = int(torch.tensor(val_losses).argmin())", [
        ("my_best_step = int(torch.tensor(train_losses).argmin())", "training loss is lowest"),
        ("my_best_step = min(val_losses)", "the lowest validation loss itself"),
        ("my_best_step = int(torch.tensor(val_losses).argmin()) + 1", "one step late"),
    ]),
    ("12", 1): ("my_grad_z = (torch.sigmoid(z_start) - y) / n", [
        ("my_grad_z = (z_start - y) / n", "uses the logit"),
        ("my_grad_z = (y - torch.sigmoid(z_start)) / n", "sign flipped"),
        ("my_grad_z = torch.sigmoid(z_start) - y", "a sum over the points"),
        ("p = torch.sigmoid(z_start)\nmy_grad_z = (p - y) * p * (1 - p) / n", "the sigmoid's slope again"),
    ]),
    ("12", 2): ("my_val_accuracy = ((logits_torch(theta_trained, X_val) > 0).float() == y_val).float().mean()", [
        (ACCURACY.format(x="X", compare="==", y="y"), "on the training points"),
        ("my_val_accuracy = ((logits_torch(theta_trained, X_val) > 0).double() == y_val).sum()", "counts the right"),
        (ACCURACY.format(x="X_val", compare="!=", y="y_val"), "on the wrong side"),
        (
            "p = torch.sigmoid(logits_torch(theta_trained, X_val))\n"
            "my_val_accuracy = ((p > 0).double() == y_val).double().mean()",
            "always above 0",
        ),
    ]),
    ("13", 1): ("with torch.no_grad():\n    w -= 0.5 * w.grad\nw.grad = None\nmy_w = w", [
        ("w.data -= 0.5 * w.grad.data\nw.grad.data.zero_()\nmy_w = w", "through .data"),
        ("w = w - 0.5 * w.grad\nmy_w = w", "is a new tensor"),
        ("with torch.no_grad():\n    w -= 0.5 * w.grad\nmy_w = w", "not reset"),
        ("w.data -= 0.5 * w.grad\nw.grad = None\nmy_w = w", "version counter never moved"),
        ("with torch.no_grad():\n    w += 0.5 * w.grad\nw.grad = None\nmy_w = w", "went uphill"),
        ("with torch.no_grad():\n    w -= w.grad\nw.grad = None\nmy_w = w", "the whole gradient"),
    ]),
    ("13", 2): ("my_dtype = counts.dtype", [
        ("my_dtype = counts.type()", "old type string"),
        ("my_dtype = str(counts.dtype)", "is a string"),
        ("my_dtype = type(counts)", "Python class"),
        ("my_dtype = counts.type", "the method counts.type itself"),
    ]),
}

PATHS = {path.name[:2]: path for path in notebook_paths()}
ROW = "mistake_row"  # metadata key of the inserted check cells: (exercise number, answer, phrase or None)


def with_answers(notebook: nbformat.NotebookNode, number: str) -> nbformat.NotebookNode:
    """The notebook with each answer tried right after its exercise's check."""
    tried = copy.deepcopy(notebook)
    cells = []
    exercise_number = 0
    for index, cell in enumerate(notebook.cells):
        cells.append(cell)
        if index == 0 or "exercise" not in tags(notebook.cells[index - 1]):
            continue
        exercise_number += 1  # cell is the check of that exercise
        exercise, check = notebook.cells[index - 1], cell
        right, mistakes = EXERCISES[(number, exercise_number)]
        for code, phrase in [*mistakes, (right, None)]:
            cells.append(nbformat.v4.new_code_cell(exercise.source + "\n\n" + code))
            cells.append(nbformat.v4.new_code_cell(check.source, metadata={ROW: [exercise_number, code, phrase]}))
        cells.append(nbformat.v4.new_code_cell(exercise.source))  # the placeholder again
    tried.cells = cells
    return tried


def test_the_table_covers_every_exercise(series):
    counts = {name[:2]: sum("exercise" in tags(cell) for cell in notebook.cells) for name, notebook in series.items()}
    assert set(EXERCISES) == {(number, k) for number, count in counts.items() for k in range(1, count + 1)}
    assert all(len(mistakes) >= 3 for _, mistakes in EXERCISES.values())


@pytest.mark.parametrize("number", sorted({number for number, _ in EXERCISES}))
def test_each_mistake_gets_its_own_not_yet_and_the_right_answer_passes(number):
    notebook = nbformat.read(PATHS[number], as_version=4)
    executed = execute(with_answers(notebook, number), NOTEBOOKS)
    problems, messages = [], defaultdict(list)
    for cell in executed.cells:
        if ROW not in cell.metadata:
            continue
        exercise, code, phrase = cell.metadata[ROW]
        said = "".join(output_texts(cell, with_tracebacks=True))
        verdict = said.splitlines()[0] if said else "(nothing)"
        if phrase is None:
            if not verdict.startswith("Correct"):
                problems.append(f"exercise {exercise}: the right answer got {said!r}\n{code}")
            continue
        messages[exercise].append(verdict)
        if not (verdict.startswith("Not yet") and phrase in verdict):
            problems.append(f"exercise {exercise}: expected 'Not yet ... {phrase} ...', got {said!r}\n{code}")
    for k, verdicts in messages.items():
        if len(set(verdicts)) != len(verdicts):
            problems.append(f"exercise {k}: two mistakes share a message: {verdicts}")
    assert not problems, "\n\n".join(problems)
