"""The one exception a user sees for a bad model: a single sentence naming the part and the key."""


class ModelError(ValueError):
    """A model file that warpfem refuses, with one clear sentence saying why."""
