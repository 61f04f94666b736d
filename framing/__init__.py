"""framing: compare how news outlets frame the same event.

Importing this package is light: spaCy, torch, transformers and streamlit are imported lazily
inside the layers that need them.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
