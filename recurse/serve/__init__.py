"""``recurse serve``: a web page on which a person enters a puzzle, watches a solver refine its answer step
by step and reads the checker's verdict.

The page (``page``, the only module that imports Gradio) is a thin layer over pure functions:
``refinement.solve`` (puzzle text in, steps, confidences and verdict out), ``boards`` (how each task is
drawn and edited) and ``view`` (the HTML of a step, the verdict and the legend).
"""
