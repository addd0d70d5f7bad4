"""polycorpus orchestration: config, CLI, Ray runner, run directory, statistics."""

__version__ = "0.1.0"
