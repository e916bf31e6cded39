"""argv style: dereferences NULL through ctypes (SIGSEGV)."""
import ctypes

if __name__ == "__main__":
    ctypes.string_at(0)
