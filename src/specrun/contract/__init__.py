"""Data contracts: what a port holds and how that is generated, broken, written, read and checked.

Column types own their behaviour (``builtin_types``, the ``column_type`` protocol);
the DSL becomes a pandera schema (``pandera_schema``); data is generated (``vectorised``,
``strategies``), mutated (``mutators``), broken on purpose (``negative``), written and
read strictly (``io``, ``storage``), validated (``validate``) and checked
(``properties``, ``relations``, ``part_properties``, ``artifacts``).  May import
``spec``, ``results`` and ``plan``; never ``execution``, ``modes``, ``report`` or the session.
"""
