"""Bug zoo of notebook 06, regularization: the wrong implementations students write.

Where an exercise is a pair and only one half is wrong, the other half is the
reference, so that the bug is the only mistake the check can see.
"""

from __future__ import annotations

import numpy as np

from dlcore import functional as F

from .. import regularization as checks
from .. import regularization_reference as reference
from . import Bug


# ------------------------------------------------------------------------ L2
def _squares(weights):
    return sum(float((W**2).sum()) for W in weights)


def l2_penalty_without_half(weights, lam, m):
    return lam / m * _squares(weights)


def l2_penalty_first_layer_only(weights, lam, m):
    return lam / (2 * m) * float((weights[0] ** 2).sum())


def l2_penalty_of_norms(weights, lam, m):
    return lam / (2 * m) * sum(float(np.linalg.norm(W)) for W in weights)


def l2_gradient_keeping_the_half(weights, lam, m):
    return [lam / (2 * m) * W for W in weights]


def l2_gradient_without_m(weights, lam, m):
    return [lam * W for W in weights]


def l2_gradient_of_l1(weights, lam, m):
    return [lam / m * np.sign(W) for W in weights]


def l2_gradient_in_place(weights, lam, m):
    for W in weights:
        W *= lam / m
    return weights


# ------------------------------------------------------------------- dropout
def dropout_forward_unscaled(A, rate, rng, training=True):
    if not training:
        return A, None
    mask = rng.random(A.shape) < 1 - rate
    return A * mask, mask


def dropout_backward_unscaled(dout, mask):
    return dout if mask is None else dout * mask


def dropout_forward_keep_as_rate(A, rate, rng, training=True):
    if not training:
        return A, None
    keep = 1 - rate
    mask = (rng.random(A.shape) < rate) / keep  # keeps with probability rate
    return A * mask, mask


def dropout_forward_new_mask_later(A, rate, rng, training=True):
    out, _ = F.dropout_forward(A, rate, rng, training)
    return out, (rate, rng, training)


def dropout_backward_new_mask(dout, cache):
    rate, rng, training = cache
    if not training:
        return dout
    keep = 1 - rate
    return dout * (rng.random(dout.shape) < keep) / keep


def dropout_forward_at_test_time(A, rate, rng, training=True):
    return F.dropout_forward(A, rate, rng, True)


def dropout_forward_mask_only(A, rate, rng, training=True):
    if not training:
        return A, None
    keep = 1 - rate
    mask = rng.random(A.shape) < keep
    return A * mask / keep, mask


def dropout_backward_mask_only(dout, mask):
    return dout if mask is None else dout * mask  # the 1 / keep_prob is forgotten here


def dropout_forward_global_random(A, rate, rng, training=True):
    if not training:
        return A, None
    keep = 1 - rate
    mask = (np.random.rand(*A.shape) < keep) / keep  # noqa: NPY002 (the bug: global state)
    return A * mask, mask


def dropout_forward_in_place(A, rate, rng, training=True):
    if not training:
        return A, None
    keep = 1 - rate
    mask = (rng.random(A.shape) < keep) / keep
    A *= mask
    return A, mask


# ------------------------------------------------------------ initialisation
def _normal(fan_in, fan_out, rng, variance):
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(variance)


def xavier_as_in_the_notes(fan_in, fan_out, rng):
    return _normal(fan_in, fan_out, rng, 1 / fan_in)


def xavier_uniform(fan_in, fan_out, rng):
    limit = np.sqrt(6 / (fan_in + fan_out))  # Keras's glorot_uniform: the right variance
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def xavier_with_he_variance(fan_in, fan_out, rng):
    return _normal(fan_in, fan_out, rng, 2 / fan_in)


def he_with_fans_swapped(fan_in, fan_out, rng):
    return _normal(fan_in, fan_out, rng, 2 / fan_out)


def he_with_xavier_variance(fan_in, fan_out, rng):
    return _normal(fan_in, fan_out, rng, 2 / (fan_in + fan_out))


def he_times_variance(fan_in, fan_out, rng):
    return rng.standard_normal((fan_in, fan_out)) * (2 / fan_in)


def xavier_notes_shape(fan_in, fan_out, rng):
    return rng.standard_normal((fan_out, fan_in)) * np.sqrt(2 / (fan_in + fan_out))


