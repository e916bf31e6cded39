"""argv style: os.abort() (SIGABRT)."""
import os

if __name__ == "__main__":
    os.abort()
