"""Training: the deep-supervision loop, its state, logging and distributed set-up."""
