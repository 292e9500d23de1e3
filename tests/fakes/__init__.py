"""Local stand-ins for the chat platforms' APIs, served on loopback for the tests."""
