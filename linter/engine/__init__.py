"""Knowledge of the Docker engine, built from data files."""
