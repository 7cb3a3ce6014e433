"""The training frameworks: one module (or folder) per framework, listed in a registry."""
