"""A tiny package installed from a local sdist in dockopt's test images."""

__version__ = "1.0.0"


def greet(name: str) -> str:
    """Returns a greeting for name."""
    return f"hello, {name}"
