"""The REST API (``/api/v1/``) and what every resource shares: token authentication, the error
shape, throttling, pagination, the schema's error responses and transitions as actions."""
