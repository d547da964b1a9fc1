"""qawl: the quotes in Arabic news, who said them and what position they take.

`main` is the `qawl` command (train/cli.py). For notebooks and scripts (predict/api.py):

    import qawl
    model = qawl.load("models/default")
    quotes = model.predict("...")

`main` is imported only when asked for, so `import qawl` loads neither click nor the training code.
"""

from predict.api import Model, load
from predict.records import QawlError

__all__ = ["Model", "QawlError", "load", "main"]


def __getattr__(name: str):
    if name == "main":
        from train.cli import main
        return main
    raise AttributeError(f"module 'qawl' has no attribute {name!r}")


if __name__ == "__main__":
    __getattr__("main")()
