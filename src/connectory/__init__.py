"""Connectory: onboard connectors from their interface descriptions into a vetted catalogue."""
