"""argv style: 100 lines on stdout and stderr, exits 0."""
import sys

if __name__ == "__main__":
    for i in range(100):
        print(f"out line {i}")
        print(f"err line {i}", file=sys.stderr)
