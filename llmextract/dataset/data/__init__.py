"""Data files of the dataset side (country outlines for the report map)."""
