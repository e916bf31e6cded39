"""Reporters (console, JSON, JUnit, events); each a plugin consuming lifecycle hooks.

They render ``results`` records and nothing else; script text goes through
``safe_text`` first.  May import everything below ``modes`` and the records; never
``modes``, ``commands`` or the session.
"""
