"""Plumbing for the "Gradients, step by step" notebooks.

The notebooks keep the code a student should learn (models, losses, gradient
steps, training loops) in plain sight. This package holds only what would
distract from it: loading data files, drawing figures and wiring widgets.
"""
