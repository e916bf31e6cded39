"""Reporters (console, JSON, JUnit, events); each a plugin consuming lifecycle hooks."""
