"""The recursive refiner: its input embedding, the builder that turns a ``ModelConfig`` into constructor
calls, the deep-supervision carry, and the model's own saving and loading.

``refiner`` (``RecursiveRefiner``), ``embedding`` and ``puzzle_embedding`` (the input x), ``builder``
(``build_refiner``, ``build_halting``, ``build_model``), ``carry`` (``DeepSupervision``), ``checkpoint``
(``save_checkpoint``, ``load_checkpoint``) and ``pretrained`` (``save_pretrained`` / ``from_pretrained`` /
``push_to_hub`` on the model). Blocks and levels, which the schedules stack, are :mod:`recurse.layers.block`.
"""
