"""The checkpoint format on disk, without the network it holds.

``document`` is the typed ``config.json`` (and the names of a checkpoint's files), ``checks`` holds a
weights file's header against its config before any tensor is trusted, and ``run_folder`` owns a run's
folder: ``config.yaml``, ``checkpoints/step_N`` and the counters of a resumable run. Saving and loading
the refiner itself is :mod:`recurse.model.checkpoint`.
"""
