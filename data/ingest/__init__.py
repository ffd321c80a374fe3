"""Importers: files in, validated rows into the store, a report out."""
