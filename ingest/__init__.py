"""Concordat ingest layer."""
