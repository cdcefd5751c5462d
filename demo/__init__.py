"""Services the demo and the integration tests run for real, on loopback."""
