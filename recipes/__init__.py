"""Complete, runnable YAML recipes shipped with recurse (one file per configuration)."""
