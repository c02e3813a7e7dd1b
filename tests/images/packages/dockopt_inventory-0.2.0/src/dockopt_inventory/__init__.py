"""A tiny package installed from local sources in dockopt's packages test image."""

__version__ = "0.2.0"
