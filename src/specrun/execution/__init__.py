"""Running scripts safely: sandboxes, process runners, resource monitoring, executors.

One script run in, one ``RunRecord`` out; classification of failures is a hook.
May import ``spec``, ``contract``, ``analysis`` and the records; never ``modes``,
``report`` or the session.
"""
