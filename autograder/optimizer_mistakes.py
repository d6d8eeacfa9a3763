"""What the update-rule checks of notebook 05 know about the mistakes students make.

Each exercise of notebook 05's section on update rules is a pure function
``update(w, g, state, **hyperparameters) -> (new_w, new_state)``. For each one,
:data:`MISTAKES` lists wrong rules of the same shape, each with the diagnosis a
student should read when their trajectory matches it. The check runs every wrong
rule on the case at hand (the same start, gradients and hyperparameters) and names
the first whose trajectory the student's matches, so every wrong answer is
computed at grading time, never typed in. Most wrong rules are dlcore's own rule
with another option (``variant="velocity"``, ``eps_inside_sqrt=True``, a default
hyperparameter); the others are short transcriptions below.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from dlcore.optimizers import functional as reference

Rule = Callable[..., tuple[Any, Any]]

# ------------------------------------------------------------------ phrases
IGNORED = "the {name} argument is ignored ({value:g} hard-coded?): use the value passed in"
EPS_INSIDE = (
    "eps is inside the square root: this exercise (like dlcore, PyTorch and the Adam paper) "
    "divides by sqrt(...) + eps; the notes' sqrt(... + eps) is the other convention"
)
NO_SQRT = "the square root is missing: divide by sqrt(s) + eps, the root mean square"
MUTATED_STATE = (
    "changes the state it received in place (state['v'] = ... or v *= ...): build new arrays "
    "and return them in a new dict, e.g. {'v': v}"
)


def _zeros(state: dict, key: str, like: Any) -> Any:
    return state.get(key, np.zeros_like(like)) if isinstance(state, dict) else np.zeros_like(like)


def _ignoring(rule: Rule, name: str, value: float) -> Rule:
    """``rule`` with the hyperparameter ``name`` replaced by a hard-coded ``value``."""

    def wrong(w, g, state, **hyper):
        return rule(w, g, state, **{**hyper, name: value})

    return wrong


def _ignored(rule: Rule, defaults: dict[str, float]) -> list[tuple[str, Rule]]:
    return [(IGNORED.format(name=k, value=v), _ignoring(rule, k, v)) for k, v in defaults.items()]


# ---------------------------------------------------------------------- SGD
def _sgd_ascent(w, g, state, lr):
    return w + lr * g, state


def _sgd_without_lr(w, g, state, lr):
    return w - g, state


def _sgd_returns_step(w, g, state, lr):
    return lr * g, state


# ----------------------------------------------------------------- momentum
def _momentum_swapped(w, g, state, lr, momentum):
    v = (1 - momentum) * _zeros(state, "v", w) + momentum * g
    return w - lr * v, {"v": v}


def _momentum_forgetful(w, g, state, lr, momentum):
    return w - lr * (1 - momentum) * g, {}


def _momentum_bias_corrected(w, g, state, lr, momentum):
    t = state.get("t", 0) + 1
    v = momentum * _zeros(state, "v", w) + (1 - momentum) * g
    return w - lr * v / (1 - momentum**t), {"v": v, "t": t}


def _momentum_steps_with_g(w, g, state, lr, momentum):
    v = momentum * _zeros(state, "v", w) + (1 - momentum) * g
    return w - lr * g, {"v": v}


VELOCITY_FORM = (
    "velocity form: v = momentum v + g (or + lr g) takes steps 1/(1 - momentum) times larger; "
    "this exercise uses the notes' average v = momentum v + (1 - momentum) g, then w - lr v"
)
MOMENTUM = [
    (VELOCITY_FORM, functools.partial(reference.momentum_update, variant="velocity")),
    ("momentum and 1 - momentum are swapped: v = momentum v + (1 - momentum) g",
     _momentum_swapped),
    ("v is not carried from one step to the next: return it in the state and read it back",
     _momentum_forgetful),
    ("w moves by lr g, not by lr v: the average v is the step", _momentum_steps_with_g),
    ("no bias correction in momentum: w - lr v, not w - lr v / (1 - momentum^t)",
     _momentum_bias_corrected),
    *_ignored(reference.momentum_update, {"lr": 0.01, "momentum": 0.9}),
]  # fmt: skip


# ----------------------------------------------------------------- nesterov
def _nesterov_plain_g(w, g, state, lr, momentum):
    v = momentum * _zeros(state, "v", w) + (1 - momentum) * g
    return w - lr * (momentum * v + g), {"v": v}


NESTEROV = [
    ("no look-ahead: this is plain momentum (a look-ahead with the previous v gives the same); "
     "step by lr (momentum v + (1 - momentum) g) with the new v", reference.momentum_update),
    (VELOCITY_FORM.replace("then w - lr v", "then the look-ahead"),
     functools.partial(reference.nesterov_update, variant="velocity")),
    ("the look-ahead step is lr (momentum v + (1 - momentum) g): the (1 - momentum) on g is "
     "missing", _nesterov_plain_g),
    *_ignored(reference.nesterov_update, {"lr": 0.01, "momentum": 0.9}),
]  # fmt: skip


# ------------------------------------------------------------------ adagrad
def _adagrad_no_sqrt(w, g, state, lr, eps):
    s = _zeros(state, "s", w) + g**2
    return w - lr * g / (s + eps), {"s": s}


ADAGRAD = [
    ("s must accumulate: s = s + g^2 (+=, not =), carried from step to step in the state",
     functools.partial(reference.rmsprop_update, rho=0.0)),
    (EPS_INSIDE, functools.partial(reference.adagrad_update, eps_inside_sqrt=True)),
    (NO_SQRT, _adagrad_no_sqrt),
    *_ignored(reference.adagrad_update, {"lr": 0.01, "eps": 1e-8}),
]  # fmt: skip


# ------------------------------------------------------------------ rmsprop
def _rmsprop_with(average: Callable[[Any, Any, float], Any], root: bool = True) -> Rule:
    def wrong(w, g, state, lr, rho, eps):
        s = average(_zeros(state, "s", w), g, rho)
        return w - lr * g / ((np.sqrt(s) if root else s) + eps), {"s": s}

    return wrong


def _rmsprop_bias_corrected(w, g, state, lr, rho, eps):
    t = state.get("t", 0) + 1
    s = rho * _zeros(state, "s", w) + (1 - rho) * g**2
    return w - lr * g / (np.sqrt(s / (1 - rho**t)) + eps), {"s": s, "t": t}


RMSPROP = [
    (EPS_INSIDE, functools.partial(reference.rmsprop_update, eps_inside_sqrt=True)),
    ("the (1 - rho) factor is missing: s = rho s + (1 - rho) g^2",
     _rmsprop_with(lambda s, g, rho: rho * s + g**2)),
    ("rho and 1 - rho are swapped: s = rho s + (1 - rho) g^2",
     _rmsprop_with(lambda s, g, rho: (1 - rho) * s + rho * g**2)),
    ("this is Adagrad's sum s + g^2: RMSprop keeps a moving average, rho s + (1 - rho) g^2",
     reference.adagrad_update),
    (NO_SQRT, _rmsprop_with(lambda s, g, rho: rho * s + (1 - rho) * g**2, root=False)),
    ("RMSprop has no bias correction: divide by sqrt(s) + eps, not sqrt(s / (1 - rho^t))",
     _rmsprop_bias_corrected),
    *_ignored(reference.rmsprop_update, {"lr": 0.001, "rho": 0.9, "eps": 1e-8}),
]  # fmt: skip


# --------------------------------------------------------------------- adam
def _adam(*, correct_m=True, correct_v=True, first_t=1, store_corrected=False) -> Rule:
    """A wrong Adam: a bias correction left out, t counted from ``first_t``, or the
    corrected moments written back into the state (so that they compound)."""

    def wrong(w, g, state, lr, beta1, beta2, eps):
        t = state.get("t", first_t - 1) + 1
        m = beta1 * _zeros(state, "m", w) + (1 - beta1) * g
        v = beta2 * _zeros(state, "v", w) + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t) if correct_m else m
        v_hat = v / (1 - beta2**t) if correct_v else v
        new = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        if store_corrected:
            m, v = m_hat, v_hat
        return new, {"m": m, "v": v, "t": t}

    return wrong


def _adam_swapped(w, g, state, lr, beta1, beta2, eps):
    return reference.adam_update(w, g, state, lr=lr, beta1=beta2, beta2=beta1, eps=eps)


NO_BIAS_CORRECTION = "Adam without bias correction: divide m by 1 - beta1^t and v by 1 - beta2^t"
ADAM = [
    (NO_BIAS_CORRECTION, _adam(correct_m=False, correct_v=False)),
    ("the bias correction of m is missing: m_hat = m / (1 - beta1^t)", _adam(correct_m=False)),
    ("the bias correction of v is missing: v_hat = v / (1 - beta2^t)", _adam(correct_v=False)),
    ("t is off by one: it must be 1 at the first step (increment it before using it)",
     _adam(first_t=0)),
    ("t is off by one: it must be 1 at the first step, not 2", _adam(first_t=2)),
    (EPS_INSIDE, functools.partial(reference.adam_update, eps_inside_sqrt=True)),
    ("the corrected m_hat, v_hat were stored in the state: keep the raw m and v there, the "
     "correction is only for the step", _adam(store_corrected=True)),
    ("beta1 and beta2 are swapped: beta1 averages g, beta2 averages g^2", _adam_swapped),
    *_ignored(reference.adam_update, {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
]  # fmt: skip


# ----------------------------------------------------------------- adadelta
def _adadelta(*, upside_down=False, numerator_eps=True, denominator_eps=True,
              d_of="step") -> Rule:
    """A wrong Adadelta: the ratio of the two RMS upside down, an eps left out, or d
    averaging the wrong thing (``d_of`` "gradient" or "scaled step")."""

    def wrong(w, g, state, lr, rho, eps):
        s = rho * _zeros(state, "s", w) + (1 - rho) * g**2
        d = _zeros(state, "d", w)
        top, bottom = np.sqrt(d + eps * numerator_eps), np.sqrt(s + eps * denominator_eps)
        dw = (bottom / top if upside_down else top / bottom) * g
        amount = {"step": dw, "gradient": g, "scaled step": lr * dw}[d_of]
        return w - lr * dw, {"s": s, "d": rho * d + (1 - rho) * amount**2}

    return wrong


ADADELTA = [
    ("w never moves: without eps in sqrt(d + eps) the first step is 0, and so is d forever",
     _adadelta(numerator_eps=False)),
    ("the ratio is upside down: dw = sqrt(d + eps) / sqrt(s + eps) * g, the RMS of past steps "
     "over the RMS of gradients", _adadelta(upside_down=True)),
    ("d must average the squared steps dw^2, not the squared gradients",
     _adadelta(d_of="gradient")),
    ("d must average dw^2, the step before lr multiplies it", _adadelta(d_of="scaled step")),
    ("eps is missing in sqrt(s + eps), the denominator", _adadelta(denominator_eps=False)),
    *_ignored(reference.adadelta_update, {"lr": 1.0, "rho": 0.95, "eps": 1e-6}),
]  # fmt: skip

SGD = [
    ("w + lr g climbs: a step goes against the gradient, w - lr g", _sgd_ascent),
    ("the learning rate is missing: w - lr g", _sgd_without_lr),
    ("returns the step lr g: return the new parameters w - lr g", _sgd_returns_step),
    *_ignored(reference.sgd_update, {"lr": 0.01}),
]

#: exercise -> [(diagnosis, wrong rule)], the most specific first
MISTAKES: dict[str, list[tuple[str, Rule]]] = {
    "sgd_update": SGD,
    "momentum_update": MOMENTUM,
    "nesterov_update": NESTEROV,
    "adagrad_update": ADAGRAD,
    "rmsprop_update": RMSPROP,
    "adam_update": ADAM,
    "adadelta_update": ADADELTA,
}
