"""autograder: the checks that the course notebooks' test cells call.

One module per notebook (``autograder.perceptron`` for 01_perceptron...), built
on :mod:`autograder.core`. Each module exposes its checks and ``CHECKS``, a dict
from the test cell's grade_id to ``(check, reference implementation(s))``; the
bug zoo of wrong implementations lives in :mod:`autograder.bugzoo`.
"""

#: Notebook folder -> the autograder (and bug zoo) module of its checks.
NOTEBOOKS: dict[str, str] = {
    "01_perceptron": "perceptron",
    "02_backprop": "backprop",
    "03_activations": "activations",
    "04_losses": "losses",
    "05_optimizers": "optimizers",
    "06_regularization": "regularization",
    "07_batchnorm": "batchnorm",
    "08_softmax": "softmax",
    "09_tuning": "tuning",
}
