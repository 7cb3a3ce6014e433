"""The hyperparameter-prep step: its config, builder, IAM policy and local run."""
