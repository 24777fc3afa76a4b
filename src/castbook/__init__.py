"""castbook: multi-voice audiobooks from fan fiction and novels."""

__version__ = "0.1.0"