def he_notes_shape(fan_in, fan_out, rng):
    return rng.standard_normal((fan_out, fan_in)) * np.sqrt(2 / fan_in)


def he_global_random(fan_in, fan_out, rng):
    return np.random.randn(fan_in, fan_out) * np.sqrt(2 / fan_in)  # noqa: NPY002 (the bug)


# ------------------------------------------------------------ early stopping
def _stopping(val_losses, patience, min_delta, *, late=False, ties=False, delta=True,
              reset=True, previous=False):  # fmt: skip
    best, best_epoch, wait, last = np.inf, None, 0, np.inf
    for epoch, loss in enumerate(val_losses):
        target = (last if previous else best) - (min_delta if delta else 0.0)
        last = loss
        if loss < target or (ties and loss == target):
            best, best_epoch = loss, epoch
            wait = 0 if reset else wait
            continue
        wait += 1
        if (wait > patience) if late else (wait >= patience):
            return epoch, best_epoch
    return None, best_epoch


def early_stopping_one_late(val_losses, patience, min_delta=0.0):
    return _stopping(val_losses, patience, min_delta, late=True)


def early_stopping_ties_improve(val_losses, patience, min_delta=0.0):
    return _stopping(val_losses, patience, min_delta, ties=True)


def early_stopping_ignoring_min_delta(val_losses, patience, min_delta=0.0):
    return _stopping(val_losses, patience, min_delta, delta=False)


def early_stopping_never_reset(val_losses, patience, min_delta=0.0):
    return _stopping(val_losses, patience, min_delta, reset=False)


def early_stopping_against_previous(val_losses, patience, min_delta=0.0):
    return _stopping(val_losses, patience, min_delta, previous=True)


def early_stopping_one_based(val_losses, patience, min_delta=0.0):
    stop, best = _stopping(val_losses, patience, min_delta)
    return (None if stop is None else stop + 1), best + 1


def early_stopping_best_of_all(val_losses, patience, min_delta=0.0):
    stop, _ = _stopping(val_losses, patience, min_delta)
    return stop, int(np.argmin(val_losses))


# ----------------------------------------------------------------- clipping
def clip_by_norm_per_array(grads, max_norm):
    norm = float(np.sqrt(sum((g**2).sum() for g in grads)))
    return [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads], norm


def clip_by_norm_per_element(grads, max_norm):
    norm = float(np.sqrt(sum((g**2).sum() for g in grads)))
    return [np.clip(g, -max_norm, max_norm) for g in grads], norm


def clip_by_norm_always(grads, max_norm):
    norm = float(np.sqrt(sum((g**2).sum() for g in grads)))
    return [g * max_norm / norm for g in grads], norm


def clip_by_norm_returning_the_new_norm(grads, max_norm):
    clipped, norm = reference.clip_by_norm(grads, max_norm)
    return clipped, min(norm, max_norm)


def clip_by_norm_sum_of_norms(grads, max_norm):
    norm = float(sum(np.linalg.norm(g) for g in grads))
    return [g * min(1.0, max_norm / norm) for g in grads], norm


def clip_by_value_upper_only(grads, clip_value):
    return [np.minimum(g, clip_value) for g in grads]


def clip_by_value_in_place(grads, clip_value):
    return [np.clip(g, -clip_value, clip_value, out=g) for g in grads]


_L2 = checks.check_l2
_DROPOUT = checks.check_dropout
_INIT = checks.check_initializers
_EARLY = checks.check_early_stopping
_CLIP = checks.check_clipping
_R = reference

