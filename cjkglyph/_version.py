"""The package version, importable without importing the rest of cjkglyph."""

__version__ = "0.1.0"
