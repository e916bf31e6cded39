"""argv style: SIGKILLs itself (a SIGKILL that is not the OOM killer's)."""
import os
import signal

if __name__ == "__main__":
    os.kill(os.getpid(), signal.SIGKILL)
