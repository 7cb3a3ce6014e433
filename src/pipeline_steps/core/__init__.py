"""What every step builder shares: the builder base, outputs, job config, identifiers."""
