"""XGBoost: its hyperparameter space, training config and step builder."""
