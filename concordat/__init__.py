"""Concordat: measure what police and mental-health partnership working achieves."""

__version__ = "0.1.0"
