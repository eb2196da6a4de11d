"""Sample data sets fetched from system packages on demand (never from a hub)."""
