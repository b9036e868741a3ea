"""The event-driven test helpers live in tests/eda/ (broker, publisher) and tests/fake_api/."""
import os
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "eda"))
sys.path.insert(0, os.path.join(TOP, "tests", "fake_api"))
