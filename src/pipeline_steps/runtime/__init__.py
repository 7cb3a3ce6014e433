"""Run a whole pipeline on this machine, as SageMaker would, with contracts enforced."""
