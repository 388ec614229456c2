"""The `release` management command the deployment runs before starting a new image."""
