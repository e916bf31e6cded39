"""argv style: SIGKILLs itself, as the kernel's OOM killer would."""
import os
import signal

if __name__ == "__main__":
    os.kill(os.getpid(), signal.SIGKILL)
