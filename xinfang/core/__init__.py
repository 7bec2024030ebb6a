"""Infrastructure every app may use: the field cipher, bulk writes, queue claims and the worker loop,
request context, rate limits (with their counters, the one model here), widgets, role names and the role
gate. It imports no domain app."""
