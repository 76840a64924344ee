"""Concordat dashboard layer."""
