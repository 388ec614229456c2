"""The project's database backends (settings.DATABASES' ENGINE)."""
