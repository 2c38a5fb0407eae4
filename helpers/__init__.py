"""Plumbing for the "Gradients, step by step" notebooks.

The notebooks keep the code a student should learn (models, losses, gradient
steps, training loops) in plain sight. This package holds only what would
distract from it: loading data files, drawing figures and wiring widgets.
"""

from helpers import palette
from helpers.figure_text import use_in_ipython

# Figures print what they show (not just their size), so nbval's text comparison covers plots too.
use_in_ipython()
# Lines a notebook draws itself take the colour-blind-safe colours and a dash pattern each, not only a colour.
palette.use_as_default()
