"""What comes in: column contracts, validation, importers and the demo-city generator."""
