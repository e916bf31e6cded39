"""A short TMPDIR for every run, so AF_UNIX sockets fit.

A socket's path must fit in ``sun_path`` (107 bytes and a NUL on Linux).
``multiprocessing`` puts its sockets under TMPDIR (``TMPDIR/pymp-XXXXXXXX/listener-XXXXXXXX``,
about 35 bytes more): the ``forkserver`` start method (Python 3.14's default on Linux),
``multiprocessing.Manager`` and ``Listener`` all fail with ``OSError: AF_UNIX path too
long`` when TMPDIR is the sandbox's own ``tmp/`` folder, which lives deep in the workspace
(``…/.specrun/sandboxes/<case id>-XXXXXXXX/tmp``).

So a run's TMPDIR is an alias: ``/tmp/sr-XXXXXXXX`` (16 bytes), a symbolic link to the
sandbox's ``tmp/`` folder.  What the script writes there still lands in its sandbox (the
disk budget counts it, a kept sandbox keeps it), and socket paths are resolved by the
kernel through the link.  In the process sandbox the link is made in the host's ``/tmp``
(with ``O_EXCL`` semantics: ``symlink`` never replaces an existing name) and removed when
the run ends; in the namespace sandbox, where ``/tmp`` is private, bubblewrap makes it
inside the run's own ``/tmp`` (``--symlink``), so nothing is made on the host.  Where no
link can be made (no writable ``/tmp``) the run's TMPDIR is the sandbox's ``tmp/`` itself.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

#: Where the aliases live, and their name: ``/tmp/sr-`` and 8 hex digits.
ALIAS_DIR = "/tmp"
ALIAS_PREFIX = "sr-"
ATTEMPTS = 16


def alias_name(base: str) -> str:
    """A fresh alias path (not created): ``/tmp/sr-1a2b3c4d``."""
    return os.path.join(base, ALIAS_PREFIX + secrets.token_hex(4))


class TmpAlias:
    """The TMPDIR a run is given for its sandbox's ``target`` folder.

    ``on_host``: make the link in the host's ``/tmp`` now (process sandbox); else only
    a name is chosen and the namespace sandbox makes the link (see :attr:`bwrap_link`).
    """

    def __init__(self, target: Path, *, on_host: bool, base: str | None = None) -> None:
        base = base or ALIAS_DIR
        self.target = Path(target)
        self.made: str | None = None                 # the link this object created on the host
        self.path = str(self.target)                 # what TMPDIR says
        if not os.path.isdir(base):
            return
        if not on_host:
            self.path = alias_name(base)
            return
        for _ in range(ATTEMPTS):
            name = alias_name(base)
            try:
                os.symlink(self.target, name, target_is_directory=True)
            except FileExistsError:
                continue
            except OSError:
                return                               # no writable /tmp: the long path
            self.made = self.path = name
            return

    @property
    def bwrap_link(self) -> tuple[str, str] | None:
        """``(target, alias)`` for bubblewrap's ``--symlink`` (None: nothing to link)."""
        if self.made is not None or self.path == str(self.target):
            return None
        return str(self.target), self.path

    def remove(self) -> None:
        """Remove the host link this object made (safe to call twice; never the target)."""
        if self.made is None:
            return
        try:
            if os.path.islink(self.made) and os.readlink(self.made) == str(self.target):
                os.unlink(self.made)
        except OSError:
            pass
        self.made = None
