"""Artifacts that leave the package: exports, the submission predictor and the model card."""
