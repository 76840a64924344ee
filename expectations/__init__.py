"""Concordat expectations layer."""
