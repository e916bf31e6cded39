"""main() takes the wrong number of parameters."""


def main(input_paths):
    return input_paths
