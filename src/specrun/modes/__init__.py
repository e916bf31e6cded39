"""Testing modes (isolation, pipeline, deep dive) and mode selection; each a plugin."""
