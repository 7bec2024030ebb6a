"""Business actions on matters, one module per concern. Each action is one transaction with its audit
record; bad input raises `RegistryError` (a Chinese message for the user) and leaves nothing behind."""
