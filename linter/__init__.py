"""dlint: static analysis of how infra repositories configure the Docker engine."""

__version__ = "0.1.0"


def __getattr__(name):
    # plugin authors write `from dlint_docker import hookimpl`; imported lazily to keep start-up short
    if name == "hookimpl":
        from .hookspecs import hookimpl

        return hookimpl
    raise AttributeError(name)
