"""Interactive course on the NASAMS Code of Ethics and Professional Standards."""

__version__ = "0.1.0"
