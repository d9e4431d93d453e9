"""Training: run settings, callbacks as an interface, and the runner (imports TensorFlow)."""
