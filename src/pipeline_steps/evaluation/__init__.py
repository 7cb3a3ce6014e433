"""The model evaluation step: a processing job that scores a trained model."""