BUGS = [
    Bug(_L2, "penalty without the 1/2", (l2_penalty_without_half, _R.l2_gradient),
        "the 1/2 is missing"),
    Bug(_L2, "penalty of the first matrix only", (l2_penalty_first_layer_only, _R.l2_gradient),
        "not only the first"),
    Bug(_L2, "norms instead of squared norms", (l2_penalty_of_norms, _R.l2_gradient),
        "do not take its square root"),
    Bug(_L2, "gradient keeps the 1/2", (_R.l2_penalty, l2_gradient_keeping_the_half),
        "the 2 of the square cancels the 1/2"),
    Bug(_L2, "gradient not divided by m", (_R.l2_penalty, l2_gradient_without_m),
        "wrong lambda scaling"),
    Bug(_L2, "L1's gradient", (_R.l2_penalty, l2_gradient_of_l1), "that is the L1 gradient"),
    Bug(_L2, "gradient computed in place", (_R.l2_penalty, l2_gradient_in_place), "in place"),
    Bug(_DROPOUT, "not divided by keep_prob", (dropout_forward_unscaled, dropout_backward_unscaled),
        "divides the kept activations by keep_prob"),
    Bug(_DROPOUT, "drops with probability keep_prob",
        (dropout_forward_keep_as_rate, F.dropout_backward), "instead of rate"),
    Bug(_DROPOUT, "a new mask in the backward",
        (dropout_forward_new_mask_later, dropout_backward_new_mask), "reuse the forward's mask"),
    Bug(_DROPOUT, "drops at test time too", (dropout_forward_at_test_time, F.dropout_backward),
        "at test time (training=False) inverted dropout does nothing"),
    Bug(_DROPOUT, "backward not scaled", (dropout_forward_mask_only, dropout_backward_mask_only),
        "the backward scales like the forward"),
    Bug(_DROPOUT, "np.random instead of rng", (dropout_forward_global_random, F.dropout_backward),
        "use the rng argument"),
    Bug(_DROPOUT, "A changed in place", (dropout_forward_in_place, F.dropout_backward),
        "in place"),
    Bug(_INIT, "the notes' Xavier, sqrt(1 / fan_in)", (xavier_as_in_the_notes, _R.he_init),
        "LeCun's"),
    Bug(_INIT, "Xavier drawn uniformly", (xavier_uniform, _R.he_init), "the right spread"),
    Bug(_INIT, "Xavier with He's variance", (xavier_with_he_variance, _R.he_init),
        "this is He's variance"),
    Bug(_INIT, "He with fan_in and fan_out swapped", (_R.xavier_init, he_with_fans_swapped),
        "fan_in and fan_out are swapped"),
    Bug(_INIT, "He with Xavier's variance", (_R.xavier_init, he_with_xavier_variance),
        "this is Xavier's variance"),
    Bug(_INIT, "He multiplied by the variance", (_R.xavier_init, he_times_variance),
        "multiplied by the variance"),
    Bug(_INIT, "W of shape (fan_out, fan_in)", (xavier_notes_shape, he_notes_shape),
        "is its transpose"),
    Bug(_INIT, "np.random instead of rng", (_R.xavier_init, he_global_random),
        "use the rng argument"),
    Bug(_EARLY, "one epoch late (wait > patience)", (early_stopping_one_late,), "one epoch late"),
    Bug(_EARLY, "a tie counts as an improvement", (early_stopping_ties_improve,),
        "a tie is not an improvement"),
    Bug(_EARLY, "min_delta ignored", (early_stopping_ignoring_min_delta,), "min_delta is ignored"),
    Bug(_EARLY, "wait never reset", (early_stopping_never_reset,), "not reset"),
    Bug(_EARLY, "compared with the previous epoch", (early_stopping_against_previous,),
        "not with the previous epoch's"),
    Bug(_EARLY, "epochs counted from 1", (early_stopping_one_based,), "counted from 0"),
    Bug(_EARLY, "best epoch over the whole run", (early_stopping_best_of_all,),
        "best epoch up to the stop"),
    Bug(_CLIP, "norm clipped per array", (_R.clip_by_value, clip_by_norm_per_array),
        "global norm of all the gradients together"),
    Bug(_CLIP, "norm clipping per element", (_R.clip_by_value, clip_by_norm_per_element),
        "this clips each entry"),
    Bug(_CLIP, "always rescaled", (_R.clip_by_value, clip_by_norm_always), "rescale only when"),
    Bug(_CLIP, "norm after clipping returned",
        (_R.clip_by_value, clip_by_norm_returning_the_new_norm), "before clipping"),
    Bug(_CLIP, "sum of the arrays' norms", (_R.clip_by_value, clip_by_norm_sum_of_norms),
        "not the sum of the arrays' norms"),
    Bug(_CLIP, "clip_by_value clips the top only", (clip_by_value_upper_only, _R.clip_by_norm),
        "clip both sides"),
    Bug(_CLIP, "clip_by_value in place", (clip_by_value_in_place, _R.clip_by_norm), "in place"),
]  # fmt: skip
