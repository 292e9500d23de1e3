"""osoto-bridge: an Osoto trip's channels, relayed into Telegram and Slack."""

__version__ = "0.1.0"

__all__ = ["__version__"]
