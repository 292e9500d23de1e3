"""The sandbox's HTTP routes, one module per part of the seed document."""
