"""A check of train's pickled model, run by specrun in a separate process."""


def has_every_segment(model: dict) -> str | None:
    missing = {"retail", "wholesale"} - set(model)
    return f"no line fitted for {sorted(missing)}" if missing else None
