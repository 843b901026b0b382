"""Built-in scenario files and the scoring rubric, shipped as package data."""
