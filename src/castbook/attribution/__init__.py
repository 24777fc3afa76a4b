"""Dialogue segmentation and speaker attribution internals (quotes, names, attribution passes)."""
