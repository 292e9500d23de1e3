"""The pure answer functions, one module per group of commands."""
