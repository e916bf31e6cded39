"""specrun-markdown: a specrun reporter writing a Markdown summary of a run."""

__version__ = "0.1.0"
