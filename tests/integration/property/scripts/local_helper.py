"""A module next to the script: imported by each run, never preloaded by the warm parent."""
IMPORTS = 1
with open("helper_was_imported_here", "w") as fh:   # the cwd: the run's sandbox
    fh.write("yes")
