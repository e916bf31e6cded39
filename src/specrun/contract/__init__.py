"""Data contracts: column DSL → pandera schema, generators, mutators, file I/O, profiles."""
