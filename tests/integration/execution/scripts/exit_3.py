"""argv style: exits with code 3."""
import sys

if __name__ == "__main__":
    print("giving up", file=sys.stderr)
    sys.exit(3)
