"""A tiny greeting library, vendored so the example builds without a package index."""

__version__ = "1.0.0"


def greet(name: str) -> str:
    """Returns the greeting the example app prints."""
    return f"hello from {name}"
