"""The inference-halting defaults, written once. A module without torch, so that the CLI's help can show them.

Answering a puzzle (``recurse solve``, ``Solver``) stops each puzzle once the model is confident; measuring
a model (evaluation during training, ``recurse eval``) runs every puzzle for N_sup steps, the protocol of
the official evaluation, so that the figures compare with published ones.
"""

DEFAULT_THRESHOLD = 0.99  # halt once sigmoid(q_halt) reaches this confidence
SOLVE_KIND = "threshold"  # the policy for answering puzzles
EVALUATE_KIND = "fixed"  # the policy for measuring a model
