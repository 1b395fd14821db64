"""iadsim."""
